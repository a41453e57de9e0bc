"""/v3/attachments (3.27+): the attachment API Nova uses to attach volumes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import Response

from pocketstack.api.common.auth import authenticated
from pocketstack.api.volume import microversion as mv
from pocketstack.api.volume import policy, schemas, views
from pocketstack.api.volume.routes.common import bs, ok, query
from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext

router = APIRouter(prefix="/v3/attachments")


@router.post("")
def create(request: Request, body: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    mv.require(request, "3.27")
    policy.member(ctx, "volume:attachment_create")
    data = schemas.wrapped(body, "attachment")
    if data.get("mode") and not mv.at_least(request, "3.54"):
        data.pop("mode")
    return {"attachment": views.attachment(bs(request).attachments.create(ctx, data))}


@router.get("")
def list_(request: Request, ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    mv.require(request, "3.27")
    found = bs(request).attachments.list(ctx, query(request))
    return {"attachments": [views.attachment(a, detail=False) for a in found]}


@router.get("/detail")
def detail(request: Request, ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    mv.require(request, "3.27")
    found = bs(request).attachments.list(ctx, query(request))
    return {"attachments": [views.attachment(a) for a in found]}


@router.get("/{attachment_id}")
def show(request: Request, attachment_id: str,
         ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    mv.require(request, "3.27")
    return {"attachment": views.attachment(bs(request).attachments.get(ctx, attachment_id))}


@router.put("/{attachment_id}")
def update(request: Request, attachment_id: str, body: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    mv.require(request, "3.27")
    policy.member(ctx, "volume:attachment_update")
    data = schemas.wrapped(body, "attachment")
    return {"attachment": views.attachment(bs(request).attachments.update(ctx, attachment_id,
                                                                          data))}


@router.post("/{attachment_id}/action")
def run(request: Request, attachment_id: str, body: Any = Body(None),
        ctx: RequestContext = Depends(authenticated)) -> Response:
    mv.require(request, "3.44")
    name, _ = schemas.action(body)
    if name != "os-complete":
        raise exc.BadRequest(f"There is no such action: {name}")
    bs(request).attachments.complete(ctx, attachment_id)
    return Response(status_code=204)


@router.delete("/{attachment_id}")
def delete(request: Request, attachment_id: str,
           ctx: RequestContext = Depends(authenticated)) -> Response:
    mv.require(request, "3.27")
    policy.member(ctx, "volume:attachment_delete")
    bs(request).attachments.delete(ctx, attachment_id)
    return ok({"attachments": []})
