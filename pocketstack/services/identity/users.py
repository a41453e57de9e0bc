"""Users (passwords, history, self-service password change) and groups."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.timeutils import utcnow
from pocketstack.db.engine import Database
from pocketstack.db.models.identity import (
    AccessRule,
    ApplicationCredential,
    Assignment,
    Credential,
    Group,
    GroupMembership,
    PasswordHistory,
    Trust,
    User,
)
from pocketstack.db.repositories.identity.extras import (
    AccessRuleRepo,
    AppCredRepo,
    CredentialRepo,
)
from pocketstack.db.repositories.identity.resources import DomainRepo
from pocketstack.db.repositories.identity.roles import AssignmentRepo
from pocketstack.db.repositories.identity.users import (
    GroupRepo,
    MembershipRepo,
    PasswordHistoryRepo,
    UserRepo,
)
from pocketstack.services.identity.passwords import Hasher
from pocketstack.services.identity.tokens import add_revocation
from pocketstack.services.identity.trusts import end_trusts_where
from pocketstack.services.identity.validation import fresh_id, keep_id


class UserService:
    def __init__(self, db: Database, hasher: Hasher, history_count: int = 0) -> None:
        self.db = db
        self.hasher = hasher
        self.history_count = history_count

    # -- users ------------------------------------------------------------------------
    def create_user(self, data: dict[str, Any], *, default_domain: str) -> User:
        password = data.pop("password", None)
        hashed = self.hasher.hash(password) if password else None
        with self.db.write() as s:
            domain_id = data.pop("domain_id", None) or default_domain
            if DomainRepo(s).get(domain_id) is None:
                raise exc.NotFound(f"Could not find domain: {domain_id}.")
            now = utcnow()
            user = User(
                id=fresh_id(data),
                name=data.pop("name"),
                domain_id=domain_id,
                enabled=data.pop("enabled", True),
                default_project_id=data.pop("default_project_id", None),
                password_hash=hashed,
                password_created_at=now if hashed else None,
                created_at=now,
                options=data.pop("options", None) or {},
                extra=data,
            )
            UserRepo(s).add(
                user,
                conflict=f"Conflict occurred attempting to store user - Duplicate entry found "
                f"with name {user.name} at domain ID {domain_id}.",
            )
            if hashed:
                PasswordHistoryRepo(s).add(
                    PasswordHistory(user_id=user.id, password_hash=hashed, created_at=now)
                )
            return user

    def get_user(self, user_id: str) -> User:
        with self.db.read() as s:
            return self._user(s, user_id)

    @staticmethod
    def _user(s: Session, user_id: str, *, lock: bool = False) -> User:
        repo = UserRepo(s)
        user = repo.get_for_update(user_id) if lock else repo.get(user_id)
        if user is None:
            raise exc.NotFound(f"Could not find user: {user_id}.")
        return user

    def list_users(self, filters: dict[str, Any]) -> list[User]:
        with self.db.read() as s:
            where = []
            for key in ("name", "domain_id", "enabled"):
                if filters.get(key) is not None:
                    where.append(getattr(User, key) == filters[key])
            return list(UserRepo(s).find(*where, order_by=User.name))

    def update_user(self, user_id: str, data: dict[str, Any]) -> User:
        password = data.pop("password", None)
        hashed = self.hasher.hash(password) if password else None
        with self.db.write() as s:
            user = self._user(s, user_id)
            keep_id(data, user.id)
            if "domain_id" in data and data.pop("domain_id") != user.domain_id:
                raise exc.ValidationError("Update of `domain_id` is not allowed.")
            for key in ("name", "enabled", "default_project_id", "options"):
                if key in data:
                    setattr(user, key, data.pop(key))
            user.extra = {**(user.extra or {}), **data}
            if hashed:
                self._set_password(s, user, hashed)
            UserRepo(s).flush(conflict=f"Duplicate entry found with name {user.name}.")
            if hashed or user.enabled is False:
                add_revocation(s, user_id=user.id)
            return user

    def _set_password(self, s: Session, user: User, hashed: str) -> None:
        now = utcnow()
        user.password_hash = hashed
        user.password_created_at = now
        PasswordHistoryRepo(s).add(
            PasswordHistory(user_id=user.id, password_hash=hashed, created_at=now)
        )

    def change_password(self, user_id: str, original: str, new: str) -> None:
        """Self-service: the original password must match; recent passwords are refused."""
        with self.db.read() as s:
            user = self._user(s, user_id)
            history = [h.password_hash for h in
                       PasswordHistoryRepo(s).recent(user_id, max(self.history_count, 1))]
        if not self.hasher.verify(user.password_hash, original):
            raise exc.Unauthorized("The request you have made requires authentication.")
        if self.history_count and any(self.hasher.verify(h, new) for h in history):
            raise exc.ValidationError(
                f"The new password cannot be identical to a previous password. The number of "
                f"previous passwords that must be unique is {self.history_count}."
            )
        hashed = self.hasher.hash(new)
        with self.db.write() as s:
            user = self._user(s, user_id)
            self._set_password(s, user, hashed)
            add_revocation(s, user_id=user.id)

    def delete_user(self, user_id: str) -> None:
        with self.db.write() as s:
            user = self._user(s, user_id, lock=True)
            AssignmentRepo(s).delete_where(Assignment.actor_id == user_id)
            MembershipRepo(s).delete_where(GroupMembership.user_id == user_id)
            # Keystone removes what the user owns: credentials, application credentials,
            # access rules, and the trusts the user gave or received.
            AppCredRepo(s).delete_where(ApplicationCredential.user_id == user_id)
            AccessRuleRepo(s).delete_where(AccessRule.user_id == user_id)
            CredentialRepo(s).delete_where(Credential.user_id == user_id)
            end_trusts_where(s, (Trust.trustor_user_id == user_id)
                             | (Trust.trustee_user_id == user_id))
            add_revocation(s, user_id=user_id)
            UserRepo(s).delete(user)

    def password_expires(self, user: User, days: int | None) -> Any:
        if not days or user.password_created_at is None:
            return None
        return user.password_created_at + timedelta(days=days)

    # -- groups -----------------------------------------------------------------------
    def create_group(self, data: dict[str, Any], *, default_domain: str) -> Group:
        with self.db.write() as s:
            domain_id = data.pop("domain_id", None) or default_domain
            if DomainRepo(s).get(domain_id) is None:
                raise exc.NotFound(f"Could not find domain: {domain_id}.")
            group = Group(
                id=fresh_id(data),
                name=data.pop("name"),
                domain_id=domain_id,
                description=data.pop("description", None) or "",
                extra=data,
            )
            return GroupRepo(s).add(
                group, conflict=f"Conflict occurred attempting to store group - Duplicate entry "
                f"found with name {group.name}."
            )

    def get_group(self, group_id: str) -> Group:
        with self.db.read() as s:
            return self._group(s, group_id)

    @staticmethod
    def _group(s: Session, group_id: str, *, lock: bool = False) -> Group:
        repo = GroupRepo(s)
        group = repo.get_for_update(group_id) if lock else repo.get(group_id)
        if group is None:
            raise exc.NotFound(f"Could not find group: {group_id}.")
        return group

    def list_groups(self, filters: dict[str, Any]) -> list[Group]:
        with self.db.read() as s:
            where = []
            for key in ("name", "domain_id"):
                if filters.get(key) is not None:
                    where.append(getattr(Group, key) == filters[key])
            return list(GroupRepo(s).find(*where, order_by=Group.name))

    def update_group(self, group_id: str, data: dict[str, Any]) -> Group:
        with self.db.write() as s:
            group = self._group(s, group_id)
            keep_id(data, group.id)
            if "domain_id" in data and data.pop("domain_id") != group.domain_id:
                raise exc.ValidationError("Update of `domain_id` is not allowed.")
            for key in ("name", "description"):
                if key in data:
                    setattr(group, key, data.pop(key))
            group.extra = {**(group.extra or {}), **data}
            GroupRepo(s).flush(conflict=f"Duplicate entry found with name {group.name}.")
            return group

    def delete_group(self, group_id: str) -> None:
        with self.db.write() as s:
            group = self._group(s, group_id, lock=True)
            members = MembershipRepo(s).user_ids_of(group_id)
            AssignmentRepo(s).delete_where(Assignment.actor_id == group_id)
            for uid in members:
                add_revocation(s, user_id=uid)
            GroupRepo(s).delete(group)

    def add_member(self, group_id: str, user_id: str) -> None:
        with self.db.write() as s:
            self._group(s, group_id)
            self._user(s, user_id)
            repo = MembershipRepo(s)
            if repo.get((group_id, user_id)) is None:
                with contextlib.suppress(exc.Conflict):  # idempotent under concurrency
                    repo.add(GroupMembership(group_id=group_id, user_id=user_id))

    def remove_member(self, group_id: str, user_id: str) -> None:
        with self.db.write() as s:
            self._group(s, group_id)
            self._user(s, user_id)
            repo = MembershipRepo(s)
            row = repo.get((group_id, user_id))
            if row is None:
                raise exc.NotFound(f"User {user_id} is not a member of group {group_id}.")
            repo.delete(row)
            add_revocation(s, user_id=user_id)

    def is_member(self, group_id: str, user_id: str) -> bool:
        with self.db.read() as s:
            self._group(s, group_id)
            self._user(s, user_id)
            return MembershipRepo(s).get((group_id, user_id)) is not None

    def members(self, group_id: str) -> list[User]:
        with self.db.read() as s:
            self._group(s, group_id)
            return list(UserRepo(s).in_group(group_id))

    def groups_of(self, user_id: str) -> list[Group]:
        with self.db.read() as s:
            self._user(s, user_id)
            return list(GroupRepo(s).of_user(user_id))
