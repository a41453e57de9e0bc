"""Request bodies of the Networking API, validated as Neutron's attribute maps do: each
attribute says whether it may be given on POST and PUT, how it converts, and whether
setting it needs admin. Bad input is a 400 with Neutron's message, never a 422."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pocketstack.common import exceptions as exc

Convert = Callable[[str, Any], Any]


def invalid(field: str, reason: str) -> exc.BadRequest:
    return exc.BadRequest(f"Invalid input for {field}. Reason: {reason}.",
                          error_type="HTTPBadRequest")


# -- converters (field name, value) -> value ------------------------------------------------
def string(max_len: int | None = 255) -> Convert:
    def conv(field: str, value: Any) -> Any:
        if not isinstance(value, str):
            raise invalid(field, f"'{value}' is not a valid string")
        if max_len is not None and len(value) > max_len:
            raise invalid(field, f"'{value}' exceeds maximum length of {max_len}")
        return value
    return conv


def nullable(inner: Convert) -> Convert:
    def conv(field: str, value: Any) -> Any:
        return None if value is None else inner(field, value)
    return conv


def boolean(field: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
        return value.strip().lower() in ("true", "1")
    raise invalid(field, f"'{value}' cannot be converted to boolean")


def integer(field: str, value: Any) -> int:
    if isinstance(value, bool):
        raise invalid(field, f"'{value}' is not an integer")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise invalid(field, f"'{value}' is not an integer") from None


def int_or_none(field: str, value: Any) -> int | None:
    return None if value is None else integer(field, value)


def uuid_str(field: str, value: Any) -> str:
    if not isinstance(value, str):
        raise invalid(field, f"'{value}' is not a valid UUID")
    try:
        uuid.UUID(value)
    except ValueError:
        raise invalid(field, f"'{value}' is not a valid UUID") from None
    return value


def uuid_list(field: str, value: Any) -> list[str]:
    if not isinstance(value, list):
        raise invalid(field, f"'{value}' is not a list")
    out = [uuid_str(field, v) for v in value]
    if len(set(out)) != len(out):
        raise invalid(field, f"Duplicate items in the list: '{', '.join(out)}'")
    return out


def list_of(kind: type, name: str) -> Convert:
    def conv(field: str, value: Any) -> Any:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, kind) for v in value):
            raise invalid(field, f"'{value}' is not a list of {name}")
        return value
    return conv


def anything(field: str, value: Any) -> Any:
    return value


def one_of(*allowed: Any, allow_none: bool = False) -> Convert:
    def conv(field: str, value: Any) -> Any:
        if value is None and allow_none:
            return None
        if value not in allowed:
            raise invalid(field, f"'{value}' is not in {list(allowed)}")
        return value
    return conv


def dict_or_none(field: str, value: Any) -> Any:
    if value is not None and not isinstance(value, dict):
        raise invalid(field, f"'{value}' is not a dictionary")
    return value


def tags(field: str, value: Any) -> list[str]:
    if not isinstance(value, list):
        raise invalid(field, f"'{value}' is not a list")
    for t in value:
        if not isinstance(t, str) or not t or len(t) > 255 or "," in t:
            raise invalid(field, f"'{t}' is not a valid tag")
    return list(dict.fromkeys(value))


@dataclass(frozen=True)
class Attr:
    convert: Convert = anything
    post: bool = True
    put: bool = True
    required: bool = False
    admin: bool = False  # setting it (POST or PUT) needs admin


NAME = Attr(string(255))
DESCRIPTION = Attr(string(255))
PROJECT = Attr(string(255), put=False)
TAGS = Attr(tags, put=False)

RESOURCES: dict[str, dict[str, Attr]] = {
    "network": {
        "name": NAME, "description": DESCRIPTION, "project_id": PROJECT, "tenant_id": PROJECT,
        "admin_state_up": Attr(boolean), "shared": Attr(boolean, admin=True),
        "router:external": Attr(boolean, admin=True),
        "provider:network_type": Attr(string(32), admin=True),
        "provider:physical_network": Attr(nullable(string(64)), admin=True),
        "provider:segmentation_id": Attr(int_or_none, admin=True),
        "mtu": Attr(integer), "port_security_enabled": Attr(boolean),
        "availability_zone_hints": Attr(list_of(str, "strings"), put=False), "tags": TAGS,
    },
    "subnet": {
        "name": NAME, "description": DESCRIPTION, "project_id": PROJECT, "tenant_id": PROJECT,
        "network_id": Attr(uuid_str, put=False, required=True),
        "ip_version": Attr(integer, put=False, required=True),
        "cidr": Attr(nullable(string(64)), put=False),
        "prefixlen": Attr(integer, put=False),
        "subnetpool_id": Attr(nullable(string(36)), put=False),
        "use_default_subnetpool": Attr(boolean, put=False),
        "allocation_pools": Attr(anything), "gateway_ip": Attr(nullable(string(64))),
        "enable_dhcp": Attr(boolean), "dns_nameservers": Attr(anything),
        "host_routes": Attr(anything),
        "ipv6_ra_mode": Attr(one_of("dhcpv6-stateful", "dhcpv6-stateless", "slaac",
                                    allow_none=True), put=False),
        "ipv6_address_mode": Attr(one_of("dhcpv6-stateful", "dhcpv6-stateless", "slaac",
                                         allow_none=True), put=False),
        "service_types": Attr(list_of(str, "strings")), "tags": TAGS,
    },
    "port": {
        "name": NAME, "description": DESCRIPTION, "project_id": PROJECT, "tenant_id": PROJECT,
        "network_id": Attr(uuid_str, put=False, required=True),
        "admin_state_up": Attr(boolean), "mac_address": Attr(string(32)),
        "fixed_ips": Attr(anything), "device_id": Attr(string(255)),
        "device_owner": Attr(string(255)), "security_groups": Attr(nullable(uuid_list)),
        "allowed_address_pairs": Attr(anything), "extra_dhcp_opts": Attr(anything),
        "port_security_enabled": Attr(boolean),
        "binding:host_id": Attr(nullable(string(255)), admin=True),
        "binding:profile": Attr(dict_or_none, admin=True),
        "binding:vnic_type": Attr(one_of("normal", "direct", "macvtap", "baremetal",
                                         "direct-physical", "virtio-forwarder", "smart-nic",
                                         "remote-managed", "vdpa")),
        "tags": TAGS,
    },
    "router": {
        "name": NAME, "description": DESCRIPTION, "project_id": PROJECT, "tenant_id": PROJECT,
        "admin_state_up": Attr(boolean), "external_gateway_info": Attr(dict_or_none),
        "routes": Attr(anything, post=False), "distributed": Attr(boolean, admin=True),
        "ha": Attr(boolean, admin=True),
        "availability_zone_hints": Attr(list_of(str, "strings"), put=False), "tags": TAGS,
    },
    "floatingip": {
        "description": DESCRIPTION, "project_id": PROJECT, "tenant_id": PROJECT,
        "floating_network_id": Attr(uuid_str, put=False, required=True),
        "floating_ip_address": Attr(nullable(string(64)), put=False, admin=True),
        "subnet_id": Attr(nullable(uuid_str), put=False),
        "port_id": Attr(nullable(uuid_str)),
        "fixed_ip_address": Attr(nullable(string(64))), "tags": TAGS,
    },
    "security_group": {
        "name": NAME, "description": DESCRIPTION, "project_id": PROJECT, "tenant_id": PROJECT,
        "stateful": Attr(boolean), "tags": TAGS,
    },
    "security_group_rule": {
        "description": DESCRIPTION, "project_id": PROJECT, "tenant_id": PROJECT,
        "security_group_id": Attr(string(36), put=False, required=True),
        "direction": Attr(one_of("ingress", "egress"), put=False, required=True),
        "ethertype": Attr(anything, put=False), "protocol": Attr(anything, put=False),
        "port_range_min": Attr(anything, put=False), "port_range_max": Attr(anything, put=False),
        "remote_ip_prefix": Attr(anything, put=False),
        "remote_group_id": Attr(nullable(string(255)), put=False),
    },
    "subnetpool": {
        "name": NAME, "description": DESCRIPTION, "project_id": PROJECT, "tenant_id": PROJECT,
        "prefixes": Attr(list_of(str, "strings")), "default_prefixlen": Attr(integer),
        "min_prefixlen": Attr(integer), "max_prefixlen": Attr(integer),
        "shared": Attr(boolean, put=False, admin=True), "is_default": Attr(boolean, admin=True),
        "default_quota": Attr(int_or_none), "address_scope_id": Attr(nullable(string(36))),
        "tags": TAGS,
    },
    "rbac_policy": {
        "project_id": PROJECT, "tenant_id": PROJECT,
        "object_type": Attr(string(32), put=False, required=True),
        "object_id": Attr(string(36), put=False, required=True),
        "action": Attr(string(32), put=False, required=True),
        "target_tenant": Attr(string(255)), "target_project": Attr(string(255)),
    },
    "agent": {
        "admin_state_up": Attr(boolean, post=False), "description": Attr(nullable(string(255)),
                                                                         post=False),
    },
}

PLURALS = {"network": "networks", "subnet": "subnets", "port": "ports", "router": "routers",
           "floatingip": "floatingips", "security_group": "security_groups",
           "security_group_rule": "security_group_rules", "subnetpool": "subnetpools",
           "rbac_policy": "rbac_policies", "agent": "agents"}


def parse(resource: str, body: Any, *, update: bool = False,
          bulk: bool = False) -> list[dict[str, Any]]:
    """The resource(s) in a request body, converted; a list (bulk POST gives several)."""
    plural = PLURALS[resource]
    if not isinstance(body, dict):
        raise exc.BadRequest("Resource body required", error_type="HTTPBadRequest")
    if bulk and plural in body and not update:
        items = body[plural]
        if not isinstance(items, list) or not items:
            raise exc.BadRequest("Resources required", error_type="HTTPBadRequest")
    elif resource in body:
        items = [body[resource]]
    else:
        raise exc.BadRequest(f"Unable to find '{resource}' in request body",
                             error_type="HTTPBadRequest")
    return [_one(resource, item, update) for item in items]


def _one(resource: str, item: Any, update: bool) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise exc.BadRequest(f"Invalid input for {resource}: not a dictionary",
                             error_type="HTTPBadRequest")
    spec = RESOURCES[resource]
    unknown = [k for k in item if k not in spec]
    if unknown:
        raise exc.BadRequest(f"Unrecognized attribute(s) '{', '.join(sorted(unknown))}'",
                             error_type="HTTPBadRequest")
    out: dict[str, Any] = {}
    for key, value in item.items():
        attr = spec[key]
        if update and not attr.put:
            raise exc.BadRequest(f"Cannot update read-only attribute {key}",
                                 error_type="HTTPBadRequest")
        if not update and not attr.post:
            raise exc.BadRequest(f"Attribute '{key}' not allowed in POST",
                                 error_type="HTTPBadRequest")
        out[key] = attr.convert(key, value)
    if not update:
        missing = [k for k, a in spec.items() if a.required and k not in out]
        if missing:
            raise exc.BadRequest(f"Failed to parse request. Required attribute '{missing[0]}' "
                                 "not specified", error_type="HTTPBadRequest")
    if "tenant_id" in out:
        tenant = out.pop("tenant_id")
        if out.get("project_id", tenant) != tenant:
            raise exc.BadRequest("Request contains conflicting tenant_id and project_id",
                                 error_type="HTTPBadRequest")
        out["project_id"] = tenant
    return out


def admin_attributes(resource: str, data: dict[str, Any]) -> list[str]:
    spec = RESOURCES[resource]
    return [k for k in data if spec[k].admin]
