"""Neutron's default policy, simplified: reading needs any role in the project, changing
needs the member role (admin implies it); some attributes may only be set by admins."""

from __future__ import annotations

from typing import Any

from pocketstack.api.network.schemas import admin_attributes
from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext

# Values an admin-only attribute may take from anyone (its default).
HARMLESS: dict[str, Any] = {"shared": False, "router:external": False, "distributed": False,
                            "ha": False, "provider:network_type": None,
                            "provider:physical_network": None,
                            "provider:segmentation_id": None, "binding:host_id": None,
                            "binding:profile": None, "is_default": False,
                            "floating_ip_address": None}


def denied(rule: str) -> exc.Forbidden:
    return exc.Forbidden(f"({rule}) is disallowed by policy", error_type="PolicyNotAuthorized")


def writer(ctx: RequestContext, action: str) -> None:
    """Mutations need the member role (or admin); a reader-only token is refused."""
    if not (ctx.is_admin or ctx.has_role("member")):
        raise denied(f"rule:{action}")


def admin(ctx: RequestContext, action: str) -> None:
    if not ctx.is_admin:
        raise denied(f"rule:{action}")


def attributes(ctx: RequestContext, action: str, resource: str,
               items: list[dict[str, Any]]) -> None:
    """Refuse admin-only attributes (set to anything but their default) from others."""
    writer(ctx, f"{action}_{resource}")
    if ctx.is_admin:
        return
    for data in items:
        for key in admin_attributes(resource, data):
            if key in HARMLESS and data[key] == HARMLESS[key]:
                continue
            raise denied(f"rule:{action}_{resource}:{key}")
        gateway = data.get("external_gateway_info")
        if resource == "router" and isinstance(gateway, dict):
            if gateway.get("enable_snat") is not None or any(
                    isinstance(f, dict) and f.get("ip_address")
                    for f in gateway.get("external_fixed_ips") or []):
                raise denied(f"rule:{action}_router:external_gateway_info:enable_snat")
