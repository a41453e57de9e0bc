"""The control plane's side of the agent contract (agents.compute.Controller), in process:
hand a host the work a server waits for there, apply the host's report, list what each host
should run, record heartbeats."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from pocketstack.agents.compute import Result, Work
from pocketstack.common.timeutils import utcnow
from pocketstack.db.models.compute_servers import Instance
from pocketstack.db.repositories.compute.instances import InstanceRepo
from pocketstack.drivers.compute.base import HostResources
from pocketstack.services.compute import lifecycle as L
from pocketstack.services.compute import states as S
from pocketstack.services.compute.history import History, event_name

if TYPE_CHECKING:
    from pocketstack.services.compute import Compute

log = logging.getLogger("pocketstack.compute")


def bdm_dicts(s: Session, instance_id: str) -> list[dict[str, Any]]:
    return [{"volume_id": b.volume_id, "device_name": b.device_name,
             "boot_index": b.boot_index, "source_type": b.source_type,
             "destination_type": b.destination_type}
            for b in InstanceRepo(s).bdms(instance_id)]


class HostAPI:
    def __init__(self, compute: Compute) -> None:
        self.c = compute

    # -- work -----------------------------------------------------------------------------
    def work_for(self, host: str, instance_id: str) -> Work | None:
        def work(s: Session) -> Work | None:
            inst = InstanceRepo(s).live(instance_id)
            return self.work_of(s, inst, host) if inst is not None else None
        return self.c.tx.read(work)

    def work_of(self, s: Session, inst: Instance, host: str | None) -> Work | None:
        """The host work this server waits for on ``host`` (None if it waits for none)."""
        if not inst.task or not host:
            return None
        step = L.current(inst.task)
        parsed = L.host_step(step or "")
        if parsed is None or L.target_host(inst, step or "") != host:
            return None
        name, _ = parsed
        devices = bdm_dicts(s, inst.id) if name in ("spawn", "rebuild") and (
            inst.task.get("volumes") or not inst.image_ref) else []
        return Work(inst.id, name, L.spec(inst, devices), self._params(inst, name))

    @staticmethod
    def _params(inst: Instance, name: str) -> dict[str, Any]:
        task = inst.task or {}
        if name == "reboot":
            return {"hard": task.get("type") == "HARD"}
        if name in ("migrate_out", "live_migrate"):
            return {"dest": task.get("dest")}
        if name == "migrate_in":
            return {"power_on": task.get("vm_state", S.ACTIVE) != S.STOPPED}
        if name == "rebuild":
            return {"power_on": task.get("vm_state", S.ACTIVE) != S.STOPPED}
        if name == "rescue":
            return {"rescue_image": task.get("rescue_image")}
        return {}

    # -- reports ----------------------------------------------------------------------------
    def report(self, host: str, result: Result) -> None:
        self.apply(host, result)

    def apply(self, host: str, result: Result) -> tuple[bool, tuple[str, Work] | None]:
        """Apply a host's report; returns (settled, the next host work if there is some)."""
        if result.ok and result.op == "snapshot":
            result = self._upload(result)
        after: list[tuple[str, str]] = []  # images to delete once committed
        out: list[Any] = [False, None]

        def work(s: Session) -> None:
            after.clear()
            inst = InstanceRepo(s).live(result.instance_id, lock=True)
            if inst is None or not inst.task:
                out[0] = True
                return
            step = L.current(inst.task) or ""
            parsed = L.host_step(step)
            if parsed is None or parsed[0] != result.op or L.target_host(inst, step) != host:
                return  # a stale report: the server has moved on
            started = datetime.fromtimestamp(result.started or 0, UTC) if result.started \
                else utcnow()
            rid = inst.task.get("rid")
            History.event(s, inst.id, rid, event_name(result.op), started, result.ok, host,
                          result.error, action_id=inst.task.get("aid"))
            if not result.ok:
                after.extend(self._failed(s, inst, result))
                out[0] = inst.task is None
                return
            if result.power_state is not None:
                inst.power_state = result.power_state
            self._after(s, inst, result.op, host)
            L.advance(inst)
            out[0] = inst.task is None
            if inst.task:
                target = L.target_host(inst, L.current(inst.task) or "")
                nxt = self.work_of(s, inst, target)
                out[1] = (target, nxt) if nxt is not None else None
        self.c.tx.write(work)
        for project, image_id in after:  # other services write in their own transactions
            self.c.images.delete(project, image_id)
        return bool(out[0]), out[1]

    def _upload(self, result: Result) -> Result:
        def find(s: Session) -> tuple[str, str] | None:
            inst = InstanceRepo(s).live(result.instance_id)
            if inst is None or not inst.task or not inst.task.get("image_id"):
                return None
            return inst.project_id, str(inst.task["image_id"])
        target = self.c.tx.read(find)
        if target is None:
            return result
        try:
            self.c.images.upload(target[0], target[1], result.data or b"")
        except Exception as e:  # noqa: BLE001 - any upload failure is the snapshot's fault
            log.warning("snapshot upload of %s failed: %s", result.instance_id, e)
            return Result(result.instance_id, result.op, False,
                          error=f"Snapshot upload failed: {e}", started=result.started)
        return result

    def _after(self, s: Session, inst: Instance, op: str, host: str) -> None:
        task = inst.task or {}
        if op == "spawn":
            if task.get("op") == "build":
                inst.launched_at = utcnow()
            inst.fault = None
            with s.no_autoflush:  # the server's row is written once, at commit
                self.c.net.set_active(s, [n["port_id"] for n in inst.network_info or []], host)
        elif op == "rebuild":
            inst.launched_at = utcnow()
        elif op == "snapshot":
            inst.task = {**task, "image_done": True}

    def _failed(self, s: Session, inst: Instance, result: Result) -> list[tuple[str, str]]:
        op = str((inst.task or {}).get("op"))
        after = []
        if op == "build":
            self.c.scheduler.release(s, inst.id)
            self.c.net.deallocate(s, inst)
            inst.network_info = []
        if op in ("snapshot", "shelve") and (inst.task or {}).get("image_id"):
            after.append((inst.project_id, str(inst.task["image_id"])))
        L.fail(inst, result.error or f"{result.op} failed", details=result.error)
        return after

    # -- inventory ----------------------------------------------------------------------------
    def expected(self, hosts: list[str]) -> dict[str, dict[str, int]]:
        def work(s: Session) -> dict[str, dict[str, int]]:
            out: dict[str, dict[str, int]] = {h: {} for h in hosts}
            for iid, host, vm_state, power in InstanceRepo(s).placed(hosts):
                if vm_state in (S.ERROR, S.SHELVED_OFFLOADED, S.DELETED):
                    continue
                out.setdefault(host, {})[iid] = power
            return out
        return self.c.tx.read(work)

    def heartbeat(self, hosts: list[tuple[str, HostResources]]) -> None:
        self.c.hosts.heartbeat([h for h, _ in hosts])
