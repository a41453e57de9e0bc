"""/servers: create (202, BUILD), list and detail (filters, pagination), show, update,
delete."""

from __future__ import annotations

import ipaddress
import uuid
from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse, Response

from pocketstack.api.common.auth import authenticated
from pocketstack.api.compute import policy, schemas
from pocketstack.api.compute import views_servers as vs
from pocketstack.api.compute.links import links, next_link
from pocketstack.api.compute.microversion import mv
from pocketstack.api.compute.routes._common import (
    V,
    base,
    body,
    compute,
    multi,
    no_content,
    ok,
)
from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.services.compute.build import BuildRequest
from pocketstack.services.compute.netgw import NetRequest
from pocketstack.services.compute.paging import parse_limit

router = APIRouter(prefix=f"{V}/servers")
TRUE = ("true", "1", "on", "yes", "y", "t")


def flag(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in TRUE)


def normal_ip(value: str | None) -> str | None:
    return str(ipaddress.ip_address(value)) if value else value


def access_ips(data: dict[str, Any]) -> None:
    for key in ("accessIPv4", "accessIPv6"):
        if data.get(key):
            data[key] = normal_ip(data[key])


def _networks(raw: Any, version: int) -> tuple[str | None, list[NetRequest]]:
    if isinstance(raw, str):
        return raw, []
    if raw is None:
        return None, []
    out = []
    for item in raw:
        net, port = item.get("uuid"), item.get("port")
        if not net and not port:
            raise exc.BadRequest("Bad networks format: network uuid is not in proper format "
                                 f"({net})")
        if net and version < 37:
            try:
                uuid.UUID(str(net))
            except ValueError:
                raise exc.BadRequest(f"Bad networks format: network uuid is not in proper "
                                     f"format ({net})") from None
        out.append(NetRequest(network_id=net, port_id=port, fixed_ip=item.get("fixed_ip"),
                              tag=item.get("tag")))
    return None, out


def _legacy_bdms(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for b in items:
        if b.get("no_device"):
            continue
        source = "snapshot" if b.get("snapshot_id") else "volume"
        device = b.get("device_name") or ""
        out.append({"source_type": source, "destination_type": "volume",
                    "uuid": b.get("snapshot_id") or b.get("volume_id"),
                    "volume_size": b.get("volume_size"), "device_name": device or None,
                    "delete_on_termination": flag(b.get("delete_on_termination", False)),
                    "boot_index": 0 if device.rsplit("/", 1)[-1] in ("vda", "sda", "xvda")
                    else None})
    return out


def build_request(payload: dict[str, Any], version: int) -> BuildRequest:
    srv = payload["server"]
    access_ips(srv)
    hints = payload.get("os:scheduler_hints") or payload.get("OS-SCH-HNT:scheduler_hints") or {}
    mode, nets = _networks(srv.get("networks"), version)
    min_count, max_count = int(srv.get("min_count", 1)), int(srv.get("max_count", 0) or 0)
    max_count = max_count or min_count
    if min_count > max_count:
        raise exc.BadRequest("min_count must be <= max_count")
    bdms = [dict(b) for b in srv.get("block_device_mapping_v2") or []]
    bdms += _legacy_bdms(srv.get("block_device_mapping") or [])
    for b in bdms:
        if "delete_on_termination" in b:
            b["delete_on_termination"] = flag(b["delete_on_termination"])
    groups = [g["name"] for g in srv.get("security_groups") or [] if "name" in g]
    if isinstance(hints.get("group"), list):
        hints = {**hints, "group": hints["group"][0] if hints["group"] else None}
    return BuildRequest(
        name=srv["name"], flavor_ref=str(srv["flavorRef"]), image_ref=srv.get("imageRef", ""),
        min_count=min_count, max_count=max_count, networks=nets, network_mode=mode,
        security_groups=groups or None, key_name=srv.get("key_name"),
        user_data=srv.get("user_data"), metadata=srv.get("metadata") or {},
        availability_zone=srv.get("availability_zone"), bdms=bdms, scheduler_hints=hints,
        config_drive=flag(srv.get("config_drive", False)), tags=srv.get("tags") or [],
        description=srv.get("description"), access_ip_v4=srv.get("accessIPv4"),
        access_ip_v6=srv.get("accessIPv6"), disk_config=srv.get("OS-DCF:diskConfig", "MANUAL"),
        hostname=srv.get("hostname"), host=srv.get("host"),
        hypervisor_hostname=srv.get("hypervisor_hostname"),
        trusted_certs=srv.get("trusted_image_certificates"),
        personality=srv.get("personality") or [], admin_pass=srv.get("adminPass"),
        return_reservation_id=flag(srv.get("return_reservation_id", False)))


@router.post("")
def create(request: Request, payload: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.member(ctx, "os_compute_api:servers:create")
    version = mv(request)
    data = body(payload, schemas.server_create(version))
    req = build_request(data, version)
    made = compute(request).servers.create(ctx, req)
    if req.return_reservation_id:
        return ok({"reservation_id": made.reservation_id}, status=202)
    first = made.servers[0]
    root = base(request)
    server: dict[str, Any] = {"id": first.id, "links": links(root, "servers", first.id),
                              "OS-DCF:diskConfig": first.disk_config}
    if first.security_groups:
        server["security_groups"] = [{"name": n} for n in first.security_groups]
    server["adminPass"] = made.admin_pass
    return ok({"server": server}, status=202,
              headers={"Location": f"{root}/v2.1/servers/{first.id}"})


def _list(request: Request, ctx: RequestContext, detail: bool) -> JSONResponse:
    version = mv(request)
    query = multi(request)
    found = compute(request).servers.list(ctx, query, mv=version)
    root = base(request)
    items = vs.detail_list(found, ctx, root, version) if detail else \
        [vs.brief(r, root) for r in found]
    out: dict[str, Any] = {"servers": items}
    limit = parse_limit((query.get("limit") or [None])[-1])
    if found and len(found) == limit:
        flat = {k: v if len(v) > 1 else v[0] for k, v in query.items()}
        out["servers_links"] = next_link(root, "servers/detail" if detail else "servers",
                                         flat, found[-1].inst.id)
    return ok(out)


@router.get("")
def list_(request: Request, ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    return _list(request, ctx, False)


@router.get("/detail")
def detail(request: Request, ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    return _list(request, ctx, True)


@router.get("/{server_id}")
def show(request: Request, server_id: str,
         ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    version = mv(request)
    rec = compute(request).servers.get(ctx, server_id, groups=version >= 71)
    return ok({"server": vs.server(rec, ctx, base(request), version)})


@router.put("/{server_id}")
def update(request: Request, server_id: str, payload: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.member(ctx, "os_compute_api:servers:update")
    version = mv(request)
    data = body(payload, schemas.server_update(version))["server"]
    access_ips(data)
    rec = compute(request).servers.update(ctx, server_id, data)
    return ok({"server": vs.server(rec, ctx, base(request), version, kind="update")})


@router.delete("/{server_id}")
def delete(request: Request, server_id: str,
           ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.member(ctx, "os_compute_api:servers:delete")
    compute(request).servers.delete(ctx, server_id)
    return no_content()
