"""/v2.0/security-groups"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse, Response

from pocketstack.api.common.auth import authenticated
from pocketstack.api.network import policy, query, schemas, views
from pocketstack.api.network.routes._common import V2, created, listed, net, no_content, shown
from pocketstack.common.context import RequestContext

router = APIRouter(prefix=f"{V2}/security-groups")


@router.get("")
def list_(request: Request, ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    q = query.parse(request)
    found = net(request).security_groups.list(ctx, q)
    return listed(request, "security_groups", [views.security_group(v) for v in found], q)


@router.get("/{security_group_id}")
def show(request: Request, security_group_id: str,
         ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    return shown(request, "security_group", views.security_group(net(request).security_groups.get(ctx, security_group_id)))


@router.post("")
def create(request: Request, payload: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    items = schemas.parse("security_group", payload, bulk=True)
    policy.attributes(ctx, "create", "security_group", items)
    made = net(request).security_groups.create(ctx, items)
    return created(payload, "security_group", [views.security_group(v) for v in made])


@router.put("/{security_group_id}")
def update(request: Request, security_group_id: str, payload: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    items = schemas.parse("security_group", payload, update=True)
    policy.attributes(ctx, "update", "security_group", items)
    v = net(request).security_groups.update(ctx, security_group_id, items[0])
    return JSONResponse({"security_group": views.security_group(v)})


@router.delete("/{security_group_id}")
def delete(request: Request, security_group_id: str,
           ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.writer(ctx, "delete_security_group")
    net(request).security_groups.delete(ctx, security_group_id)
    return no_content()
