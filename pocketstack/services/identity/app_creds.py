"""Application credentials and their access rules (/v3/users/{user_id}/application_credentials,
/v3/users/{user_id}/access_rules).

An application credential belongs to the user and the project of the token that created it
and carries a subset of the roles of that token. Its secret is shown once, at creation; only
an argon2 hash is stored. Access rules belong to the user and are shared by identical rules.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.ids import new_id
from pocketstack.common.timeutils import parse_iso, utcnow
from pocketstack.db.engine import Database
from pocketstack.db.models.identity import AccessRule, ApplicationCredential, Role
from pocketstack.db.repositories.identity.extras import AccessRuleRepo, AppCredRepo
from pocketstack.db.repositories.identity.resources import ProjectRepo
from pocketstack.db.repositories.identity.roles import RoleRepo
from pocketstack.services.identity.assignments import effective_role_ids
from pocketstack.services.identity.passwords import Hasher

UNASSIGNED = "Cannot create an application credential with unassigned role"


@dataclass
class AppCredView:
    cred: ApplicationCredential
    roles: list[Role] = field(default_factory=list)
    rules: list[AccessRule] = field(default_factory=list)
    secret: str | None = None  # only right after creation


def parse_expiration(value: str | None) -> datetime | None:
    """Keystone's rule: a timestamp (naive means UTC) that is not in the past, else 400."""
    if value is None:
        return None
    try:
        when = parse_iso(value)
    except ValueError as e:
        raise exc.ValidationError(
            "Timestamp not in expected format. The server could not comply with the request "
            "since it is either malformed or otherwise incorrect. The client is assumed to be "
            "in error.") from e
    if when < utcnow():
        raise exc.ValidationError("The 'expires_at' must not be before now. The server could "
                                  "not comply with the request since it is either malformed or "
                                  "otherwise incorrect. The client is assumed to be in error.")
    return when


def generate_secret() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(64)).rstrip(b"=").decode("ascii")


def role_by_ref(s: Session, ref: dict[str, Any]) -> Role:
    """A role given as {'id': ...} or {'name': ...} (a global role, as Keystone resolves it)."""
    repo = RoleRepo(s)
    if ref.get("id"):
        role = repo.get(ref["id"])
        if role is None:
            raise exc.NotFound(f"Could not find role: {ref['id']}.")
        return role
    role = repo.by_name(ref.get("name") or "")
    if role is None:
        raise exc.NotFound(f"Could not find role: {ref.get('name')}.")
    return role


