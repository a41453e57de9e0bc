"""Moving servers: resize and cold migration (confirm / revert), live migration.

The request claims the destination at once, in its own transaction (the server's
allocation on the source is handed to the migration record first, as Nova does with
placement, so both are held until the move is confirmed or reverted). If no host fits, the
request still succeeds (202) and the failure shows as a fault and an instance action
error, as Nova's asynchronous scheduling does. The conductor finishes each move here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.ids import new_uuid
from pocketstack.common.timeutils import iso, utcnow
from pocketstack.db.models.compute_servers import Instance, Migration
from pocketstack.db.repositories.compute.hosts import AllocationRepo, NodeRepo
from pocketstack.db.repositories.compute.migrations import MigrationRepo
from pocketstack.services.compute import lifecycle as L
from pocketstack.services.compute import states as S
from pocketstack.services.compute.scheduler import NoValidHost, RequestSpec

if TYPE_CHECKING:
    from pocketstack.services.compute import Compute


def release_all(s: Session, c: Compute, inst: Instance) -> None:
    """Give back everything the server and its unfinished migrations hold."""
    c.scheduler.release(s, inst.id)
    for mig in MigrationRepo(s).of_instance(inst.id):
        c.scheduler.release(s, mig.uuid)


def _apply_flavor(inst: Instance, flavor: dict[str, Any]) -> None:
    inst.flavor = dict(flavor)
    inst.flavor_id = str(flavor["id"])
    inst.vcpus, inst.memory_mb = int(flavor["vcpus"]), int(flavor["ram"])
    inst.root_gb, inst.ephemeral_gb = int(flavor["disk"]), int(flavor.get("ephemeral", 0))


def start_move(s: Session, c: Compute, inst: Instance, *, new_flavor: dict[str, Any] | None,
               host: str | None, rid: str, live: bool = False) -> None:
    """Record a resize / migration and claim its destination. Raises NoValidHost."""
    flavor = new_flavor or inst.flavor
    spec = c.conductor.request_spec(s, inst)
    spec.vcpus, spec.memory_mb = int(flavor["vcpus"]), int(flavor["ram"])
    spec.disk_gb = int(flavor["disk"]) + int(flavor.get("ephemeral", 0))
    spec.force_host = spec.force_node = None
    spec.requested_host = host
    spec.availability_zone = inst.pinned_availability_zone
    if new_flavor is None or live:
        spec.ignore_hosts = [inst.host or ""]
    mig = Migration(uuid=new_uuid(), instance_uuid=inst.id,
                    migration_type="live-migration" if live else
                    ("resize" if new_flavor else "migration"),
                    status="queued" if live else "pre-migrating", source_compute=inst.host,
                    source_node=inst.node, old_flavor_id=inst.flavor_id,
                    new_flavor_id=str(flavor["id"]), old_flavor=dict(inst.flavor),
                    new_flavor=dict(flavor), project_id=inst.project_id,
                    user_id=inst.user_id, created_at=utcnow(), updated_at=utcnow())
    s.add(mig)
    s.flush()
    AllocationRepo(s).rename(inst.id, mig.uuid)
    placement = c.scheduler.place(s, inst.id, spec, c.aggregates.topology())
    mig.dest_compute, mig.dest_node, mig.dest_host = placement.host, placement.node, \
        placement.host
    mig.status = "preparing" if live else "migrating"
    params = {"migration": mig.uuid, "dest": placement.host, "dest_node": placement.node,
              "source": inst.host, "source_node": inst.node, "vm_state": inst.vm_state,
              "new_flavor": dict(flavor)}
    if live:
        L.begin(inst, "live_migrate", S.MIGRATING, rid, **params)
        mig.status = "running"
    else:
        L.begin(inst, "resize", S.RESIZE_PREP, rid, **params)


def no_host(s: Session, inst: Instance, message: str, live: bool) -> None:
    """Record an asynchronous scheduling failure of a move."""
    inst.fault = {"code": 500, "message": "No valid host was found. There are not enough "
                  "hosts available.", "details": message, "created": iso(utcnow(), micro=False)}
    inst.updated_at = utcnow()
    s.add(Migration(uuid=new_uuid(), instance_uuid=inst.id,
                    migration_type="live-migration" if live else "migration",
                    status="error", source_compute=inst.host, source_node=inst.node,
                    project_id=inst.project_id, user_id=inst.user_id, created_at=utcnow(),
                    updated_at=utcnow()))


def finish(s: Session, c: Compute, inst: Instance, kind: str) -> None:
    task = dict(inst.task or {})
    mig = MigrationRepo(s).by_uuid(str(task.get("migration", "")))
    if kind == "resize":
        inst.host, inst.node = task["dest"], task["dest_node"]
        inst.availability_zone = c.aggregates.topology().zone_of(inst.host)
        meta = dict(inst.system_metadata or {})
        meta["old_vm_state"] = task.get("vm_state", S.ACTIVE)
        inst.system_metadata = meta
        _apply_flavor(inst, task["new_flavor"])
        c.net.rebind(s, inst, inst.host, inst.availability_zone)
        power = S.SHUTDOWN if meta["old_vm_state"] == S.STOPPED else S.RUNNING
        _set(mig, "finished")
        L.settle(inst, S.RESIZED, power)
    elif kind == "confirm":
        if mig is not None:
            c.scheduler.release(s, mig.uuid)
        _set(mig, "confirmed")
        _back(inst)
    elif kind == "revert":
        _revert(s, c, inst, mig)
    elif kind == "live":
        if mig is not None:
            c.scheduler.release(s, mig.uuid)
        inst.host, inst.node = task["dest"], task["dest_node"]
        inst.availability_zone = c.aggregates.topology().zone_of(inst.host)
        c.net.rebind(s, inst, inst.host, inst.availability_zone)
        _set(mig, "completed")
        L.settle(inst, task.get("vm_state", S.ACTIVE), inst.power_state)


def _revert(s: Session, c: Compute, inst: Instance, mig: Migration | None) -> None:
    if mig is None:
        _back(inst)
        return
    dest = NodeRepo(s).by_hostname(mig.dest_node or "")
    if dest is not None:
        c.scheduler.release(s, inst.id, dest.id)
    AllocationRepo(s).rename(mig.uuid, inst.id)
    inst.host, inst.node = mig.source_compute, mig.source_node
    inst.availability_zone = c.aggregates.topology().zone_of(inst.host)
    if mig.old_flavor:
        _apply_flavor(inst, mig.old_flavor)
    c.net.rebind(s, inst, inst.host, inst.availability_zone)
    _set(mig, "reverted")
    _back(inst)


def _back(inst: Instance) -> None:
    meta = dict(inst.system_metadata or {})
    old = meta.pop("old_vm_state", S.ACTIVE)
    inst.system_metadata = meta
    L.settle(inst, old, S.SHUTDOWN if old == S.STOPPED else S.RUNNING)


def _set(mig: Migration | None, status: str) -> None:
    if mig is not None:
        mig.status, mig.updated_at = status, utcnow()


def pending_resize(s: Session, inst: Instance) -> Migration:
    mig = MigrationRepo(s).latest_for(inst.id, ("resize", "migration"), ("finished",))
    if mig is None:
        raise exc.BadRequest(f"Instance {inst.id} has not been resized.")
    return mig


def check_host(s: Session, host: str) -> None:
    if not NodeRepo(s).on_host(host):
        raise exc.BadRequest(f"Compute host {host} could not be found.")


__all__ = ["NoValidHost", "RequestSpec", "finish", "no_host", "pending_resize",
           "release_all", "start_move"]
