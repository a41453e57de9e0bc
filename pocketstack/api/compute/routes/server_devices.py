"""Devices and consoles of a server: interfaces (os-interface), volume attachments
(os-volume_attachments), remote consoles (2.6+), in-progress live migrations (2.22+)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse, Response

from pocketstack.api.common.auth import authenticated
from pocketstack.api.compute import policy, schemas, validation
from pocketstack.api.compute.microversion import mv
from pocketstack.api.compute.routes._common import V, accepted, compute, ok
from pocketstack.api.compute.views_servers import micro
from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext

router = APIRouter(prefix=f"{V}/servers/{{server_id}}")

ATTACH_IFACE = {"type": "object", "additionalProperties": False, "properties": {
    "interfaceAttachment": {"type": "object", "additionalProperties": False, "properties": {
        "net_id": schemas.UUID, "port_id": schemas.UUID, "tag": schemas.TAG,
        "fixed_ips": {"type": "array", "maxItems": 1, "items": schemas.obj(
            {"ip_address": schemas.IP}, ("ip_address",))}}}}}


# -- interfaces -------------------------------------------------------------------------------
def _iface(view: Any, tag: str | None, version: int) -> dict[str, Any]:
    port = view.port
    out = {"port_state": port.status, "port_id": port.id, "net_id": port.network_id,
           "mac_addr": port.mac_address,
           "fixed_ips": [{"subnet_id": a.subnet_id, "ip_address": a.ip_address}
                         for a in view.fixed_ips]}
    if version >= 70:
        out["tag"] = tag
    return out


@router.get("/os-interface")
def interfaces(request: Request, server_id: str,
               ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    found = compute(request).interfaces.list(ctx, server_id)
    return ok({"interfaceAttachments": [_iface(v, t, mv(request)) for v, t in found]})


@router.get("/os-interface/{port_id}")
def interface(request: Request, server_id: str, port_id: str,
              ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    view, tag = compute(request).interfaces.get(ctx, server_id, port_id)
    return ok({"interfaceAttachment": _iface(view, tag, mv(request))})


@router.post("/os-interface")
def attach_interface(request: Request, server_id: str, payload: Any = Body(None),
                     ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    data = validation.validate(ATTACH_IFACE, payload).get("interfaceAttachment") or {}
    if data.get("tag") and mv(request) < 49:
        raise exc.BadRequest("Invalid input for field/attribute interfaceAttachment. "
                             "Additional properties are not allowed ('tag' was unexpected)")
    fixed = (data.get("fixed_ips") or [{}])[0].get("ip_address")
    c = compute(request)
    port_id = c.interfaces.attach(ctx, server_id, data.get("net_id"), data.get("port_id"),
                                  fixed, data.get("tag"))
    view, tag = c.interfaces.get(ctx, server_id, port_id)
    return ok({"interfaceAttachment": _iface(view, tag, mv(request))})


@router.delete("/os-interface/{port_id}")
def detach_interface(request: Request, server_id: str, port_id: str,
                     ctx: RequestContext = Depends(authenticated)) -> Response:
    compute(request).interfaces.detach(ctx, server_id, port_id)
    return accepted()


# -- volume attachments --------------------------------------------------------------------------
def _attachment(bdm: Any, server_id: str, version: int) -> dict[str, Any]:
    out: dict[str, Any] = {"device": bdm.device_name, "serverId": server_id,
                           "volumeId": bdm.volume_id}
    if version < 89:
        out["id"] = bdm.volume_id
    if version >= 70:
        out["tag"] = bdm.tag
    if version >= 79:
        out["delete_on_termination"] = bool(bdm.delete_on_termination)
    if version >= 89:
        out["attachment_id"] = bdm.attachment_id
        out["bdm_uuid"] = bdm.uuid
    return out


@router.get("/os-volume_attachments")
def attachments(request: Request, server_id: str,
                ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    found = compute(request).attachments.list(ctx, server_id)
    q = request.query_params
    offset = int(q.get("offset", "0") or 0) if (q.get("offset") or "0").isdigit() else 0
    limit = int(q["limit"]) if (q.get("limit") or "").isdigit() else None
    found = found[offset:offset + limit if limit is not None else None]
    return ok({"volumeAttachments": [_attachment(b, server_id, mv(request)) for b in found]})


@router.get("/os-volume_attachments/{volume_id}")
def attachment(request: Request, server_id: str, volume_id: str,
               ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    bdm = compute(request).attachments.get(ctx, server_id, volume_id)
    return ok({"volumeAttachment": _attachment(bdm, server_id, mv(request))})


def _attach_schema(version: int) -> dict[str, Any]:
    props: dict[str, Any] = {"volumeId": schemas.UUID,
                             "device": {"type": ["string", "null"],
                                        "pattern": "(^/dev/x{0,1}[a-z]{0,1}d{0,1})([a-z]+)"
                                                   "[0-9]*$"}}
    if version >= 49:
        props["tag"] = schemas.TAG
    if version >= 60:
        props["multiattach"] = schemas.BOOLEAN
    if version >= 79:
        props["delete_on_termination"] = schemas.BOOLEAN
    return schemas.wrap("volumeAttachment", schemas.obj(props, ("volumeId",)))


@router.post("/os-volume_attachments")
def attach_volume(request: Request, server_id: str, payload: Any = Body(None),
                  ctx: RequestContext = Depends(authenticated)) -> Response:
    version = mv(request)
    data = validation.validate(_attach_schema(version), payload)["volumeAttachment"]
    dot = data.get("delete_on_termination", False)
    dot = dot is True or (isinstance(dot, str) and dot.lower() in ("true", "1", "yes"))
    bdm = compute(request).attachments.attach(ctx, server_id, data["volumeId"],
                                              data.get("device"), data.get("tag"), dot,
                                              multiattach_ok=version >= 60)
    if version >= 101:
        return accepted()
    out = _attachment(bdm, server_id, min(version, 88))
    return ok({"volumeAttachment": out})


@router.put("/os-volume_attachments/{volume_id}")
def update_attachment(request: Request, server_id: str, volume_id: str,
                      payload: Any = Body(None),
                      ctx: RequestContext = Depends(authenticated)) -> Response:
    version = mv(request)
    props: dict[str, Any] = {"volumeId": schemas.UUID}
    if version >= 85:
        props.update({"delete_on_termination": schemas.BOOLEAN, "device": {},
                      "id": {}, "serverId": {}, "tag": {}})
    data = validation.validate(schemas.wrap("volumeAttachment", schemas.obj(
        props, ("volumeId",))), payload)["volumeAttachment"]
    if data["volumeId"] != volume_id:
        policy.admin(ctx, "os_compute_api:os-volumes-attachments:swap")
    dot = data.get("delete_on_termination")
    if isinstance(dot, str):
        dot = dot.lower() in ("true", "1", "yes")
    compute(request).attachments.update(ctx, server_id, volume_id, data["volumeId"], dot)
    return accepted()


@router.delete("/os-volume_attachments/{volume_id}")
def detach_volume(request: Request, server_id: str, volume_id: str,
                  ctx: RequestContext = Depends(authenticated)) -> Response:
    compute(request).attachments.detach(ctx, server_id, volume_id)
    return accepted()


# -- remote consoles ---------------------------------------------------------------------------
REMOTE = schemas.wrap("remote_console", schemas.obj({
    "protocol": {"type": "string", "enum": ["vnc", "spice", "rdp", "serial", "mks"]},
    "type": {"type": "string", "enum": ["novnc", "xvpvnc", "rdp-html5", "spice-html5",
                                        "spice-direct", "serial", "webmks"]}},
    ("protocol", "type")))


@router.post("/remote-consoles")
def remote_console(request: Request, server_id: str, payload: Any = Body(None),
                   ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    if mv(request) < 6:
        raise exc.NotFound("The resource could not be found.")
    data = validation.validate(REMOTE, payload)["remote_console"]
    url = compute(request).extras.console(ctx, server_id, data["protocol"], data["type"])
    return ok({"remote_console": {"protocol": data["protocol"], "type": data["type"],
                                  "url": url}})


# -- in-progress migrations --------------------------------------------------------------------
def _migration(m: Any, server_id: str, version: int) -> dict[str, Any]:
    out = {"created_at": micro(m.created_at), "dest_compute": m.dest_compute,
           "dest_host": m.dest_host, "dest_node": m.dest_node,
           "disk_processed_bytes": 0, "disk_remaining_bytes": 0, "disk_total_bytes": 0,
           "id": m.id, "memory_processed_bytes": 0, "memory_remaining_bytes": 0,
           "memory_total_bytes": 0, "server_uuid": server_id,
           "source_compute": m.source_compute, "source_node": m.source_node,
           "status": m.status, "updated_at": micro(m.updated_at)}
    if version >= 59:
        out["uuid"] = m.uuid
    if version >= 80:
        out["user_id"], out["project_id"] = m.user_id, m.project_id
    return out


def _mig_gate(request: Request, ctx: RequestContext) -> None:
    if mv(request) < 23:
        raise exc.NotFound("The resource could not be found.")
    policy.admin(ctx, "os_compute_api:servers:migrations:index")


@router.get("/migrations")
def migrations(request: Request, server_id: str,
               ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    _mig_gate(request, ctx)
    found = compute(request).migrations.of_server(ctx, server_id)
    return ok({"migrations": [_migration(m, server_id, mv(request)) for m in found]})


@router.get("/migrations/{migration_id}")
def migration(request: Request, server_id: str, migration_id: str,
              ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    _mig_gate(request, ctx)
    found = compute(request).migrations.of_server(ctx, server_id, migration_id)
    return ok({"migration": _migration(found[0], server_id, mv(request))})


@router.post("/migrations/{migration_id}/action")
def migration_action(request: Request, server_id: str, migration_id: str,
                     payload: Any = Body(None),
                     ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "os_compute_api:servers:migrations:force_complete")
    if not isinstance(payload, dict) or "force_complete" not in payload:
        raise exc.BadRequest("Invalid request body: 'force_complete' expected.")
    compute(request).migrations.force_complete(ctx, server_id, migration_id)
    return accepted()


@router.delete("/migrations/{migration_id}")
def abort_migration(request: Request, server_id: str, migration_id: str,
                    ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "os_compute_api:servers:migrations:delete")
    compute(request).migrations.abort(ctx, server_id, migration_id)
    return accepted()
