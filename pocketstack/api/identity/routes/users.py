"""/v3/users: users, their projects and groups, and self-service password change."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from pocketstack.api.common.auth import authenticated, cloud
from pocketstack.api.common.http import base_url, created, no_content, truthy
from pocketstack.api.identity import policy, schemas, views
from pocketstack.common.context import RequestContext

router = APIRouter(prefix="/v3/users")


@router.post("", status_code=201)
def create(request: Request, body: schemas.UserCreateBody,
           ctx: RequestContext = Depends(authenticated)) -> Any:
    policy.admin(ctx, "identity:create_user")
    user = cloud(request).identity.users.create_user(
        body.user.data(), default_domain=policy.default_domain(ctx))
    return created({"user": views.user(user, base_url(request))})


@router.api_route("", methods=["GET", "HEAD"])
def list_(request: Request, name: str | None = None, domain_id: str | None = None,
          enabled: str | None = None,
          ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:list_users")
    found = cloud(request).identity.users.list_users(
        {"name": name, "domain_id": domain_id, "enabled": truthy(enabled)})
    base = base_url(request)
    return views.collection(base, "users", "users", [views.user(u, base) for u in found])


@router.api_route("/{user_id}", methods=["GET", "HEAD"])
def show(request: Request, user_id: str,
         ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin_or_self(ctx, user_id, "identity:get_user")
    user = cloud(request).identity.users.get_user(user_id)
    return {"user": views.user(user, base_url(request))}


@router.patch("/{user_id}")
def update(request: Request, user_id: str, body: schemas.UserUpdateBody,
           ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:update_user")
    user = cloud(request).identity.users.update_user(user_id, body.user.data())
    return {"user": views.user(user, base_url(request))}


@router.delete("/{user_id}", status_code=204)
def delete(request: Request, user_id: str,
           ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "identity:delete_user")
    cloud(request).identity.users.delete_user(user_id)
    return no_content()


@router.post("/{user_id}/password", status_code=204)
def change_password(request: Request, user_id: str, body: schemas.PasswordChangeBody,
                    ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin_or_self(ctx, user_id, "identity:change_password")
    cloud(request).identity.users.change_password(user_id, body.user.original_password,
                                                  body.user.password)
    return no_content()


@router.api_route("/{user_id}/groups", methods=["GET", "HEAD"])
def groups(request: Request, user_id: str,
           ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin_or_self(ctx, user_id, "identity:list_groups_for_user")
    found = cloud(request).identity.users.groups_of(user_id)
    base = base_url(request)
    return views.collection(base, f"users/{user_id}/groups", "groups",
                            [views.group(g, base) for g in found])


@router.api_route("/{user_id}/projects", methods=["GET", "HEAD"])
def projects(request: Request, user_id: str, enabled: str | None = None,
             name: str | None = None, domain_id: str | None = None,
             ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin_or_self(ctx, user_id, "identity:list_user_projects")
    identity = cloud(request).identity
    identity.users.get_user(user_id)
    ids = identity.roles.user_project_ids(user_id)
    found = identity.resources.list_projects(
        filters={"enabled": truthy(enabled), "name": name, "domain_id": domain_id}, ids=ids)
    base = base_url(request)
    return views.collection(base, f"users/{user_id}/projects", "projects",
                            [views.project(p, t, base) for p, t in found])
