"""Security groups, their rules, and each project's default group."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import bindparam, exists, func, or_, select

from pocketstack.db.models.network import DefaultSecurityGroup, SecurityGroup, SecurityGroupRule
from pocketstack.db.repositories.base import Repository
from pocketstack.db.repositories.network.listing import Listing, fetch

# Built once (building a statement costs more than running it): read on every boot.
_DEFAULT_ID = select(DefaultSecurityGroup.security_group_id).where(
    DefaultSecurityGroup.project_id == bindparam("project"))


class SecurityGroupRepo(Repository[SecurityGroup]):
    model = SecurityGroup

    @staticmethod
    def visible(project_id: str | None) -> Any:
        return SecurityGroup.project_id == project_id

    def list(self, listing: Listing) -> Sequence[SecurityGroup]:
        return fetch(self.session, SecurityGroup, listing)

    def default_id(self, project_id: str) -> str | None:
        return self.session.scalar(_DEFAULT_ID, {"project": project_id})

    def count_for(self, project_id: str) -> int:
        return int(self.session.scalar(select(func.count()).select_from(SecurityGroup).where(
            SecurityGroup.project_id == project_id)) or 0)


class DefaultSecurityGroupRepo(Repository[DefaultSecurityGroup]):
    model = DefaultSecurityGroup


class RuleRepo(Repository[SecurityGroupRule]):
    model = SecurityGroupRule

    @staticmethod
    def visible(project_id: str | None) -> Any:
        own_groups = select(SecurityGroup.id).where(SecurityGroup.project_id == project_id)
        return or_(SecurityGroupRule.project_id == project_id,
                   SecurityGroupRule.security_group_id.in_(own_groups))

    def list(self, listing: Listing) -> Sequence[SecurityGroupRule]:
        return fetch(self.session, SecurityGroupRule, listing)

    def for_groups(self, sg_ids: Iterable[str]) -> dict[str, list[SecurityGroupRule]]:
        out: dict[str, list[SecurityGroupRule]] = defaultdict(list)
        ids = list(sg_ids)
        if ids:
            for r in self.session.scalars(select(SecurityGroupRule).where(
                    SecurityGroupRule.security_group_id.in_(ids)).order_by(
                    SecurityGroupRule.created_at, SecurityGroupRule.id)):
                out[r.security_group_id].append(r)
        return out

    def duplicate_of(self, sg_id: str, fingerprint: str) -> SecurityGroupRule | None:
        return self.first(SecurityGroupRule.security_group_id == sg_id,
                          SecurityGroupRule.fingerprint == fingerprint)

    def exists_in(self, sg_id: str) -> bool:
        return bool(self.session.scalar(select(exists().where(
            SecurityGroupRule.security_group_id == sg_id))))
