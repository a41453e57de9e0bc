"""Migrations: resizes, cold and live migrations, evacuations of servers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select

from pocketstack.db.models.compute_servers import Migration
from pocketstack.db.repositories.base import Repository

M = Migration
IN_PROGRESS = ("queued", "preparing", "running", "pre-migrating", "migrating",
               "post-migrating", "finished", "confirming", "reverting")


class MigrationRepo(Repository[Migration]):
    model = Migration

    def by_uuid(self, uuid: str) -> Migration | None:
        return self.first(M.uuid == uuid)

    def latest_for(self, instance_id: str, types: tuple[str, ...],
                   statuses: tuple[str, ...] | None = None) -> Migration | None:
        stmt = select(M).where(M.instance_uuid == instance_id, M.migration_type.in_(types))
        if statuses:
            stmt = stmt.where(M.status.in_(statuses))
        return self.session.scalars(stmt.order_by(M.id.desc()).limit(1)).first()

    def of_instance(self, instance_id: str, types: tuple[str, ...] | None = None,
                    statuses: tuple[str, ...] | None = None) -> Sequence[Migration]:
        stmt = select(M).where(M.instance_uuid == instance_id)
        if types:
            stmt = stmt.where(M.migration_type.in_(types))
        if statuses:
            stmt = stmt.where(M.status.in_(statuses))
        return self.session.scalars(stmt.order_by(M.id)).all()

    def search(self, where: list[Any], limit: int | None, marker: Migration | None,
               changes_since: datetime | None, changes_before: datetime | None
               ) -> Sequence[Migration]:
        stmt = select(M).where(*where)
        if changes_since is not None:
            stmt = stmt.where(M.updated_at >= changes_since)
        if changes_before is not None:
            stmt = stmt.where(M.updated_at <= changes_before)
        if marker is not None:
            stmt = stmt.where((M.created_at < marker.created_at) |
                              ((M.created_at == marker.created_at) & (M.id < marker.id)))
        stmt = stmt.order_by(M.created_at.desc(), M.id.desc())
        if limit is not None:
            stmt = stmt.limit(limit)
        return self.session.scalars(stmt).all()
