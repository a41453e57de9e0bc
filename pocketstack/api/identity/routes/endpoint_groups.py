"""/v3/OS-EP-FILTER: endpoint groups, and which endpoints and endpoint groups are associated
with which projects (admin only, as Keystone's default policy)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from pocketstack.api.common.auth import authenticated, cloud
from pocketstack.api.common.http import base_url, created, no_content
from pocketstack.api.identity import policy, views
from pocketstack.api.identity import schemas_extras as schemas
from pocketstack.api.identity import views_extras as xviews
from pocketstack.common.context import RequestContext

router = APIRouter(prefix="/v3/OS-EP-FILTER")


# -- endpoint groups -----------------------------------------------------------------------
@router.post("/endpoint_groups", status_code=201)
def create(request: Request, body: schemas.EndpointGroupCreateBody,
           ctx: RequestContext = Depends(authenticated)) -> Any:
    policy.admin(ctx, "identity:create_endpoint_group")
    group = cloud(request).identity.endpoint_groups.create(body.endpoint_group.data())
    return created({"endpoint_group": xviews.endpoint_group(group, base_url(request))})


@router.api_route("/endpoint_groups", methods=["GET", "HEAD"])
def list_(request: Request, name: str | None = None,
          ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:list_endpoint_groups")
    base = base_url(request)
    found = cloud(request).identity.endpoint_groups.list(name)
    return views.collection(base, "OS-EP-FILTER/endpoint_groups", "endpoint_groups",
                            [xviews.endpoint_group(g, base) for g in found])


@router.api_route("/endpoint_groups/{group_id}", methods=["GET", "HEAD"])
def show(request: Request, group_id: str,
         ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:get_endpoint_group")
    group = cloud(request).identity.endpoint_groups.get(group_id)
    return {"endpoint_group": xviews.endpoint_group(group, base_url(request))}


@router.patch("/endpoint_groups/{group_id}")
def update(request: Request, group_id: str, body: schemas.EndpointGroupUpdateBody,
           ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:update_endpoint_group")
    group = cloud(request).identity.endpoint_groups.update(group_id,
                                                           body.endpoint_group.data())
    return {"endpoint_group": xviews.endpoint_group(group, base_url(request))}


@router.delete("/endpoint_groups/{group_id}", status_code=204)
def delete(request: Request, group_id: str,
           ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "identity:delete_endpoint_group")
    cloud(request).identity.endpoint_groups.delete(group_id)
    return no_content()


@router.api_route("/endpoint_groups/{group_id}/endpoints", methods=["GET", "HEAD"])
def group_endpoints(request: Request, group_id: str,
                    ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:list_endpoints_associated_with_endpoint_group")
    base = base_url(request)
    found = cloud(request).identity.endpoint_groups.endpoints_of_group(group_id)
    return views.collection(base, f"OS-EP-FILTER/endpoint_groups/{group_id}/endpoints",
                            "endpoints", [views.endpoint(e, base) for e in found])


@router.api_route("/endpoint_groups/{group_id}/projects", methods=["GET", "HEAD"])
def group_projects(request: Request, group_id: str,
                   ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:list_projects_associated_with_endpoint_group")
    return _projects(request, cloud(request).identity.endpoint_groups.projects_of_group(
        group_id), f"OS-EP-FILTER/endpoint_groups/{group_id}/projects")


def _projects(request: Request, ids: set[str], path: str) -> dict[str, Any]:
    base = base_url(request)
    found = cloud(request).identity.resources.list_projects(filters={}, ids=ids)
    return views.collection(base, path, "projects",
                            [views.project(p, tags, base) for p, tags in found])


@router.put("/endpoint_groups/{group_id}/projects/{project_id}", status_code=204)
def add_group(request: Request, group_id: str, project_id: str,
              ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "identity:add_endpoint_group_to_project")
    cloud(request).identity.endpoint_groups.add_group(group_id, project_id)
    return no_content()


@router.api_route("/endpoint_groups/{group_id}/projects/{project_id}", methods=["GET", "HEAD"])
def show_group_project(request: Request, group_id: str, project_id: str,
                       ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:get_endpoint_group_in_project")
    cloud(request).identity.endpoint_groups.check_group(group_id, project_id)
    return {"project_endpoint_group":
            xviews.project_endpoint_group(group_id, project_id, base_url(request))}


@router.delete("/endpoint_groups/{group_id}/projects/{project_id}", status_code=204)
def remove_group(request: Request, group_id: str, project_id: str,
                 ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "identity:remove_endpoint_group_from_project")
    cloud(request).identity.endpoint_groups.remove_group(group_id, project_id)
    return no_content()


# -- projects and endpoints ------------------------------------------------------------------
@router.api_route("/projects/{project_id}/endpoint_groups", methods=["GET", "HEAD"])
def project_groups(request: Request, project_id: str,
                   ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:list_endpoint_groups_for_project")
    base = base_url(request)
    found = cloud(request).identity.endpoint_groups.groups_of_project(project_id)
    return views.collection(base, f"OS-EP-FILTER/projects/{project_id}/endpoint_groups",
                            "endpoint_groups", [xviews.endpoint_group(g, base) for g in found])


@router.api_route("/projects/{project_id}/endpoints", methods=["GET", "HEAD"])
def project_endpoints(request: Request, project_id: str,
                      ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:list_endpoints_for_project")
    base = base_url(request)
    found = cloud(request).identity.endpoint_groups.endpoints_of_project(project_id)
    return views.collection(base, f"OS-EP-FILTER/projects/{project_id}/endpoints",
                            "endpoints", [views.endpoint(e, base) for e in found])


@router.put("/projects/{project_id}/endpoints/{endpoint_id}", status_code=204)
def add_endpoint(request: Request, project_id: str, endpoint_id: str,
                 ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "identity:add_endpoint_to_project")
    cloud(request).identity.endpoint_groups.add_endpoint(project_id, endpoint_id)
    return no_content()


@router.api_route("/projects/{project_id}/endpoints/{endpoint_id}",
                  methods=["GET", "HEAD"], status_code=204)
def check_endpoint(request: Request, project_id: str, endpoint_id: str,
                   ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "identity:check_endpoint_in_project")
    cloud(request).identity.endpoint_groups.check_endpoint(project_id, endpoint_id)
    return no_content()


@router.delete("/projects/{project_id}/endpoints/{endpoint_id}", status_code=204)
def remove_endpoint(request: Request, project_id: str, endpoint_id: str,
                    ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "identity:remove_endpoint_from_project")
    cloud(request).identity.endpoint_groups.remove_endpoint(project_id, endpoint_id)
    return no_content()


@router.api_route("/endpoints/{endpoint_id}/projects", methods=["GET", "HEAD"])
def endpoint_projects(request: Request, endpoint_id: str,
                      ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:list_projects_for_endpoint")
    return _projects(request, cloud(request).identity.endpoint_groups.projects_of_endpoint(
        endpoint_id), f"OS-EP-FILTER/endpoints/{endpoint_id}/projects")
