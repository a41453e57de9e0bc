"""Who is asking: the authenticated caller of a request, independent of HTTP."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RequestContext:
    user_id: str | None = None
    user_name: str | None = None
    user_domain_id: str | None = None
    project_id: str | None = None
    project_name: str | None = None
    project_domain_id: str | None = None
    domain_id: str | None = None  # set for domain-scoped tokens
    system_scope: bool = False
    roles: tuple[str, ...] = ()
    role_ids: tuple[str, ...] = ()
    audit_ids: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    trust_id: str | None = None
    application_credential_id: str | None = None
    request_id: str = ""
    auth_token: str | None = field(default=None, repr=False)

    @property
    def is_admin(self) -> bool:
        """Cloud admin: the admin role in any scope (the classic OpenStack default)."""
        return "admin" in self.roles

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    def has_role(self, name: str) -> bool:
        return name in self.roles
