"""Interoperable import: /v2/info/import, /v2/info/stores, /v2/info/usage,
POST /v2/images/{id}/import and GET /v2/images/{id}/tasks."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request, Response

from pocketstack.api.common.auth import authenticated, cloud
from pocketstack.api.image import policy, views
from pocketstack.common.context import RequestContext

router = APIRouter(prefix="/v2")


@router.get("/info/import")
def info_import(request: Request,
                ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    return cloud(request).image.imports.info()


@router.get("/info/stores")
def info_stores(request: Request,
                ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    stores = cloud(request).image.stores.describe()
    return {"stores": [{k: v for k, v in s.items() if k != "type"} for s in stores]}


@router.get("/info/stores/detail")
def info_stores_detail(request: Request,
                       ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.stores_detail(ctx)
    stores = cloud(request).image.stores.describe()
    return {"stores": [{**s, "type": "file", "properties": {}} for s in stores]}


@router.get("/info/usage")
def info_usage(request: Request,
               ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    return views.usage(cloud(request).image.usage(ctx))


@router.post("/images/{image_id}/import", status_code=202)
def import_image(request: Request, image_id: str, body: Any = Body(None),
                 ctx: RequestContext = Depends(authenticated)) -> Response:
    cloud(request).image.imports.start(ctx, image_id, body, request.headers.get("x-auth-token"))
    return Response(status_code=202)


@router.get("/images/{image_id}/tasks")
def image_tasks(request: Request, image_id: str,
                ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    tasks = cloud(request).image.imports.image_tasks(ctx, image_id)
    return {"tasks": [views.image_task(t) for t in tasks]}
