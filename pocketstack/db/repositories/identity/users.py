"""Users, password history, groups and membership."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from pocketstack.db.models.identity import Group, GroupMembership, PasswordHistory, User
from pocketstack.db.repositories.base import Repository


class UserRepo(Repository[User]):
    model = User

    def by_name(self, domain_id: str, name: str) -> User | None:
        return self.first(User.domain_id == domain_id, User.name == name)

    def in_group(self, group_id: str) -> Sequence[User]:
        stmt = (
            select(User)
            .join(GroupMembership, GroupMembership.user_id == User.id)
            .where(GroupMembership.group_id == group_id)
        )
        return self.session.scalars(stmt).all()


class PasswordHistoryRepo(Repository[PasswordHistory]):
    model = PasswordHistory

    def recent(self, user_id: str, count: int) -> Sequence[PasswordHistory]:
        stmt = (
            select(PasswordHistory)
            .where(PasswordHistory.user_id == user_id)
            .order_by(PasswordHistory.id.desc())
            .limit(count)
        )
        return self.session.scalars(stmt).all()


class GroupRepo(Repository[Group]):
    model = Group

    def by_name(self, domain_id: str, name: str) -> Group | None:
        return self.first(Group.domain_id == domain_id, Group.name == name)

    def of_user(self, user_id: str) -> Sequence[Group]:
        stmt = (
            select(Group)
            .join(GroupMembership, GroupMembership.group_id == Group.id)
            .where(GroupMembership.user_id == user_id)
        )
        return self.session.scalars(stmt).all()


class MembershipRepo(Repository[GroupMembership]):
    model = GroupMembership

    def group_ids_of(self, user_id: str) -> list[str]:
        stmt = select(GroupMembership.group_id).where(GroupMembership.user_id == user_id)
        return list(self.session.scalars(stmt).all())

    def user_ids_of(self, group_id: str) -> list[str]:
        stmt = select(GroupMembership.user_id).where(GroupMembership.group_id == group_id)
        return list(self.session.scalars(stmt).all())
