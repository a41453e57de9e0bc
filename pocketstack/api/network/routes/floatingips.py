"""/v2.0/floatingips"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse, Response

from pocketstack.api.common.auth import authenticated
from pocketstack.api.network import policy, query, schemas, views
from pocketstack.api.network.routes._common import V2, listed, net, no_content, shown
from pocketstack.common.context import RequestContext

router = APIRouter(prefix=f"{V2}/floatingips")


@router.get("")
def list_(request: Request, ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    q = query.parse(request)
    found = net(request).floatingips.list(ctx, q)
    return listed(request, "floatingips", [views.floatingip(v) for v in found], q)


@router.get("/{fip_id}")
def show(request: Request, fip_id: str,
         ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    return shown(request, "floatingip", views.floatingip(net(request).floatingips.get(ctx, fip_id)))


@router.post("")
def create(request: Request, payload: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    items = schemas.parse("floatingip", payload)
    policy.attributes(ctx, "create", "floatingip", items)
    v = net(request).floatingips.create(ctx, items[0])
    return JSONResponse({"floatingip": views.floatingip(v)}, status_code=201)


@router.put("/{fip_id}")
def update(request: Request, fip_id: str, payload: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    items = schemas.parse("floatingip", payload, update=True)
    policy.attributes(ctx, "update", "floatingip", items)
    v = net(request).floatingips.update(ctx, fip_id, items[0])
    return JSONResponse({"floatingip": views.floatingip(v)})


@router.delete("/{fip_id}")
def delete(request: Request, fip_id: str,
           ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.writer(ctx, "delete_floatingip")
    net(request).floatingips.delete(ctx, fip_id)
    return no_content()
