"""Instance actions (what was asked of a server, by whom) and their events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update

from pocketstack.db.models.compute_servers import InstanceAction, InstanceActionEvent
from pocketstack.db.repositories.base import Repository


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

    def touch(self, action_id: int, now: datetime, *, failed: bool) -> None:
        values: dict[str, object] = {"updated_at": now}
        if failed:
            values["message"] = "Error"
        self.session.execute(update(InstanceAction).where(InstanceAction.id == action_id)
                             .values(**values), execution_options={"synchronize_session": False})

    def latest(self, instance_id: str) -> InstanceAction | None:
        return self.session.scalars(select(InstanceAction).where(
            InstanceAction.instance_uuid == instance_id).order_by(
            InstanceAction.start_time.desc(), InstanceAction.id.desc()).limit(1)).first()

    def events(self, action_id: int) -> Sequence[InstanceActionEvent]:
        return self.session.scalars(select(InstanceActionEvent).where(
            InstanceActionEvent.action_id == action_id).order_by(
            InstanceActionEvent.id)).all()
