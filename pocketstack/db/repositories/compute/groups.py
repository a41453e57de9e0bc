"""Server groups and their members."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select

from pocketstack.db.models.compute_servers import Instance, ServerGroup, ServerGroupMember
from pocketstack.db.repositories.base import Repository


class GroupRepo(Repository[ServerGroup]):
    model = ServerGroup

    def by_uuid(self, uuid: str, *, lock: bool = False) -> ServerGroup | None:
        stmt = select(ServerGroup).where(ServerGroup.uuid == uuid)
        if lock:
            stmt = stmt.with_for_update()
        return self.session.scalars(stmt).first()

    def page(self, project_id: str | None, limit: int | None, offset: int | None
             ) -> Sequence[ServerGroup]:
        stmt = select(ServerGroup)
        if project_id is not None:
            stmt = stmt.where(ServerGroup.project_id == project_id)
        stmt = stmt.order_by(ServerGroup.id)
        if offset:
            stmt = stmt.offset(offset)
        if limit is not None:
            stmt = stmt.limit(limit)
        return self.session.scalars(stmt).all()

    def members_for(self, ids: list[int]) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {i: [] for i in ids}
        if ids:
            rows = self.session.execute(
                select(ServerGroupMember.group_id, ServerGroupMember.instance_uuid)
                .join(Instance, Instance.id == ServerGroupMember.instance_uuid)
                .where(ServerGroupMember.group_id.in_(ids), Instance.deleted.is_(False)))
            for gid, iid in rows:
                out[gid].append(iid)
        return out

    def member_hosts(self, group_id: int, exclude: str | None = None) -> list[str]:
        stmt = select(Instance.host).join(
            ServerGroupMember, ServerGroupMember.instance_uuid == Instance.id).where(
            ServerGroupMember.group_id == group_id, Instance.deleted.is_(False),
            Instance.host.is_not(None))
        if exclude:
            stmt = stmt.where(Instance.id != exclude)
        return [h for h in self.session.scalars(stmt) if h]

    def group_of(self, instance_id: str) -> ServerGroup | None:
        return self.session.scalars(select(ServerGroup).join(
            ServerGroupMember, ServerGroupMember.group_id == ServerGroup.id).where(
            ServerGroupMember.instance_uuid == instance_id)).first()

    def add_member(self, group_id: int, instance_id: str) -> None:
        self.session.add(ServerGroupMember(group_id=group_id, instance_uuid=instance_id))
        self.session.flush()

    def remove_member(self, instance_id: str) -> None:
        self.session.execute(delete(ServerGroupMember).where(
            ServerGroupMember.instance_uuid == instance_id))
