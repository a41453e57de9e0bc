"""Trusts (OS-TRUST): a trustor delegates some of their roles on a project to a trustee.

A trust is usable while it is not deleted, not expired and has uses left; deleting it
revokes every token issued through it. Redelegation follows Keystone: a trust created with
allow_redelegation may be redelegated (with a trust-scoped token) up to redelegation_count
times, never widening roles, lifetime or impersonation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.ids import new_id
from pocketstack.common.timeutils import aware, utcnow
from pocketstack.db.engine import Database
from pocketstack.db.models.identity import Role, Trust
from pocketstack.db.repositories.identity.extras import TrustRepo
from pocketstack.db.repositories.identity.resources import ProjectRepo
from pocketstack.db.repositories.identity.roles import RoleRepo
from pocketstack.db.repositories.identity.users import UserRepo
from pocketstack.services.identity.app_creds import parse_expiration, role_by_ref
from pocketstack.services.identity.assignments import effective_role_ids
from pocketstack.services.identity.tokens import add_revocation

MAX_REDELEGATION_COUNT = 3


@dataclass
class TrustView:
    trust: Trust
    roles: list[Role] = field(default_factory=list)


def usable(trust: Trust | None) -> bool:
    """Keystone's get_trust: deleted, expired and used-up trusts do not exist."""
    if trust is None or trust.deleted_at is not None:
        return False
    if trust.expires_at and aware(trust.expires_at) <= utcnow():  # type: ignore[operator]
        return False
    return trust.remaining_uses is None or trust.remaining_uses > 0


def not_found(trust_id: str) -> exc.NotFound:
    return exc.NotFound(f"Could not find trust: {trust_id}.")


