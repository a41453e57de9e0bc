"""/v3/roles, implied roles and /v3/role_inferences."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from pocketstack.api.common.auth import authenticated, cloud
from pocketstack.api.common.http import base_url, created, no_content
from pocketstack.api.identity import policy, schemas, views
from pocketstack.common.context import RequestContext
from pocketstack.db.models.identity import Role

router = APIRouter(prefix="/v3")


@router.post("/roles", status_code=201)
def create(request: Request, body: schemas.RoleCreateBody,
           ctx: RequestContext = Depends(authenticated)) -> Any:
    policy.admin(ctx, "identity:create_role")
    role = cloud(request).identity.roles.create_role(body.role.data())
    return created({"role": views.role(role, base_url(request))})


@router.api_route("/roles", methods=["GET", "HEAD"])
def list_(request: Request, name: str | None = None, domain_id: str | None = None,
          ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:list_roles")
    found = cloud(request).identity.roles.list_roles(name=name, domain_id=domain_id)
    base = base_url(request)
    return views.collection(base, "roles", "roles", [views.role(r, base) for r in found])


@router.api_route("/roles/{role_id}", methods=["GET", "HEAD"])
def show(request: Request, role_id: str,
         ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:get_role")
    return {"role": views.role(cloud(request).identity.roles.get_role(role_id),
                               base_url(request))}


@router.patch("/roles/{role_id}")
def update(request: Request, role_id: str, body: schemas.RoleUpdateBody,
           ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:update_role")
    role = cloud(request).identity.roles.update_role(role_id, body.role.data())
    return {"role": views.role(role, base_url(request))}


@router.delete("/roles/{role_id}", status_code=204)
def delete(request: Request, role_id: str,
           ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "identity:delete_role")
    cloud(request).identity.roles.delete_role(role_id)
    return no_content()


def _inference(prior: Role, implied: list[Role], base: str) -> dict[str, Any]:
    return {"prior_role": views.role_ref(prior, base),
            "implies": [views.role_ref(r, base) for r in implied]}


@router.put("/roles/{prior_id}/implies/{implied_id}", status_code=201)
def create_implied(request: Request, prior_id: str, implied_id: str,
                   ctx: RequestContext = Depends(authenticated)) -> Any:
    policy.admin(ctx, "identity:create_implied_role")
    prior, implied = cloud(request).identity.roles.create_implied(prior_id, implied_id)
    base = base_url(request)
    return created({"role_inference": {"prior_role": views.role_ref(prior, base),
                                       "implies": views.role_ref(implied, base)},
                    "links": {"self": f"{base}/v3/roles/{prior_id}/implies/{implied_id}"}})


@router.get("/roles/{prior_id}/implies/{implied_id}")
def show_implied(request: Request, prior_id: str, implied_id: str,
                 ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:get_implied_role")
    prior, implied = cloud(request).identity.roles.get_implied(prior_id, implied_id)
    base = base_url(request)
    return {"role_inference": {"prior_role": views.role_ref(prior, base),
                               "implies": views.role_ref(implied, base)},
            "links": {"self": f"{base}/v3/roles/{prior_id}/implies/{implied_id}"}}


@router.head("/roles/{prior_id}/implies/{implied_id}", status_code=204)
def check_implied(request: Request, prior_id: str, implied_id: str,
                  ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "identity:check_implied_role")
    cloud(request).identity.roles.get_implied(prior_id, implied_id)
    return no_content()


@router.delete("/roles/{prior_id}/implies/{implied_id}", status_code=204)
def delete_implied(request: Request, prior_id: str, implied_id: str,
                   ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "identity:delete_implied_role")
    cloud(request).identity.roles.delete_implied(prior_id, implied_id)
    return no_content()


@router.api_route("/roles/{prior_id}/implies", methods=["GET", "HEAD"])
def list_implied(request: Request, prior_id: str,
                 ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:list_implied_roles")
    ((prior, implied),) = cloud(request).identity.roles.implied_by(prior_id)
    base = base_url(request)
    return {"role_inference": _inference(prior, implied, base),
            "links": {"self": f"{base}/v3/roles/{prior_id}/implies"}}


@router.api_route("/role_inferences", methods=["GET", "HEAD"])
def list_inferences(request: Request,
                    ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:list_role_inference_rules")
    base = base_url(request)
    rules = cloud(request).identity.roles.implied_by()
    return {"role_inferences": [_inference(p, i, base) for p, i in rules],
            "links": {"self": f"{base}/v3/role_inferences"}}
