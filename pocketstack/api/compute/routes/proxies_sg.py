"""Security groups through the old compute API (until 2.35): /os-security-groups,
/os-security-group-rules, and a server's groups (/servers/{id}/os-security-groups)."""

from __future__ import annotations

import ipaddress
import uuid
from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse, Response

from pocketstack.api.common.auth import authenticated
from pocketstack.api.compute.routes._common import V, accepted, compute, ok, params
from pocketstack.api.compute.routes.proxies import gate
from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext

router = APIRouter(prefix=V)


def _rule(r: Any, groups: dict[str, Any]) -> dict[str, Any]:
    proto = r.protocol
    lo, hi = r.port_range_min, r.port_range_max
    if proto in ("tcp", "udp") and lo is None:
        lo, hi = 1, 65535
    elif proto == "icmp" and lo is None:
        lo, hi = -1, -1
    group: dict[str, Any] = {}
    ip_range: dict[str, Any] = {}
    if r.remote_group_id:
        g = groups.get(r.remote_group_id)
        group = {"name": g.name if g else "", "tenant_id": g.project_id if g else ""}
    else:
        ip_range = {"cidr": r.remote_ip_prefix or ("::/0" if r.ethertype == "IPv6"
                                                   else "0.0.0.0/0")}
    return {"id": r.id, "parent_group_id": r.security_group_id, "ip_protocol": proto,
            "from_port": lo, "to_port": hi, "group": group, "ip_range": ip_range}


def _group(view: Any, groups: dict[str, Any]) -> dict[str, Any]:
    g = view.group
    return {"id": g.id, "name": g.name, "description": g.description or "",
            "tenant_id": g.project_id,
            "rules": [_rule(r, groups) for r in view.rules if r.direction == "ingress"]}


def _names(request: Request, ctx: RequestContext, views: list[Any]) -> dict[str, Any]:
    ids = [r.remote_group_id for v in views for r in v.rules if r.remote_group_id]
    return compute(request).proxies.group_names(ctx, ids) if ids else {}


def _check_text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise exc.BadRequest(f"Security group {what} is not a string or unicode")
    if not value.strip():
        raise exc.BadRequest(f"Security group {what} cannot be empty.")
    if len(value.strip()) > 255:
        raise exc.BadRequest(f"Security group {what} should not be greater than 255 "
                             "characters.")
    return value


def _body(payload: Any) -> tuple[str, str]:
    data = payload.get("security_group") if isinstance(payload, dict) else None
    if not isinstance(data, dict):
        raise exc.BadRequest("The request body is invalid: 'security_group' is expected.")
    return _check_text(data.get("name"), "name"), _check_text(data.get("description"),
                                                              "description")


@router.get("/os-security-groups")
def groups(request: Request, ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    gate(request)
    all_tenants = params(request).get("all_tenants") not in (None, "0", "false", "False")
    found = compute(request).proxies.security_groups(ctx, all_tenants)
    names = _names(request, ctx, found)
    return ok({"security_groups": [_group(v, names) for v in found]})


@router.post("/os-security-groups")
def create_group(request: Request, payload: Any = Body(None),
                 ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    gate(request)
    name, description = _body(payload)
    view = compute(request).proxies.create_security_group(ctx, name, description)
    return ok({"security_group": _group(view, {})})


@router.get("/os-security-groups/{sg_id}")
def group(request: Request, sg_id: str,
          ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    gate(request)
    view = compute(request).proxies.security_group(ctx, sg_id)
    return ok({"security_group": _group(view, _names(request, ctx, [view]))})


@router.put("/os-security-groups/{sg_id}")
def update_group(request: Request, sg_id: str, payload: Any = Body(None),
                 ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    gate(request)
    name, description = _body(payload)
    view = compute(request).proxies.update_security_group(ctx, sg_id, name, description)
    return ok({"security_group": _group(view, _names(request, ctx, [view]))})


@router.delete("/os-security-groups/{sg_id}")
def delete_group(request: Request, sg_id: str,
                 ctx: RequestContext = Depends(authenticated)) -> Response:
    gate(request)
    compute(request).proxies.delete_security_group(ctx, sg_id)
    return accepted()


def _port(value: Any, name: str) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise exc.BadRequest(f"Invalid input for {name}. Value: {value}.") from None


def _uuid(value: Any, what: str) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise exc.BadRequest(f"Invalid {what}: security group ids are UUIDs ({value}).") \
            from None


def _rule_data(payload: Any) -> dict[str, Any]:
    data = payload.get("security_group_rule") if isinstance(payload, dict) else None
    if not isinstance(data, dict) or not data.get("parent_group_id"):
        raise exc.BadRequest("The request body is invalid: 'parent_group_id' is required.")
    _uuid(data["parent_group_id"], "parent_group_id")
    if data.get("group_id"):
        _uuid(data["group_id"], "group_id")
    proto = data.get("ip_protocol")
    proto = str(proto).lower() if proto is not None else None
    lo, hi = _port(data.get("from_port"), "from_port"), _port(data.get("to_port"), "to_port")
    if proto not in (None, "tcp", "udp", "icmp") and not str(proto).isdigit():
        raise exc.BadRequest(f"Invalid IP protocol {proto}.")
    if proto in ("tcp", "udp"):
        if lo is None or hi is None or not (1 <= lo <= hi <= 65535):
            raise exc.BadRequest(f"Invalid port range {lo}:{hi}. Valid TCP ports should be "
                                 "between 1-65535")
    elif proto == "icmp" and (lo is not None or hi is not None):
        if not (-1 <= (lo or 0) <= 255 and -1 <= (hi or 0) <= 255):
            raise exc.BadRequest(f"Type and Code must be integers for ICMP protocol type: "
                                 f"{lo}:{hi}")
        lo, hi = (None, None) if lo == -1 else (lo, hi if hi != -1 else None)
    cidr = data.get("cidr")
    if cidr:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            raise exc.BadRequest(f"Invalid cidr {cidr}.") from None
    return {"parent_group_id": str(data["parent_group_id"]), "ip_protocol": proto,
            "from_port": lo, "to_port": hi, "cidr": cidr,
            "group_id": str(data["group_id"]) if data.get("group_id") else None}


@router.post("/os-security-group-rules")
def create_rule(request: Request, payload: Any = Body(None),
                ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    gate(request)
    data = _rule_data(payload)
    proxies = compute(request).proxies
    rule = proxies.create_rule(ctx, data)
    names = proxies.group_names(ctx, [rule.remote_group_id]) if rule.remote_group_id else {}
    return ok({"security_group_rule": _rule(rule, names)})


@router.delete("/os-security-group-rules/{rule_id}")
def delete_rule(request: Request, rule_id: str,
                ctx: RequestContext = Depends(authenticated)) -> Response:
    gate(request)
    compute(request).proxies.delete_rule(ctx, rule_id)
    return accepted()


@router.get("/servers/{server_id}/os-security-groups")
def server_groups(request: Request, server_id: str,
                  ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    found = compute(request).extras.security_groups(ctx, server_id)
    names = _names(request, ctx, found)
    return ok({"security_groups": [_group(v, names) for v in found]})
