"""Instance actions and events: every request that changes a server is an action (create,
reboot, resize...), tagged with the request id; the steps that carry it out are its events
(compute__do_build_and_run_instance, compute_reboot_instance...), with their result."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.timeutils import utcnow
from pocketstack.db.models.compute_servers import InstanceAction, InstanceActionEvent
from pocketstack.db.repositories.compute.actions import ActionRepo
from pocketstack.services.compute.tx import Transactions

EVENTS = {
    "spawn": "compute__do_build_and_run_instance", "destroy": "compute_terminate_instance",
    "reboot": "compute_reboot_instance", "power_off": "compute_stop_instance",
    "power_on": "compute_start_instance", "pause": "compute_pause_instance",
    "unpause": "compute_unpause_instance", "suspend": "compute_suspend_instance",
    "resume": "compute_resume_instance", "rescue": "compute_rescue_instance",
    "unrescue": "compute_unrescue_instance", "rebuild": "compute_rebuild_instance",
    "snapshot": "compute_snapshot_instance", "migrate_out": "compute_resize_instance",
    "migrate_in": "compute_finish_resize", "live_migrate": "compute_live_migration",
    "schedule": "conductor_schedule_and_build_instances",
}


@dataclass
class ActionRecord:
    action: InstanceAction
    events: list[InstanceActionEvent] = field(default_factory=list)


def request_id(ctx: RequestContext) -> str:
    return ctx.request_id or "req-" + utcnow().strftime("%Y%m%d%H%M%S%f")


class History:
    def __init__(self, tx: Transactions) -> None:
        self.tx = tx

    @staticmethod
    def record(s: Session, instance_id: str, action: str, ctx: RequestContext,
               message: str | None = None) -> str:
        return History.record_action(s, instance_id, action, ctx, message)[0]

    @staticmethod
    def record_action(s: Session, instance_id: str, action: str, ctx: RequestContext,
                      message: str | None = None) -> tuple[str, InstanceAction]:
        now = utcnow()
        rid = request_id(ctx)
        row = InstanceAction(instance_uuid=instance_id, action=action, request_id=rid,
                             user_id=ctx.user_id, project_id=ctx.project_id, message=message,
                             start_time=now, updated_at=now)
        s.add(row)
        return rid, row

    @staticmethod
    def event(s: Session, instance_id: str, rid: str | None, name: str, started: datetime,
              ok: bool, host: str | None = None, error: str | None = None,
              action_id: int | None = None) -> None:
        """Add an event to the server's action (known by id, or by request id)."""
        repo = ActionRepo(s)
        if action_id is None:
            action = repo.by_request(instance_id, rid) if rid else None
            action = action or repo.latest(instance_id)
            if action is None:
                return
            action_id = action.id
        repo.add_event(action_id, name, started, utcnow(), ok=ok, host=host, error=error)

    # -- API ------------------------------------------------------------------------------
    def list(self, instance_id: str, *, limit: int | None, marker: str | None,
             changes_since: datetime | None, changes_before: datetime | None
             ) -> list[InstanceAction]:
        def work(s: Session) -> list[InstanceAction]:
            repo = ActionRepo(s)
            mark = None
            if marker is not None:
                mark = repo.by_request(instance_id, marker)
                if mark is None:
                    raise exc.BadRequest(f"Marker {marker} could not be found.")
            return list(repo.of_instance(instance_id, limit=limit, marker=mark,
                                         changes_since=changes_since,
                                         changes_before=changes_before))
        return self.tx.read(work)

    def get(self, instance_id: str, rid: str) -> ActionRecord:
        def work(s: Session) -> ActionRecord:
            repo = ActionRepo(s)
            action = repo.by_request(instance_id, rid)
            if action is None:
                raise exc.NotFound(f"Action for request_id {rid} on instance {instance_id} "
                                   "not found")
            return ActionRecord(action, list(repo.events(action.id)))
        return self.tx.read(work)


def event_name(op: str) -> str:
    return EVENTS.get(op, f"compute_{op}")


def touch(obj: Any) -> None:
    obj.updated_at = utcnow()
