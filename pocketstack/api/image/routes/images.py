"""/v2/images: create, list, show, update (JSON Patch), delete, actions, tags."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from pocketstack.api.common.auth import authenticated, cloud
from pocketstack.api.common.http import no_content
from pocketstack.api.image import views
from pocketstack.api.image.routes._http import json_body, service_url
from pocketstack.common.context import RequestContext
from pocketstack.services.image import patch

router = APIRouter(prefix="/v2/images")


@router.post("", status_code=201)
def create(request: Request, body: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    image = cloud(request).image
    rec = image.images.create(ctx, body)
    headers = {"Location": f"{service_url(request)}/v2/images/{rec.image.id}",
               "OpenStack-image-import-methods": ",".join(image.options.import_methods),
               "OpenStack-image-store-ids": ",".join(image.stores.writable_ids())}
    return JSONResponse(views.image(rec), status_code=201, headers=headers)


@router.get("")
def list_(request: Request, ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    params = request.query_params.multi_items()
    recs, nxt = cloud(request).image.images.list(ctx, params)
    return views.images_page(recs, nxt, params)


@router.get("/{image_id}")
def show(request: Request, image_id: str,
         ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    return views.image(cloud(request).image.images.get(ctx, image_id))


@router.patch("/{image_id}")
async def update(request: Request, image_id: str,
                 ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    changes = patch.parse(request.headers.get("content-type", ""), await json_body(request))
    rec = await run_in_threadpool(cloud(request).image.images.update, ctx, image_id, changes)
    return views.image(rec)


@router.delete("/{image_id}", status_code=204)
def delete(request: Request, image_id: str,
           ctx: RequestContext = Depends(authenticated)) -> Response:
    cloud(request).image.images.delete(ctx, image_id)
    return no_content()


@router.post("/{image_id}/actions/deactivate", status_code=204)
def deactivate(request: Request, image_id: str,
               ctx: RequestContext = Depends(authenticated)) -> Response:
    cloud(request).image.images.deactivate(ctx, image_id)
    return no_content()


@router.post("/{image_id}/actions/reactivate", status_code=204)
def reactivate(request: Request, image_id: str,
               ctx: RequestContext = Depends(authenticated)) -> Response:
    cloud(request).image.images.reactivate(ctx, image_id)
    return no_content()


@router.put("/{image_id}/tags/{tag}", status_code=204)
def add_tag(request: Request, image_id: str, tag: str,
            ctx: RequestContext = Depends(authenticated)) -> Response:
    cloud(request).image.images.add_tag(ctx, image_id, tag)
    return no_content()


@router.delete("/{image_id}/tags/{tag}", status_code=204)
def delete_tag(request: Request, image_id: str, tag: str,
               ctx: RequestContext = Depends(authenticated)) -> Response:
    cloud(request).image.images.remove_tag(ctx, image_id, tag)
    return no_content()
