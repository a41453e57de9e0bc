"""/v2.0/rbac-policies"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse, Response

from pocketstack.api.common.auth import authenticated
from pocketstack.api.network import policy, query, schemas, views
from pocketstack.api.network.routes._common import V2, listed, net, no_content, shown
from pocketstack.common.context import RequestContext

router = APIRouter(prefix=f"{V2}/rbac-policies")


@router.get("")
def list_(request: Request, ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    q = query.parse(request)
    found = net(request).rbac.list(ctx, q)
    return listed(request, "rbac_policies", [views.rbac_policy(p) for p in found], q)


@router.get("/{policy_id}")
def show(request: Request, policy_id: str,
         ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    return shown(request, "rbac_policy", views.rbac_policy(net(request).rbac.get(ctx, policy_id)))


@router.post("")
def create(request: Request, payload: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    items = schemas.parse("rbac_policy", payload)
    policy.attributes(ctx, "create", "rbac_policy", items)
    made = net(request).rbac.create(ctx, items[0])
    return JSONResponse({"rbac_policy": views.rbac_policy(made)}, status_code=201)


@router.put("/{policy_id}")
def update(request: Request, policy_id: str, payload: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    items = schemas.parse("rbac_policy", payload, update=True)
    policy.attributes(ctx, "update", "rbac_policy", items)
    made = net(request).rbac.update(ctx, policy_id, items[0])
    return JSONResponse({"rbac_policy": views.rbac_policy(made)})


@router.delete("/{policy_id}")
def delete(request: Request, policy_id: str,
           ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.writer(ctx, "delete_rbac_policy")
    net(request).rbac.delete(ctx, policy_id)
    return no_content()
