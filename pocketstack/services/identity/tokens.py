"""Issuing, validating and revoking tokens (password, token and application-credential
methods; unscoped, project, domain, system and trust scopes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cryptography.fernet import MultiFernet
from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.ids import audit_id
from pocketstack.common.timeutils import aware, utcnow
from pocketstack.db import revisions
from pocketstack.db.engine import Database
from pocketstack.db.models.identity import (
    ApplicationCredential,
    Domain,
    Project,
    RevocationEvent,
    Role,
    Trust,
    User,
)
from pocketstack.db.repositories.identity.extras import AppCredRepo, TrustRepo
from pocketstack.db.repositories.identity.resources import DomainRepo, ProjectRepo
from pocketstack.db.repositories.identity.roles import GLOBAL, RoleRepo
from pocketstack.db.repositories.identity.tokens import RevocationRepo
from pocketstack.db.repositories.identity.users import UserRepo
from pocketstack.services.identity import token_format as tf
from pocketstack.services.identity.assignments import effective_role_ids, expand_implied
from pocketstack.services.identity.passwords import Hasher

AUTH_FAILED = "The request you have made requires authentication."
CACHE_SIZE = 10_000


@dataclass
class TokenInfo:
    """A validated token with everything needed to render it or authorize a request."""

    id: str
    payload: tf.Payload
    user: User
    user_domain: Domain
    project: Project | None = None
    project_domain: Domain | None = None
    domain: Domain | None = None
    system: bool = False
    roles: list[Role] = field(default_factory=list)
    trust: Trust | None = None
    app_cred: ApplicationCredential | None = None

    def context(self, request_id: str = "") -> RequestContext:
        return RequestContext(
            user_id=self.user.id,
            user_name=self.user.name,
            user_domain_id=self.user.domain_id,
            project_id=self.project.id if self.project else None,
            project_name=self.project.name if self.project else None,
            project_domain_id=self.project.domain_id if self.project else None,
            domain_id=self.domain.id if self.domain else None,
            system_scope=self.system,
            roles=tuple(r.name for r in self.roles),
            role_ids=tuple(r.id for r in self.roles),
            audit_ids=tuple(self.payload.audit_ids),
            methods=tuple(self.payload.methods),
            trust_id=self.trust.id if self.trust else None,
            application_credential_id=self.app_cred.id if self.app_cred else None,
            request_id=request_id,
            auth_token=self.id,
        )


@dataclass
class _Scope:
    kind: int = tf.UNSCOPED
    target_id: str | None = None
    explicit: bool = False


class TokenService:
    def __init__(
        self,
        db: Database,
        fernet: MultiFernet,
        hasher: Hasher,
        expiration: int = 3600,
        *,
        lockout_attempts: int = 0,
        lockout_duration: int = 1800,
    ) -> None:
        self.db = db
        self.fernet = fernet
        self.hasher = hasher
        self.expiration = expiration
        self._cache: dict[str, tuple[int, TokenInfo]] = {}
        self.lockout_attempts = lockout_attempts
        self.lockout_duration = timedelta(seconds=lockout_duration)

    # -- issue ------------------------------------------------------------------------
    def authenticate(self, auth: Any) -> TokenInfo:
        """POST /v3/auth/tokens. ``auth`` is the value of the request's "auth" key."""
        if not isinstance(auth, dict) or not isinstance(auth.get("identity"), dict):
            raise exc.ValidationError("'identity' is a required property")
        identity = auth["identity"]
        methods = identity.get("methods")
        if not isinstance(methods, list) or not methods or not all(
            isinstance(m, str) for m in methods
        ):
            raise exc.ValidationError("'methods' must be a non-empty list of strings")
        for m in methods:
            if m not in ("password", "token", "application_credential"):
                raise exc.Unauthorized(f"Attempted to authenticate with an unsupported method: {m}")
            if not isinstance(identity.get(m), dict):
                raise exc.ValidationError(f"'{m}' is a required property")
        scope = self._parse_scope(auth.get("scope"))
        now = utcnow()
        expires = now + timedelta(seconds=self.expiration)
        audit_ids = [audit_id()]
        user_id: str | None = None
        trust_id = app_cred_id = None
        all_methods = list(methods)
        for m in methods:
            if m == "password":
                uid = self._password_user(identity["password"])
            elif m == "token":
                uid, parent = self._rescope_source(identity["token"])
                expires = parent.expires_at
                audit_ids.append(parent.audit_ids[-1])
                all_methods = parent.methods + all_methods
            else:
                cred = self._app_cred(identity["application_credential"])
                uid, app_cred_id = cred.user_id, cred.id
                scope = _Scope(tf.PROJECT, cred.project_id, True)
                if cred.expires_at:
                    expires = min(expires, aware(cred.expires_at))  # type: ignore[type-var]
            if user_id is not None and uid != user_id:
                raise exc.Unauthorized(AUTH_FAILED)
            user_id = uid
        assert user_id is not None
        if scope.kind == -1:  # OS-TRUST:trust
            trust = self._usable_trust(scope.target_id, user_id)
            trust_id = trust.id
            user_id = trust.trustor_user_id if trust.impersonation else user_id
            scope = _Scope(tf.PROJECT if trust.project_id else tf.UNSCOPED, trust.project_id, True)
            if trust.expires_at:
                expires = min(expires, aware(trust.expires_at))  # type: ignore[type-var]
        payload = tf.Payload(
            user_id=user_id,
            methods=list(dict.fromkeys(all_methods)),
            scope=scope.kind,
            scope_id=scope.target_id,
            expires_at=expires,
            issued_at=now,
            audit_ids=audit_ids,
            trust_id=trust_id,
            app_cred_id=app_cred_id,
        )
        with self.db.write() if trust_id else self.db.read() as s:
            if trust_id:
                self._consume_trust(s, trust_id)
            payload = self._default_scope(s, payload, scope)
            token_id = tf.encode(self.fernet, payload)
            try:
                return self._build(s, token_id, payload)
            except exc.NotFound as e:
                raise exc.Unauthorized(e.message) from e

    def _parse_scope(self, scope: Any) -> _Scope:
        if scope is None or scope == "unscoped":
            return _Scope(explicit=scope == "unscoped")
        if not isinstance(scope, dict) or len(scope) != 1:
            raise exc.ValidationError("Invalid scope: specify one of project, domain, system")
        (kind, value), = scope.items()
        if not isinstance(value, dict):
            raise exc.ValidationError(f"Invalid scope: '{kind}' must be an object")
        with self.db.read() as s:
            if kind == "project":
                return _Scope(tf.PROJECT, self._find_project(s, value).id, True)
            if kind == "domain":
                return _Scope(tf.DOMAIN, self._find_domain(s, value, auth=True).id, True)
            if kind == "system":
                if value.get("all") is not True:
                    raise exc.ValidationError("Invalid system scope: only 'all' is supported")
                return _Scope(tf.SYSTEM, "all", True)
            if kind == "OS-TRUST:trust":
                if not isinstance(value.get("id"), str):
                    raise exc.ValidationError("Invalid trust scope: 'id' is required")
                return _Scope(-1, value["id"], True)
        raise exc.ValidationError(f"Invalid scope: unknown scope '{kind}'")

    @staticmethod
    def _find_domain(s: Session, ref: Any, *, auth: bool = False) -> Domain:
        if not isinstance(ref, dict):
            raise exc.ValidationError("domain must be an object with 'id' or 'name'")
        repo = DomainRepo(s)
        if isinstance(ref.get("id"), str):
            domain = repo.get(ref["id"])
        elif isinstance(ref.get("name"), str):
            domain = repo.by_name(ref["name"])
        else:
            raise exc.ValidationError("domain must have 'id' or 'name'")
        if domain is None or not domain.enabled:
            raise exc.Unauthorized(AUTH_FAILED)
        return domain

    def _find_project(self, s: Session, ref: dict[str, Any]) -> Project:
        repo = ProjectRepo(s)
        if isinstance(ref.get("id"), str):
            project = repo.get(ref["id"])
        elif isinstance(ref.get("name"), str):
            domain = self._find_domain(s, ref.get("domain"), auth=True)
            project = repo.by_name(domain.id, ref["name"])
        else:
            raise exc.ValidationError("project must have 'id' or 'name' and 'domain'")
        if project is None:
            raise exc.Unauthorized(AUTH_FAILED)
        return project

    def _password_user(self, data: dict[str, Any]) -> str:
        ref = data.get("user")
        if not isinstance(ref, dict) or not isinstance(ref.get("password"), str):
            raise exc.ValidationError("password method needs 'user' with 'password'")
        with self.db.read() as s:
            user = self._find_user(s, ref)
        if user is not None and self._locked_out(user):
            raise exc.Unauthorized(AUTH_FAILED)
        if not self.hasher.verify(user.password_hash if user else None, ref["password"]):
            if user is not None and self.lockout_attempts:
                self._record_failure(user.id)
            raise exc.Unauthorized(AUTH_FAILED)
        assert user is not None
        if not user.enabled:
            raise exc.Unauthorized(AUTH_FAILED)
        if user.failed_auth_count:
            self._record_failure(user.id, reset=True)
        return user.id

    def _locked_out(self, user: User) -> bool:
        if not self.lockout_attempts or (user.failed_auth_count or 0) < self.lockout_attempts:
            return False
        last = aware(user.failed_auth_at)
        return last is not None and last + self.lockout_duration > utcnow()

    def _record_failure(self, user_id: str, *, reset: bool = False) -> None:
        with self.db.write() as s:
            user = UserRepo(s).get(user_id)
            if user is None:
                return
            if reset:
                user.failed_auth_count, user.failed_auth_at = 0, None
                return
            last = aware(user.failed_auth_at)
            if last is not None and last + self.lockout_duration <= utcnow():
                user.failed_auth_count = 0  # the previous lockout has expired
            user.failed_auth_count = (user.failed_auth_count or 0) + 1
            user.failed_auth_at = utcnow()

    def _find_user(self, s: Session, ref: dict[str, Any]) -> User | None:
        repo = UserRepo(s)
        if isinstance(ref.get("id"), str):
            user = repo.get(ref["id"])
        elif isinstance(ref.get("name"), str):
            domain = self._find_domain(s, ref.get("domain"), auth=True)
            user = repo.by_name(domain.id, ref["name"])
        else:
            raise exc.ValidationError("user must have 'id', or 'name' and 'domain'")
        if user is not None:
            domain = DomainRepo(s).get(user.domain_id)
            if domain is None or not domain.enabled:
                return None
        return user

    def _rescope_source(self, data: dict[str, Any]) -> tuple[str, tf.Payload]:
        token_id = data.get("id")
        if not isinstance(token_id, str):
            raise exc.ValidationError("token method needs 'id'")
        info = self.validate(token_id)  # Keystone answers 404 for a revoked or unknown token
        if info.trust or info.app_cred:
            raise exc.Forbidden("Re-scoping a trust or application credential token is not allowed")
        return info.user.id, info.payload

    def _app_cred(self, data: dict[str, Any]) -> ApplicationCredential:
        secret = data.get("secret")
        if not isinstance(secret, str):
            raise exc.ValidationError("application_credential method needs 'secret'")
        with self.db.read() as s:
            repo = AppCredRepo(s)
            if isinstance(data.get("id"), str):
                cred = repo.get(data["id"])
            elif isinstance(data.get("name"), str) and isinstance(data.get("user"), dict):
                user = self._find_user(s, data["user"])
                cred = repo.first(
                    ApplicationCredential.user_id == (user.id if user else ""),
                    ApplicationCredential.name == data["name"],
                )
            else:
                raise exc.ValidationError("application_credential needs 'id', or 'name' and 'user'")
        # Verify even when there is no such credential, so timing does not tell.
        if not self.hasher.verify(cred.secret_hash if cred else None, secret) or cred is None:
            raise exc.Unauthorized(AUTH_FAILED)
        if cred.expires_at and aware(cred.expires_at) <= utcnow():  # type: ignore[operator]
            raise exc.Unauthorized(AUTH_FAILED)
        return cred

    def _usable_trust(self, trust_id: str | None, user_id: str) -> Trust:
        """The trust named in an OS-TRUST:trust scope. As Keystone: a deleted, expired or
        used-up trust is not found (404); only its trustee may use it, while the trustor is
        enabled (403)."""
        with self.db.read() as s:
            trust = TrustRepo(s).get(trust_id) if trust_id else None
            trustor = UserRepo(s).get(trust.trustor_user_id) if trust else None
        now = utcnow()
        if (trust is None or trust.deleted_at is not None
                or (trust.expires_at and aware(trust.expires_at) <= now)  # type: ignore[operator]
                or (trust.remaining_uses is not None and trust.remaining_uses <= 0)):
            raise exc.NotFound(f"Could not find trust: {trust_id}.")
        if trust.trustee_user_id != user_id:
            raise exc.Forbidden("User is not a trustee.")
        if trustor is None or not trustor.enabled:
            raise exc.Forbidden("Trustor is disabled.")
        return trust

    @staticmethod
    def _consume_trust(s: Session, trust_id: str) -> None:
        """One use of a trust with limited uses; concurrent issuers cannot overdraw it."""
        trust = TrustRepo(s).get_for_update(trust_id)
        if trust is None or trust.deleted_at is not None:
            raise exc.NotFound(f"Could not find trust: {trust_id}.")
        if trust.remaining_uses is not None:
            if trust.remaining_uses <= 0:
                raise exc.Forbidden(f"No remaining uses for trust: {trust_id}.")
            trust.remaining_uses -= 1

    def _default_scope(self, s: Session, p: tf.Payload, scope: _Scope) -> tf.Payload:
        """No scope asked for: use the user's default project when it is usable."""
        if scope.explicit or p.scope != tf.UNSCOPED:
            return p
        user = UserRepo(s).get(p.user_id)
        if user is None or not user.default_project_id:
            return p
        project = ProjectRepo(s).get(user.default_project_id)
        if project is None or not project.enabled:
            return p
        if not effective_role_ids(s, user.id, project=project):
            return p
        p.scope, p.scope_id = tf.PROJECT, project.id
        return p

    # -- validate ---------------------------------------------------------------------
    def validate(self, token_id: str, *, allow_expired: bool = False) -> TokenInfo:
        """The token's current meaning, or NotFound when it is invalid, expired or revoked.

        Results are cached per token while the identity revision is unchanged: any change
        to identity data (revocation, roles, users, projects...) moves it. A cached token
        was authenticated (decrypted, its signature checked) when it was cached, so a hit
        only checks the expiry and the revision.
        """
        hit = self._cache.get(token_id)
        if hit is not None:
            payload = hit[1].payload
        else:
            decoded = tf.decode(self.fernet, token_id)
            if decoded is None:
                raise exc.NotFound("Could not find token.")
            payload = decoded
        if not allow_expired and payload.expires_at <= utcnow():
            raise exc.NotFound("Could not find token.")
        rev = revisions.read(self.db, "identity")
        if hit is not None and hit[0] == rev:
            return hit[1]
        with self.db.read() as s:
            info = self._build(s, token_id, payload)
        self._remember(token_id, rev, info)
        return info

    def _remember(self, token_id: str, rev: int, info: TokenInfo) -> None:
        if len(self._cache) >= CACHE_SIZE:
            self._cache.pop(next(iter(self._cache)))
        self._cache[token_id] = (rev, info)

    def _build(self, s: Session, token_id: str, p: tf.Payload) -> TokenInfo:
        not_found = exc.NotFound("Could not find token.")
        revoked = RevocationRepo(s).matches(
            issued_at=p.issued_at,
            user_ids=[p.user_id],
            audit_ids=p.audit_ids,
            project_id=p.scope_id if p.scope == tf.PROJECT else None,
            domain_id=p.scope_id if p.scope == tf.DOMAIN else None,
            trust_id=p.trust_id,
        )
        if revoked:
            raise not_found
        user = UserRepo(s).get(p.user_id)
        domains = DomainRepo(s)
        user_domain = domains.get(user.domain_id) if user else None
        if user is None or not user.enabled or user_domain is None or not user_domain.enabled:
            raise not_found
        info = TokenInfo(id=token_id, payload=p, user=user, user_domain=user_domain)
        role_ids: set[str] = set()
        if p.scope == tf.PROJECT:
            project = ProjectRepo(s).get(p.scope_id)
            pdom = domains.get(project.domain_id) if project else None
            if project is None or not project.enabled or pdom is None or not pdom.enabled:
                raise exc.NotFound(f"Project {p.scope_id} is not usable.")
            info.project, info.project_domain = project, pdom
            role_ids = effective_role_ids(s, self._role_holder(s, p, info), project=project)
        elif p.scope == tf.DOMAIN:
            domain = domains.get(p.scope_id)
            if domain is None or not domain.enabled:
                raise not_found
            info.domain = domain
            role_ids = effective_role_ids(s, user.id, domain_id=domain.id)
        elif p.scope == tf.SYSTEM:
            info.system = True
            role_ids = effective_role_ids(s, user.id, system=True)
        if p.scope != tf.UNSCOPED:
            role_ids = self._restrict(s, p, info, role_ids)
            roles = [r for r in RoleRepo(s).by_ids(role_ids) if r.domain_id == GLOBAL]
            if not roles:
                raise exc.NotFound(
                    f"User {user.id} has no access to the requested scope {p.scope_id}."
                )
            info.roles = sorted(roles, key=lambda r: r.name)
        return info

    def _role_holder(self, s: Session, p: tf.Payload, info: TokenInfo) -> str:
        """Whose roles count: the trustor's for a trust token, the user's otherwise. A trust
        token dies with its trust (deleted or expired) and with its trustor (disabled); a
        token issued by the last use of a trust stays valid."""
        if not p.trust_id:
            return p.user_id
        trust = TrustRepo(s).get(p.trust_id)
        if trust is None or trust.deleted_at is not None:
            raise exc.NotFound("Could not find token.")
        if trust.expires_at and aware(trust.expires_at) <= utcnow():  # type: ignore[operator]
            raise exc.NotFound("Could not find token.")
        trustor = UserRepo(s).get(trust.trustor_user_id)
        if trustor is None or not trustor.enabled:
            raise exc.NotFound("Could not find token.")
        info.trust = trust
        return trust.trustor_user_id

    def _restrict(self, s: Session, p: tf.Payload, info: TokenInfo, held: set[str]) -> set[str]:
        """Trusts and application credentials carry only the roles they were given."""
        if info.trust is not None:
            wanted = expand_implied(s, set(info.trust.role_ids))
            return held & wanted if set(info.trust.role_ids) <= held else set()
        if p.app_cred_id:
            cred = AppCredRepo(s).get(p.app_cred_id)
            if cred is None:
                raise exc.NotFound("Could not find token.")
            info.app_cred = cred
            return held & expand_implied(s, set(cred.role_ids))
        return held

    def context_for(self, token_id: str | None, request_id: str = "") -> RequestContext:
        """RequestContext for an X-Auth-Token, or Unauthorized."""
        if not token_id:
            raise exc.Unauthorized(AUTH_FAILED)
        try:
            return self.validate(token_id).context(request_id)
        except exc.NotFound as e:
            raise exc.Unauthorized(AUTH_FAILED) from e

    # -- revoke -----------------------------------------------------------------------
    def revoke(self, token_id: str) -> None:
        info = self.validate(token_id)
        with self.db.write() as s:
            add_revocation(s, audit_id=info.payload.audit_ids[0])


def add_revocation(s: Session, **match: str | None) -> None:
    """Record that tokens matching ``match`` issued until now are invalid."""
    now = utcnow()
    s.add(RevocationEvent(issued_before=now, revoked_at=now, **match))
    s.flush()


def token_lifetime_left(expires_at: datetime) -> float:
    return (expires_at - utcnow()).total_seconds()
