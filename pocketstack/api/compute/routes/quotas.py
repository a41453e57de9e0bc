"""Quota sets (per project and per user), quota classes, absolute limits, and the simple
tenant usage report."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse, Response

from pocketstack.api.common.auth import authenticated
from pocketstack.api.compute import policy, schemas, validation
from pocketstack.api.compute.links import next_link
from pocketstack.api.compute.microversion import mv
from pocketstack.api.compute.routes._common import V, accepted, base, compute, ok, params
from pocketstack.api.compute.views_servers import micro
from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.timeutils import parse_iso, utcnow
from pocketstack.services.compute.paging import parse_limit
from pocketstack.services.compute.quotas import INJECTED, LEGACY_NETWORK

router = APIRouter(prefix=V)
LIMIT: dict[str, Any] = {"type": ["integer", "string"], "pattern": "^-?[0-9]+$",
                         "minimum": -1, "maximum": 0x7FFFFFFF}


def _shown(values: dict[str, Any], version: int, *, classes: bool = False,
           detail: bool = False) -> dict[str, Any]:
    out = dict(values)
    if version >= 57:
        for key in INJECTED:
            out.pop(key, None)
    if version >= 36 or (classes and version >= 50):
        for key in LEGACY_NETWORK:
            out.pop(key, None)
    if classes and version < 50:
        out.pop("server_groups", None)
        out.pop("server_group_members", None)
    return out


def _update_schema(version: int, classes: bool = False) -> dict[str, Any]:
    keys = ["instances", "cores", "ram", "metadata_items", "key_pairs", "server_groups",
            "server_group_members"]
    if version < 57:
        keys += list(INJECTED)
    if version < 36:
        keys += list(LEGACY_NETWORK) + ["networks"]
    props: dict[str, Any] = {k: LIMIT for k in keys}
    if not classes:
        props["force"] = schemas.BOOLEAN
    key = "quota_class_set" if classes else "quota_set"
    return schemas.wrap(key, schemas.obj(props))


def _check_project(ctx: RequestContext, project_id: str) -> None:
    if not ctx.is_admin and ctx.project_id != project_id:
        raise policy.denied("os_compute_api:os-quota-sets:show")


@router.get("/os-quota-sets/{project_id}")
def show(request: Request, project_id: str,
         ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    _check_project(ctx, project_id)
    values = compute(request).quotas.show(project_id, params(request).get("user_id"))
    return ok({"quota_set": {**_shown(values, mv(request)), "id": project_id}})


@router.get("/os-quota-sets/{project_id}/detail")
def detail(request: Request, project_id: str,
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    _check_project(ctx, project_id)
    values = compute(request).quotas.show(project_id, params(request).get("user_id"),
                                          detail=True)
    return ok({"quota_set": {**_shown(values, mv(request), detail=True), "id": project_id}})


@router.get("/os-quota-sets/{project_id}/defaults")
def defaults(request: Request, project_id: str,
             ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    values = compute(request).quotas.defaults()
    return ok({"quota_set": {**_shown(values, mv(request)), "id": project_id}})


@router.put("/os-quota-sets/{project_id}")
def update(request: Request, project_id: str, payload: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.admin(ctx, "os_compute_api:os-quota-sets:update")
    data = dict(validation.validate(_update_schema(mv(request)), payload)["quota_set"])
    force = str(data.pop("force", False)).lower() in ("true", "1", "yes", "on")
    values = {k: int(v) for k, v in data.items()}
    out = compute(request).quotas.update(project_id, params(request).get("user_id"), values,
                                         force)
    return ok({"quota_set": _shown(out, mv(request))})


@router.delete("/os-quota-sets/{project_id}")
def reset(request: Request, project_id: str,
          ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "os_compute_api:os-quota-sets:delete")
    compute(request).quotas.reset(project_id, params(request).get("user_id"))
    return accepted()


@router.get("/os-quota-class-sets/{class_name}")
def class_show(request: Request, class_name: str,
               ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.admin(ctx, "os_compute_api:os-quota-class-sets:show")
    values = compute(request).quotas.class_show(class_name)
    return ok({"quota_class_set": {**_shown(values, mv(request), classes=True),
                                   "id": class_name}})


@router.put("/os-quota-class-sets/{class_name}")
def class_update(request: Request, class_name: str, payload: Any = Body(None),
                 ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.admin(ctx, "os_compute_api:os-quota-class-sets:update")
    data = validation.validate(_update_schema(mv(request), True), payload)["quota_class_set"]
    values = compute(request).quotas.class_update(class_name,
                                                  {k: int(v) for k, v in data.items()})
    return ok({"quota_class_set": _shown(values, mv(request), classes=True)})


# -- limits --------------------------------------------------------------------------------------
@router.get("/limits")
def limits(request: Request, ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    version = mv(request)
    project = params(request).get("tenant_id") if ctx.is_admin else None
    data = compute(request).quotas.absolute(project or ctx.project_id or "")
    lim, used = data["limits"], data["used"]
    out = {"maxServerMeta": lim["metadata_items"], "maxTotalCores": lim["cores"],
           "maxTotalInstances": lim["instances"], "maxTotalKeypairs": lim["key_pairs"],
           "maxTotalRAMSize": lim["ram"], "maxServerGroups": lim["server_groups"],
           "maxServerGroupMembers": lim["server_group_members"],
           "totalCoresUsed": used["cores"], "totalInstancesUsed": used["instances"],
           "totalRAMUsed": used["ram"], "totalServerGroupsUsed": used["server_groups"]}
    if version < 39:
        out["maxImageMeta"] = 128
    if version < 57:
        out["maxPersonality"] = lim["injected_files"]
        out["maxPersonalitySize"] = lim["injected_file_content_bytes"]
    if version < 36:
        out.update({"maxSecurityGroupRules": 20, "maxSecurityGroups": 10,
                    "maxTotalFloatingIps": 10, "totalFloatingIpsUsed": 0,
                    "totalSecurityGroupsUsed": 0})
    return ok({"limits": {"rate": [], "absolute": out}})


# -- simple tenant usage ---------------------------------------------------------------------------
def _window(q: dict[str, str]) -> tuple[Any, Any]:
    now = utcnow()
    try:
        start = parse_iso(q["start"]) if q.get("start") else now - timedelta(days=30)
        end = parse_iso(q["end"]) if q.get("end") else now
    except ValueError:
        raise exc.BadRequest("Invalid start or end time: use ISO 8601 timestamps.") from None
    if start > end:
        raise exc.BadRequest("Invalid start time. The start time cannot occur after the end "
                             "time.")
    return start, end


def _tenant_usage(pu: Any, detailed: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"tenant_id": pu.project_id, "start": micro(pu.start),
                           "stop": micro(pu.stop), "total_hours": pu.hours,
                           "total_local_gb_usage": pu.total("local_gb"),
                           "total_memory_mb_usage": pu.total("memory_mb"),
                           "total_vcpus_usage": pu.total("vcpus")}
    if detailed:
        out["server_usages"] = [{**s, "started_at": micro(s["started_at"]),
                                 "ended_at": micro(s["ended_at"])} for s in pu.servers]
    return out


@router.get("/os-simple-tenant-usage")
def usages(request: Request, ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.admin(ctx, "os_compute_api:os-simple-tenant-usage:list")
    q = params(request)
    start, end = _window(q)
    detailed = (q.get("detailed") or "0").lower() in ("1", "true", "yes")
    limit = parse_limit(q.get("limit")) if mv(request) >= 40 and q.get("limit") else None
    found = compute(request).usage.usage(None, start, end, limit, q.get("marker"))
    out: dict[str, Any] = {"tenant_usages": [_tenant_usage(p, detailed) for p in found]}
    if limit and sum(len(p.servers) for p in found) >= limit:
        last = found[-1].servers[-1]["instance_id"]
        out["tenant_usages_links"] = next_link(base(request), "os-simple-tenant-usage", q, last)
    return ok(out)


@router.get("/os-simple-tenant-usage/{project_id}")
def usage(request: Request, project_id: str,
          ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.admin_or_project(ctx, project_id, "os_compute_api:os-simple-tenant-usage:show")
    q = params(request)
    start, end = _window(q)
    limit = parse_limit(q.get("limit")) if mv(request) >= 40 and q.get("limit") else None
    found = compute(request).usage.usage(project_id, start, end, limit, q.get("marker"))
    out: dict[str, Any] = {"tenant_usage": _tenant_usage(found[0], True) if found else {}}
    if limit and found and len(found[0].servers) >= limit:
        out["tenant_usage_links"] = next_link(base(request),
                                              f"os-simple-tenant-usage/{project_id}", q,
                                              found[0].servers[-1]["instance_id"])
    return ok(out)
