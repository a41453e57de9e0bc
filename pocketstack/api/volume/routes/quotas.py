"""/v3/os-quota-sets and /v3/os-quota-class-sets."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import Response

from pocketstack.api.common.auth import authenticated
from pocketstack.api.volume import policy, schemas
from pocketstack.api.volume.routes.common import bs, ok
from pocketstack.common.context import RequestContext
from pocketstack.services.volume.access import truthy

router = APIRouter(prefix="/v3")


@router.get("/os-quota-sets/{project_id}/defaults")
def defaults(request: Request, project_id: str,
             ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    limits = bs(request).quotas.show(project_id, usage=False, defaults=True)
    return {"quota_set": {"id": project_id, **limits}}


@router.get("/os-quota-sets/{project_id}")
def show(request: Request, project_id: str, usage: str | None = None,
         ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin_or_project(ctx, project_id, "volume_extension:quotas:show")
    limits = bs(request).quotas.show(project_id, usage=bool(truthy(usage)))
    return {"quota_set": {"id": project_id, **limits}}


@router.put("/os-quota-sets/{project_id}")
def update(request: Request, project_id: str, body: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "volume_extension:quotas:update")
    values = schemas.wrapped(body, "quota_set")
    return {"quota_set": bs(request).quotas.update(ctx, project_id, values)}


@router.delete("/os-quota-sets/{project_id}")
def reset(request: Request, project_id: str,
          ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "volume_extension:quotas:delete")
    bs(request).quotas.reset(project_id)
    return ok()


@router.get("/os-quota-class-sets/{class_name}")
def show_class(request: Request, class_name: str,
               ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "volume_extension:quota_classes")
    return {"quota_class_set": {"id": class_name, **bs(request).quotas.show_class(class_name)}}


@router.put("/os-quota-class-sets/{class_name}")
def update_class(request: Request, class_name: str, body: Any = Body(None),
                 ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "volume_extension:quota_classes")
    values = schemas.wrapped(body, "quota_class_set")
    return {"quota_class_set": bs(request).quotas.update_class(class_name, values)}
