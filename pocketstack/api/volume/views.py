"""Wire JSON of the Block Storage API, field by field as Cinder shows it at each
microversion (fields added by later microversions appear only when asked for)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import Request

from pocketstack.api.common.http import base_url
from pocketstack.api.volume import microversion as mv
from pocketstack.common.context import RequestContext


def ts(dt: datetime | None) -> str | None:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%f") if dt else None


def root(request: Request) -> str:
    return base_url(request) + "/volume"


def links(request: Request, collection: str, obj_id: str, project: str | None) -> list[dict[str, str]]:
    base = root(request)
    prefix = f"/{project}" if project else ""
    return [{"href": f"{base}/v3{prefix}/{collection}/{obj_id}", "rel": "self"},
            {"href": f"{base}{prefix}/{collection}/{obj_id}", "rel": "bookmark"}]


def next_link(request: Request, items: list[dict[str, Any]], limit: int | None,
              key: str) -> dict[str, Any]:
    """{'<key>_links': [...]} when a page is full (there may be more)."""
    if not items or limit is None or len(items) < limit:
        return {}
    params = [(k, v) for k, v in parse_qsl(request.url.query, keep_blank_values=True)
              if k != "marker"]
    params.append(("marker", items[-1]["id"]))
    href = f"{base_url(request)}{request.url.path}?{urlencode(params)}"
    return {f"{key}_links": [{"href": href, "rel": "next"}]}


# -- volumes ---------------------------------------------------------------------------------
def volume(request: Request, ctx: RequestContext, v: dict[str, Any], *,
           extended: bool = True) -> dict[str, Any]:
    """The detail view; ``extended`` adds what Cinder's extensions add on GET (tenant, host,
    migration status, image metadata) and leaves out on create/update responses."""
    out: dict[str, Any] = {
        "id": v["id"], "name": v["name"], "description": v["description"],
        "status": v["status"], "size": v["size"],
        "availability_zone": v["availability_zone"], "created_at": ts(v["created_at"]),
        "updated_at": ts(v["updated_at"]), "attachments": [_attachment(a)
                                                            for a in v["attachments"]],
        "volume_type": v["volume_type"], "snapshot_id": v["snapshot_id"],
        "source_volid": v["source_volid"], "metadata": v["metadata"],
        "links": links(request, "volumes", v["id"], v["project_id"]),
        "user_id": v["user_id"], "bootable": "true" if v["bootable"] else "false",
        "encrypted": False, "replication_status": None, "consistencygroup_id": None,
        "multiattach": v["multiattach"], "migration_status": v["migration_status"],
    }
    version = mv.of(request)
    if extended:
        out["os-vol-tenant-attr:tenant_id"] = v["project_id"]
        if ctx.is_admin:
            out["os-vol-host-attr:host"] = v["host"]
            out["os-vol-mig-status-attr:migstat"] = v["migration_status"]
            out["os-vol-mig-status-attr:name_id"] = None
        if v["image_metadata"]:
            out["volume_image_metadata"] = v["image_metadata"]
    if not ctx.is_admin:
        out.pop("migration_status")
    if version >= (3, 13):
        out["group_id"] = v["group_id"]
    if version >= (3, 21) and ctx.is_admin:
        out["provider_id"] = None
    if version >= (3, 48):
        out["service_uuid"], out["shared_targets"] = None, False
    if version >= (3, 61) and ctx.is_admin:
        out["cluster_name"] = None
    if version >= (3, 63):
        out["volume_type_id"] = v["volume_type_id"]
    if version >= (3, 64):
        out["encryption_key_id"] = None
    if version >= (3, 65):
        out["consumes_quota"] = True
    return out


def volume_summary(request: Request, v: dict[str, Any]) -> dict[str, Any]:
    return {"id": v["id"], "name": v["name"],
            "links": links(request, "volumes", v["id"], v["project_id"])}


def _attachment(a: dict[str, Any]) -> dict[str, Any]:
    return {**a, "attached_at": ts(a["attached_at"])}


def attachment(a: dict[str, Any], *, detail: bool = True) -> dict[str, Any]:
    out = {"id": a["id"], "status": a["status"], "instance": a["instance"],
           "volume_id": a["volume_id"]}
    if detail:
        out.update({"attached_at": ts(a["attached_at"]), "detached_at": ts(a["detached_at"]),
                    "attach_mode": a["attach_mode"], "connection_info": a["connection_info"]})
    return out


# -- snapshots -------------------------------------------------------------------------------
def snapshot(request: Request, x: dict[str, Any], *, detail: bool = True) -> dict[str, Any]:
    out = {"id": x["id"], "created_at": ts(x["created_at"]), "updated_at": ts(x["updated_at"]),
           "name": x["name"], "description": x["description"], "volume_id": x["volume_id"],
           "status": x["status"], "size": x["size"], "metadata": x["metadata"]}
    if detail:
        out["os-extended-snapshot-attributes:progress"] = x["progress"]
        out["os-extended-snapshot-attributes:project_id"] = x["project_id"]
    version = mv.of(request)
    if version >= (3, 41):
        out["user_id"] = x["user_id"]
    if version >= (3, 65):
        out["consumes_quota"] = True
    return out


# -- backups ---------------------------------------------------------------------------------
def backup(request: Request, ctx: RequestContext, b: dict[str, Any]) -> dict[str, Any]:
    out = {"id": b["id"], "status": b["status"], "size": b["size"],
           "object_count": b["object_count"], "availability_zone": b["availability_zone"],
           "container": b["container"], "created_at": ts(b["created_at"]),
           "updated_at": ts(b["updated_at"]), "name": b["name"],
           "description": b["description"], "fail_reason": b["fail_reason"],
           "volume_id": b["volume_id"], "links": links(request, "backups", b["id"],
                                                       b["project_id"]),
           "is_incremental": b["is_incremental"],
           "has_dependent_backups": b["has_dependent_backups"],
           "snapshot_id": b["snapshot_id"], "data_timestamp": ts(b["data_timestamp"])}
    version = mv.of(request)
    if version >= (3, 18) and ctx.is_admin:
        out["os-backup-project-attr:project_id"] = b["project_id"]
    if version >= (3, 43):
        out["metadata"] = b["metadata"]
    if version >= (3, 56):
        out["user_id"] = b["user_id"]
    if version >= (3, 64):
        out["encryption_key_id"] = None
    return out


def backup_summary(request: Request, b: dict[str, Any], *, metadata: bool = False) -> dict[str, Any]:
    out = {"id": b["id"], "name": b["name"],
           "links": links(request, "backups", b["id"], b["project_id"])}
    if metadata and mv.at_least(request, "3.43"):
        out["metadata"] = b["metadata"]
    return out


# -- volume types ----------------------------------------------------------------------------
def volume_type(ctx: RequestContext, t: dict[str, Any], *, created: bool = False,
                updated: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"id": t["id"], "name": t["name"], "description": t["description"],
                           "is_public": t["is_public"], "extra_specs": t["extra_specs"]}
    if not updated:
        out["os-volume-type-access:is_public"] = t["is_public"]
    if ctx.is_admin and not (created or updated):
        out["qos_specs_id"] = t["qos_specs_id"]
    return out


# -- transfers -------------------------------------------------------------------------------
def transfer(request: Request, t: dict[str, Any], *, detail: bool = True,
             created: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"id": t["id"], "name": t["name"], "volume_id": t["volume_id"],
                           "links": links(request, "os-volume-transfer", t["id"],
                                          t.get("source_project_id"))}
    if detail or created:
        out["created_at"] = ts(t["created_at"])
    if created:
        out["auth_key"] = t["auth_key"]
    version = mv.of(request)
    if (detail or created) and version >= (3, 55):
        out["no_snapshots"] = t["no_snapshots"]
    if (detail or created) and version >= (3, 57):
        out["destination_project_id"] = t["destination_project_id"]
        out["source_project_id"] = t["source_project_id"]
        out["accepted"] = t["accepted"]
    return out


# -- versions --------------------------------------------------------------------------------
def version_doc(request: Request) -> dict[str, Any]:
    return {"id": "v3.0", "status": "CURRENT", "version": mv.MAX_STR,
            "min_version": mv.MIN_STR, "updated": "2023-08-31T00:00:00Z",
            "links": [{"href": root(request) + "/v3/", "rel": "self"},
                      {"href": "https://docs.openstack.org/", "type": "text/html",
                       "rel": "describedby"}],
            "media-types": [{"base": "application/json",
                             "type": "application/vnd.openstack.volume+json;version=3"}]}
