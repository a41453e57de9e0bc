"""/v3/snapshots: create, list, show, update, delete, metadata, status actions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import Response

from pocketstack.api.common.auth import authenticated
from pocketstack.api.volume import microversion as mv
from pocketstack.api.volume import policy, schemas, views
from pocketstack.api.volume.routes.common import accepted, bs, ok, query
from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext

router = APIRouter(prefix="/v3/snapshots")


@router.post("")
def create(request: Request, body: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.member(ctx, "volume:create_snapshot")
    data = schemas.wrapped(body, "snapshot")
    snap = bs(request).snapshots.create(ctx, data, in_use_ok=mv.at_least(request, "3.66"))
    return accepted({"snapshot": views.snapshot(request, snap, detail=False)})


def _list(request: Request, ctx: RequestContext, detail: bool) -> dict[str, Any]:
    params = query(request)
    items = [views.snapshot(request, x, detail=detail)
             for x in bs(request).snapshots.list(ctx, params)]
    limit = int(params["limit"]) if params.get("limit", "").isdigit() else None
    return {"snapshots": items, **views.next_link(request, items, limit, "snapshots")}


@router.get("")
def list_(request: Request, ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    return _list(request, ctx, False)


@router.get("/detail")
def detail(request: Request, ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    return _list(request, ctx, True)


@router.get("/{snapshot_id}")
def show(request: Request, snapshot_id: str,
         ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    return {"snapshot": views.snapshot(request, bs(request).snapshots.get(ctx, snapshot_id))}


@router.put("/{snapshot_id}")
def update(request: Request, snapshot_id: str, body: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.member(ctx, "volume:update_snapshot")
    data = schemas.wrapped(body, "snapshot")
    if not data:
        raise exc.BadRequest("Missing required element 'snapshot' in request body.")
    snap = bs(request).snapshots.update(ctx, snapshot_id, data)
    return {"snapshot": views.snapshot(request, snap, detail=False)}


@router.delete("/{snapshot_id}")
def delete(request: Request, snapshot_id: str,
           ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.member(ctx, "volume:delete_snapshot")
    bs(request).snapshots.delete(ctx, snapshot_id)
    return accepted()


@router.post("/{snapshot_id}/action")
def run(request: Request, snapshot_id: str, body: Any = Body(None),
        ctx: RequestContext = Depends(authenticated)) -> Response:
    name, arg = schemas.action(body)
    snaps = bs(request).snapshots
    if name == "os-reset_status":
        policy.admin(ctx, "volume_extension:snapshot_admin_actions:reset_status")
        snaps.reset_status(ctx, snapshot_id, arg)
    elif name == "os-force_delete":
        policy.admin(ctx, "volume_extension:snapshot_admin_actions:force_delete")
        snaps.delete(ctx, snapshot_id, force=True)
    elif name == "os-update_snapshot_status":
        policy.member(ctx, "volume:update_snapshot_status")
        snaps.update_status(ctx, snapshot_id, arg)
    else:
        raise exc.BadRequest(f"There is no such action: {name}")
    return accepted()


# -- metadata -------------------------------------------------------------------------------
@router.get("/{snapshot_id}/metadata")
def metadata(request: Request, snapshot_id: str,
             ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    return {"metadata": bs(request).snapshots.metadata(ctx, snapshot_id)}


@router.post("/{snapshot_id}/metadata")
def add_metadata(request: Request, snapshot_id: str, body: Any = Body(None),
                 ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.member(ctx, "volume:update_snapshot_metadata")
    meta = schemas.metadata(body)
    return {"metadata": bs(request).snapshots.set_metadata(ctx, snapshot_id, meta,
                                                           replace=False)}


@router.put("/{snapshot_id}/metadata")
def replace_metadata(request: Request, snapshot_id: str, body: Any = Body(None),
                     ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.member(ctx, "volume:update_snapshot_metadata")
    meta = schemas.metadata(body)
    return {"metadata": bs(request).snapshots.set_metadata(ctx, snapshot_id, meta,
                                                           replace=True)}


@router.get("/{snapshot_id}/metadata/{key}")
def metadata_item(request: Request, snapshot_id: str, key: str,
                  ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    meta = bs(request).snapshots.metadata(ctx, snapshot_id)
    if key not in meta:
        raise exc.NotFound(f"Metadata item was not found: {key}")
    return {"meta": {key: meta[key]}}


@router.put("/{snapshot_id}/metadata/{key}")
def set_metadata_item(request: Request, snapshot_id: str, key: str, body: Any = Body(None),
                      ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.member(ctx, "volume:update_snapshot_metadata")
    item = schemas.meta_item(body, key)
    bs(request).snapshots.set_metadata(ctx, snapshot_id, item, replace=False)
    return {"meta": item}


@router.delete("/{snapshot_id}/metadata/{key}")
def delete_metadata_item(request: Request, snapshot_id: str, key: str,
                         ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.member(ctx, "volume:delete_snapshot_metadata")
    bs(request).snapshots.delete_metadata(ctx, snapshot_id, key)
    return ok()
