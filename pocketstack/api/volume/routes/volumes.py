"""/v3/volumes: create, list (summary, detail), show, update, delete, summary, metadata."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import Response

from pocketstack.api.common.auth import authenticated
from pocketstack.api.volume import microversion as mv
from pocketstack.api.volume import policy, schemas, views
from pocketstack.api.volume.routes.common import accepted, bs, ok, query
from pocketstack.common.context import RequestContext
from pocketstack.services.volume.access import truthy

router = APIRouter(prefix="/v3/volumes")


@router.post("")
def create(request: Request, body: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.member(ctx, "volume:create")
    data = schemas.wrapped(body, "volume")
    hints = (body or {}).get("OS-SCH-HNT:scheduler_hints")
    if hints is not None and not isinstance(hints, dict):
        from pocketstack.common import exceptions as exc

        raise exc.BadRequest("Invalid scheduler hints.")
    vol = bs(request).volumes.create(ctx, data)
    return accepted({"volume": views.volume(request, ctx, vol, extended=False)})


def _list(request: Request, ctx: RequestContext, detail: bool) -> dict[str, Any]:
    params = query(request)
    vols, count = bs(request).volumes.list(ctx, params)
    items = [views.volume(request, ctx, v) if detail else views.volume_summary(request, v)
             for v in vols]
    limit = int(params["limit"]) if params.get("limit", "").isdigit() else None
    out: dict[str, Any] = {"volumes": items, **views.next_link(request, items, limit, "volumes")}
    if count is not None and mv.at_least(request, "3.45"):
        out["count"] = count
    return out


@router.get("")
def list_(request: Request, ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    return _list(request, ctx, False)


@router.get("/detail")
def detail(request: Request, ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    return _list(request, ctx, True)


@router.get("/summary")
def summary(request: Request, all_tenants: str | None = None,
            ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    mv.require(request, "3.12")
    out = bs(request).volumes.summary(ctx, bool(truthy(all_tenants)))
    if not mv.at_least(request, "3.36"):
        out.pop("metadata")
    return {"volume-summary": out}


@router.get("/{volume_id}")
def show(request: Request, volume_id: str,
         ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    return {"volume": views.volume(request, ctx, bs(request).volumes.get(ctx, volume_id))}


@router.put("/{volume_id}")
def update(request: Request, volume_id: str,
                 body: Any = Body(None),
        ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.member(ctx, "volume:update")
    data = schemas.wrapped(body, "volume")
    vol = bs(request).volumes.update(ctx, volume_id, data)
    return {"volume": views.volume(request, ctx, vol, extended=False)}


@router.delete("/{volume_id}")
def delete(request: Request, volume_id: str, cascade: str | None = None,
           force: str | None = None, ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.member(ctx, "volume:delete")
    forced = bool(truthy(force)) and mv.at_least(request, "3.23")
    if forced:
        policy.admin(ctx, "volume:force_delete")
    bs(request).volumes.delete(ctx, volume_id, cascade=bool(truthy(cascade)), force=forced)
    return accepted()


# -- metadata -------------------------------------------------------------------------------
@router.get("/{volume_id}/metadata")
def metadata(request: Request, volume_id: str,
             ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    return {"metadata": bs(request).volumes.metadata(ctx, volume_id)}


@router.post("/{volume_id}/metadata")
def add_metadata(request: Request, volume_id: str,
                       body: Any = Body(None),
        ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.member(ctx, "volume:update_volume_metadata")
    meta = schemas.metadata(body)
    return {"metadata": bs(request).volumes.set_metadata(ctx, volume_id, meta, replace=False)}


@router.put("/{volume_id}/metadata")
def replace_metadata(request: Request, volume_id: str,
                           body: Any = Body(None),
        ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.member(ctx, "volume:update_volume_metadata")
    meta = schemas.metadata(body)
    return {"metadata": bs(request).volumes.set_metadata(ctx, volume_id, meta, replace=True)}


@router.get("/{volume_id}/metadata/{key}")
def metadata_item(request: Request, volume_id: str, key: str,
                  ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    meta = bs(request).volumes.metadata(ctx, volume_id)
    if key not in meta:
        from pocketstack.common import exceptions as exc

        raise exc.NotFound(f"Metadata item was not found: {key}")
    return {"meta": {key: meta[key]}}


@router.put("/{volume_id}/metadata/{key}")
def set_metadata_item(request: Request, volume_id: str, key: str,
                            body: Any = Body(None),
        ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.member(ctx, "volume:update_volume_metadata")
    item = schemas.meta_item(body, key)
    bs(request).volumes.set_metadata(ctx, volume_id, item, replace=False)
    return {"meta": item}


@router.delete("/{volume_id}/metadata/{key}")
def delete_metadata_item(request: Request, volume_id: str, key: str,
                         ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.member(ctx, "volume:delete_volume_metadata")
    bs(request).volumes.delete_metadata(ctx, volume_id, key)
    return ok()
