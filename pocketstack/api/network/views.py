"""Neutron's JSON for each resource. Admin-only attributes are left out for other callers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pocketstack.common.context import RequestContext
from pocketstack.common.timeutils import iso


def _ts(dt: datetime | None) -> str | None:
    """2016-03-08T20:19:41Z; the database hands back UTC, formatted the cheap way."""
    if dt is None:
        return None
    if dt.tzinfo is not None and dt.utcoffset():
        return iso(dt, micro=False)
    return dt.replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def _std(obj: Any, tags: list[str] | None = None) -> dict[str, Any]:
    out = {"description": obj.description or "", "created_at": _ts(obj.created_at),
           "updated_at": _ts(obj.updated_at), "revision_number": obj.revision_number}
    if tags is not None:
        out["tags"] = tags
    return out


def _owner(project_id: str) -> dict[str, str]:
    return {"tenant_id": project_id, "project_id": project_id}


def network(v: Any, ctx: RequestContext) -> dict[str, Any]:
    n = v.network
    out: dict[str, Any] = {
        "id": n.id, "name": n.name, **_owner(n.project_id), "admin_state_up": n.admin_state_up,
        "mtu": n.mtu, "status": n.status, "subnets": v.subnet_ids, "shared": v.shared,
        "availability_zone_hints": n.availability_zone_hints or [],
        "availability_zones": [], "router:external": n.router_external,
        "port_security_enabled": n.port_security_enabled, "l2_adjacency": True,
        **_std(n, v.tags),
    }
    if ctx.is_admin:
        seg = v.segments[0] if v.segments else None
        out["provider:network_type"] = seg.network_type if seg else None
        out["provider:physical_network"] = seg.physical_network if seg else None
        out["provider:segmentation_id"] = seg.segmentation_id if seg else None
    return out


def subnet(v: Any) -> dict[str, Any]:
    x = v.subnet
    return {
        "id": x.id, "name": x.name, **_owner(x.project_id), "network_id": x.network_id,
        "ip_version": x.ip_version, "cidr": x.cidr, "gateway_ip": x.gateway_ip,
        "enable_dhcp": x.enable_dhcp, "ipv6_ra_mode": x.ipv6_ra_mode,
        "ipv6_address_mode": x.ipv6_address_mode, "subnetpool_id": x.subnetpool_id,
        "allocation_pools": x.allocation_pools or [], "dns_nameservers": x.dns_nameservers or [],
        "host_routes": x.host_routes or [], "service_types": x.service_types or [],
        **_std(x, v.tags),
    }


def port(v: Any, ctx: RequestContext) -> dict[str, Any]:
    p = v.port
    out: dict[str, Any] = {
        "id": p.id, "name": p.name, "network_id": p.network_id, **_owner(p.project_id),
        "mac_address": p.mac_address, "admin_state_up": p.admin_state_up, "status": p.status,
        "device_id": p.device_id, "device_owner": p.device_owner,
        "fixed_ips": [{"subnet_id": a.subnet_id, "ip_address": a.ip_address}
                      for a in v.fixed_ips],
        "allowed_address_pairs": p.allowed_address_pairs or [],
        "extra_dhcp_opts": p.extra_dhcp_opts or [], "security_groups": v.security_groups,
        "port_security_enabled": p.port_security_enabled,
        "binding:vnic_type": p.binding_vnic_type, **_std(p, v.tags),
    }
    if ctx.is_admin:
        out["binding:host_id"] = p.binding_host_id or ""
        out["binding:profile"] = p.binding_profile or {}
        out["binding:vif_type"] = p.binding_vif_type
        out["binding:vif_details"] = p.binding_vif_details or {}
    return out


def router(v: Any, ctx: RequestContext) -> dict[str, Any]:
    r = v.router
    gateway = None
    if r.gw_network_id:
        gateway = {"network_id": r.gw_network_id, "enable_snat": r.enable_snat,
                   "external_fixed_ips": [{"subnet_id": a.subnet_id, "ip_address": a.ip_address}
                                          for a in v.gateway_ips]}
    out: dict[str, Any] = {
        "id": r.id, "name": r.name, **_owner(r.project_id), "admin_state_up": r.admin_state_up,
        "status": r.status, "external_gateway_info": gateway, "routes": r.routes or [],
        "availability_zone_hints": r.availability_zone_hints or [], "availability_zones": [],
        **_std(r, v.tags),
    }
    if ctx.is_admin:
        out["distributed"] = r.distributed
        out["ha"] = r.ha
    return out


def floatingip(v: Any) -> dict[str, Any]:
    f, p = v.fip, v.port
    details = None
    if p is not None:
        details = {"name": p.name, "network_id": p.network_id, "mac_address": p.mac_address,
                   "admin_state_up": p.admin_state_up, "status": p.status,
                   "device_id": p.device_id, "device_owner": p.device_owner}
    return {
        "id": f.id, **_owner(f.project_id), "floating_network_id": f.floating_network_id,
        "floating_ip_address": f.floating_ip_address, "router_id": f.router_id,
        "port_id": f.fixed_port_id, "fixed_ip_address": f.fixed_ip_address, "status": f.status,
        "port_details": details, **_std(f, v.tags),
    }


def security_group_rule(r: Any) -> dict[str, Any]:
    return {
        "id": r.id, **_owner(r.project_id), "security_group_id": r.security_group_id,
        "direction": r.direction, "ethertype": r.ethertype, "protocol": r.protocol,
        "port_range_min": r.port_range_min, "port_range_max": r.port_range_max,
        "remote_ip_prefix": r.remote_ip_prefix, "remote_group_id": r.remote_group_id,
        "normalized_cidr": r.normalized_cidr, **_std(r),
    }


def security_group(v: Any) -> dict[str, Any]:
    g = v.group
    return {"id": g.id, "name": g.name, **_owner(g.project_id), "stateful": g.stateful,
            "security_group_rules": [security_group_rule(r) for r in v.rules],
            **_std(g, v.tags)}


def subnetpool(pool: Any, tags: list[str]) -> dict[str, Any]:
    return {
        "id": pool.id, "name": pool.name, **_owner(pool.project_id),
        "ip_version": pool.ip_version, "prefixes": pool.prefixes,
        "default_prefixlen": pool.default_prefixlen, "min_prefixlen": pool.min_prefixlen,
        "max_prefixlen": pool.max_prefixlen, "shared": pool.shared,
        "is_default": pool.is_default, "default_quota": pool.default_quota,
        "address_scope_id": pool.address_scope_id, **_std(pool, tags),
    }


def rbac_policy(p: Any) -> dict[str, Any]:
    return {"id": p.id, **_owner(p.project_id), "object_type": p.object_type,
            "object_id": p.object_id, "target_tenant": p.target_project,
            "target_project": p.target_project, "action": p.action}


def _agent_ts(dt: datetime | None) -> str | None:
    return dt.strftime("%Y-%m-%d %H:%M:%S") if dt else None


def agent(a: Any, alive: bool) -> dict[str, Any]:
    return {
        "id": a.id, "agent_type": a.agent_type, "binary": a.binary, "topic": a.topic,
        "host": a.host, "admin_state_up": a.admin_state_up, "alive": alive,
        "availability_zone": a.availability_zone, "configurations": a.configurations or {},
        "resource_versions": a.resource_versions or {}, "description": a.description,
        "resources_synced": a.resources_synced, "created_at": _agent_ts(a.created_at),
        "started_at": _agent_ts(a.started_at),
        "heartbeat_timestamp": _agent_ts(a.heartbeat_timestamp),
    }
