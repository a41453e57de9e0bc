"""Snapshots (with metadata) and backups."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import exists, func, select

from pocketstack.db.models.volume import Backup, Snapshot, SnapshotMetadata
from pocketstack.db.repositories.base import Repository
from pocketstack.db.repositories.volume.listing import Page, count, fetch


class SnapshotRepo(Repository[Snapshot]):
    model = Snapshot

    def page(self, page: Page) -> Sequence[Snapshot]:
        return fetch(self.session, Snapshot, page)

    def total(self, where: list[Any]) -> int:
        return count(self.session, Snapshot, where)

    def of_volume(self, volume_id: str) -> Sequence[Snapshot]:
        return self.find(Snapshot.volume_id == volume_id)

    def pending(self) -> Sequence[Snapshot]:
        return self.find(Snapshot.task.is_not(None))

    def usage(self, project_id: str, type_id: str | None = None) -> tuple[int, int]:
        where = [Snapshot.project_id == project_id]
        if type_id is not None:
            where.append(Snapshot.volume_type_id == type_id)
        row = self.session.execute(select(func.count(), func.coalesce(func.sum(Snapshot.size), 0))
                                   .where(*where)).one()
        return int(row[0]), int(row[1])

    def usage_by_type(self, project_id: str) -> dict[str | None, tuple[int, int]]:
        rows = self.session.execute(
            select(Snapshot.volume_type_id, func.count(),
                   func.coalesce(func.sum(Snapshot.size), 0))
            .where(Snapshot.project_id == project_id).group_by(Snapshot.volume_type_id))
        return {r[0]: (int(r[1]), int(r[2])) for r in rows}

    def locations(self) -> set[str]:
        return set(self.session.scalars(select(Snapshot.provider_location)
                                        .where(Snapshot.provider_location.is_not(None))))

    @staticmethod
    def has_metadata(key: str, value: str) -> Any:
        return exists().where(SnapshotMetadata.snapshot_id == Snapshot.id,
                              SnapshotMetadata.key == key, SnapshotMetadata.value == value)

    def metadata_for(self, ids: list[str]) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {i: {} for i in ids}
        if ids:
            rows = self.session.execute(
                select(SnapshotMetadata.snapshot_id, SnapshotMetadata.key,
                       SnapshotMetadata.value).where(SnapshotMetadata.snapshot_id.in_(ids)))
            for sid, k, v in rows:
                out[sid][k] = v
        return out

    def set_metadata(self, snapshot_id: str, items: dict[str, str], *, replace: bool) -> None:
        if replace:
            self.session.execute(SnapshotMetadata.__table__.delete().where(
                SnapshotMetadata.snapshot_id == snapshot_id))
        for key, value in items.items():
            row = self.session.get(SnapshotMetadata, (snapshot_id, key))
            if row is None:
                self.session.add(SnapshotMetadata(snapshot_id=snapshot_id, key=key, value=value))
            else:
                row.value = value
        self.session.flush()

    def delete_metadata_key(self, snapshot_id: str, key: str) -> bool:
        row = self.session.get(SnapshotMetadata, (snapshot_id, key))
        if row is None:
            return False
        self.session.delete(row)
        self.session.flush()
        return True


class BackupRepo(Repository[Backup]):
    model = Backup

    def page(self, page: Page) -> Sequence[Backup]:
        return fetch(self.session, Backup, page)

    def total(self, where: list[Any]) -> int:
        return count(self.session, Backup, where)

    def pending(self) -> Sequence[Backup]:
        return self.find(Backup.task.is_not(None))

    def of_volume(self, volume_id: str) -> Sequence[Backup]:
        return self.find(Backup.volume_id == volume_id, order_by=Backup.created_at)

    def children(self, backup_id: str) -> int:
        return self.count(Backup.parent_id == backup_id)

    def with_children(self, ids: list[str]) -> set[str]:
        if not ids:
            return set()
        return set(self.session.scalars(select(Backup.parent_id)
                                        .where(Backup.parent_id.in_(ids))))

    def usage(self, project_id: str) -> tuple[int, int]:
        row = self.session.execute(select(func.count(), func.coalesce(func.sum(Backup.size), 0))
                                   .where(Backup.project_id == project_id)).one()
        return int(row[0]), int(row[1])
