"""/v3/domains."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from pocketstack.api.common.auth import authenticated, cloud
from pocketstack.api.common.http import base_url, created, no_content, truthy
from pocketstack.api.identity import policy, schemas, views
from pocketstack.common.context import RequestContext

router = APIRouter(prefix="/v3/domains")


@router.post("", status_code=201)
def create(request: Request, body: schemas.DomainCreateBody,
           ctx: RequestContext = Depends(authenticated)) -> Any:
    policy.admin(ctx, "identity:create_domain")
    data = body.domain.data()
    explicit = data.pop("explicit_domain_id", None)
    domain = cloud(request).identity.resources.create_domain(data, explicit)
    return created({"domain": views.domain(domain, base_url(request))})


@router.api_route("", methods=["GET", "HEAD"])
def list_(request: Request, name: str | None = None, enabled: str | None = None,
          ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:list_domains")
    found = cloud(request).identity.resources.list_domains(name=name, enabled=truthy(enabled))
    base = base_url(request)
    return views.collection(base, "domains", "domains", [views.domain(d, base) for d in found])


@router.api_route("/{domain_id}", methods=["GET", "HEAD"])
def show(request: Request, domain_id: str,
         ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin_or_domain(ctx, domain_id, "identity:get_domain")
    domain = cloud(request).identity.resources.get_domain(domain_id)
    return {"domain": views.domain(domain, base_url(request))}


@router.patch("/{domain_id}")
def update(request: Request, domain_id: str, body: schemas.DomainUpdateBody,
           ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:update_domain")
    domain = cloud(request).identity.resources.update_domain(domain_id, body.domain.data())
    return {"domain": views.domain(domain, base_url(request))}


@router.delete("/{domain_id}", status_code=204)
def delete(request: Request, domain_id: str,
           ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "identity:delete_domain")
    cloud(request).identity.resources.delete_domain(domain_id)
    return no_content()
