"""Servers as the Compute API shows them, field by field per microversion.

``server()`` builds the show / list-detail form; ``kind`` 'update' and 'rebuild' give the
smaller form PUT and rebuild answered with before 2.75 (and the full one since)."""

from __future__ import annotations

import hashlib
from typing import Any

from pocketstack.api.compute.links import bookmark, links
from pocketstack.common.context import RequestContext
from pocketstack.common.timeutils import iso
from pocketstack.services.compute import states as S
from pocketstack.services.compute.servers import ServerRecord


def stamp(dt: Any) -> str | None:
    return iso(dt, micro=False) if dt is not None else None


def micro(dt: Any) -> str | None:
    return iso(dt, micro=True)[:-1] if dt is not None else None  # type: ignore[index]


def host_id(project_id: str, host: str | None) -> str:
    if not host:
        return ""
    return hashlib.sha224((project_id + host).encode()).hexdigest()


def brief(rec: ServerRecord, base: str) -> dict[str, Any]:
    return {"id": rec.inst.id, "name": rec.inst.name, "links": links(base, "servers",
                                                                      rec.inst.id)}


def addresses(network_info: list[dict[str, Any]], extended: bool) -> dict[str, Any]:
    out: dict[str, list[dict[str, Any]]] = {}
    for nic in network_info or []:
        items = out.setdefault(nic.get("network_name") or nic.get("network_id", ""), [])
        for ip in nic.get("ips", []):
            entry: dict[str, Any] = {"version": ip["version"], "addr": ip["address"]}
            if extended:
                entry["OS-EXT-IPS:type"] = "fixed"
                entry["OS-EXT-IPS-MAC:mac_addr"] = nic.get("mac")
            items.append(entry)
        for fip in nic.get("floating", []):
            entry = {"version": 6 if ":" in fip else 4, "addr": fip}
            if extended:
                entry["OS-EXT-IPS:type"] = "floating"
                entry["OS-EXT-IPS-MAC:mac_addr"] = nic.get("mac")
            items.append(entry)
    return out


def _image(rec: ServerRecord, base: str, mv: int) -> Any:
    inst = rec.inst
    if not inst.image_ref:
        return ""
    out: dict[str, Any] = {"id": inst.image_ref, "links": bookmark(base, "images",
                                                                   inst.image_ref)}
    if mv >= 98:
        props = (inst.system_metadata or {}).get("image", {})
        out["properties"] = {k: (None if v is None else str(v)[:255])
                             for k, v in props.items()}
    return out


def _flavor(rec: ServerRecord, base: str, mv: int) -> dict[str, Any]:
    fl = rec.inst.flavor or {}
    if mv < 47:
        return {"id": rec.inst.flavor_id, "links": bookmark(base, "flavors", rec.inst.flavor_id)}
    return {"vcpus": fl.get("vcpus", rec.inst.vcpus), "ram": fl.get("ram", rec.inst.memory_mb),
            "disk": fl.get("disk", rec.inst.root_gb), "ephemeral": fl.get("ephemeral", 0),
            "swap": fl.get("swap", 0), "original_name": fl.get("name", ""),
            "extra_specs": dict(fl.get("extra_specs", {}))}


def _fault(rec: ServerRecord, ctx: RequestContext, status: str) -> dict[str, Any] | None:
    fault = rec.inst.fault
    if not fault or status not in ("ERROR", "DELETED"):
        return None
    out = {"code": fault.get("code", 500), "created": fault.get("created"),
           "message": fault.get("message", "")}
    if ctx.is_admin or out["code"] != 500:
        out["details"] = fault.get("details") or ""
    return out


