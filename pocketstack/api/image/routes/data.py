"""Image data: PUT/GET /v2/images/{id}/file and PUT /v2/images/{id}/stage, streamed."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from pocketstack.api.common.auth import authenticated, cloud
from pocketstack.api.image.routes._http import (
    body_stream,
    byte_range,
    image_size,
    require_octet_stream,
)
from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext

router = APIRouter(prefix="/v2/images")


@router.put("/{image_id}/file", status_code=204)
async def upload(request: Request, image_id: str,
                 ctx: RequestContext = Depends(authenticated)) -> Response:
    require_octet_stream(request)
    await cloud(request).image.data.upload(
        ctx, image_id, body_stream(request), size=image_size(request),
        store_id=request.headers.get("x-image-meta-store"), staging=False)
    return Response(status_code=204)


@router.put("/{image_id}/stage", status_code=204)
async def stage(request: Request, image_id: str,
                ctx: RequestContext = Depends(authenticated)) -> Response:
    image = cloud(request).image
    if "glance-direct" not in image.options.import_methods:
        raise exc.NotFound("'glance-direct' method is not available at this site.")
    require_octet_stream(request)
    await image.data.upload(ctx, image_id, body_stream(request), size=image_size(request),
                            store_id=None, staging=True)
    return Response(status_code=204)


@router.get("/{image_id}/file")
async def download(request: Request, image_id: str,
                   ctx: RequestContext = Depends(authenticated)) -> Response:
    data = cloud(request).image.data
    dl = await run_in_threadpool(data.open_download, ctx, image_id, byte_range(request))
    if dl is None:
        return Response(status_code=204)
    headers = {"Content-Length": str(dl.length), "Content-Type": "application/octet-stream"}
    if dl.partial:
        headers["Content-Range"] = f"bytes {dl.offset}-{dl.offset + dl.length - 1}/{dl.size}"
    elif dl.checksum:
        headers["Content-MD5"] = dl.checksum
    return StreamingResponse(data.chunks(dl), status_code=206 if dl.partial else 200,
                             headers=headers, media_type="application/octet-stream")
