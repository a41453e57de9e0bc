"""/v3/policies: opaque policy blobs with a type (admin only, as Keystone's default policy)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from pocketstack.api.common.auth import authenticated, cloud
from pocketstack.api.common.http import base_url, created, no_content
from pocketstack.api.identity import policy as authz
from pocketstack.api.identity import schemas_extras as schemas
from pocketstack.api.identity import views
from pocketstack.api.identity import views_extras as xviews
from pocketstack.common.context import RequestContext

router = APIRouter(prefix="/v3/policies")


@router.post("", status_code=201)
def create(request: Request, body: schemas.PolicyCreateBody,
           ctx: RequestContext = Depends(authenticated)) -> Any:
    authz.admin(ctx, "identity:create_policy")
    policy = cloud(request).identity.policies.create(body.policy.data())
    return created({"policy": xviews.policy(policy, base_url(request))})


@router.api_route("", methods=["GET", "HEAD"])
def list_(request: Request, type: str | None = None,
          ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    authz.admin(ctx, "identity:list_policies")
    base = base_url(request)
    return views.collection(base, "policies", "policies",
                            [xviews.policy(p, base)
                             for p in cloud(request).identity.policies.list(type)])


@router.api_route("/{policy_id}", methods=["GET", "HEAD"])
def show(request: Request, policy_id: str,
         ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    authz.admin(ctx, "identity:get_policy")
    policy = cloud(request).identity.policies.get(policy_id)
    return {"policy": xviews.policy(policy, base_url(request))}


@router.patch("/{policy_id}")
def update(request: Request, policy_id: str, body: schemas.PolicyUpdateBody,
           ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    authz.admin(ctx, "identity:update_policy")
    policy = cloud(request).identity.policies.update(policy_id, body.policy.data())
    return {"policy": xviews.policy(policy, base_url(request))}


@router.delete("/{policy_id}", status_code=204)
def delete(request: Request, policy_id: str,
           ctx: RequestContext = Depends(authenticated)) -> Response:
    authz.admin(ctx, "identity:delete_policy")
    cloud(request).identity.policies.delete(policy_id)
    return no_content()