def server(rec: ServerRecord, ctx: RequestContext, base: str, mv: int, *,
           kind: str = "show", admin_pass: str | None = None) -> dict[str, Any]:
    inst = rec.inst
    full = kind in ("show", "list") or mv >= 75
    status = S.status(inst.vm_state, inst.task_state)
    out: dict[str, Any] = {
        "id": inst.id, "name": inst.name, "status": status, "tenant_id": inst.project_id,
        "user_id": inst.user_id, "metadata": dict(inst.metadata_ or {}),
        "hostId": host_id(inst.project_id, inst.host), "image": _image(rec, base, mv),
        "flavor": _flavor(rec, base, mv), "created": stamp(inst.created_at),
        "updated": stamp(inst.updated_at),
        "addresses": addresses(inst.network_info, full),
        "accessIPv4": inst.access_ip_v4 or "", "accessIPv6": inst.access_ip_v6 or "",
        "links": links(base, "servers", inst.id), "OS-DCF:diskConfig": inst.disk_config,
    }
    if status in S.PROGRESS_STATUSES:
        out["progress"] = inst.progress or 0
    fault = _fault(rec, ctx, status)
    if fault is not None:
        out["fault"] = fault
    if full:
        _extended(out, rec, ctx, mv, kind)
    _versioned(out, rec, mv, kind)
    if kind == "rebuild":
        if mv >= 54:
            out["key_name"] = inst.key_name
        if mv >= 57:
            out["user_data"] = inst.user_data
        if admin_pass is not None:
            out["adminPass"] = admin_pass
    return out


def _extended(out: dict[str, Any], rec: ServerRecord, ctx: RequestContext, mv: int,
              kind: str) -> None:
    inst = rec.inst
    out["key_name"] = inst.key_name
    if inst.security_groups:
        out["security_groups"] = [{"name": n} for n in inst.security_groups]
    out["OS-SRV-USG:launched_at"] = micro(inst.launched_at)
    out["OS-SRV-USG:terminated_at"] = micro(inst.terminated_at)
    out["OS-EXT-AZ:availability_zone"] = inst.availability_zone or ""
    out["OS-EXT-STS:task_state"] = inst.task_state
    out["OS-EXT-STS:vm_state"] = inst.vm_state
    out["OS-EXT-STS:power_state"] = inst.power_state
    vols = [{"id": v} if mv < 3 else {"id": v, "delete_on_termination": dot}
            for v, dot in rec.volumes]
    out["os-extended-volumes:volumes_attached"] = vols
    out["config_drive"] = inst.config_drive or ""
    if ctx.is_admin:
        out["OS-EXT-SRV-ATTR:host"] = inst.host
        out["OS-EXT-SRV-ATTR:instance_name"] = f"instance-{inst.id[:8]}"
        out["OS-EXT-SRV-ATTR:hypervisor_hostname"] = inst.node
        if mv >= 3:
            out.update({"OS-EXT-SRV-ATTR:reservation_id": inst.reservation_id,
                        "OS-EXT-SRV-ATTR:launch_index": inst.launch_index,
                        "OS-EXT-SRV-ATTR:kernel_id": "", "OS-EXT-SRV-ATTR:ramdisk_id": "",
                        "OS-EXT-SRV-ATTR:hostname": inst.hostname,
                        "OS-EXT-SRV-ATTR:root_device_name": inst.root_device_name})
            if not (kind == "rebuild" and mv >= 75):
                out["OS-EXT-SRV-ATTR:user_data"] = inst.user_data
        if mv >= 16:
            out["host_status"] = _host_status(inst)
    elif mv >= 90:
        out["OS-EXT-SRV-ATTR:hostname"] = inst.hostname


def _host_status(inst: Any) -> str:
    if not inst.host:
        return ""
    return "UP"


def _versioned(out: dict[str, Any], rec: ServerRecord, mv: int, kind: str) -> None:
    inst = rec.inst
    if mv >= 9:
        out["locked"] = bool(inst.locked)
    if mv >= 19:
        out["description"] = inst.description
    if mv >= 26:
        out["tags"] = list(rec.tags)
    if mv >= 63:
        out["trusted_image_certificates"] = inst.trusted_certs
    if mv >= 71 and kind in ("show", "update", "rebuild"):
        out["server_groups"] = [rec.group] if rec.group else []
    if mv >= 73:
        out["locked_reason"] = inst.locked_reason
    if mv >= 96:
        out["pinned_availability_zone"] = inst.pinned_availability_zone
    if mv >= 100:
        out["scheduler_hints"] = dict(inst.scheduler_hints or {})


def detail_list(recs: list[ServerRecord], ctx: RequestContext, base: str, mv: int
                ) -> list[dict[str, Any]]:
    out = []
    for rec in recs:
        out.append(server(rec, ctx, base, mv, kind="list"))
    return out