class AppCredService:
    def __init__(self, db: Database, hasher: Hasher) -> None:
        self.db = db
        self.hasher = hasher

    # -- application credentials -------------------------------------------------------
    def require_unrestricted(self, ctx: RequestContext, what: str) -> None:
        """A token from a restricted application credential may not manage delegations."""
        if not ctx.application_credential_id:
            return
        with self.db.read() as s:
            cred = AppCredRepo(s).get(ctx.application_credential_id)
        if cred is None or not cred.unrestricted:
            raise exc.Forbidden(
                "You are not authorized to perform the requested action: Using method "
                f"'application_credential' is not allowed for managing {what}.")

    def create(self, ctx: RequestContext, user_id: str, data: dict[str, Any]) -> AppCredView:
        if ctx.user_id != user_id:
            raise exc.Forbidden("You are not authorized to perform the requested action: Cannot "
                                "create an application credential for another user.")
        self.require_unrestricted(ctx, "additional application credentials")
        if not ctx.project_id:
            raise exc.ValidationError("Invalid application credential: an application "
                                      "credential is created with a project-scoped token.")
        secret = data.pop("secret", None) or generate_secret()
        secret_hash = self.hasher.hash(secret)
        expires_at = parse_expiration(data.pop("expires_at", None))
        with self.db.write() as s:
            roles = self._roles(s, ctx, user_id, data.pop("roles", None))
            rules = self._rules(s, user_id, data.pop("access_rules", None) or [])
            cred = ApplicationCredential(
                id=new_id(), name=data.pop("name"), user_id=user_id, project_id=ctx.project_id,
                secret_hash=secret_hash, description=data.pop("description", None),
                expires_at=expires_at, unrestricted=bool(data.pop("unrestricted", None)),
                role_ids=[r.id for r in roles], access_rule_ids=[r.id for r in rules],
                created_at=utcnow())
            AppCredRepo(s).add(
                cred, conflict="Conflict occurred attempting to store application_credential "
                f"- Duplicate name, {cred.name}.")
            return AppCredView(cred, roles, rules, secret)

    @staticmethod
    def _roles(s: Session, ctx: RequestContext, user_id: str,
               refs: list[dict[str, Any]] | None) -> list[Role]:
        if refs:
            if any(ref.get("id") and ref["id"] not in ctx.role_ids for ref in refs):
                raise exc.ValidationError(f"Invalid application credential: {UNASSIGNED}.")
            roles = list({r.id: r for r in (role_by_ref(s, ref) for ref in refs)}.values())
            if any(r.id not in ctx.role_ids for r in roles):
                raise exc.ValidationError(f"Invalid application credential: {UNASSIGNED}.")
        else:
            roles = list(RoleRepo(s).by_ids(ctx.role_ids))
        project = ProjectRepo(s).get(ctx.project_id)
        held = effective_role_ids(s, user_id, project=project) if project else set()
        for role in roles:
            if role.id not in held:
                raise exc.ValidationError(
                    f"Invalid application credential: Could not find role assignment with "
                    f"role: {role.id}, user or group: {user_id}, project, domain, or system: "
                    f"{ctx.project_id}.")
        return sorted(roles, key=lambda r: r.name)

    @staticmethod
    def _rules(s: Session, user_id: str, refs: list[dict[str, Any]]) -> list[AccessRule]:
        repo = AccessRuleRepo(s)
        out: dict[str, AccessRule] = {}
        for ref in refs:
            rule = repo.get(ref["id"]) if ref.get("id") else None
            if rule is not None and rule.user_id != user_id:
                rule = None
            if rule is None and not all(ref.get(k) for k in ("service", "path", "method")):
                if ref.get("id"):
                    raise exc.NotFound(f"Could not find access rule: {ref['id']}.")
                raise exc.ValidationError("Invalid input for field 'access_rules': a rule "
                                          "needs 'service', 'path' and 'method', or an 'id'.")
            if rule is None:
                rule = repo.first(AccessRule.user_id == user_id,
                                  AccessRule.service == ref["service"],
                                  AccessRule.path == ref["path"],
                                  AccessRule.method == ref["method"])
            if rule is None:
                rule = repo.add(AccessRule(id=new_id(), user_id=user_id, service=ref["service"],
                                           path=ref["path"], method=ref["method"]))
            out[rule.id] = rule
        return list(out.values())

    def _view(self, s: Session, cred: ApplicationCredential) -> AppCredView:
        roles = sorted(RoleRepo(s).by_ids(cred.role_ids or []), key=lambda r: r.name)
        by_id = {r.id: r for r in AccessRuleRepo(s).by_ids(cred.access_rule_ids or [])}
        rules = [by_id[i] for i in cred.access_rule_ids or [] if i in by_id]
        return AppCredView(cred, roles, rules)

    @staticmethod
    def _cred(s: Session, cred_id: str) -> ApplicationCredential:
        cred = AppCredRepo(s).get(cred_id)
        if cred is None:
            raise exc.NotFound(f"Could not find Application Credential: {cred_id}.")
        return cred

    def owner_of(self, cred_id: str) -> str | None:
        with self.db.read() as s:
            cred = AppCredRepo(s).get(cred_id)
            return cred.user_id if cred else None

    def get(self, user_id: str, cred_id: str) -> AppCredView:
        with self.db.read() as s:
            cred = self._cred(s, cred_id)
            if cred.user_id != user_id:
                raise exc.NotFound(f"Could not find Application Credential: {cred_id}.")
            return self._view(s, cred)

    def list(self, user_id: str, name: str | None = None) -> list[AppCredView]:
        with self.db.read() as s:
            where = [ApplicationCredential.user_id == user_id]
            if name is not None:
                where.append(ApplicationCredential.name == name)
            found = AppCredRepo(s).find(*where, order_by=ApplicationCredential.name)
            return [self._view(s, c) for c in found]

    def delete(self, ctx: RequestContext, user_id: str, cred_id: str) -> None:
        self.require_unrestricted(ctx, "additional application credentials")
        with self.db.write() as s:
            cred = self._cred(s, cred_id)
            if cred.user_id != user_id:
                raise exc.NotFound(f"Could not find Application Credential: {cred_id}.")
            AppCredRepo(s).delete(cred)

    # -- access rules --------------------------------------------------------------------
    def list_rules(self, user_id: str, filters: dict[str, str | None]) -> list[AccessRule]:
        with self.db.read() as s:
            where = [AccessRule.user_id == user_id]
            for key in ("service", "path", "method"):
                if filters.get(key) is not None:
                    where.append(getattr(AccessRule, key) == filters[key])
            return list(AccessRuleRepo(s).find(*where, order_by=AccessRule.id))

    @staticmethod
    def _rule(s: Session, user_id: str, rule_id: str) -> AccessRule:
        rule = AccessRuleRepo(s).get(rule_id)
        if rule is None or rule.user_id != user_id:
            raise exc.NotFound(f"Could not find access rule: {rule_id}.")
        return rule

    def get_rule(self, user_id: str, rule_id: str) -> AccessRule:
        with self.db.read() as s:
            return self._rule(s, user_id, rule_id)

    def delete_rule(self, user_id: str, rule_id: str) -> None:
        with self.db.write() as s:
            rule = self._rule(s, user_id, rule_id)
            creds = AppCredRepo(s).find(ApplicationCredential.user_id == user_id)
            if any(rule_id in (c.access_rule_ids or []) for c in creds):
                raise exc.Forbidden(f"Cannot delete access rule {rule_id} because it is in use "
                                    "by an application credential.")
            AccessRuleRepo(s).delete(rule)
