"""/v3/projects (with hierarchy views and tags)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from pocketstack.api.common.auth import authenticated, cloud
from pocketstack.api.common.http import base_url, created, no_content, truthy
from pocketstack.api.identity import policy, schemas, views
from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext

router = APIRouter(prefix="/v3/projects")


def _csv(value: str | None) -> list[str] | None:
    return [v for v in value.split(",") if v] if value else None


@router.post("", status_code=201)
def create(request: Request, body: schemas.ProjectCreateBody,
           ctx: RequestContext = Depends(authenticated)) -> Any:
    policy.admin(ctx, "identity:create_project")
    project, tags = cloud(request).identity.resources.create_project(
        body.project.data(), default_domain=policy.default_domain(ctx))
    return created({"project": views.project(project, tags, base_url(request))})


@router.api_route("", methods=["GET", "HEAD"])
def list_(request: Request, name: str | None = None, domain_id: str | None = None,
          parent_id: str | None = None, enabled: str | None = None,
          is_domain: str | None = None, tags: str | None = None, tags_any: str | None = None,
          not_tags: str | None = None, not_tags_any: str | None = None,
          ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:list_projects")
    base = base_url(request)
    if truthy(is_domain):
        found = cloud(request).identity.resources.list_domain_projects()
        return views.collection(base, "projects", "projects",
                                [views.project(p, t, base) for p, t in found])
    filters = {"name": name, "domain_id": domain_id, "enabled": truthy(enabled)}
    resources = cloud(request).identity.resources
    if parent_id:
        # A top-level project's parent is its domain, as Keystone reports it.
        try:
            resources.get_domain(parent_id)
            filters["domain_id"], filters["parent_id"] = parent_id, None
            found = [(p, t) for p, t in resources.list_projects(filters=filters)
                     if p.parent_id is None]
        except exc.NotFound:
            filters["parent_id"] = parent_id
            found = resources.list_projects(filters=filters)
    else:
        found = resources.list_projects(
            filters=filters, tags_all=_csv(tags), tags_any=_csv(tags_any),
            not_tags=_csv(not_tags), not_tags_any=_csv(not_tags_any))
    return views.collection(base, "projects", "projects",
                            [views.project(p, t, base) for p, t in found])


@router.api_route("/{project_id}", methods=["GET", "HEAD"])
def show(request: Request, project_id: str, parents_as_list: str | None = None,
         subtree_as_list: str | None = None, parents_as_ids: str | None = None,
         subtree_as_ids: str | None = None,
         ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin_or_project(ctx, project_id, "identity:get_project")
    resources = cloud(request).identity.resources
    project, tags = resources.get_project(project_id)
    base = base_url(request)
    out = views.project(project, tags, base)
    if truthy(parents_as_list) or truthy(parents_as_ids):
        parents = resources.parents(project_id)
        if truthy(parents_as_list):
            out["parents"] = [{"project": views.project(p, [], base)} for p in parents]
        else:
            out["parents"] = _nest_ids([p.id for p in parents])
    if truthy(subtree_as_list) or truthy(subtree_as_ids):
        subtree = resources.subtree(project_id)
        if truthy(subtree_as_list):
            out["subtree"] = [{"project": views.project(p, [], base)} for p in subtree]
        else:
            out["subtree"] = _subtree_ids(project_id, subtree)
    return {"project": out}


def _nest_ids(chain: list[str]) -> dict[str, Any] | None:
    nested: dict[str, Any] | None = None
    for pid in reversed(chain):
        nested = {pid: nested}
    return nested


def _subtree_ids(root: str, projects: list[Any]) -> dict[str, Any] | None:
    kids: dict[str, list[str]] = {}
    for p in projects:
        kids.setdefault(p.parent_id, []).append(p.id)

    def build(pid: str) -> dict[str, Any] | None:
        children = kids.get(pid)
        return {c: build(c) for c in children} if children else None

    return build(root)


@router.patch("/{project_id}")
def update(request: Request, project_id: str, body: schemas.ProjectUpdateBody,
           ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:update_project")
    project, tags = cloud(request).identity.resources.update_project(project_id,
                                                                     body.project.data())
    return {"project": views.project(project, tags, base_url(request))}


@router.delete("/{project_id}", status_code=204)
def delete(request: Request, project_id: str,
           ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "identity:delete_project")
    cloud(request).identity.resources.delete_project(project_id)
    return no_content()


@router.api_route("/{project_id}/tags", methods=["GET", "HEAD"])
def list_tags(request: Request, project_id: str,
              ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin_or_project(ctx, project_id, "identity:list_project_tags")
    _, tags = cloud(request).identity.resources.get_project(project_id)
    return {"tags": tags}


@router.put("/{project_id}/tags")
def replace_tags(request: Request, project_id: str, body: schemas.TagsBody,
                 ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:update_project_tags")
    if len(body.tags) > 80:
        raise exc.ValidationError("A project may have at most 80 tags.")
    return {"tags": cloud(request).identity.resources.set_tags(project_id, body.tags)}


@router.delete("/{project_id}/tags", status_code=204)
def clear_tags(request: Request, project_id: str,
               ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "identity:delete_project_tags")
    cloud(request).identity.resources.set_tags(project_id, [])
    return no_content()


@router.api_route("/{project_id}/tags/{tag}", methods=["GET", "HEAD"], status_code=204)
def check_tag(request: Request, project_id: str, tag: str,
              ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin_or_project(ctx, project_id, "identity:get_project_tag")
    _, tags = cloud(request).identity.resources.get_project(project_id)
    if tag not in tags:
        raise exc.NotFound(f"Tag {tag} not found on project {project_id}.")
    return no_content()


@router.put("/{project_id}/tags/{tag}", status_code=201)
def add_tag(request: Request, project_id: str, tag: str,
            ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "identity:create_project_tag")
    if not tag or len(tag) > 255 or "," in tag or "/" in tag:
        raise exc.ValidationError("Invalid tag.")
    cloud(request).identity.resources.add_tag(project_id, tag)
    return Response(status_code=201,
                    headers={"Location": f"{base_url(request)}/v3/projects/{project_id}/tags/{tag}"})


@router.delete("/{project_id}/tags/{tag}", status_code=204)
def delete_tag(request: Request, project_id: str, tag: str,
               ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "identity:delete_project_tag")
    cloud(request).identity.resources.remove_tag(project_id, tag)
    return no_content()
