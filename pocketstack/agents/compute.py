"""The compute agent: one per host, a level-triggered reconciler between what the control
plane wants of the host's servers and what the hypervisor (a compute driver) runs.

The agent talks to the control plane only through a ``Controller``: it asks for the work a
server waits for on this host (``work_for``), carries it out with the driver and reports
the ``Result``; it sends heartbeats with the host's resources; and its audit compares the
servers the control plane places on the host (``expected``) with those the hypervisor has,
starting what is missing (e.g. after the host restarted) and removing orphans. Any step can
be repeated: the controller answers from the database, and drivers are idempotent.

Today the controller is the compute service in the same process (the fake hosts run inside
`pocketstack up`); a remote agent will implement the same calls over the HTTP API.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from pocketstack.drivers.compute.base import (
    PAUSED,
    RUNNING,
    SHUTDOWN,
    SUSPENDED,
    ComputeDriver,
    DriverError,
    HostResources,
    InstanceSpec,
)

log = logging.getLogger("pocketstack.agent.compute")


@dataclass
class Work:
    """One step the control plane asks of a host for one server."""

    instance_id: str
    op: str
    spec: InstanceSpec
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Result:
    instance_id: str
    op: str
    ok: bool
    power_state: int | None = None
    error: str | None = None
    data: Any = None
    started: float = 0.0


class Controller(Protocol):
    def work_for(self, host: str, instance_id: str) -> Work | None: ...

    def report(self, host: str, result: Result) -> None: ...

    def expected(self, hosts: list[str]) -> dict[str, dict[str, int]]:
        """host -> {uuid: power state wanted} for the servers placed on these hosts."""
        ...

    def heartbeat(self, hosts: list[tuple[str, HostResources]]) -> None: ...


# op -> (driver call, power state after it)
OPS: dict[str, tuple[Callable[[ComputeDriver, str, Work], Any], int | None]] = {
    "spawn": (lambda d, h, w: d.spawn(h, w.spec), RUNNING),
    "destroy": (lambda d, h, w: d.destroy(h, w.instance_id), None),
    "reboot": (lambda d, h, w: d.reboot(h, w.spec, bool(w.params.get("hard"))), RUNNING),
    "power_off": (lambda d, h, w: d.power_off(h, w.instance_id), SHUTDOWN),
    "power_on": (lambda d, h, w: d.power_on(h, w.spec), RUNNING),
    "pause": (lambda d, h, w: d.pause(h, w.instance_id), PAUSED),
    "unpause": (lambda d, h, w: d.unpause(h, w.instance_id), RUNNING),
    "suspend": (lambda d, h, w: d.suspend(h, w.instance_id), SUSPENDED),
    "resume": (lambda d, h, w: d.resume(h, w.spec), RUNNING),
    "rescue": (lambda d, h, w: d.rescue(h, w.spec, w.params.get("rescue_image")), RUNNING),
    "unrescue": (lambda d, h, w: d.unrescue(h, w.spec), RUNNING),
    "rebuild": (lambda d, h, w: _rebuild(d, h, w), None),
    "snapshot": (lambda d, h, w: d.snapshot(h, w.instance_id), None),
    "migrate_out": (lambda d, h, w: d.migrate_disk_and_power_off(h, w.instance_id,
                                                                w.params["dest"]), SHUTDOWN),
    "migrate_in": (lambda d, h, w: d.finish_migration(h, w.spec,
                                                      bool(w.params.get("power_on", True))),
                   None),
    "live_migrate": (lambda d, h, w: d.live_migrate(h, w.spec, w.params["dest"]), None),
}


def _rebuild(driver: ComputeDriver, host: str, work: Work) -> None:
    driver.destroy(host, work.instance_id)
    driver.spawn(host, work.spec)
    if not work.params.get("power_on", True):
        driver.power_off(host, work.instance_id)


class ComputeAgent:
    """The reconciler of one host."""

    def __init__(self, host: str, driver: ComputeDriver, controller: Controller) -> None:
        self.host = host
        self.driver = driver
        self.controller = controller

    def converge(self, instance_id: str) -> bool:
        """Carry out the work this server waits for here, if any. True if work was done."""
        work = self.controller.work_for(self.host, instance_id)
        if work is None:
            return False
        self.controller.report(self.host, self.run(work))
        return True

    def run(self, work: Work) -> Result:
        started = time.time()
        entry = OPS.get(work.op)
        if entry is None:
            return Result(work.instance_id, work.op, False, error=f"unknown operation "
                          f"{work.op}", started=started)
        call, power = entry
        try:
            data = call(self.driver, self.host, work)
        except DriverError as e:
            return Result(work.instance_id, work.op, False, error=str(e), started=started)
        except Exception as e:  # noqa: BLE001 - a driver bug becomes the server's fault
            log.exception("compute driver failed: %s %s", work.op, work.instance_id)
            return Result(work.instance_id, work.op, False, error=f"{type(e).__name__}: {e}",
                          started=started)
        if power is None:
            power = self.driver.list_instances(self.host).get(work.instance_id, 0) \
                if work.op != "destroy" else 0
        return Result(work.instance_id, work.op, True, power_state=power, data=data,
                      started=started)

    # -- synchronous requests (console, devices) -------------------------------------------
    def call(self, method: str, *args: Any) -> Any:
        """A synchronous driver call for this host (console output, interface attach...)."""
        try:
            return getattr(self.driver, method)(self.host, *args)
        except DriverError:
            raise
        except Exception as e:  # noqa: BLE001
            raise DriverError(f"{type(e).__name__}: {e}") from e

    # -- audit ----------------------------------------------------------------------------
    def audit(self, expected: dict[str, int]) -> int:
        """Make the hypervisor run what the control plane expects here. Returns fixes."""
        running = self.driver.list_instances(self.host)
        fixes = 0
        for orphan in set(running) - set(expected):
            self.driver.destroy(self.host, orphan)
            fixes += 1
        for uuid, power in expected.items():
            have = running.get(uuid)
            if have == power or power == 0:
                continue
            spec = InstanceSpec(id=uuid, name=uuid, hostname=uuid, vcpus=0, memory_mb=0,
                                root_gb=0)
            try:
                self._restore(spec, have, power)
            except DriverError as e:
                log.warning("audit of %s on %s: %s", uuid, self.host, e)
                continue
            fixes += 1
        return fixes

    def _restore(self, spec: InstanceSpec, have: int | None, want: int) -> None:
        if have is None:
            self.driver.spawn(self.host, spec)
            have = RUNNING
        if want == RUNNING and have != RUNNING:
            self.driver.power_on(self.host, spec)
        elif want == SHUTDOWN:
            self.driver.power_off(self.host, spec.id)
        elif want == PAUSED:
            self.driver.pause(self.host, spec.id)
        elif want == SUSPENDED:
            self.driver.suspend(self.host, spec.id)


class AgentSet:
    """The agents of every host one driver runs (many for the fake driver)."""

    def __init__(self, driver: ComputeDriver, controller: Controller) -> None:
        self.driver = driver
        self.controller = controller
        self.agents = {h: ComputeAgent(h, driver, controller) for h in driver.hosts()}

    def get(self, host: str | None) -> ComputeAgent | None:
        return self.agents.get(host or "")

    def heartbeat(self) -> None:
        self.controller.heartbeat([(h, self.driver.host_resources(h)) for h in self.agents])

    def audit(self) -> int:
        wanted = self.controller.expected(list(self.agents))
        return sum(agent.audit(wanted.get(host, {})) for host, agent in self.agents.items())
