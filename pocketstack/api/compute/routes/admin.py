"""Host aggregates, availability zones, os-migrations, console auth tokens, server
external events and the instance usage audit log."""

from __future__ import annotations

import json
import zlib
from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse, Response

from pocketstack.api.common.auth import authenticated
from pocketstack.api.compute import policy, schemas, validation
from pocketstack.api.compute.links import next_link
from pocketstack.api.compute.microversion import mv
from pocketstack.api.compute.routes._common import V, base, compute, ok, params, strict_query
from pocketstack.api.compute.views_servers import micro
from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.timeutils import parse_iso
from pocketstack.services.compute.aggregates import AggregateRecord

router = APIRouter(prefix=V)
ZONE: dict[str, Any] = {"type": ["string", "null"], "minLength": 1, "maxLength": 255,
                        "pattern": r"^(?!\s)[^:\x00-\x1f]*(?<!\s)$"}
AGG_CREATE = schemas.wrap("aggregate", schemas.obj({"name": schemas.NAME,
                                                    "availability_zone": ZONE}, ("name",)))
AGG_UPDATE = schemas.wrap("aggregate", {**schemas.obj({"name": schemas.NAME,
                                                        "availability_zone": ZONE}),
                                        "minProperties": 1})
HOST = {"type": "object", "additionalProperties": False, "required": ["host"],
        "properties": {"host": {"type": "string", "minLength": 1, "maxLength": 255}}}
METADATA = schemas.obj({"metadata": {"type": "object", "minProperties": 1,
                                     "patternProperties": {r"^[a-zA-Z0-9-_:. ]{1,255}$": {
                                         "type": ["string", "null"], "maxLength": 255}},
                                     "additionalProperties": False}}, ("metadata",))


def _aggregate(rec: AggregateRecord, version: int, *, brief: bool = False) -> dict[str, Any]:
    a = rec.aggregate
    out: dict[str, Any] = {"availability_zone": rec.availability_zone,
                           "created_at": micro(a.created_at), "deleted": False,
                           "deleted_at": None, "id": a.id, "name": a.name,
                           "updated_at": micro(a.updated_at)}
    if not brief:
        out["hosts"] = list(rec.hosts)
        out["metadata"] = dict(rec.metadata)
    if version >= 41:
        out["uuid"] = a.uuid
    return out


@router.get("/os-aggregates")
def aggregates(request: Request, ctx: RequestContext = Depends(authenticated)
               ) -> JSONResponse:
    policy.admin(ctx, "os_compute_api:os-aggregates:index")
    found = compute(request).aggregates.list()
    return ok({"aggregates": [_aggregate(r, mv(request)) for r in found]})