class TrustService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def _trust(self, s: Session, trust_id: str) -> Trust:
        trust = TrustRepo(s).get(trust_id)
        if not usable(trust):
            raise not_found(trust_id)
        assert trust is not None
        return trust

    def _view(self, s: Session, trust: Trust) -> TrustView:
        roles = sorted(RoleRepo(s).by_ids(trust.role_ids or []), key=lambda r: r.name)
        return TrustView(trust, roles)

    # -- create -------------------------------------------------------------------------
    def create(self, ctx: RequestContext, data: dict[str, Any]) -> TrustView:
        if data.get("project_id") and not data.get("roles"):
            raise exc.Forbidden("You are not authorized to perform the requested action: At "
                                "least one role should be specified.")
        if ctx.user_id != data["trustor_user_id"]:
            raise exc.Forbidden("You are not authorized to perform the requested action: The "
                                "authenticated user should match the trustor.")
        expires_at = parse_expiration(data.pop("expires_at", None))
        with self.db.write() as s:
            if UserRepo(s).get(data["trustee_user_id"]) is None:
                raise exc.NotFound(f"Could not find user: {data['trustee_user_id']}.")
            parent = self._trust(s, ctx.trust_id) if ctx.trust_id else None
            roles = [role_by_ref(s, ref) for ref in data.pop("roles", None) or []]
            roles = list({r.id: r for r in roles}.values())
            self._require_trustor_roles(s, data, roles, parent)
            trust = Trust(
                id=new_id(), trustor_user_id=data.pop("trustor_user_id"),
                trustee_user_id=data.pop("trustee_user_id"),
                project_id=data.pop("project_id", None),
                impersonation=data.pop("impersonation"), expires_at=expires_at,
                remaining_uses=data.pop("remaining_uses", None),
                role_ids=[r.id for r in roles])
            self._redelegation(trust, data, parent, roles)
            trust.extra = data
            TrustRepo(s).add(trust)
            return self._view(s, trust)

    def _require_trustor_roles(self, s: Session, data: dict[str, Any], roles: list[Role],
                               parent: Trust | None) -> None:
        """Every delegated role must be held by the original trustor on the project."""
        project_id = data.get("project_id")
        if not project_id:
            return
        project = ProjectRepo(s).get(project_id)
        if project is None:
            raise exc.NotFound(f"Could not find project: {project_id}.")
        original = parent
        while original is not None and original.redelegated_trust_id:
            original = TrustRepo(s).get(original.redelegated_trust_id)
        trustor = original.trustor_user_id if original else data["trustor_user_id"]
        held = effective_role_ids(s, trustor, project=project)
        for role in roles:
            if role.id not in held:
                raise exc.NotFound(f"Could not find role: {role.id}.")

    @staticmethod
    def _redelegation(trust: Trust, data: dict[str, Any], parent: Trust | None,
                      roles: list[Role]) -> None:
        requested = data.pop("redelegation_count", None)
        redelegatable = bool(data.pop("allow_redelegation", None)) and requested != 0
        if redelegatable:
            if requested and requested > MAX_REDELEGATION_COUNT:
                raise exc.Forbidden(f"Requested redelegation depth of {requested} is greater "
                                    f"than allowed {MAX_REDELEGATION_COUNT}.")
            if trust.remaining_uses is not None:
                raise exc.ValidationError("remaining_uses must not be set if redelegation is "
                                          "allowed.")
        else:
            requested = 0
        if parent is None:
            trust.redelegation_count = requested if requested is not None \
                else MAX_REDELEGATION_COUNT
            return
        remaining = (parent.redelegation_count or 0) - 1
        if redelegatable and requested and requested != remaining:
            raise exc.Forbidden('Modifying "redelegation_count" upon redelegation is '
                                "forbidden. Omitting this parameter is advised.")
        TrustService._check_redelegation(trust, parent, roles)
        trust.redelegated_trust_id = parent.id
        trust.redelegation_count = max(remaining, 0) if redelegatable else 0

    @staticmethod
    def _check_redelegation(trust: Trust, parent: Trust, roles: list[Role]) -> None:
        if not 0 < (parent.redelegation_count or 0) <= MAX_REDELEGATION_COUNT:
            raise exc.Forbidden(f"Remaining redelegation depth of "
                                f"{parent.redelegation_count or 0} out of allowed range of "
                                f"[0..{MAX_REDELEGATION_COUNT}].")
        if trust.remaining_uses is not None:
            raise exc.Forbidden('Field "remaining_uses" is set while it must not be set in '
                                "order to redelegate a trust.")
        if parent.expires_at:
            limit: datetime = aware(parent.expires_at)  # type: ignore[assignment]
            if trust.expires_at is None:
                trust.expires_at = limit
            elif trust.expires_at > limit:
                raise exc.Forbidden("Requested expiration time is more than redelegated "
                                    "trust can provide.")
        if trust.project_id != parent.project_id:
            raise exc.Forbidden("Redelegated trust must be on the same project.")
        if not {r.id for r in roles} <= set(parent.role_ids or []):
            raise exc.Forbidden("Some of requested roles are not in redelegated trust.")
        if trust.impersonation and not parent.impersonation:
            raise exc.Forbidden("Impersonation is not allowed because redelegated trust does "
                                "not specify impersonation.")

    # -- read ---------------------------------------------------------------------------
    def get(self, trust_id: str) -> TrustView:
        with self.db.read() as s:
            return self._view(s, self._trust(s, trust_id))

    def list(self, *, trustor_user_id: str | None = None,
             trustee_user_id: str | None = None) -> list[Trust]:
        with self.db.read() as s:
            where = [Trust.deleted_at.is_(None)]
            if trustor_user_id:
                where.append(Trust.trustor_user_id == trustor_user_id)
            elif trustee_user_id:
                where.append(Trust.trustee_user_id == trustee_user_id)
            return list(TrustRepo(s).find(*where, order_by=Trust.id))

    def role(self, trust_id: str, role_id: str) -> Role:
        with self.db.read() as s:
            trust = self._trust(s, trust_id)
            role = RoleRepo(s).get(role_id) if role_id in (trust.role_ids or []) else None
            if role is None:
                raise exc.NotFound(f"Could not find role: {role_id}.")
            return role

    # -- delete -------------------------------------------------------------------------
    def delete(self, trust_id: str) -> None:
        with self.db.write() as s:
            trust = TrustRepo(s).get(trust_id)
            if trust is None or trust.deleted_at is not None:
                raise not_found(trust_id)
            self._soft_delete(s, trust)

    def _soft_delete(self, s: Session, trust: Trust) -> None:
        end_trust(s, trust)

    def delete_for_user(self, user_id: str) -> None:
        with self.db.write() as s:
            end_trusts_where(s, (Trust.trustor_user_id == user_id)
                             | (Trust.trustee_user_id == user_id))


def end_trust(s: Session, trust: Trust) -> None:
    """Soft-delete a trust and everything redelegated from it; its tokens stop working."""
    trust.deleted_at = utcnow()
    add_revocation(s, trust_id=trust.id)
    for child in TrustRepo(s).find(Trust.redelegated_trust_id == trust.id,
                                   Trust.deleted_at.is_(None)):
        end_trust(s, child)


def end_trusts_where(s: Session, condition: Any) -> None:
    """End the live trusts matching a condition (a user or a project going away)."""
    for trust in TrustRepo(s).find(condition, Trust.deleted_at.is_(None)):
        end_trust(s, trust)
