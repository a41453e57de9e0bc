"""/v2.0/agents and /v2.0/availability_zones"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse, Response

from pocketstack.api.common.auth import authenticated
from pocketstack.api.network import policy, query, schemas, views
from pocketstack.api.network.routes._common import V2, listed, net, no_content, shown
from pocketstack.common.context import RequestContext

router = APIRouter(prefix=V2)


@router.get("/agents")
def list_(request: Request, ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    q = query.parse(request)
    svc = net(request).agents
    found = svc.list(ctx, q)
    return listed(request, "agents", [views.agent(a, svc.alive(a)) for a in found], q)


@router.get("/agents/{agent_id}")
def show(request: Request, agent_id: str,
         ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    svc = net(request).agents
    agent = svc.get(ctx, agent_id)
    return shown(request, "agent", views.agent(agent, svc.alive(agent)))


@router.put("/agents/{agent_id}")
def update(request: Request, agent_id: str, payload: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    items = schemas.parse("agent", payload, update=True)
    policy.admin(ctx, "update_agent")
    svc = net(request).agents
    agent = svc.update(ctx, agent_id, items[0])
    return JSONResponse({"agent": views.agent(agent, svc.alive(agent))})


@router.delete("/agents/{agent_id}")
def delete(request: Request, agent_id: str,
           ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "delete_agent")
    net(request).agents.delete(ctx, agent_id)
    return no_content()


@router.get("/availability_zones")
def zones(request: Request, ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    q = query.parse(request)
    wanted = {k: v for k, v in q.filters.items() if k in ("name", "resource", "state")}
    found = [z for z in net(request).agents.availability_zones()
             if all(z[k] in vals for k, vals in wanted.items())]
    return JSONResponse({"availability_zones": found})
