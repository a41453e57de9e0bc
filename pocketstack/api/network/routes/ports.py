"""/v2.0/ports"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse, Response

from pocketstack.api.common.auth import authenticated
from pocketstack.api.network import policy, query, schemas, views
from pocketstack.api.network.routes._common import V2, created, listed, net, no_content, shown
from pocketstack.common.context import RequestContext

router = APIRouter(prefix=f"{V2}/ports")


@router.get("")
def list_(request: Request, ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    q = query.parse(request)
    found = net(request).ports.list(ctx, q)
    return listed(request, "ports", [views.port(v, ctx) for v in found], q)


@router.get("/{port_id}")
def show(request: Request, port_id: str,
         ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    return shown(request, "port", views.port(net(request).ports.get(ctx, port_id), ctx))


@router.post("")
def create(request: Request, payload: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    items = schemas.parse("port", payload, bulk=True)
    policy.attributes(ctx, "create", "port", items)
    made = net(request).ports.create(ctx, items)
    return created(payload, "port", [views.port(v, ctx) for v in made])


@router.put("/{port_id}")
def update(request: Request, port_id: str, payload: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    items = schemas.parse("port", payload, update=True)
    policy.attributes(ctx, "update", "port", items)
    v = net(request).ports.update(ctx, port_id, items[0])
    return JSONResponse({"port": views.port(v, ctx)})


@router.delete("/{port_id}")
def delete(request: Request, port_id: str,
           ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.writer(ctx, "delete_port")
    net(request).ports.delete(ctx, port_id)
    return no_content()
