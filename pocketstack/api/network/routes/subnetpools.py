"""/v2.0/subnetpools"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse, Response

from pocketstack.api.common.auth import authenticated
from pocketstack.api.network import policy, query, schemas, views
from pocketstack.api.network.routes._common import V2, listed, net, no_content, shown
from pocketstack.common.context import RequestContext

router = APIRouter(prefix=f"{V2}/subnetpools")


@router.get("")
def list_(request: Request, ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    q = query.parse(request)
    found = net(request).subnetpools.list(ctx, q)
    return listed(request, "subnetpools", [views.subnetpool(p, t) for p, t in found], q)


@router.get("/{pool_id}")
def show(request: Request, pool_id: str,
         ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    pool, tags = net(request).subnetpools.get(ctx, pool_id)
    return shown(request, "subnetpool", views.subnetpool(pool, tags))


@router.post("")
def create(request: Request, payload: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    items = schemas.parse("subnetpool", payload)
    policy.attributes(ctx, "create", "subnetpool", items)
    pool, tags = net(request).subnetpools.create(ctx, items[0])
    return JSONResponse({"subnetpool": views.subnetpool(pool, tags)}, status_code=201)


@router.put("/{pool_id}")
def update(request: Request, pool_id: str, payload: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    items = schemas.parse("subnetpool", payload, update=True)
    policy.attributes(ctx, "update", "subnetpool", items)
    pool, tags = net(request).subnetpools.update(ctx, pool_id, items[0])
    return JSONResponse({"subnetpool": views.subnetpool(pool, tags)})


@router.delete("/{pool_id}")
def delete(request: Request, pool_id: str,
           ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.writer(ctx, "delete_subnetpool")
    net(request).subnetpools.delete(ctx, pool_id)
    return no_content()
