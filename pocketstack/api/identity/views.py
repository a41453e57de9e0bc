"""Wire format of identity resources (Keystone v3 JSON)."""

from __future__ import annotations

from typing import Any

from pocketstack.common.timeutils import iso
from pocketstack.db.models.identity import (
    Domain,
    Endpoint,
    Group,
    Project,
    Region,
    Role,
    Service,
    User,
)
from pocketstack.services.identity.tokens import TokenInfo


def link(base: str, path: str) -> dict[str, str]:
    return {"self": f"{base}/v3/{path}"}


def collection(base: str, path: str, key: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {key: items, "links": {"self": f"{base}/v3/{path}", "previous": None, "next": None}}


def domain(d: Domain, base: str) -> dict[str, Any]:
    return {**(d.extra or {}), "id": d.id, "name": d.name, "description": d.description or "",
            "enabled": d.enabled, "tags": d.tags or [], "options": d.options or {},
            "links": link(base, f"domains/{d.id}")}


def project(p: Project, tags: list[str], base: str) -> dict[str, Any]:
    return {**(p.extra or {}), "id": p.id, "name": p.name, "domain_id": p.domain_id,
            "parent_id": p.parent_id or p.domain_id, "description": p.description or "",
            "enabled": p.enabled, "is_domain": p.is_domain, "tags": tags,
            "options": p.options or {}, "links": link(base, f"projects/{p.id}")}


def user(u: User, base: str) -> dict[str, Any]:
    out = {**(u.extra or {}), "id": u.id, "name": u.name, "domain_id": u.domain_id,
           "enabled": u.enabled, "password_expires_at": iso(u.password_expires_at),
           "options": u.options or {}, "links": link(base, f"users/{u.id}")}
    if u.default_project_id:
        out["default_project_id"] = u.default_project_id
    return out


def group(g: Group, base: str) -> dict[str, Any]:
    return {**(g.extra or {}), "id": g.id, "name": g.name, "domain_id": g.domain_id,
            "description": g.description or "", "links": link(base, f"groups/{g.id}")}


def role(r: Role, base: str) -> dict[str, Any]:
    return {**(r.extra or {}), "id": r.id, "name": r.name,
            "domain_id": None if r.domain_id == "<<null>>" else r.domain_id,
            "description": r.description, "options": r.options or {},
            "links": link(base, f"roles/{r.id}")}


def role_ref(r: Role, base: str) -> dict[str, Any]:
    return {"id": r.id, "name": r.name, "links": link(base, f"roles/{r.id}")}


def region(r: Region, base: str) -> dict[str, Any]:
    return {**(r.extra or {}), "id": r.id, "description": r.description or "",
            "parent_region_id": r.parent_region_id, "links": link(base, f"regions/{r.id}")}


def service(s: Service, base: str) -> dict[str, Any]:
    return {**(s.extra or {}), "id": s.id, "type": s.type, "enabled": s.enabled,
            "links": link(base, f"services/{s.id}")}


def endpoint(e: Endpoint, base: str) -> dict[str, Any]:
    return {**(e.extra or {}), "id": e.id, "interface": e.interface, "region": e.region_id,
            "region_id": e.region_id, "url": e.url, "service_id": e.service_id,
            "enabled": e.enabled, "links": link(base, f"endpoints/{e.id}")}


def token(info: TokenInfo, catalog: list[dict[str, Any]] | None) -> dict[str, Any]:
    u, p = info.user, info.payload
    body: dict[str, Any] = {
        "methods": p.methods,
        "user": {"domain": {"id": info.user_domain.id, "name": info.user_domain.name},
                 "id": u.id, "name": u.name, "password_expires_at": iso(u.password_expires_at)},
        "audit_ids": p.audit_ids,
        "expires_at": iso(p.expires_at),
        "issued_at": iso(p.issued_at),
    }
    if info.project is not None and info.project_domain is not None:
        body["project"] = {"domain": {"id": info.project_domain.id,
                                     "name": info.project_domain.name},
                           "id": info.project.id, "name": info.project.name}
        body["is_domain"] = False
    elif info.domain is not None:
        body["domain"] = {"id": info.domain.id, "name": info.domain.name}
    elif info.system:
        body["system"] = {"all": True}
    if info.project or info.domain or info.system:
        body["roles"] = [{"id": r.id, "name": r.name} for r in info.roles]
        if catalog is not None:
            body["catalog"] = catalog
    if info.trust is not None:
        t = info.trust
        body["OS-TRUST:trust"] = {"id": t.id, "impersonation": t.impersonation,
                                  "trustee_user": {"id": t.trustee_user_id},
                                  "trustor_user": {"id": t.trustor_user_id}}
    if info.app_cred is not None:
        body["application_credential"] = {"id": info.app_cred.id, "name": info.app_cred.name,
                                          "restricted": not info.app_cred.unrestricted}
    return {"token": body}
