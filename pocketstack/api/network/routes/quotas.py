"""/v2.0/quotas: list (admin), show, defaults, details, update and reset."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse, Response

from pocketstack.api.common.auth import authenticated
from pocketstack.api.network import policy
from pocketstack.api.network.routes._common import V2, net, no_content
from pocketstack.common.context import RequestContext

router = APIRouter(prefix=f"{V2}/quotas")


@router.get("")
def list_(request: Request, ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.admin(ctx, "get_quota")
    found = net(request).quotas.list()
    return JSONResponse({"quotas": [{**limits, "project_id": p, "tenant_id": p}
                                    for p, limits in found]})


@router.get("/{project_id}/default")
def defaults(request: Request, project_id: str,
             ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    return JSONResponse({"quota": net(request).quotas.defaults()})


@router.get("/{project_id}/details")
def details(request: Request, project_id: str,
            ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    return JSONResponse({"quota": net(request).quotas.details(ctx, project_id)})


@router.get("/{project_id}")
def show(request: Request, project_id: str,
         ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    return JSONResponse({"quota": net(request).quotas.show(ctx, project_id)})


@router.put("/{project_id}")
def update(request: Request, project_id: str, payload: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.admin(ctx, "update_quota")
    return JSONResponse({"quota": net(request).quotas.update(project_id, payload)})


@router.delete("/{project_id}")
def reset(request: Request, project_id: str,
          ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "delete_quota")
    net(request).quotas.reset(project_id)
    return no_content()
