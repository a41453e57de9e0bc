"""Role grants on projects, domains and the system (incl. OS-INHERIT), and
/v3/role_assignments."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from pocketstack.api.common.auth import authenticated, cloud
from pocketstack.api.common.http import base_url, no_content, truthy
from pocketstack.api.identity import policy, views
from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.services.identity.roles import Grant

router = APIRouter(prefix="/v3")

TARGETS = {"projects": "project", "domains": "domain"}
ACTORS = {"users": "user", "groups": "group"}


def _parts(targets: str, actors: str) -> tuple[str, str]:
    if targets not in TARGETS or actors not in ACTORS:
        raise exc.NotFound("The resource could not be found.")
    return ACTORS[actors], TARGETS[targets]


# -- direct grants: /v3/{projects|domains}/{id}/{users|groups}/{id}/roles[/{role}] ---------
@router.put("/{targets}/{target_id}/{actors}/{actor_id}/roles/{role_id}", status_code=204)
def grant(request: Request, targets: str, target_id: str, actors: str, actor_id: str,
          role_id: str, ctx: RequestContext = Depends(authenticated)) -> Response:
    actor, target = _parts(targets, actors)
    policy.admin(ctx, "identity:create_grant")
    cloud(request).identity.roles.grant(actor, actor_id, target, target_id, role_id)
    return no_content()


@router.api_route("/{targets}/{target_id}/{actors}/{actor_id}/roles/{role_id}",
                  methods=["GET", "HEAD"], status_code=204)
def check(request: Request, targets: str, target_id: str, actors: str, actor_id: str,
          role_id: str, ctx: RequestContext = Depends(authenticated)) -> Response:
    actor, target = _parts(targets, actors)
    policy.admin(ctx, "identity:check_grant")
    cloud(request).identity.roles.check_grant(actor, actor_id, target, target_id, role_id)
    return no_content()


@router.delete("/{targets}/{target_id}/{actors}/{actor_id}/roles/{role_id}", status_code=204)
def revoke(request: Request, targets: str, target_id: str, actors: str, actor_id: str,
           role_id: str, ctx: RequestContext = Depends(authenticated)) -> Response:
    actor, target = _parts(targets, actors)
    policy.admin(ctx, "identity:revoke_grant")
    cloud(request).identity.roles.revoke(actor, actor_id, target, target_id, role_id)
    return no_content()


@router.api_route("/{targets}/{target_id}/{actors}/{actor_id}/roles", methods=["GET", "HEAD"])
def list_grants(request: Request, targets: str, target_id: str, actors: str, actor_id: str,
                ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    actor, target = _parts(targets, actors)
    policy.admin(ctx, "identity:list_grants")
    roles = cloud(request).identity.roles.roles_of(actor, actor_id, target, target_id)
    base = base_url(request)
    return views.collection(base, f"{targets}/{target_id}/{actors}/{actor_id}/roles", "roles",
                            [views.role(r, base) for r in roles])


# -- system grants: /v3/system/{users|groups}/{id}/roles[/{role}] ---------------------------
@router.put("/system/{actors}/{actor_id}/roles/{role_id}", status_code=204)
def system_grant(request: Request, actors: str, actor_id: str, role_id: str,
                 ctx: RequestContext = Depends(authenticated)) -> Response:
    actor, _ = _parts("projects", actors)
    policy.admin(ctx, "identity:create_system_grant")
    cloud(request).identity.roles.grant(actor, actor_id, "system", "system", role_id)
    return no_content()


@router.api_route("/system/{actors}/{actor_id}/roles/{role_id}", methods=["GET", "HEAD"],
                  status_code=204)
def system_check(request: Request, actors: str, actor_id: str, role_id: str,
                 ctx: RequestContext = Depends(authenticated)) -> Response:
    actor, _ = _parts("projects", actors)
    policy.admin(ctx, "identity:check_system_grant")
    cloud(request).identity.roles.check_grant(actor, actor_id, "system", "system", role_id)
    return no_content()


@router.delete("/system/{actors}/{actor_id}/roles/{role_id}", status_code=204)
def system_revoke(request: Request, actors: str, actor_id: str, role_id: str,
                  ctx: RequestContext = Depends(authenticated)) -> Response:
    actor, _ = _parts("projects", actors)
    policy.admin(ctx, "identity:revoke_system_grant")
    cloud(request).identity.roles.revoke(actor, actor_id, "system", "system", role_id)
    return no_content()


@router.api_route("/system/{actors}/{actor_id}/roles", methods=["GET", "HEAD"])
def system_list(request: Request, actors: str, actor_id: str,
                ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    actor, _ = _parts("projects", actors)
    policy.admin(ctx, "identity:list_system_grants")
    roles = cloud(request).identity.roles.roles_of(actor, actor_id, "system", "system")
    base = base_url(request)
    return views.collection(base, f"system/{actors}/{actor_id}/roles", "roles",
                            [views.role(r, base) for r in roles])


# -- OS-INHERIT: grants inherited by every project below a domain or project ---------------
INHERIT = "/OS-INHERIT/{targets}/{target_id}/{actors}/{actor_id}/roles"


@router.put(INHERIT + "/{role_id}/inherited_to_projects", status_code=204)
def inherit_grant(request: Request, targets: str, target_id: str, actors: str, actor_id: str,
                  role_id: str, ctx: RequestContext = Depends(authenticated)) -> Response:
    actor, target = _parts(targets, actors)
    policy.admin(ctx, "identity:create_grant")
    cloud(request).identity.roles.grant(actor, actor_id, target, target_id, role_id,
                                        inherited=True)
    return no_content()


@router.api_route(INHERIT + "/{role_id}/inherited_to_projects", methods=["GET", "HEAD"],
                  status_code=204)
def inherit_check(request: Request, targets: str, target_id: str, actors: str, actor_id: str,
                  role_id: str, ctx: RequestContext = Depends(authenticated)) -> Response:
    actor, target = _parts(targets, actors)
    policy.admin(ctx, "identity:check_grant")
    cloud(request).identity.roles.check_grant(actor, actor_id, target, target_id, role_id,
                                              inherited=True)
    return no_content()


@router.delete(INHERIT + "/{role_id}/inherited_to_projects", status_code=204)
def inherit_revoke(request: Request, targets: str, target_id: str, actors: str,
                   actor_id: str, role_id: str,
                   ctx: RequestContext = Depends(authenticated)) -> Response:
    actor, target = _parts(targets, actors)
    policy.admin(ctx, "identity:revoke_grant")
    cloud(request).identity.roles.revoke(actor, actor_id, target, target_id, role_id,
                                         inherited=True)
    return no_content()


@router.api_route(INHERIT + "/inherited_to_projects", methods=["GET", "HEAD"])
def inherit_list(request: Request, targets: str, target_id: str, actors: str, actor_id: str,
                 ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    actor, target = _parts(targets, actors)
    policy.admin(ctx, "identity:list_grants")
    roles = cloud(request).identity.roles.roles_of(actor, actor_id, target, target_id,
                                                   inherited=True)
    base = base_url(request)
    return views.collection(
        base, f"OS-INHERIT/{targets}/{target_id}/{actors}/{actor_id}/roles/"
        "inherited_to_projects", "roles", [views.role(r, base) for r in roles])


# -- /v3/role_assignments ---------------------------------------------------------------
@router.api_route("/role_assignments", methods=["GET", "HEAD"])
def role_assignments(request: Request,
                     ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    q = request.query_params
    user_id = q.get("user.id")
    if not ctx.is_admin and user_id != ctx.user_id:
        policy.admin(ctx, "identity:list_role_assignments")
    effective = truthy(q.get("effective")) or False
    if effective and q.get("group.id"):
        raise exc.ValidationError("effective and group.id cannot be combined.")
    inherited_to = q.get("scope.OS-INHERIT:inherited_to")
    query = {
        "user_id": user_id,
        "group_id": q.get("group.id"),
        "project_id": q.get("scope.project.id"),
        "domain_id": q.get("scope.domain.id"),
        "system": q.get("scope.system"),
        "role_id": q.get("role.id"),
        "inherited": True if inherited_to == "projects" else None,
        "effective": effective,
        "include_subtree": truthy(q.get("include_subtree")),
    }
    roles = cloud(request).identity.roles
    grants = roles.list_assignments(query)
    names = roles.names_for(grants) if truthy(q.get("include_names")) else None
    base = base_url(request)
    return {"role_assignments": [_assignment(g, base, names) for g in grants],
            "links": {"self": f"{base}/v3/role_assignments", "previous": None, "next": None}}


def _assignment(g: Grant, base: str, names: dict[str, Any] | None) -> dict[str, Any]:
    def named(kind: str, obj_id: str) -> dict[str, Any]:
        ref: dict[str, Any] = {"id": obj_id}
        obj = names and names[kind].get(obj_id)
        if obj is not None and names is not None:
            ref["name"] = obj.name
            dom_id = getattr(obj, "domain_id", None)
            if kind != "roles" and dom_id and dom_id in names["domains"]:
                ref["domain"] = {"id": dom_id, "name": names["domains"][dom_id].name}
            if kind == "roles" and dom_id and dom_id != "<<null>>":
                ref["domain"] = {"id": dom_id}
        return ref

    out: dict[str, Any] = {"role": named("roles", g.role_id)}
    out[g.actor] = named("users" if g.actor == "user" else "groups", g.actor_id)
    if g.target == "system":
        out["scope"] = {"system": {"all": True}}
        target_path = "system"
    else:
        out["scope"] = {g.target: named(g.target + "s", g.target_id)}
        target_path = f"{g.target}s/{g.target_id}"
    if g.inherited:
        out["scope"]["OS-INHERIT:inherited_to"] = "projects"
    actor_path = f"{'users' if g.actor == 'user' else 'groups'}/{g.actor_id}"
    if g.via_group:
        actor_path = f"groups/{g.via_group}"
    path = f"{target_path}/{actor_path}/roles/{g.prior_role_id or g.role_id}"
    if g.inherited:
        path = f"OS-INHERIT/{path}/inherited_to_projects"
    links: dict[str, str] = {"assignment": f"{base}/v3/{path}"}
    if g.via_group:
        links["membership"] = f"{base}/v3/groups/{g.via_group}/users/{g.actor_id}"
    if g.prior_role_id:
        links["prior_role"] = f"{base}/v3/roles/{g.prior_role_id}"
    out["links"] = links
    return out
