"""Group types, groups and group snapshots."""

from __future__ import annotations

from collections.abc import Sequence

from pocketstack.db.models.volume import Group, GroupSnapshot, GroupType, Snapshot, Volume
from pocketstack.db.repositories.base import Repository


class GroupTypeRepo(Repository[GroupType]):
    model = GroupType

    def by_name(self, name: str) -> GroupType | None:
        return self.first(GroupType.name == name)


class GroupRepo(Repository[Group]):
    model = Group

    def of_project(self, project_id: str | None) -> Sequence[Group]:
        where = [] if project_id is None else [Group.project_id == project_id]
        return self.find(*where, order_by=Group.created_at.desc())

    def using_type(self, group_type_id: str) -> int:
        return self.count(Group.group_type_id == group_type_id)

    def volumes(self, group_id: str) -> Sequence[Volume]:
        return self.session.query(Volume).filter(Volume.group_id == group_id).all()

    def volume_ids(self, ids: list[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {i: [] for i in ids}
        if ids:
            for v in self.session.query(Volume).filter(Volume.group_id.in_(ids)).all():
                out[v.group_id or ""].append(v.id)
        return out


class GroupSnapshotRepo(Repository[GroupSnapshot]):
    model = GroupSnapshot

    def of_project(self, project_id: str | None) -> Sequence[GroupSnapshot]:
        where = [] if project_id is None else [GroupSnapshot.project_id == project_id]
        return self.find(*where, order_by=GroupSnapshot.created_at.desc())

    def snapshots(self, group_snapshot_id: str) -> Sequence[Snapshot]:
        return (self.session.query(Snapshot)
                .filter(Snapshot.group_snapshot_id == group_snapshot_id).all())
