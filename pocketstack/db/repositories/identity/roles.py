"""Roles, implied roles and role assignments."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import and_, or_, select

from pocketstack.db.models.identity import Assignment, ImpliedRole, Role
from pocketstack.db.repositories.base import Repository

GLOBAL = "<<null>>"


class RoleRepo(Repository[Role]):
    model = Role

    def by_name(self, name: str, domain_id: str | None = None) -> Role | None:
        return self.first(Role.name == name, Role.domain_id == (domain_id or GLOBAL))


class ImpliedRoleRepo(Repository[ImpliedRole]):
    model = ImpliedRole

    def all_pairs(self) -> list[tuple[str, str]]:
        rows = self.session.execute(select(ImpliedRole.prior_role_id, ImpliedRole.implied_role_id))
        return [(a, b) for a, b in rows]


class AssignmentRepo(Repository[Assignment]):
    model = Assignment

    def for_actors_on_targets(
        self, actor_ids: Iterable[str], targets: Iterable[tuple[str, bool]]
    ) -> Sequence[Assignment]:
        """Assignments of any of the actors on (target_id, inherited) pairs."""
        actor_ids = list(actor_ids)
        conds = [
            and_(Assignment.target_id == tid, Assignment.inherited == inh) for tid, inh in targets
        ]
        if not actor_ids or not conds:
            return []
        stmt = select(Assignment).where(Assignment.actor_id.in_(actor_ids), or_(*conds))
        return self.session.scalars(stmt).all()

    def filtered(
        self,
        *,
        actor_ids: list[str] | None = None,
        target_ids: list[str] | None = None,
        types: list[str] | None = None,
        role_id: str | None = None,
        inherited: bool | None = None,
    ) -> Sequence[Assignment]:
        where = []
        if actor_ids is not None:
            where.append(Assignment.actor_id.in_(actor_ids))
        if target_ids is not None:
            where.append(Assignment.target_id.in_(target_ids))
        if types is not None:
            where.append(Assignment.type.in_(types))
        if role_id is not None:
            where.append(Assignment.role_id == role_id)
        if inherited is not None:
            where.append(Assignment.inherited == inherited)
        return self.find(*where)
