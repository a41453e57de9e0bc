"""/v3/groups and group membership."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from pocketstack.api.common.auth import authenticated, cloud
from pocketstack.api.common.http import base_url, created, no_content
from pocketstack.api.identity import policy, schemas, views
from pocketstack.common.context import RequestContext

router = APIRouter(prefix="/v3/groups")


@router.post("", status_code=201)
def create(request: Request, body: schemas.GroupCreateBody,
           ctx: RequestContext = Depends(authenticated)) -> Any:
    policy.admin(ctx, "identity:create_group")
    group = cloud(request).identity.users.create_group(
        body.group.data(), default_domain=policy.default_domain(ctx))
    return created({"group": views.group(group, base_url(request))})


@router.api_route("", methods=["GET", "HEAD"])
def list_(request: Request, name: str | None = None, domain_id: str | None = None,
          ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:list_groups")
    found = cloud(request).identity.users.list_groups({"name": name, "domain_id": domain_id})
    base = base_url(request)
    return views.collection(base, "groups", "groups", [views.group(g, base) for g in found])


@router.api_route("/{group_id}", methods=["GET", "HEAD"])
def show(request: Request, group_id: str,
         ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:get_group")
    return {"group": views.group(cloud(request).identity.users.get_group(group_id),
                                 base_url(request))}


@router.patch("/{group_id}")
def update(request: Request, group_id: str, body: schemas.GroupUpdateBody,
           ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:update_group")
    group = cloud(request).identity.users.update_group(group_id, body.group.data())
    return {"group": views.group(group, base_url(request))}


@router.delete("/{group_id}", status_code=204)
def delete(request: Request, group_id: str,
           ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "identity:delete_group")
    cloud(request).identity.users.delete_group(group_id)
    return no_content()


@router.api_route("/{group_id}/users", methods=["GET", "HEAD"])
def members(request: Request, group_id: str,
            ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:list_users_in_group")
    found = cloud(request).identity.users.members(group_id)
    base = base_url(request)
    return views.collection(base, f"groups/{group_id}/users", "users",
                            [views.user(u, base) for u in found])


@router.put("/{group_id}/users/{user_id}", status_code=204)
def add_member(request: Request, group_id: str, user_id: str,
               ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "identity:add_user_to_group")
    cloud(request).identity.users.add_member(group_id, user_id)
    return no_content()


@router.api_route("/{group_id}/users/{user_id}", methods=["GET", "HEAD"], status_code=204)
def check_member(request: Request, group_id: str, user_id: str,
                 ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "identity:check_user_in_group")
    from pocketstack.common import exceptions as exc

    if not cloud(request).identity.users.is_member(group_id, user_id):
        raise exc.NotFound(f"User {user_id} is not a member of group {group_id}.")
    return no_content()


@router.delete("/{group_id}/users/{user_id}", status_code=204)
def remove_member(request: Request, group_id: str, user_id: str,
                  ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "identity:remove_user_from_group")
    cloud(request).identity.users.remove_member(group_id, user_id)
    return no_content()
