"""The compute driver contract: what a host's compute agent asks of its hypervisor.

The control plane never calls a driver. It records what a server should be (a task on the
server's row); the agent of the server's host reads that as a ``Work`` item, calls the
driver, and reports a ``Result`` back. Every method is idempotent where the hypervisor
allows it (destroying a server that is gone succeeds, spawning one that runs is a no-op),
so an agent may repeat any step after a crash. Drivers name servers by their uuid.

A driver serves one or more hosts: the qemu and container drivers one (the machine they run
on), the fake driver any number of simulated hypervisors in one process.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

# Power states, as Nova reports them.
NOSTATE, RUNNING, PAUSED, SHUTDOWN, CRASHED, SUSPENDED = 0, 1, 3, 4, 6, 7


class DriverError(Exception):
    """The hypervisor refused or failed; the message becomes the server's fault."""


@dataclass
class HostResources:
    vcpus: int
    memory_mb: int
    local_gb: int
    hypervisor_type: str = "fake"
    hypervisor_version: int = 1000
    host_ip: str = "127.0.0.1"
    cpu_info: dict[str, Any] = field(default_factory=dict)


@dataclass
class InstanceSpec:
    """Everything a hypervisor needs to run a server."""

    id: str
    name: str
    hostname: str
    vcpus: int
    memory_mb: int
    root_gb: int
    image_ref: str = ""
    image_meta: dict[str, Any] = field(default_factory=dict)
    network_info: list[dict[str, Any]] = field(default_factory=list)
    block_devices: list[dict[str, Any]] = field(default_factory=list)
    user_data: str | None = None
    key_data: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    config_drive: bool = False


@dataclass
class Console:
    host: str
    port: int
    internal_access_path: str | None = None


class ComputeDriver(ABC):
    """One hypervisor back end. ``host`` names which of the driver's hosts is meant."""

    name = "base"

    @abstractmethod
    def hosts(self) -> list[str]:
        """The hosts this driver runs."""

    @abstractmethod
    def host_resources(self, host: str) -> HostResources: ...

    @abstractmethod
    def list_instances(self, host: str) -> dict[str, int]:
        """uuid -> power state of every server the hypervisor has."""

    @abstractmethod
    def spawn(self, host: str, spec: InstanceSpec) -> None: ...

    @abstractmethod
    def destroy(self, host: str, instance_id: str) -> None: ...

    @abstractmethod
    def reboot(self, host: str, spec: InstanceSpec, hard: bool) -> None: ...

    @abstractmethod
    def power_off(self, host: str, instance_id: str) -> None: ...

    @abstractmethod
    def power_on(self, host: str, spec: InstanceSpec) -> None: ...

    @abstractmethod
    def pause(self, host: str, instance_id: str) -> None: ...

    @abstractmethod
    def unpause(self, host: str, instance_id: str) -> None: ...

    @abstractmethod
    def suspend(self, host: str, instance_id: str) -> None: ...

    @abstractmethod
    def resume(self, host: str, spec: InstanceSpec) -> None: ...

    @abstractmethod
    def rescue(self, host: str, spec: InstanceSpec, rescue_image: str | None) -> None: ...

    @abstractmethod
    def unrescue(self, host: str, spec: InstanceSpec) -> None: ...

    @abstractmethod
    def snapshot(self, host: str, instance_id: str) -> bytes:
        """The server's root disk as image data."""

    @abstractmethod
    def migrate_disk_and_power_off(self, host: str, instance_id: str, dest: str) -> None:
        """First half of a cold migration / resize, on the source host."""

    @abstractmethod
    def finish_migration(self, host: str, spec: InstanceSpec, power_on: bool) -> None:
        """Second half, on the destination host."""

    @abstractmethod
    def live_migrate(self, host: str, spec: InstanceSpec, dest: str) -> None: ...

    @abstractmethod
    def console_output(self, host: str, instance_id: str) -> str: ...

    @abstractmethod
    def console(self, host: str, instance_id: str, kind: str) -> Console: ...

    @abstractmethod
    def attach_interface(self, host: str, instance_id: str, vif: dict[str, Any]) -> None: ...

    @abstractmethod
    def detach_interface(self, host: str, instance_id: str, port_id: str) -> None: ...

    @abstractmethod
    def attach_volume(self, host: str, instance_id: str, connection: dict[str, Any],
                      mountpoint: str) -> None: ...

    @abstractmethod
    def detach_volume(self, host: str, instance_id: str, volume_id: str) -> None: ...

    def diagnostics(self, host: str, instance_id: str) -> dict[str, Any]:
        return {}
