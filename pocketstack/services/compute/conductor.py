"""The conductor: carries a server's recorded operation forward, step by step.

Control-plane steps run here (scheduling with its atomic claim and the server's ports in
one transaction, preparing and attaching volumes, releasing everything when a server is
deleted, finishing moves); host steps are handed to the agent of the host concerned, which
does the work and reports (hostapi.HostAPI). ``process`` is what the worker runs for a
server: it loops until the server is settled or waits for a host this process does not run.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from pocketstack.agents.compute import Work
from pocketstack.common import exceptions as exc
from pocketstack.common.timeutils import utcnow
from pocketstack.db.models.compute_servers import Instance
from pocketstack.db.repositories.compute.groups import GroupRepo
from pocketstack.db.repositories.compute.instances import InstanceRepo
from pocketstack.services.compute import lifecycle as L
from pocketstack.services.compute import moves
from pocketstack.services.compute import states as S
from pocketstack.services.compute.history import History, event_name
from pocketstack.services.compute.scheduler import NO_VALID_HOST, NoValidHost, RequestSpec

if TYPE_CHECKING:
    from pocketstack.services.compute import Compute

log = logging.getLogger("pocketstack.compute")
MAX_STEPS = 64


class Conductor:
    def __init__(self, compute: Compute) -> None:
        self.c = compute
        self._local = threading.local()  # the step this thread is carrying out
        self.steps: dict[str, Callable[[str], Any]] = {
            "volumes": self._volumes, "schedule": self._schedule, "attach": self._attach,
            "finish_delete": self._finish_delete, "finish_resize": self._moves("resize"),
            "finish_confirm": self._moves("confirm"), "finish_revert": self._moves("revert"),
            "finish_live": self._moves("live"), "shelved": self._shelved,
            "finish_offload": self._finish_offload, "finish_unshelve": self._finish_unshelve,
        }

    def process(self, instance_id: str) -> None:
        handoff: tuple[str, Work] | None = None
        for _ in range(MAX_STEPS):
            if handoff is not None:  # the step just recorded is work for a local agent
                host, work = handoff
                handoff = None
                agent = self.c.agents.get(host)
                if agent is not None:
                    settled, handoff = self.c.hostapi.apply(host, agent.run(work))
                    if settled:
                        return
                    continue
            peek = self.c.tx.read(lambda s: self._peek(s, instance_id))
            if peek is None:
                return
            step, target, op = peek
            if step.startswith("@"):
                agent = self.c.agents.get(target)
                if agent is None:
                    if op == "delete" and not self.c.host_alive(target):
                        self._skip(instance_id)  # the host is gone: delete locally
                        continue
                    return  # another process's (or a remote) agent will do it
                if not agent.converge(instance_id):
                    return
                continue
            handler = self.steps.get(step)
            if handler is None:
                log.error("server %s: unknown step %s", instance_id, step)
                return
            self._local.step = step
            handoff = handler(instance_id)

    @staticmethod
    def _peek(s: Session, instance_id: str) -> tuple[str, str | None, str] | None:
        """The step the server waits for, the host it waits on, and the operation (from
        the two columns that say so, not the whole row)."""
        found = InstanceRepo(s).task_and_host(instance_id)
        if found is None or not found.task:
            return None
        step = L.current(found.task)
        if step is None:
            return None
        return step, L.target_host(found, step), str(found.task.get("op"))

    def _skip(self, instance_id: str) -> None:
        def work(s: Session) -> None:
            inst = InstanceRepo(s).live(instance_id, lock=True)
            if inst is not None and inst.task:
                L.advance(inst)
        self.c.tx.write(work)

    def _with(self, instance_id: str, fn: Callable[[Session, Instance], Any]) -> Any:
        """Run ``fn`` on the server in a write transaction, if it still waits for the step
        this thread is carrying out (a newer request, e.g. a delete, may have replaced it)."""
        expected = getattr(self._local, "step", None)

        def work(s: Session) -> Any:
            inst = InstanceRepo(s).live(instance_id, lock=True)
            if inst is None or not inst.task or L.current(inst.task) != expected:
                return None
            return fn(s, inst)
        return self.c.tx.write(work)

    # -- build ------------------------------------------------------------------------------
    def _volumes(self, instance_id: str) -> None:
        """Create the volumes a server boots from (image, snapshot or blank to volume)."""
        def todo(s: Session) -> list[Any]:
            return [b for b in InstanceRepo(s).bdms(instance_id)
                    if b.destination_type == "volume" and not b.volume_id]
        inst_project = self.c.tx.read(lambda s: InstanceRepo(s).live(instance_id))
        if inst_project is None:
            return
        created: dict[int, str] = {}
        try:
            for bdm in self.c.tx.read(todo):
                vol_id = self.c.volumes.create_from_image(
                    inst_project.project_id, bdm.image_id, bdm.volume_size or 1,
                    f"{inst_project.name}-volume", bdm.volume_type)
                self.c.volumes.wait_available(inst_project.project_id, vol_id)
                created[bdm.id] = vol_id
        except exc.PocketstackError as e:
            msg = e.message
            self._with(instance_id, lambda s, i: L.fail(i, f"Build of instance {i.id} "
                                                        f"aborted: {msg}"))
            return

        def save(s: Session, inst: Instance) -> None:
            for bdm in InstanceRepo(s).bdms(inst.id):
                if bdm.id in created:
                    bdm.volume_id = created[bdm.id]
            L.advance(inst)
        self._with(instance_id, save)

    def _schedule(self, instance_id: str) -> tuple[str, Work] | None:
        """Rank the hosts, claim on the best and create the ports, in one write
        transaction; hands the spawn to the local agent straight away."""
        try:
            return self._with(instance_id, self._place)
        except NoValidHost as e:
            msg = e.message
            self._with(instance_id, lambda s, i: self._no_host(s, i, msg))
        except exc.PocketstackError as e:
            msg = e.message
            self._with(instance_id, lambda s, i: self._build_failed(s, i, msg))

    def _place(self, s: Session, inst: Instance) -> tuple[str, Work] | None:
        if (inst.task or {}).get("op") == "unshelve" and inst.host:
            L.advance(inst)  # shelved, not offloaded: it still has its host
            return None
        started = utcnow()
        spec = self.request_spec(s, inst)
        placement = self.c.scheduler.place(s, inst.id, spec, self.c.aggregates.topology())
        req = inst.request or {}
        if inst.task and inst.task.get("op") == "unshelve":
            self.c.net.rebind(s, inst, placement.host, placement.zone)
        elif not inst.network_info:
            inst.network_info = self.c.net.allocate(s, inst, placement.host, placement.zone,
                                                    req.get("networks", []),
                                                    req.get("sg_ids", []))
        # Set after the ports, whose flushes would otherwise write the row a first time.
        inst.host, inst.node, inst.availability_zone = placement.host, placement.node, \
            placement.zone
        History.event(s, inst.id, (inst.task or {}).get("rid"), event_name("schedule"),
                      started, True, action_id=(inst.task or {}).get("aid"))
        L.advance(inst)
        work = self.c.hostapi.work_of(s, inst, inst.host)
        return (str(inst.host), work) if work is not None else None

    def request_spec(self, s: Session, inst: Instance, *, lock: bool = True) -> RequestSpec:
        req = inst.request or {}
        spec = RequestSpec(vcpus=inst.vcpus, memory_mb=inst.memory_mb,
                           disk_gb=inst.root_gb + (inst.ephemeral_gb or 0),
                           availability_zone=req.get("az"),
                           image_props=dict((inst.system_metadata or {}).get("image", {})),
                           extra_specs=dict((inst.flavor or {}).get("extra_specs", {})),
                           force_host=req.get("force_host"), force_node=req.get("force_node"),
                           requested_host=req.get("requested_host"))
        if (inst.task or {}).get("op") == "unshelve":
            spec.availability_zone = (inst.task or {}).get("az") or inst.pinned_availability_zone
            spec.requested_host = (inst.task or {}).get("host")
        group = GroupRepo(s).group_of(inst.id) if req.get("group", True) else None
        if group is not None:
            GroupRepo(s).by_uuid(group.uuid, lock=lock)
            spec.group_policy = group.policy
            spec.group_hosts = GroupRepo(s).member_hosts(group.id, exclude=inst.id)
            spec.max_per_host = (group.rules or {}).get("max_server_per_host")
        hints = inst.scheduler_hints or {}
        repo = InstanceRepo(s)
        if hints.get("same_host"):
            spec.same_hosts = repo.hosts_of(_as_list(hints["same_host"]))
        if hints.get("different_host"):
            spec.different_hosts = repo.hosts_of(_as_list(hints["different_host"]))
        return spec

    def _no_host(self, s: Session, inst: Instance, message: str) -> None:
        History.event(s, inst.id, (inst.task or {}).get("rid"), event_name("schedule"),
                      utcnow(), False, error=message)
        if (inst.task or {}).get("op") == "unshelve":
            L.fail(inst, NO_VALID_HOST, details=message, fatal=False)
            return
        L.fail(inst, NO_VALID_HOST, details=message)

    def _build_failed(self, s: Session, inst: Instance, message: str) -> None:
        History.event(s, inst.id, (inst.task or {}).get("rid"), event_name("schedule"),
                      utcnow(), False, error=message)
        self.c.scheduler.release(s, inst.id)
        inst.host = inst.node = None
        L.fail(inst, f"Build of instance {inst.id} aborted: {message}", details=message)

    def _attach(self, instance_id: str) -> None:
        inst = self.c.tx.read(lambda s: InstanceRepo(s).live(instance_id))
        if inst is None or not inst.host:
            return
        done: dict[int, str] = {}
        try:
            for bdm in self.c.tx.read(lambda s: InstanceRepo(s).bdms(instance_id)):
                if bdm.volume_id and not bdm.attachment_id:
                    done[bdm.id] = self.c.volumes.attach(inst.project_id, bdm.volume_id,
                                                         inst.id, inst.host,
                                                         bdm.device_name or "/dev/vda")
        except exc.PocketstackError as e:
            msg = e.message
            self._with(instance_id, lambda s, i: self._build_failed(s, i, msg))
            return

        def save(s: Session, i: Instance) -> None:
            for bdm in InstanceRepo(s).bdms(i.id):
                if bdm.id in done:
                    bdm.attachment_id = done[bdm.id]
            L.advance(i)
        self._with(instance_id, save)

    # -- delete -----------------------------------------------------------------------------
    def _finish_delete(self, instance_id: str) -> None:
        inst = self.c.tx.read(lambda s: InstanceRepo(s).live(instance_id))
        if inst is None:
            return
        bdms = self.c.tx.read(lambda s: InstanceRepo(s).bdms(instance_id))
        if bdms and self.c.volumes.available:
            for bdm in bdms:
                if not bdm.volume_id:
                    continue
                self.c.volumes.detach(inst.project_id, bdm.attachment_id, bdm.volume_id)
                if bdm.delete_on_termination:
                    self.c.volumes.delete(inst.project_id, bdm.volume_id)
        self._with(instance_id, self._purge)

    def _purge(self, s: Session, inst: Instance) -> None:
        moves.release_all(s, self.c, inst)
        self.c.net.deallocate(s, inst)
        GroupRepo(s).remove_member(inst.id)
        now = utcnow()
        L.settle(inst, S.DELETED, S.NOSTATE)
        inst.deleted, inst.deleted_at, inst.terminated_at = True, now, now

    # -- moves, shelving ----------------------------------------------------------------------
    def _moves(self, kind: str) -> Callable[[str], None]:
        def run(instance_id: str) -> None:
            self._with(instance_id, lambda s, i: moves.finish(s, self.c, i, kind))
        return run

    def _shelved(self, instance_id: str) -> None:
        def work(s: Session, inst: Instance) -> None:
            L.settle(inst, S.SHELVED, S.SHUTDOWN)
            if self.c.options.shelved_offload_time == 0:
                L.begin(inst, "shelve_offload", S.SHELVING_OFFLOADING,
                        str((inst.task or {}).get("rid", "")))
        self._with(instance_id, work)

    def _finish_offload(self, instance_id: str) -> None:
        def work(s: Session, inst: Instance) -> None:
            moves.release_all(s, self.c, inst)
            self.c.net.rebind(s, inst, None, None)
            inst.host = inst.node = None
            L.settle(inst, S.SHELVED_OFFLOADED, S.NOSTATE)
        self._with(instance_id, work)

    def _finish_unshelve(self, instance_id: str) -> None:
        def work(s: Session, inst: Instance) -> str | None:
            meta = dict(inst.system_metadata or {})
            image = meta.pop("shelved_image_id", None)
            inst.system_metadata = meta
            L.settle(inst, S.ACTIVE, S.RUNNING)
            return str(image) if image else None
        image_id = self._with(instance_id, work)
        project = self.c.tx.read(lambda s: getattr(InstanceRepo(s).get(instance_id),
                                                   "project_id", ""))
        if image_id:
            self.c.images.delete(project, image_id)


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]
