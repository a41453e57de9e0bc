"""Instance actions (what was asked of a server, by whom) and their events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update

from pocketstack.db.models.compute_servers import InstanceAction, InstanceActionEvent
from pocketstack.db.repositories.base import Repository

_A = InstanceAction.__table__.c
_ADD_EVENT = insert(InstanceActionEvent.__table__)
_TOUCH = update(InstanceAction.__table__).where(_A.id == bindparam("b_id")).values(
    updated_at=bindparam("b_now"))
_FAIL = _TOUCH.values(message="Error")


class ActionRepo(Repository[InstanceAction]):
    model = InstanceAction

    def of_instance(self, instance_id: str, *, limit: int | None = None,
                    marker: InstanceAction | None = None,
                    changes_since: datetime | None = None,
                    changes_before: datetime | None = None) -> Sequence[InstanceAction]:
        stmt = select(InstanceAction).where(InstanceAction.instance_uuid == instance_id)
        if marker is not None:
            stmt = stmt.where((InstanceAction.start_time < marker.start_time) |
                              ((InstanceAction.start_time == marker.start_time) &
                               (InstanceAction.id < marker.id)))
        if changes_since is not None:
            stmt = stmt.where(InstanceAction.updated_at >= changes_since)
        if changes_before is not None:
            stmt = stmt.where(InstanceAction.updated_at <= changes_before)
        stmt = stmt.order_by(InstanceAction.start_time.desc(), InstanceAction.id.desc())
        if limit is not None:
            stmt = stmt.limit(limit)
        return self.session.scalars(stmt).all()

    def by_request(self, instance_id: str, request_id: str) -> InstanceAction | None:
        return self.first(InstanceAction.instance_uuid == instance_id,
                          InstanceAction.request_id == request_id)

    def add_event(self, action_id: int, name: str, started: datetime, now: datetime, *,
                  ok: bool, host: str | None, error: str | None) -> None:
        """Record a finished event of an action and mark the action updated (and failed, for
        a failed event). Written straight to the tables: nothing in the session reads them."""
        conn = self.session.connection()
        conn.execute(_ADD_EVENT, {
            "action_id": action_id, "event": name, "start_time": started, "finish_time": now,
            "result": "Success" if ok else "Error", "traceback": None if ok else error,
            "host": host, "details": None if ok else error})
        if ok:
            conn.execute(_TOUCH, {"b_id": action_id, "b_now": now})
        else:
            conn.execute(_FAIL, {"b_id": action_id, "b_now": now})

    def latest(self, instance_id: str) -> InstanceAction | None:
        return self.session.scalars(select(InstanceAction).where(
            InstanceAction.instance_uuid == instance_id).order_by(
            InstanceAction.start_time.desc(), InstanceAction.id.desc()).limit(1)).first()

    def events(self, action_id: int) -> Sequence[InstanceActionEvent]:
        return self.session.scalars(select(InstanceActionEvent).where(
            InstanceActionEvent.action_id == action_id).order_by(
            InstanceActionEvent.id)).all()
