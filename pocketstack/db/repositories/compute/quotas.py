"""Quota limits (per project, per user, per class) and the usage they are checked against."""

from __future__ import annotations

from sqlalchemy import bindparam, case, delete, func, select

from pocketstack.db.models.compute import KeyPair, Quota, QuotaClass
from pocketstack.db.models.compute_servers import Instance, ServerGroup, ServerGroupMember
from pocketstack.db.repositories.base import Repository

# Built once (building a statement costs more than running it): read on every create.
_LIMITS_PAIR = select(Quota.user_id, Quota.resource, Quota.hard_limit).where(
    Quota.project_id == bindparam("project"), Quota.user_id.in_(("", bindparam("user"))))
_CLASS_LIMITS = select(QuotaClass.resource, QuotaClass.hard_limit).where(
    QuotaClass.class_name == bindparam("name"))


class QuotaRepo(Repository[Quota]):
    model = Quota

    def limits_pair(self, project_id: str, user_id: str) -> tuple[dict[str, int],
                                                                 dict[str, int]]:
        """(the project's own limits, the user's own limits) in one query."""
        rows = self.session.execute(_LIMITS_PAIR, {"project": project_id, "user": user_id})
        project: dict[str, int] = {}
        user: dict[str, int] = {}
        for uid, res, value in rows:
            (user if uid else project)[res] = value
        return project, user

    def usage_pair(self, project_id: str, user_id: str) -> tuple[dict[str, int],
                                                                dict[str, int]]:
        """Instances, cores and RAM of the project and of one user in it (one query)."""
        mine = Instance.user_id == user_id
        row = self.session.execute(select(
            func.count(Instance.id), func.coalesce(func.sum(Instance.vcpus), 0),
            func.coalesce(func.sum(Instance.memory_mb), 0),
            func.coalesce(func.sum(case((mine, 1), else_=0)), 0),
            func.coalesce(func.sum(case((mine, Instance.vcpus), else_=0)), 0),
            func.coalesce(func.sum(case((mine, Instance.memory_mb), else_=0)), 0)).where(
            Instance.project_id == project_id, Instance.deleted.is_(False))).one()
        keys = ("instances", "cores", "ram")
        return ({k: int(v) for k, v in zip(keys, row[:3], strict=True)},
                {k: int(v) for k, v in zip(keys, row[3:], strict=True)})

    def limits(self, project_id: str, user_id: str = "") -> dict[str, int]:
        rows = self.session.execute(select(Quota.resource, Quota.hard_limit).where(
            Quota.project_id == project_id, Quota.user_id == user_id))
        return {r: v for r, v in rows}

    def set(self, project_id: str, user_id: str, resource: str, value: int) -> None:
        row = self.session.get(Quota, (project_id, user_id, resource))
        if row is None:
            self.session.add(Quota(project_id=project_id, user_id=user_id, resource=resource,
                                   hard_limit=value))
        else:
            row.hard_limit = value
        self.session.flush()

    def clear(self, project_id: str, user_id: str | None = None) -> None:
        stmt = delete(Quota).where(Quota.project_id == project_id)
        if user_id is not None:
            stmt = stmt.where(Quota.user_id == user_id)
        self.session.execute(stmt)

    def class_limits(self, class_name: str) -> dict[str, int]:
        rows = self.session.execute(_CLASS_LIMITS, {"name": class_name})
        return {r: v for r, v in rows}

    def set_class(self, class_name: str, resource: str, value: int) -> None:
        row = self.session.get(QuotaClass, (class_name, resource))
        if row is None:
            self.session.add(QuotaClass(class_name=class_name, resource=resource,
                                        hard_limit=value))
        else:
            row.hard_limit = value
        self.session.flush()

    # -- usage ----------------------------------------------------------------------------
    def instance_usage(self, project_id: str, user_id: str | None = None) -> dict[str, int]:
        stmt = select(func.count(Instance.id), func.coalesce(func.sum(Instance.vcpus), 0),
                      func.coalesce(func.sum(Instance.memory_mb), 0)).where(
            Instance.project_id == project_id, Instance.deleted.is_(False))
        if user_id:
            stmt = stmt.where(Instance.user_id == user_id)
        count, cores, ram = self.session.execute(stmt).one()
        return {"instances": int(count), "cores": int(cores), "ram": int(ram)}

    def keypair_count(self, user_id: str) -> int:
        return int(self.session.scalar(select(func.count(KeyPair.id)).where(
            KeyPair.user_id == user_id)) or 0)

    def server_group_count(self, project_id: str, user_id: str | None = None) -> int:
        stmt = select(func.count(ServerGroup.id)).where(ServerGroup.project_id == project_id)
        if user_id:
            stmt = stmt.where(ServerGroup.user_id == user_id)
        return int(self.session.scalar(stmt) or 0)

    def group_member_count(self, group_id: int) -> int:
        return int(self.session.scalar(select(func.count()).select_from(ServerGroupMember)
                                       .where(ServerGroupMember.group_id == group_id)) or 0)
