"""Limits, availability zones, services, hosts, pools, capabilities, extensions, messages."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import Response

from pocketstack.api.common.auth import authenticated
from pocketstack.api.volume import microversion as mv
from pocketstack.api.volume import policy, views
from pocketstack.api.volume.routes.common import bs, query
from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.timeutils import utcnow

router = APIRouter(prefix="/v3")

EXTENSIONS = [
    ("AdminActions", "os-admin-actions", "Enable admin actions."),
    ("AvailabilityZones", "os-availability-zone", "Describe Availability Zones."),
    ("BackupProjectAttribute", "os-backup-project-attr", "Expose backup project_id."),
    ("Backups", "backups", "Backups support."),
    ("Capabilities", "capabilities", "Capabilities support."),
    ("ExtendedServices", "os-extended-services", "Extended services support."),
    ("ExtendedSnapshotAttributes", "os-extended-snapshot-attributes",
     "Extended SnapshotAttributes support."),
    ("Hosts", "os-hosts", "Admin-only host administration."),
    ("QuotaClasses", "os-quota-class-sets", "Quota classes management support."),
    ("Quotas", "os-quota-sets", "Quota management support."),
    ("QoSSpecs", "qos-specs", "QoS specs support."),
    ("SchedulerStats", "scheduler-stats", "Scheduler stats support."),
    ("Services", "os-services", "Services support."),
    ("SnapshotActions", "os-snapshot-actions", "Enable snapshot manager actions."),
    ("TypesExtraSpecs", "os-types-extra-specs", "Type extra specs support."),
    ("TypesManage", "os-types-manage", "Types manage support."),
    ("VolumeActions", "os-volume-actions", "Enable volume actions."),
    ("VolumeHostAttribute", "os-vol-host-attr", "Expose host as an attribute of a volume."),
    ("VolumeImageMetadata", "os-vol-image-meta", "Show image metadata associated with the "
     "volume."),
    ("VolumeMigStatusAttribute", "os-vol-mig-status-attr", "Expose migration_status as an "
     "attribute of a volume."),
    ("VolumeTenantAttribute", "os-vol-tenant-attr", "Expose the internal project_id as an "
     "attribute of a volume."),
    ("VolumeTransfer", "os-volume-transfer", "Volume transfer management support."),
    ("VolumeTypeAccess", "os-volume-type-access", "Volume type access support."),
    ("VolumeTypeEncryption", "encryption", "Encryption support for volume types."),
]


@router.get("/extensions")
def extensions(request: Request, ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    return {"extensions": [{"name": n, "alias": a, "description": d, "links": [],
                            "namespace": f"https://docs.openstack.org/volume/ext/{a}/api/v1",
                            "updated": "2023-08-31T00:00:00+00:00"}
                           for n, a, d in EXTENSIONS]}


@router.get("/limits")
def limits(request: Request, project_id: str | None = None,
           ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    target = ctx.project_id or ""
    if project_id and ctx.is_admin and mv.at_least(request, "3.39"):
        target = project_id
    return {"limits": {"rate": [], "absolute": bs(request).backend.absolute_limits(target)}}


@router.get("/os-availability-zone")
def zones(request: Request, ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    zone = bs(request).options.availability_zone
    return {"availabilityZoneInfo": [{"zoneName": zone, "zoneState": {"available": True}}]}


@router.get("/os-services")
def services(request: Request, host: str | None = None, binary: str | None = None,
             ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "volume_extension:services:index")
    out = []
    for svc in bs(request).backend.services(host, binary):
        svc["updated_at"] = views.ts(svc["updated_at"])
        if not mv.at_least(request, "3.7"):
            svc.pop("cluster")
        if not mv.at_least(request, "3.49") or svc["backend_state"] is None:
            svc.pop("backend_state")
        out.append(svc)
    return {"services": out}


@router.put("/os-services/{action}")
def service_action(request: Request, action: str, body: Any = Body(None),
                   ctx: RequestContext = Depends(authenticated)) -> Any:
    policy.admin(ctx, "volume_extension:services:update")
    data = body if isinstance(body, dict) else {}
    backend = bs(request).backend
    if action == "enable":
        return backend.set_enabled(data.get("host"), data.get("binary"), True)
    if action == "disable":
        return backend.set_enabled(data.get("host"), data.get("binary"), False)
    if action == "disable-log-reason":
        return backend.set_enabled(data.get("host"), data.get("binary"), False,
                                   data.get("disabled_reason") or "")
    if action in ("freeze", "thaw"):
        backend.set_frozen(data.get("host"), action == "freeze")
        return Response(status_code=200)
    if action == "failover_host" or action == "failover":
        raise exc.BadRequest("Replication is not configured on this back end.")
    raise exc.NotFound(f"Unknown action {action}.")


@router.get("/os-hosts")
def hosts(request: Request, ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "volume_extension:hosts")
    out = bs(request).backend.hosts()
    for h in out:
        h["last-update"] = views.ts(h["last-update"])
    return {"hosts": out}


@router.get("/os-hosts/{host}")
def host(request: Request, host: str,
         ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "volume_extension:hosts")
    return {"host": bs(request).backend.host(host)}


@router.get("/scheduler-stats/get_pools")
def pools(request: Request, detail: str | None = None,
          ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "scheduler_extension:scheduler_stats:get_pools")
    want = (detail or "").lower() in ("true", "1", "yes")
    return {"pools": bs(request).backend.pools(want)}


@router.get("/capabilities/{host}")
def capabilities(request: Request, host: str,
                 ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "volume_extension:capabilities")
    return bs(request).backend.capabilities(host)


# -- user messages (3.3) --------------------------------------------------------------------
def _message(request: Request, m: Any) -> dict[str, Any]:
    return {"id": m.id, "resource_type": m.resource_type, "resource_uuid": m.resource_uuid,
            "event_id": m.event_id, "message_level": m.message_level,
            "user_message": m.user_message, "request_id": m.request_id or "",
            "created_at": views.ts(m.created_at), "guaranteed_until": views.ts(m.expires_at
                                                                               or utcnow()),
            "links": views.links(request, "messages", m.id, m.project_id)}


@router.get("/messages")
def messages(request: Request, ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    mv.require(request, "3.3")
    found = bs(request).backend.messages(ctx, query(request))
    return {"messages": [_message(request, m) for m in found]}


@router.get("/messages/{message_id}")
def message(request: Request, message_id: str,
            ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    mv.require(request, "3.3")
    return {"message": _message(request, bs(request).backend.message(ctx, message_id))}


@router.delete("/messages/{message_id}")
def delete_message(request: Request, message_id: str,
                   ctx: RequestContext = Depends(authenticated)) -> Response:
    mv.require(request, "3.3")
    bs(request).backend.delete_message(ctx, message_id)
    return Response(status_code=204)
