"""Wire format of the Identity API extras (Keystone v3 JSON): credentials, OS-EC2,
application credentials, access rules, trusts, OAuth1 consumers, policies and endpoint
groups."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pocketstack.api.identity.views import link, role
from pocketstack.common.timeutils import aware, iso
from pocketstack.db.models.identity import (
    AccessRule,
    Consumer,
    EndpointGroup,
    Policy,
    Role,
    Trust,
)
from pocketstack.services.identity.app_creds import AppCredView
from pocketstack.services.identity.credentials import PlainCredential


def plain_time(dt: datetime | None) -> str | None:
    """Keystone renders application credential expiry without a zone: 2018-02-27T18:30:59.000000."""
    value = aware(dt)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f") if value else None


def credential(c: PlainCredential, base: str) -> dict[str, Any]:
    return {**c.extra, "id": c.id, "user_id": c.user_id, "project_id": c.project_id,
            "type": c.type, "blob": c.blob, "links": link(base, f"credentials/{c.id}")}


def ec2(c: PlainCredential, base: str) -> dict[str, Any]:
    body = c.ec2()
    body["links"] = link(base, f"users/{c.user_id}/credentials/OS-EC2/{body['access']}")
    return body


def role_ref(r: Role) -> dict[str, Any]:
    return {"id": r.id, "name": r.name,
            "domain_id": None if r.domain_id == "<<null>>" else r.domain_id}


def rule_ref(r: AccessRule) -> dict[str, Any]:
    return {"id": r.id, "service": r.service, "path": r.path, "method": r.method}


def access_rule(r: AccessRule, base: str) -> dict[str, Any]:
    return {**rule_ref(r), "links": link(base, f"access_rules/{r.id}")}


def app_cred(v: AppCredView, base: str) -> dict[str, Any]:
    c = v.cred
    body: dict[str, Any] = {
        "id": c.id, "name": c.name, "description": c.description,
        "expires_at": plain_time(c.expires_at), "project_id": c.project_id,
        "unrestricted": bool(c.unrestricted),
        "roles": [role_ref(r) for r in v.roles],
        "access_rules": [rule_ref(r) for r in v.rules],
        "links": link(base, f"users/{c.user_id}/application_credentials/{c.id}"),
    }
    if v.secret is not None:
        body["secret"] = v.secret
    return body


def trust(t: Trust, base: str, roles: list[Role] | None = None) -> dict[str, Any]:
    """A trust; without ``roles`` the summary form of trust lists."""
    body: dict[str, Any] = {
        **(t.extra or {}), "id": t.id, "trustor_user_id": t.trustor_user_id,
        "trustee_user_id": t.trustee_user_id, "project_id": t.project_id,
        "impersonation": t.impersonation, "expires_at": iso(t.expires_at),
        "remaining_uses": t.remaining_uses, "redelegated_trust_id": t.redelegated_trust_id,
        "redelegation_count": t.redelegation_count,
        "links": link(base, f"OS-TRUST/trusts/{t.id}"),
    }
    if roles is not None:
        body["roles"] = [role(r, base) for r in roles]
        body["roles_links"] = {"self": f"{base}/v3/OS-TRUST/trusts/{t.id}/roles",
                               "previous": None, "next": None}
    return body


def consumer(c: Consumer, base: str, secret: str | None = None) -> dict[str, Any]:
    body = {**(c.extra or {}), "id": c.id, "description": c.description,
            "links": link(base, f"OS-OAUTH1/consumers/{c.id}")}
    if secret is not None:
        body["secret"] = secret
    return body


def policy(p: Policy, base: str) -> dict[str, Any]:
    return {**(p.extra or {}), "id": p.id, "type": p.type, "blob": p.blob,
            "links": link(base, f"policies/{p.id}")}


def endpoint_group(g: EndpointGroup, base: str) -> dict[str, Any]:
    return {"id": g.id, "name": g.name, "description": g.description,
            "filters": g.filters or {},
            "links": link(base, f"OS-EP-FILTER/endpoint_groups/{g.id}")}


def project_endpoint_group(group_id: str, project_id: str, base: str) -> dict[str, Any]:
    return {"endpoint_group_id": group_id, "project_id": project_id,
            "links": link(base, f"OS-EP-FILTER/endpoint_groups/{group_id}/projects/"
                                f"{project_id}")}
