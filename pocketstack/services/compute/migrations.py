"""Requests to move servers (resize, confirm / revert, cold and live migration, in-progress
live migrations: show, force-complete, abort) and the migration listings."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.timeutils import parse_iso, utcnow
from pocketstack.db.models.compute_servers import Instance, Migration
from pocketstack.db.repositories.compute.flavors import FlavorRepo
from pocketstack.db.repositories.compute.instances import InstanceRepo
from pocketstack.db.repositories.compute.migrations import MigrationRepo
from pocketstack.services.compute import lifecycle as L
from pocketstack.services.compute import moves
from pocketstack.services.compute import states as S
from pocketstack.services.compute.flavors import FlavorService, snapshot
from pocketstack.services.compute.history import History
from pocketstack.services.compute.paging import parse_limit
from pocketstack.services.compute.scheduler import NoValidHost

if TYPE_CHECKING:
    from pocketstack.services.compute import Compute

LIVE_STATES = (S.ACTIVE, S.PAUSED)


class MigrationService:
    def __init__(self, compute: Compute) -> None:
        self.c = compute

    def _move(self, ctx: RequestContext, server_id: str, action: str, *,
              flavor_ref: str | None = None, host: str | None = None,
              live: bool = False, disk_config: str | None = None) -> None:
        """Record the move and claim its destination; a scheduling failure is recorded as
        the server's fault (asynchronous, as Nova)."""
        def work(s: Session) -> None:
            inst = self.c.servers.load(s, ctx, server_id, lock=True)
            self.c.actions.check_lock(ctx, inst)
            S.require(inst, action, LIVE_STATES if live else (S.ACTIVE, S.STOPPED))
            new_flavor = self._new_flavor(s, ctx, inst, flavor_ref) if flavor_ref else None
            if host:
                moves.check_host(s, host)
                if host == inst.host:
                    raise exc.BadRequest(f"Unable to migrate instance ({inst.id}) to current "
                                         f"host ({host}).")
            rid = History.record(s, inst.id, action, ctx)
            if disk_config:
                inst.disk_config = disk_config
            moves.start_move(s, self.c, inst, new_flavor=new_flavor, host=host, rid=rid,
                             live=live)
        try:
            self.c.tx.write(work)
        except NoValidHost as e:
            self._no_host(ctx, server_id, action, e.message, live)
            return
        self.c.kick(server_id)

    def _no_host(self, ctx: RequestContext, server_id: str, action: str, message: str,
                 live: bool) -> None:
        def work(s: Session) -> None:
            inst = self.c.servers.load(s, ctx, server_id, lock=True)
            rid = History.record(s, inst.id, action, ctx)
            History.event(s, inst.id, rid, "conductor_migrate_server", utcnow(), False,
                          error=message)
            moves.no_host(s, inst, message, live)
        self.c.tx.write(work)

    def _new_flavor(self, s: Session, ctx: RequestContext, inst: Instance, ref: str
                    ) -> dict[str, Any]:
        flavor_id = str(ref).rstrip("/").rsplit("/", 1)[-1]
        try:
            flavor = FlavorService.load(s, ctx, flavor_id)
        except exc.NotFound:
            raise exc.BadRequest(f"Flavor {flavor_id} could not be found.") from None
        if flavor.flavorid == inst.flavor_id:
            raise exc.BadRequest("When resizing, instances must change flavor!")
        boot_from_volume = bool((inst.system_metadata or {}).get("boot_from_volume"))
        if not boot_from_volume and flavor.root_gb < int(inst.flavor.get("disk", 0)) \
                and flavor.root_gb != 0:
            raise exc.BadRequest("Resize error: Unable to resize disk down.")
        new = snapshot(flavor, FlavorRepo(s).specs(flavor.id))
        dv = new["vcpus"] - inst.vcpus
        dr = new["ram"] - inst.memory_mb
        if dv > 0 or dr > 0:
            self._check_delta(s, inst, max(dv, 0), max(dr, 0))
        return new

    def _check_delta(self, s: Session, inst: Instance, dv: int, dr: int) -> None:
        limits = self.c.quotas.limits_in(s, inst.project_id)
        used = self.c.quotas.usage_in(s, inst.project_id)
        for res, delta in (("cores", dv), ("ram", dr)):
            if delta and limits[res] >= 0 and used[res] + delta > limits[res]:
                raise exc.Forbidden(f"Quota exceeded for {res}: Requested {delta}, but "
                                    f"already used {used[res]} of {limits[res]} {res}")

    def resize(self, ctx: RequestContext, server_id: str, flavor_ref: str,
               disk_config: str | None = None) -> None:
        self._move(ctx, server_id, "resize", flavor_ref=flavor_ref, disk_config=disk_config)

    def migrate(self, ctx: RequestContext, server_id: str, host: str | None) -> None:
        self._move(ctx, server_id, "migrate", host=host)

    def live_migrate(self, ctx: RequestContext, server_id: str, host: str | None) -> None:
        self._move(ctx, server_id, "live-migration", host=host, live=True)

    def confirm(self, ctx: RequestContext, server_id: str) -> None:
        self._finish(ctx, server_id, "confirmResize", "confirm_resize", "confirming")

    def revert(self, ctx: RequestContext, server_id: str) -> None:
        self._finish(ctx, server_id, "revertResize", "revert_resize", "reverting")

    def _finish(self, ctx: RequestContext, server_id: str, action: str, op: str,
                status: str) -> None:
        def work(s: Session) -> None:
            inst = self.c.servers.load(s, ctx, server_id, lock=True)
            self.c.actions.check_lock(ctx, inst)
            S.require(inst, action, (S.RESIZED,))
            mig = moves.pending_resize(s, inst)
            mig.status = status
            rid = History.record(s, inst.id, action, ctx)
            L.begin(inst, op, S.RESIZE_REVERTING if op == "revert_resize" else None, rid,
                    migration=mig.uuid, dest=mig.dest_compute, source=mig.source_compute,
                    vm_state=(inst.system_metadata or {}).get("old_vm_state", S.ACTIVE))
        self.c.tx.write(work)
        self.c.kick(server_id)

    # -- listings ---------------------------------------------------------------------------
    def of_server(self, ctx: RequestContext, server_id: str, migration_id: str | None = None
                  ) -> list[Migration]:
        def work(s: Session) -> list[Migration]:
            inst = self.c.servers.load(s, ctx, server_id)
            found = [m for m in MigrationRepo(s).of_instance(inst.id, ("live-migration",))
                     if m.status in ("queued", "preparing", "running")]
            if migration_id is not None:
                found = [m for m in found if str(m.id) == str(migration_id)]
                if not found:
                    raise exc.NotFound(f"Migration {migration_id} for instance {server_id} "
                                       "could not be found.")
            return found
        return self.c.tx.read(work)

    def abort(self, ctx: RequestContext, server_id: str, migration_id: str) -> None:
        self._in_progress(ctx, server_id, migration_id, "abort")

    def force_complete(self, ctx: RequestContext, server_id: str, migration_id: str) -> None:
        self._in_progress(ctx, server_id, migration_id, "force complete")

    def _in_progress(self, ctx: RequestContext, server_id: str, migration_id: str,
                     what: str) -> None:
        def work(s: Session) -> None:
            inst = self.c.servers.load(s, ctx, server_id)
            mig = MigrationRepo(s).get(int(migration_id)) if migration_id.isdigit() else None
            if mig is None or mig.instance_uuid != inst.id:
                raise exc.NotFound(f"Migration {migration_id} for instance {server_id} "
                                   "could not be found.")
            raise exc.BadRequest(f"Migration {migration_id} state of instance {server_id} is "
                                 f"{mig.status}. Cannot {what} while the migration is in "
                                 "this state.")
        self.c.tx.read(work)

    def listing(self, ctx: RequestContext, params: dict[str, str], mv: int
                ) -> list[Migration]:
        where: list[Any] = []
        M = Migration
        for key, col in (("instance_uuid", M.instance_uuid), ("status", M.status),
                         ("migration_type", M.migration_type), ("user_id", M.user_id),
                         ("project_id", M.project_id)):
            if params.get(key):
                where.append(col == params[key])
        if params.get("host"):
            where.append((M.source_compute == params["host"]) |
                         (M.dest_compute == params["host"]))
        limit = parse_limit(params.get("limit")) if mv >= 59 else None
        since = _time(params.get("changes-since")) if mv >= 59 else None
        before = _time(params.get("changes-before")) if mv >= 66 else None

        def work(s: Session) -> list[Migration]:
            repo = MigrationRepo(s)
            marker = None
            if mv >= 59 and params.get("marker"):
                marker = repo.by_uuid(params["marker"])
                if marker is None:
                    raise exc.BadRequest(f"Marker {params['marker']} could not be found.")
            return list(repo.search(where, limit, marker, since, before))
        return self.c.tx.read(work)

    def instance_exists(self, s: Session, instance_id: str) -> bool:
        return InstanceRepo(s).get(instance_id) is not None


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return parse_iso(value)
    except ValueError:
        raise exc.BadRequest(f"Invalid timestamp: {value}") from None
