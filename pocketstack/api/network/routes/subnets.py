"""/v2.0/subnets"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse, Response

from pocketstack.api.common.auth import authenticated
from pocketstack.api.network import policy, query, schemas, views
from pocketstack.api.network.routes._common import V2, created, listed, net, no_content, shown
from pocketstack.common.context import RequestContext

router = APIRouter(prefix=f"{V2}/subnets")


@router.get("")
def list_(request: Request, ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    q = query.parse(request)
    found = net(request).subnets.list(ctx, q)
    return listed(request, "subnets", [views.subnet(v) for v in found], q)


@router.get("/{subnet_id}")
def show(request: Request, subnet_id: str,
         ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    return shown(request, "subnet", views.subnet(net(request).subnets.get(ctx, subnet_id)))


@router.post("")
def create(request: Request, payload: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    items = schemas.parse("subnet", payload, bulk=True)
    policy.attributes(ctx, "create", "subnet", items)
    made = net(request).subnets.create(ctx, items)
    return created(payload, "subnet", [views.subnet(v) for v in made])


@router.put("/{subnet_id}")
def update(request: Request, subnet_id: str, payload: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    items = schemas.parse("subnet", payload, update=True)
    policy.attributes(ctx, "update", "subnet", items)
    v = net(request).subnets.update(ctx, subnet_id, items[0])
    return JSONResponse({"subnet": views.subnet(v)})


@router.delete("/{subnet_id}")
def delete(request: Request, subnet_id: str,
           ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.writer(ctx, "delete_subnet")
    net(request).subnets.delete(ctx, subnet_id)
    return no_content()
