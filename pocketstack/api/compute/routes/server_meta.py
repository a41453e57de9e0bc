"""What hangs off a server: metadata, tags (2.26+), addresses (ips), instance actions and
events, diagnostics, password, topology (2.78)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse, Response

from pocketstack.api.common.auth import authenticated
from pocketstack.api.compute import policy, schemas
from pocketstack.api.compute.links import next_link
from pocketstack.api.compute.microversion import mv
from pocketstack.api.compute.routes._common import (
    V,
    base,
    body,
    compute,
    no_content,
    ok,
    params,
    strict_query,
)
from pocketstack.api.compute.views_servers import addresses, host_id, micro
from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.timeutils import parse_iso
from pocketstack.services.compute.paging import parse_limit

router = APIRouter(prefix=f"{V}/servers/{{server_id}}")


# -- metadata ---------------------------------------------------------------------------------
@router.get("/metadata")
def metadata(request: Request, server_id: str,
             ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    return ok({"metadata": compute(request).servers.metadata(ctx, server_id)})


@router.put("/metadata")
def replace_metadata(request: Request, server_id: str, payload: Any = Body(None),
                     ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    items = body(payload, schemas.METADATA_BODY)["metadata"]
    out = compute(request).servers.set_metadata(ctx, server_id, items, replace=True)
    return ok({"metadata": out})


@router.post("/metadata")
def merge_metadata(request: Request, server_id: str, payload: Any = Body(None),
                   ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    items = body(payload, schemas.METADATA_BODY)["metadata"]
    out = compute(request).servers.set_metadata(ctx, server_id, items, replace=False)
    return ok({"metadata": out})


@router.get("/metadata/{key}")
def metadata_item(request: Request, server_id: str, key: str,
                  ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    meta = compute(request).servers.metadata(ctx, server_id)
    if key not in meta:
        raise exc.NotFound("Metadata item was not found")
    return ok({"meta": {key: meta[key]}})


@router.put("/metadata/{key}")
def set_metadata_item(request: Request, server_id: str, key: str, payload: Any = Body(None),
                      ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    item = body(payload, schemas.META_ITEM)["meta"]
    if key not in item:
        raise exc.BadRequest("Request body and URI mismatch")
    compute(request).servers.set_metadata(ctx, server_id, item, replace=False)
    return ok({"meta": item})


@router.delete("/metadata/{key}")
def delete_metadata_item(request: Request, server_id: str, key: str,
                         ctx: RequestContext = Depends(authenticated)) -> Response:
    compute(request).servers.set_metadata(ctx, server_id, {}, replace=False, delete=key)
    return no_content()


# -- tags ---------------------------------------------------------------------------------------
def _tags_gate(request: Request) -> None:
    if mv(request) < 26:
        raise exc.NotFound("The resource could not be found.")


@router.get("/tags")
def tags(request: Request, server_id: str,
         ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    _tags_gate(request)
    return ok({"tags": compute(request).servers.tags(ctx, server_id)})


@router.put("/tags")
def replace_tags(request: Request, server_id: str, payload: Any = Body(None),
                 ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    _tags_gate(request)
    items = body(payload, schemas.TAGS_BODY)["tags"]
    out, _ = compute(request).servers.set_tags(ctx, server_id, items)
    return ok({"tags": out})


@router.delete("/tags")
def delete_tags(request: Request, server_id: str,
                ctx: RequestContext = Depends(authenticated)) -> Response:
    _tags_gate(request)
    compute(request).servers.set_tags(ctx, server_id, [])
    return no_content()


@router.get("/tags/{tag}")
def has_tag(request: Request, server_id: str, tag: str,
            ctx: RequestContext = Depends(authenticated)) -> Response:
    _tags_gate(request)
    if tag not in compute(request).servers.tags(ctx, server_id):
        raise exc.NotFound(f"Tag {tag} could not be found.")
    return no_content()


@router.put("/tags/{tag}")
def add_tag(request: Request, server_id: str, tag: str,
            ctx: RequestContext = Depends(authenticated)) -> Response:
    _tags_gate(request)
    from pocketstack.api.compute import validation

    validation.validate(schemas.TAG, tag)
    _, added = compute(request).servers.set_tags(ctx, server_id, None, add=tag)
    location = f"{base(request)}/v2.1/servers/{server_id}/tags/{tag}"
    return Response(status_code=201 if added else 204, headers={"Location": location})


@router.delete("/tags/{tag}")
def delete_tag(request: Request, server_id: str, tag: str,
               ctx: RequestContext = Depends(authenticated)) -> Response:
    _tags_gate(request)
    compute(request).servers.set_tags(ctx, server_id, None, remove=tag)
    return no_content()


# -- addresses --------------------------------------------------------------------------------
@router.get("/ips")
def ips(request: Request, server_id: str,
        ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    rec = compute(request).servers.get(ctx, server_id)
    return ok({"addresses": addresses(rec.inst.network_info, False)})


@router.get("/ips/{network}")
def ips_of(request: Request, server_id: str, network: str,
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    rec = compute(request).servers.get(ctx, server_id)
    found = addresses(rec.inst.network_info, False)
    if network not in found:
        raise exc.NotFound("Instance is not a member of specified network")
    return ok({network: found[network]})


# -- instance actions ---------------------------------------------------------------------------
def _action(a: Any, version: int) -> dict[str, Any]:
    out = {"action": a.action, "instance_uuid": a.instance_uuid, "message": a.message,
           "project_id": a.project_id, "request_id": a.request_id,
           "start_time": micro(a.start_time), "user_id": a.user_id}
    if version >= 58:
        out["updated_at"] = micro(a.updated_at)
    return out


@router.get("/os-instance-actions")
def actions(request: Request, server_id: str,
            ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    version = mv(request)
    strict_query(request, ("limit", "marker", "changes-since", "changes-before"), since=58)
    q = params(request)
    c = compute(request)
    _visible(request, ctx, server_id)
    limit = parse_limit(q.get("limit")) if version >= 58 else None
    since = _time(q.get("changes-since")) if version >= 58 else None
    before = _time(q.get("changes-before")) if version >= 66 else None
    found = c.history.list(server_id, limit=limit, marker=q.get("marker") if version >= 58
                           else None, changes_since=since, changes_before=before)
    out: dict[str, Any] = {"instanceActions": [_action(a, version) for a in found]}
    if limit and found and len(found) == limit:
        out["links"] = next_link(base(request), f"servers/{server_id}/os-instance-actions", q,
                                 found[-1].request_id)
    return ok(out)


def _time(value: str | None) -> Any:
    if not value:
        return None
    try:
        return parse_iso(value)
    except ValueError:
        raise exc.BadRequest(f"Invalid input for query parameters changes-since. Value: "
                             f"{value}.") from None


def _visible(request: Request, ctx: RequestContext, server_id: str) -> Any:
    c = compute(request)
    if mv(request) >= 21:
        return c.servers.get_any(ctx, server_id)
    return c.servers.get(ctx, server_id, refresh=False).inst


@router.get("/os-instance-actions/{request_id}")
def action(request: Request, server_id: str, request_id: str,
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    version = mv(request)
    inst = _visible(request, ctx, server_id)
    rec = compute(request).history.get(server_id, request_id)
    out = _action(rec.action, version)
    if version >= 51 or ctx.is_admin:
        out["events"] = [_event(e, ctx, version, inst) for e in rec.events]
    return ok({"instanceAction": out})


def _event(e: Any, ctx: RequestContext, version: int, inst: Any) -> dict[str, Any]:
    out = {"event": e.event, "start_time": micro(e.start_time),
           "finish_time": micro(e.finish_time), "result": e.result}
    if ctx.is_admin:
        out["traceback"] = e.traceback
    if version >= 62:
        out["hostId"] = host_id(inst.project_id if inst else "", e.host)
        if ctx.is_admin:
            out["host"] = e.host or ""
    if version >= 84:
        out["details"] = e.details
    return out


# -- diagnostics, password, topology ------------------------------------------------------------
@router.get("/diagnostics")
def diagnostics(request: Request, server_id: str,
                ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.admin(ctx, "os_compute_api:os-server-diagnostics")
    data = compute(request).actions.diagnostics(ctx, server_id)
    if mv(request) < 48:
        return ok({"cpu0_time": 17300000000, "memory": 524288, "vda_read": 262144,
                   "vda_read_req": 112, "vda_write": 5778432, "vda_write_req": 488,
                   "vda_errors": -1})
    return ok(data)


@router.get("/os-server-password")
def password(request: Request, server_id: str,
             ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    return ok({"password": compute(request).actions.password(ctx, server_id)})


@router.delete("/os-server-password")
def clear_password(request: Request, server_id: str,
                   ctx: RequestContext = Depends(authenticated)) -> Response:
    compute(request).actions.password(ctx, server_id, clear=True)
    return no_content()


@router.get("/topology")
def topology(request: Request, server_id: str,
             ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    if mv(request) < 78:
        raise exc.NotFound("The resource could not be found.")
    rec = compute(request).servers.get(ctx, server_id, refresh=False)
    vcpus = rec.inst.vcpus
    out: dict[str, Any] = {"nodes": [{"memory_mb": rec.inst.memory_mb,
                                      "siblings": [[i] for i in range(vcpus)],
                                      "vcpu_set": list(range(vcpus))}],
                           "pagesize_kb": None}
    if ctx.is_admin:
        out["nodes"][0]["host_node"] = 0
        out["nodes"][0]["cpu_pinning"] = {}
    return ok(out)
