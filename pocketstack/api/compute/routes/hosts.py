"""Admin views of the hosts: /os-services, /os-hypervisors, and the old /os-hosts."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse, Response

from pocketstack.api.common.auth import authenticated
from pocketstack.api.compute import policy, validation
from pocketstack.api.compute.links import next_link
from pocketstack.api.compute.microversion import mv
from pocketstack.api.compute.routes._common import (
    V,
    base,
    compute,
    int_param,
    no_content,
    ok,
    params,
    strict_query,
)
from pocketstack.api.compute.views_servers import micro
from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.services.compute.hosts import NodeRecord

router = APIRouter(prefix=V)
SERVICE_UPDATE = {"type": "object", "additionalProperties": False, "properties": {
    "status": {"type": "string", "enum": ["enabled", "disabled"]},
    "disabled_reason": {"type": "string", "minLength": 1, "maxLength": 255},
    "forced_down": {"type": "boolean"}}}


# -- services --------------------------------------------------------------------------------
def _service(request: Request, svc: Any) -> dict[str, Any]:
    c = compute(request)
    version = mv(request)
    zone = c.aggregates.topology().zone_of(svc.host) if svc.binary == "nova-compute" \
        else c.options.internal_az
    out = {"id": svc.uuid if version >= 53 else svc.id, "binary": svc.binary,
           "disabled_reason": svc.disabled_reason, "host": svc.host,
           "state": "up" if c.hosts.is_up(svc) else "down",
           "status": "disabled" if svc.disabled else "enabled",
           "updated_at": micro(svc.updated_at or svc.last_seen_up), "zone": zone}
    if version >= 11:
        out["forced_down"] = bool(svc.forced_down)
    return out


@router.get("/os-services")
def services(request: Request, ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.admin(ctx, "os_compute_api:os-services:list")
    strict_query(request, ("host", "binary"), since=75)
    q = params(request)
    found = compute(request).hosts.services(q.get("host"), q.get("binary"))
    return ok({"services": [_service(request, s) for s in found]})


@router.put("/os-services/{action}")
def service_action(request: Request, action: str, payload: Any = Body(None),
                   ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.admin(ctx, "os_compute_api:os-services:update")
    if mv(request) >= 53:
        return _service_update(request, action, payload)
    if action not in ("enable", "disable", "disable-log-reason", "force-down"):
        raise exc.NotFound("Unknown action")
    if action == "force-down" and mv(request) < 11:
        raise exc.NotFound("Unknown action")
    if not isinstance(payload, dict) or not isinstance(payload.get("host"), str) or \
            not isinstance(payload.get("binary"), str):
        raise exc.BadRequest("Invalid input: 'host' and 'binary' are required.")
    hosts = compute(request).hosts
    host, binary = payload["host"], payload["binary"]
    if action == "force-down":
        if not isinstance(payload.get("forced_down"), bool):
            raise exc.BadRequest("Invalid input for field/attribute forced_down.")
        hosts.set_status(host, binary, forced_down=payload["forced_down"])
        return ok({"service": {"host": host, "binary": binary,
                               "forced_down": payload["forced_down"]}})
    reason = payload.get("disabled_reason")
    if action == "disable-log-reason" and (not isinstance(reason, str) or not reason.strip()
                                           or len(reason) > 255):
        raise exc.BadRequest("Invalid input: 'disabled_reason' must be a non-empty string.")
    hosts.set_status(host, binary, disabled=action != "enable", reason=reason)
    out = {"host": host, "binary": binary,
           "status": "enabled" if action == "enable" else "disabled"}
    if action == "disable-log-reason":
        out["disabled_reason"] = reason
    return ok({"service": out})


def _service_update(request: Request, service_id: str, payload: Any) -> JSONResponse:
    data = validation.validate(SERVICE_UPDATE, payload)
    if "disabled_reason" in data and data.get("status") != "disabled":
        raise exc.BadRequest("Specifying 'disabled_reason' with status other than 'disabled' "
                             "is invalid.")
    if not data:
        raise exc.BadRequest("No updates were requested. Fields 'status' or 'forced_down' "
                             "should be specified.")
    disabled = None if "status" not in data else data["status"] == "disabled"
    svc = compute(request).hosts.update_service(service_id, disabled=disabled,
                                                reason=data.get("disabled_reason"),
                                                forced_down=data.get("forced_down"))
    return ok({"service": _service(request, svc)})


@router.delete("/os-services/{service_id}")
def delete_service(request: Request, service_id: str,
                   ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "os_compute_api:os-services:delete")
    if mv(request) < 53 and not service_id.isdigit():
        raise exc.BadRequest(f"Invalid uuid {service_id}")
    compute(request).hosts.delete_service(service_id)
    return no_content()


# -- hypervisors -----------------------------------------------------------------------------
def _hv_brief(rec: NodeRecord, version: int) -> dict[str, Any]:
    n = rec.node
    return {"hypervisor_hostname": n.hypervisor_hostname,
            "id": n.uuid if version >= 53 else n.id,
            "state": "up" if rec.up else "down",
            "status": "disabled" if rec.service.disabled else "enabled"}


def _hv_detail(rec: NodeRecord, version: int) -> dict[str, Any]:
    n, svc = rec.node, rec.service
    out = _hv_brief(rec, version)
    out.update({"host_ip": n.host_ip, "hypervisor_type": n.hypervisor_type,
                "hypervisor_version": n.hypervisor_version,
                "service": {"host": svc.host, "id": svc.uuid if version >= 53 else svc.id,
                            "disabled_reason": svc.disabled_reason}})
    if version >= 88:
        out["uptime"] = _uptime()
        return out
    free_disk = n.local_gb - n.local_gb_used
    out.update({"cpu_info": n.cpu_info if version >= 28 else json.dumps(n.cpu_info),
                "current_workload": 0, "disk_available_least": free_disk,
                "free_disk_gb": free_disk, "free_ram_mb": n.memory_mb - n.memory_mb_used,
                "local_gb": n.local_gb, "local_gb_used": n.local_gb_used,
                "memory_mb": n.memory_mb, "memory_mb_used": n.memory_mb_used,
                "running_vms": n.running_vms, "vcpus": n.vcpus, "vcpus_used": n.vcpus_used})
    return out


def _uptime() -> str:
    return " 08:32:11 up 93 days, 18:25, 1 users,  load average: 0.20, 0.12, 0.14"


def _with_servers(request: Request, items: list[dict[str, Any]], recs: list[NodeRecord],
                  always: bool) -> None:
    on = compute(request).hosts.servers_on([r.node.hypervisor_hostname for r in recs])
    for item, rec in zip(items, recs, strict=True):
        servers = [{"uuid": i, "name": n} for i, n in on.get(rec.node.hypervisor_hostname, [])]
        if servers or always:
            item["servers"] = servers


def _list(request: Request, ctx: RequestContext, detail: bool) -> JSONResponse:
    policy.admin(ctx, "os_compute_api:os-hypervisors:list")
    version = mv(request)
    strict_query(request, ("limit", "marker", "hypervisor_hostname_pattern", "with_servers"),
                 since=53)
    q = params(request)
    limit = int_param(q.get("limit"), "limit", 0) if version >= 33 else None
    marker = q.get("marker") if version >= 33 else None
    if marker is not None and version < 53 and not marker.isdigit():
        raise exc.BadRequest(f"marker [{marker}] not found")
    pattern = q.get("hypervisor_hostname_pattern") if version >= 53 else None
    if pattern is not None and (limit is not None or marker is not None):
        raise exc.BadRequest("Paging over hypervisors with the hypervisor_hostname_pattern "
                             "query parameter is not supported.")
    recs = compute(request).hosts.nodes(pattern, limit, marker)
    if pattern is not None and not recs:
        raise exc.NotFound(f"Hypervisor with hostname pattern {pattern} could not be found.")
    items = [_hv_detail(r, version) if detail else _hv_brief(r, version) for r in recs]
    if version >= 53 and (q.get("with_servers") or "").lower() in ("true", "1", "yes"):
        _with_servers(request, items, recs, version >= 75)
    out: dict[str, Any] = {"hypervisors": items}
    if limit is not None and recs and len(recs) == limit:
        mark = recs[-1].node.uuid if version >= 53 else recs[-1].node.id
        out["hypervisors_links"] = next_link(base(request), "os-hypervisors/detail" if detail
                                             else "os-hypervisors", q, mark)
    return ok(out)


@router.get("/os-hypervisors")
def hypervisors(request: Request, ctx: RequestContext = Depends(authenticated)
                ) -> JSONResponse:
    return _list(request, ctx, False)


@router.get("/os-hypervisors/detail")
def hypervisors_detail(request: Request, ctx: RequestContext = Depends(authenticated)
                       ) -> JSONResponse:
    return _list(request, ctx, True)


@router.get("/os-hypervisors/statistics")
def statistics(request: Request, ctx: RequestContext = Depends(authenticated)
               ) -> JSONResponse:
    policy.admin(ctx, "os_compute_api:os-hypervisors:statistics")
    if mv(request) >= 88:
        raise exc.NotFound("The resource could not be found.")
    t = compute(request).hosts.statistics()
    free_disk = t["local_gb"] - t["local_gb_used"]
    return ok({"hypervisor_statistics": {
        "count": t["count"], "current_workload": 0, "disk_available_least": free_disk,
        "free_disk_gb": free_disk, "free_ram_mb": t["memory_mb"] - t["memory_mb_used"],
        "local_gb": t["local_gb"], "local_gb_used": t["local_gb_used"],
        "memory_mb": t["memory_mb"], "memory_mb_used": t["memory_mb_used"],
        "running_vms": t["running_vms"], "vcpus": t["vcpus"], "vcpus_used": t["vcpus_used"]}})


def _one(request: Request, hypervisor_id: str) -> NodeRecord:
    version = mv(request)
    if version >= 53:
        try:
            uuid.UUID(hypervisor_id)
        except ValueError:
            raise exc.BadRequest(f"Invalid uuid {hypervisor_id}") from None
    elif not hypervisor_id.isdigit():
        raise exc.NotFound(f"Hypervisor {hypervisor_id} could not be found.")
    return compute(request).hosts.node(hypervisor_id)


@router.get("/os-hypervisors/{hypervisor_id}")
def hypervisor(request: Request, hypervisor_id: str,
               ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.admin(ctx, "os_compute_api:os-hypervisors:show")
    strict_query(request, ("with_servers",), since=53)
    rec = _one(request, hypervisor_id)
    item = _hv_detail(rec, mv(request))
    if mv(request) >= 53 and (params(request).get("with_servers") or "").lower() in (
            "true", "1", "yes"):
        _with_servers(request, [item], [rec], mv(request) >= 75)
    return ok({"hypervisor": item})


@router.get("/os-hypervisors/{hypervisor_id}/uptime")
def uptime(request: Request, hypervisor_id: str,
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.admin(ctx, "os_compute_api:os-hypervisors:uptime")
    if mv(request) >= 88:
        raise exc.NotFound("The resource could not be found.")
    rec = _one(request, hypervisor_id)
    return ok({"hypervisor": {**_hv_brief(rec, mv(request)), "uptime": _uptime()}})


@router.get("/os-hypervisors/{pattern}/search")
def search(request: Request, pattern: str,
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.admin(ctx, "os_compute_api:os-hypervisors:search")
    if mv(request) >= 53:
        raise exc.NotFound("The resource could not be found.")
    recs = compute(request).hosts.nodes(pattern)
    if not recs:
        raise exc.NotFound(f"No hypervisor matching '{pattern}' could be found.")
    return ok({"hypervisors": [_hv_brief(r, mv(request)) for r in recs]})


@router.get("/os-hypervisors/{pattern}/servers")
def servers(request: Request, pattern: str,
            ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.admin(ctx, "os_compute_api:os-hypervisors:servers")
    if mv(request) >= 53:
        raise exc.NotFound("The resource could not be found.")
    recs = compute(request).hosts.nodes(pattern)
    if not recs:
        raise exc.NotFound(f"No hypervisor matching '{pattern}' could be found.")
    items = [_hv_brief(r, mv(request)) for r in recs]
    _with_servers(request, items, recs, False)
    return ok({"hypervisors": items})
