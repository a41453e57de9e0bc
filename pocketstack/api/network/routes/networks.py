"""/v2.0/networks"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse, Response

from pocketstack.api.common.auth import authenticated
from pocketstack.api.network import policy, query, schemas, views
from pocketstack.api.network.routes._common import V2, created, listed, net, no_content, shown
from pocketstack.common.context import RequestContext

router = APIRouter(prefix=f"{V2}/networks")


@router.get("")
def list_(request: Request, ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    q = query.parse(request)
    found = net(request).networks.list(ctx, q)
    return listed(request, "networks", [views.network(v, ctx) for v in found], q)


@router.get("/{network_id}")
def show(request: Request, network_id: str,
         ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    return shown(request, "network", views.network(net(request).networks.get(ctx, network_id),
                                                   ctx))


@router.post("")
def create(request: Request, payload: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    items = schemas.parse("network", payload, bulk=True)
    policy.attributes(ctx, "create", "network", items)
    made = net(request).networks.create(ctx, items)
    return created(payload, "network", [views.network(v, ctx) for v in made])


@router.put("/{network_id}")
def update(request: Request, network_id: str, payload: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    items = schemas.parse("network", payload, update=True)
    policy.attributes(ctx, "update", "network", items)
    v = net(request).networks.update(ctx, network_id, items[0])
    return JSONResponse({"network": views.network(v, ctx)})


@router.delete("/{network_id}")
def delete(request: Request, network_id: str,
           ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.writer(ctx, "delete_network")
    net(request).networks.delete(ctx, network_id)
    return no_content()