@router.post("/os-aggregates")
def create_aggregate(request: Request, payload: Any = Body(None),
                     ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.admin(ctx, "os_compute_api:os-aggregates:create")
    data = validation.validate(AGG_CREATE, payload)["aggregate"]
    rec = compute(request).aggregates.create(data["name"], data.get("availability_zone"))
    return ok({"aggregate": _aggregate(rec, mv(request), brief=True)})


@router.get("/os-aggregates/{agg_id}")
def aggregate(request: Request, agg_id: str,
              ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.admin(ctx, "os_compute_api:os-aggregates:show")
    return ok({"aggregate": _aggregate(compute(request).aggregates.get(agg_id), mv(request))})


@router.put("/os-aggregates/{agg_id}")
def update_aggregate(request: Request, agg_id: str, payload: Any = Body(None),
                     ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.admin(ctx, "os_compute_api:os-aggregates:update")
    data = validation.validate(AGG_UPDATE, payload)["aggregate"]
    rec = compute(request).aggregates.update(agg_id, data.get("name"),
                                             data.get("availability_zone"),
                                             "availability_zone" in data)
    return ok({"aggregate": _aggregate(rec, mv(request))})


@router.delete("/os-aggregates/{agg_id}")
def delete_aggregate(request: Request, agg_id: str,
                     ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "os_compute_api:os-aggregates:delete")
    compute(request).aggregates.delete(agg_id)
    return Response(status_code=200)


@router.post("/os-aggregates/{agg_id}/action")
def aggregate_action(request: Request, agg_id: str, payload: Any = Body(None),
                     ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.admin(ctx, "os_compute_api:os-aggregates:add_host")
    if not isinstance(payload, dict) or len(payload) != 1:
        raise exc.BadRequest("Invalid request body.")
    name, data = next(iter(payload.items()))
    aggs = compute(request).aggregates
    if name == "add_host":
        rec = aggs.add_host(agg_id, validation.validate(HOST, data)["host"])
    elif name == "remove_host":
        rec = aggs.remove_host(agg_id, validation.validate(HOST, data)["host"])
    elif name == "set_metadata":
        rec = aggs.set_metadata(agg_id, validation.validate(METADATA, data)["metadata"])
    else:
        raise exc.BadRequest(f"Invalid request body: unknown action {name}.")
    return ok({"aggregate": _aggregate(rec, mv(request))})


@router.post("/os-aggregates/{agg_id}/images")
def cache_images(request: Request, agg_id: str, payload: Any = Body(None),
                 ctx: RequestContext = Depends(authenticated)) -> Response:
    if mv(request) < 81:
        raise exc.NotFound("The resource could not be found.")
    policy.admin(ctx, "compute:aggregates:images")
    schema = schemas.obj({"cache": {"type": "array", "minItems": 1, "items": schemas.obj(
        {"id": schemas.UUID}, ("id",))}}, ("cache",))
    validation.validate(schema, payload)
    compute(request).aggregates.get(agg_id)
    return Response(status_code=202)


# -- availability zones --------------------------------------------------------------------------
@router.get("/os-availability-zone")
def zones(request: Request, ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    found = compute(request).zones.zones(detail=False)
    return ok({"availabilityZoneInfo": [{"zoneName": z.name, "zoneState": {
        "available": z.available}, "hosts": None} for z in found]})


@router.get("/os-availability-zone/detail")
def zones_detail(request: Request, ctx: RequestContext = Depends(authenticated)
                 ) -> JSONResponse:
    policy.admin(ctx, "os_compute_api:os-availability-zone:detail")
    c = compute(request)
    out = []
    for z in c.zones.zones(detail=True):
        hosts = {h: {s.binary: {"available": not s.disabled and c.hosts.is_up(s),
                                "active": not s.disabled,
                                "updated_at": micro(s.updated_at or s.last_seen_up)}
                     for s in svcs} for h, svcs in z.hosts.items()}
        out.append({"zoneName": z.name, "zoneState": {"available": z.available},
                    "hosts": hosts or None})
    return ok({"availabilityZoneInfo": out})


# -- migrations ----------------------------------------------------------------------------------
def _migration(m: Any, version: int) -> dict[str, Any]:
    out = {"created_at": micro(m.created_at), "dest_compute": m.dest_compute,
           "dest_host": m.dest_host, "dest_node": m.dest_node, "id": m.id,
           "instance_uuid": m.instance_uuid, "new_instance_type_id": _num(m.new_flavor_id),
           "old_instance_type_id": _num(m.old_flavor_id), "source_compute": m.source_compute,
           "source_node": m.source_node, "status": m.status,
           "updated_at": micro(m.updated_at)}
    if version >= 23:
        out["migration_type"] = m.migration_type
        out["links"] = []
    if version >= 59:
        out["uuid"] = m.uuid
    if version >= 80:
        out["user_id"], out["project_id"] = m.user_id, m.project_id
    return out


def _num(value: str | None) -> int | None:
    """Nova shows flavors' internal ids here: a stable number for a flavor id."""
    if not value:
        return None
    return int(value) if value.isdigit() else zlib.crc32(value.encode()) & 0x7FFFFFFF


@router.get("/os-migrations")
def migrations(request: Request, ctx: RequestContext = Depends(authenticated)
               ) -> JSONResponse:
    policy.admin(ctx, "os_compute_api:os-migrations:index")
    version = mv(request)
    allowed = ("hidden", "host", "instance_uuid", "source_compute", "status",
               "migration_type", "limit", "marker", "changes-since", "changes-before",
               "user_id", "project_id")
    strict_query(request, allowed, since=59)
    q = params(request)
    found = compute(request).migrations.listing(ctx, q, version)
    out: dict[str, Any] = {"migrations": [_migration(m, version) for m in found]}
    if version >= 59 and found and len(found) == int(q.get("limit") or 1000):
        out["migrations_links"] = next_link(base(request), "os-migrations", q, found[-1].uuid)
    return ok(out)


# -- console tokens, external events, usage audit ---------------------------------------------
@router.get("/os-console-auth-tokens/{token}")
def console_token(request: Request, token: str,
                  ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.admin(ctx, "os_compute_api:os-console-auth-tokens")
    row = compute(request).extras.console_token(token)
    out = {"instance_uuid": row.instance_uuid, "host": row.host, "port": row.port,
           "internal_access_path": row.internal_access_path}
    return ok({"console": out})


@router.post("/os-server-external-events")
def external_events(request: Request, payload: Any = Body(None),
                    ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.admin(ctx, "os_compute_api:os-server-external-events:create")
    schema = schemas.obj({"events": {"type": "array", "minItems": 1, "items": schemas.obj({
        "name": {"type": "string"}, "server_uuid": schemas.UUID,
        "status": {"type": "string", "enum": ["failed", "completed", "in-progress"]},
        "tag": {"type": "string", "maxLength": 255}}, ("name", "server_uuid"))}}, ("events",))
    events = validation.validate(schema, payload)["events"]
    c = compute(request)
    out, found = [], 0
    for ev in events:
        try:
            c.servers.get(ctx, ev["server_uuid"], refresh=False)
            ev = {**ev, "code": 200, "status": ev.get("status", "completed")}
            found += 1
        except exc.NotFound:
            ev = {**ev, "code": 404, "status": "failed"}
        out.append(ev)
    return ok({"events": out}, status=200 if found == len(out) else (207 if found else 404))


ASSISTED_CREATE = schemas.wrap("snapshot", schemas.obj({
    "volume_id": {"type": "string", "minLength": 1},
    "create_info": schemas.obj({"snapshot_id": {"type": "string", "minLength": 1},
                                "type": {"type": "string", "enum": ["qcow2"]},
                                "new_file": {"type": "string", "minLength": 1},
                                "id": {"type": "string"}},
                               ("snapshot_id", "type", "new_file"))},
    ("volume_id", "create_info")))


@router.post("/os-assisted-volume-snapshots")
def assisted_snapshot_create(request: Request, payload: Any = Body(None),
                             ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.service(ctx, "os_compute_api:os-assisted-volume-snapshots:create")
    snap = validation.validate(ASSISTED_CREATE, payload)["snapshot"]
    try:
        compute(request).attachments.assisted_snapshot(snap["volume_id"])
    except exc.NotFound as e:
        raise exc.BadRequest(e.message) from None
    return ok({"snapshot": {"id": snap["create_info"]["snapshot_id"],
                            "volumeId": snap["volume_id"]}})


@router.delete("/os-assisted-volume-snapshots/{snapshot_id}")
def assisted_snapshot_delete(request: Request, snapshot_id: str,
                             ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.service(ctx, "os_compute_api:os-assisted-volume-snapshots:delete")
    raw = request.query_params.get("delete_info")
    if raw is None:
        raise exc.BadRequest("The delete_info query parameter is required.")
    try:
        info = json.loads(raw)
    except ValueError:
        raise exc.BadRequest("delete_info is not valid JSON.") from None
    if not isinstance(info, dict) or not isinstance(info.get("volume_id"), str):
        raise exc.BadRequest("delete_info must be a JSON object with a volume_id.")
    compute(request).attachments.assisted_snapshot(info["volume_id"])
    return Response(status_code=204)


@router.get("/os-instance_usage_audit_log")
def audit_log(request: Request, ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.admin(ctx, "os_compute_api:os-instance-usage-audit-log")
    return ok({"instance_usage_audit_logs": _audit(request)})


@router.get("/os-instance_usage_audit_log/{before}")
def audit_log_before(request: Request, before: str,
                     ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.admin(ctx, "os_compute_api:os-instance-usage-audit-log")
    try:
        parse_iso(before.replace(" ", "T"))
    except ValueError:
        raise exc.BadRequest(f"Invalid timestamp for date {before}") from None
    return ok({"instance_usage_audit_log": _audit(request)})


def _audit(request: Request) -> dict[str, Any]:
    hosts = compute(request).hosts.host_names()
    return {"hosts_not_run": hosts, "log": {}, "num_hosts": len(hosts), "num_hosts_done": 0,
            "num_hosts_not_run": len(hosts), "num_hosts_running": 0,
            "overall_status": f"0 of {len(hosts)} hosts done. 0 errors.",
            "period_beginning": "2026-01-01 00:00:00", "period_ending": "2026-02-01 00:00:00",
            "total_errors": 0, "total_instances": 0}
