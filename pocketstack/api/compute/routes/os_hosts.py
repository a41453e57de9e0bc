"""/os-hosts (deprecated in 2.43, gone after): hosts, their resources, maintenance."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse

from pocketstack.api.common.auth import authenticated
from pocketstack.api.compute import policy, validation
from pocketstack.api.compute.microversion import mv
from pocketstack.api.compute.routes._common import V, compute, ok, params
from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext

router = APIRouter(prefix=f"{V}/os-hosts")
SERVICE_NAMES = {"nova-compute": "compute", "nova-scheduler": "scheduler",
                 "nova-conductor": "conductor"}
UPDATE = {"type": "object", "additionalProperties": False, "minProperties": 1,
          "properties": {"status": {"type": "string", "enum": ["enable", "disable",
                                                               "Enable", "Disable",
                                                               "ENABLE", "DISABLE"]},
                         "maintenance_mode": {"type": "string",
                                              "enum": ["enable", "disable", "Enable",
                                                       "Disable", "ENABLE", "DISABLE"]}}}


def _gate(request: Request, ctx: RequestContext, rule: str) -> None:
    if mv(request) >= 43:
        raise exc.NotFound("The resource could not be found.")
    policy.admin(ctx, f"os_compute_api:os-hosts:{rule}")


@router.get("")
def list_(request: Request, ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    _gate(request, ctx, "list")
    c = compute(request)
    topo = c.aggregates.topology()
    zone = params(request).get("zone")
    out = []
    for svc in c.hosts.services():
        z = topo.zone_of(svc.host) if svc.binary == "nova-compute" else c.options.internal_az
        if zone and z != zone:
            continue
        out.append({"host_name": svc.host, "service": SERVICE_NAMES.get(svc.binary,
                                                                         svc.binary),
                    "zone": z})
    return ok({"hosts": out})


@router.get("/{host}")
def show(request: Request, host: str, ctx: RequestContext = Depends(authenticated)
         ) -> JSONResponse:
    _gate(request, ctx, "show")
    nodes, usage = compute(request).hosts.host_usage(host)
    n = nodes[0]

    def res(project: str, cpu: int, mem: int, disk: int) -> dict[str, Any]:
        return {"resource": {"host": host, "project": project, "cpu": cpu,
                             "memory_mb": mem, "disk_gb": disk}}
    used = [sum(u[i] for u in usage) for i in (1, 2, 3)]
    out = [res("(total)", n.vcpus, n.memory_mb, n.local_gb),
           res("(used_now)", n.vcpus_used, n.memory_mb_used, n.local_gb_used),
           res("(used_max)", *used)]
    out += [res(p, v, m, d) for p, v, m, d in usage]
    return ok({"host": out})


@router.put("/{host}")
def update(request: Request, host: str, payload: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    _gate(request, ctx, "update")
    data = validation.validate(UPDATE, payload)
    hosts = compute(request).hosts
    hosts.host_usage(host)
    out: dict[str, Any] = {"host": host}
    if "status" in data:
        disable = data["status"].lower() == "disable"
        hosts.set_status(host, "nova-compute", disabled=disable)
        out["status"] = "disabled" if disable else "enabled"
    if "maintenance_mode" in data:
        on = data["maintenance_mode"].lower() == "enable"
        out["maintenance_mode"] = "on_maintenance" if on else "off_maintenance"
    return ok(out)


@router.get("/{host}/{action}")
def power(request: Request, host: str, action: str,
          ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    _gate(request, ctx, action if action in ("reboot", "shutdown", "start") else "show")
    if action not in ("reboot", "shutdown", "startup"):
        raise exc.NotFound("The resource could not be found.")
    compute(request).hosts.host_usage(host)
    return ok({"host": host, "power_action": action})
