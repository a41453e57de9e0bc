"""The fake compute driver: any number of simulated hypervisors in this process.

Each host has its own capacity and its own table of servers (uuid -> power state, boot
count), so it behaves like a hypervisor that forgets everything when the process restarts:
the agent's audit then finds servers the control plane expects and the host does not run,
and spawns them again (level-triggered). Operations are instant unless ``boot_delay`` asks
for a simulated spawn time. Errors are those a real hypervisor would give (acting on a
server it does not have).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from pocketstack.drivers.compute.base import (
    PAUSED,
    RUNNING,
    SHUTDOWN,
    SUSPENDED,
    ComputeDriver,
    Console,
    DriverError,
    HostResources,
    InstanceSpec,
)


class _Host:
    __slots__ = ("resources", "servers", "lock")

    def __init__(self, resources: HostResources) -> None:
        self.resources = resources
        self.servers: dict[str, list[int]] = {}  # uuid -> [power state, boots]
        self.lock = threading.Lock()


class FakeDriver(ComputeDriver):
    name = "fake"

    def __init__(self, hosts: dict[str, HostResources], *, boot_delay: float = 0.0) -> None:
        self._hosts = {name: _Host(res) for name, res in hosts.items()}
        self.boot_delay = boot_delay

    def _host(self, host: str) -> _Host:
        found = self._hosts.get(host)
        if found is None:
            raise DriverError(f"Compute host {host} is not run by this driver.")
        return found

    def _server(self, host: str, instance_id: str) -> list[int]:
        h = self._host(host)
        with h.lock:
            state = h.servers.get(instance_id)
        if state is None:
            raise DriverError(f"Instance {instance_id} could not be found on host {host}.")
        return state

    def _set(self, host: str, instance_id: str, power: int) -> None:
        self._server(host, instance_id)[0] = power

    # -- inventory ------------------------------------------------------------------------
    def hosts(self) -> list[str]:
        return list(self._hosts)

    def host_resources(self, host: str) -> HostResources:
        return self._host(host).resources

    def list_instances(self, host: str) -> dict[str, int]:
        h = self._host(host)
        with h.lock:
            return {k: v[0] for k, v in h.servers.items()}

    # -- lifecycle ------------------------------------------------------------------------
    def spawn(self, host: str, spec: InstanceSpec) -> None:
        h = self._host(host)
        if self.boot_delay:
            time.sleep(self.boot_delay)
        with h.lock:
            state = h.servers.setdefault(spec.id, [RUNNING, 0])
            state[0] = RUNNING
            state[1] += 1

    def destroy(self, host: str, instance_id: str) -> None:
        h = self._host(host)
        with h.lock:
            h.servers.pop(instance_id, None)

    def reboot(self, host: str, spec: InstanceSpec, hard: bool) -> None:
        state = self._server(host, spec.id)
        state[0] = RUNNING
        state[1] += 1

    def power_off(self, host: str, instance_id: str) -> None:
        self._set(host, instance_id, SHUTDOWN)

    def power_on(self, host: str, spec: InstanceSpec) -> None:
        h = self._host(host)
        with h.lock:
            state = h.servers.setdefault(spec.id, [RUNNING, 0])
        state[0] = RUNNING
        state[1] += 1

    def pause(self, host: str, instance_id: str) -> None:
        self._set(host, instance_id, PAUSED)

    def unpause(self, host: str, instance_id: str) -> None:
        self._set(host, instance_id, RUNNING)

    def suspend(self, host: str, instance_id: str) -> None:
        self._set(host, instance_id, SUSPENDED)

    def resume(self, host: str, spec: InstanceSpec) -> None:
        self._set(host, spec.id, RUNNING)

    def rescue(self, host: str, spec: InstanceSpec, rescue_image: str | None) -> None:
        self._set(host, spec.id, RUNNING)

    def unrescue(self, host: str, spec: InstanceSpec) -> None:
        self._set(host, spec.id, RUNNING)

    def snapshot(self, host: str, instance_id: str) -> bytes:
        self._server(host, instance_id)
        return b"pocketstack fake disk of " + instance_id.encode() + b"\n"

    # -- moves ----------------------------------------------------------------------------
    def migrate_disk_and_power_off(self, host: str, instance_id: str, dest: str) -> None:
        self._host(dest)
        self.destroy(host, instance_id)

    def finish_migration(self, host: str, spec: InstanceSpec, power_on: bool) -> None:
        self.spawn(host, spec)
        if not power_on:
            self._set(host, spec.id, SHUTDOWN)

    def live_migrate(self, host: str, spec: InstanceSpec, dest: str) -> None:
        power = self._server(host, spec.id)[0]
        target = self._host(dest)
        with target.lock:
            target.servers[spec.id] = [power, 1]
        self.destroy(host, spec.id)

    # -- consoles, devices ----------------------------------------------------------------
    def console_output(self, host: str, instance_id: str) -> str:
        power, boots = self._server(host, instance_id)
        lines = []
        for boot in range(1, boots + 1):
            lines += [f"[    0.000000] pocketstack fake hypervisor {host}: boot {boot}",
                      f"[    0.010000] Booting instance {instance_id}",
                      "[    0.020000] cloud-init: network up",
                      f"login: (boot {boot} finished)"]
        if power == SHUTDOWN:
            lines.append("[    1.000000] reboot: Power down")
        return "\n".join(lines) + "\n"

    def console(self, host: str, instance_id: str, kind: str) -> Console:
        self._server(host, instance_id)
        return Console(host=self._host(host).resources.host_ip, port=5900,
                       internal_access_path=None)

    def attach_interface(self, host: str, instance_id: str, vif: dict[str, Any]) -> None:
        self._server(host, instance_id)

    def detach_interface(self, host: str, instance_id: str, port_id: str) -> None:
        self._server(host, instance_id)

    def attach_volume(self, host: str, instance_id: str, connection: dict[str, Any],
                      mountpoint: str) -> None:
        self._server(host, instance_id)

    def detach_volume(self, host: str, instance_id: str, volume_id: str) -> None:
        self._host(host)

    def diagnostics(self, host: str, instance_id: str) -> dict[str, Any]:
        power, _ = self._server(host, instance_id)
        return {"state": {RUNNING: "running", SHUTDOWN: "shutdown", PAUSED: "paused",
                          SUSPENDED: "suspended"}.get(power, "pending"),
                "driver": "libvirt", "hypervisor": "fake", "hypervisor_os": "linux",
                "uptime": 46664, "config_drive": False, "num_cpus": 1, "num_nics": 0,
                "num_disks": 1, "memory_details": {"maximum": 512, "used": 0},
                "cpu_details": [], "nic_details": [], "disk_details": []}
