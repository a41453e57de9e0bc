"""/v2/tasks (admin-only by default)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse

from pocketstack.api.common.auth import authenticated, cloud
from pocketstack.api.image import policy, views
from pocketstack.common.context import RequestContext

router = APIRouter(prefix="/v2/tasks")


@router.post("", status_code=201)
def create(request: Request, body: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.tasks_api_access(ctx)
    task = cloud(request).image.tasks.create(ctx, body)
    return JSONResponse(views.task(task), status_code=201)


@router.get("")
def list_(request: Request, ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.tasks_api_access(ctx)
    params = dict(request.query_params)
    found = cloud(request).image.tasks.list(ctx, params)
    limit = params.get("limit")
    full = limit is not None and limit.isdigit() and len(found) == int(limit) and found
    return views.tasks(found, found[-1].id if full else None)


@router.get("/{task_id}")
def show(request: Request, task_id: str,
         ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.tasks_api_access(ctx)
    return views.task(cloud(request).image.tasks.get(ctx, task_id))
