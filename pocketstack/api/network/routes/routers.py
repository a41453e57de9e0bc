"""/v2.0/routers"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse, Response

from pocketstack.api.common.auth import authenticated
from pocketstack.api.network import policy, query, schemas, views
from pocketstack.api.network.routes._common import V2, created, listed, net, no_content, shown
from pocketstack.common.context import RequestContext

router = APIRouter(prefix=f"{V2}/routers")


@router.get("")
def list_(request: Request, ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    q = query.parse(request)
    found = net(request).routers.list(ctx, q)
    return listed(request, "routers", [views.router(v, ctx) for v in found], q)


@router.get("/{router_id}")
def show(request: Request, router_id: str,
         ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    return shown(request, "router", views.router(net(request).routers.get(ctx, router_id), ctx))


@router.post("")
def create(request: Request, payload: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    items = schemas.parse("router", payload, bulk=True)
    policy.attributes(ctx, "create", "router", items)
    made = net(request).routers.create(ctx, items)
    return created(payload, "router", [views.router(v, ctx) for v in made])


@router.put("/{router_id}")
def update(request: Request, router_id: str, payload: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    items = schemas.parse("router", payload, update=True)
    policy.attributes(ctx, "update", "router", items)
    v = net(request).routers.update(ctx, router_id, items[0])
    return JSONResponse({"router": views.router(v, ctx)})


@router.delete("/{router_id}")
def delete(request: Request, router_id: str,
           ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.writer(ctx, "delete_router")
    net(request).routers.delete(ctx, router_id)
    return no_content()


@router.put("/{router_id}/add_router_interface")
def add_interface(request: Request, router_id: str, payload: Any = Body(None),
                  ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.writer(ctx, "add_router_interface")
    return JSONResponse(net(request).router_interfaces.add(ctx, router_id, payload))


@router.put("/{router_id}/remove_router_interface")
def remove_interface(request: Request, router_id: str, payload: Any = Body(None),
                     ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.writer(ctx, "remove_router_interface")
    return JSONResponse(net(request).router_interfaces.remove(ctx, router_id, payload))


@router.put("/{router_id}/add_extraroutes")
def add_routes(request: Request, router_id: str, payload: Any = Body(None),
               ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.writer(ctx, "add_extraroutes")
    v = net(request).routers.change_routes(ctx, router_id, payload, add=True)
    return JSONResponse({"router": views.router(v, ctx)})


@router.put("/{router_id}/remove_extraroutes")
def remove_routes(request: Request, router_id: str, payload: Any = Body(None),
                  ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.writer(ctx, "remove_extraroutes")
    v = net(request).routers.change_routes(ctx, router_id, payload, add=False)
    return JSONResponse({"router": views.router(v, ctx)})
