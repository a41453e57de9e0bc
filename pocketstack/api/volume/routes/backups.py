"""/v3/backups: create, list, show, update, delete, restore, export/import, actions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse, Response

from pocketstack.api.common.auth import authenticated
from pocketstack.api.volume import microversion as mv
from pocketstack.api.volume import policy, schemas, views
from pocketstack.api.volume.routes.common import accepted, bs, query
from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.services.volume.access import truthy

router = APIRouter(prefix="/v3/backups")


@router.post("")
def create(request: Request, body: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.member(ctx, "backup:create")
    data = schemas.wrapped(body, "backup")
    backup = bs(request).backups.create(ctx, data)
    return accepted({"backup": views.backup_summary(request, backup, metadata=True)})


def _list(request: Request, ctx: RequestContext, detail: bool) -> dict[str, Any]:
    params = query(request)
    found = bs(request).backups.list(ctx, params)
    items = [views.backup(request, ctx, b) if detail else views.backup_summary(request, b)
             for b in found]
    limit = int(params["limit"]) if params.get("limit", "").isdigit() else None
    return {"backups": items, **views.next_link(request, items, limit, "backups")}


@router.get("")
def list_(request: Request, ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    return _list(request, ctx, False)


@router.get("/detail")
def detail(request: Request, ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    return _list(request, ctx, True)


@router.get("/{backup_id}")
def show(request: Request, backup_id: str,
         ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    return {"backup": views.backup(request, ctx, bs(request).backups.get(ctx, backup_id))}


@router.put("/{backup_id}")
def update(request: Request, backup_id: str, body: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    mv.require(request, "3.9")
    policy.member(ctx, "backup:update")
    data = schemas.wrapped(body, "backup")
    backup = bs(request).backups.update(ctx, backup_id, data)
    return {"backup": views.backup_summary(request, backup, metadata=True)}


@router.delete("/{backup_id}")
def delete(request: Request, backup_id: str, force: str | None = None,
           ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.member(ctx, "backup:delete")
    if truthy(force):
        policy.admin(ctx, "backup:force_delete")
    bs(request).backups.delete(ctx, backup_id, force=bool(truthy(force)))
    return accepted()


@router.post("/{backup_id}/restore")
def restore(request: Request, backup_id: str, body: Any = Body(None),
            ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.member(ctx, "backup:restore")
    data = schemas.wrapped(body, "restore")
    out = bs(request).backups.restore(ctx, backup_id, data, bs(request).volumes)
    return accepted({"restore": out})


@router.post("/{backup_id}/action")
def run(request: Request, backup_id: str, body: Any = Body(None),
        ctx: RequestContext = Depends(authenticated)) -> Response:
    name, arg = schemas.action(body)
    if name == "os-reset_status":
        policy.admin(ctx, "volume_extension:backup_admin_actions:reset_status")
        bs(request).backups.reset_status(ctx, backup_id, arg)
    elif name == "os-force_delete":
        policy.admin(ctx, "volume_extension:backup_admin_actions:force_delete")
        bs(request).backups.delete(ctx, backup_id, force=True)
    else:
        raise exc.BadRequest(f"There is no such action: {name}")
    return accepted()


@router.get("/{backup_id}/export_record")
def export_record(request: Request, backup_id: str,
                  ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "backup:export-import")
    return {"backup-record": bs(request).backups.export(ctx, backup_id)}


@router.post("/import_record")
def import_record(request: Request, body: Any = Body(None),
                  ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "backup:export-import")
    data = schemas.wrapped(body, "backup-record")
    backup = bs(request).backups.import_record(ctx, data.get("backup_service"),
                                               data.get("backup_url"))
    return JSONResponse({"backup": views.backup_summary(request, backup)}, status_code=201)
