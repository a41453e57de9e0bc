"""Port attribute validation: allowed address pairs, extra DHCP options, bindings."""

from __future__ import annotations

import ipaddress
from typing import Any

from pocketstack.common import exceptions as exc
from pocketstack.db.models.network import Agent
from pocketstack.services.network import addresses as A

MAX_ADDRESS_PAIRS = 10
L2_AGENT_TYPES = ("Linux bridge agent", "Open vSwitch agent", "pocketstack L2 agent")


def address_pairs(value: Any, port_mac: str) -> list[dict[str, str]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise A.bad(f"Invalid input for allowed_address_pairs. Reason: '{value}' is not a list.")
    out: list[dict[str, str]] = []
    for pair in value:
        if not isinstance(pair, dict) or "ip_address" not in pair or \
                not set(pair) <= {"ip_address", "mac_address"}:
            raise A.bad("Invalid input for allowed_address_pairs. Reason: each pair needs an "
                        "ip_address and may have a mac_address.", "AllowedAddressPairsMissingIP")
        ip = pair["ip_address"]
        try:
            if not isinstance(ip, str):
                raise ValueError
            ipaddress.ip_network(ip, strict=False) if "/" in ip else ipaddress.ip_address(ip)
        except ValueError:
            raise A.bad(f"Invalid input for allowed_address_pairs. Reason: '{ip}' is not a "
                        "valid IP address or subnet.") from None
        mac = A.normalize_mac(pair["mac_address"]) if pair.get("mac_address") else port_mac
        entry = {"ip_address": ip, "mac_address": mac}
        if entry in out:
            raise A.bad("Invalid input for allowed_address_pairs. Reason: Duplicate address "
                        "pair found.", "DuplicateAddressPairInRequest")
        out.append(entry)
    if len(out) > MAX_ADDRESS_PAIRS:
        raise A.bad(f"The number of allowed address pair exceeds the maximum "
                    f"{MAX_ADDRESS_PAIRS}.", "AllowedAddressPairExhausted")
    return out


def dhcp_opts(value: Any, current: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """New options merged over ``current`` by (name, ip_version); a null value removes one."""
    if value is None:
        return [] if current is None else list(current)
    if not isinstance(value, list):
        raise A.bad(f"Invalid input for extra_dhcp_opts. Reason: '{value}' is not a list.")
    merged = {(o["opt_name"], o["ip_version"]): o for o in (current or [])}
    for opt in value:
        if not isinstance(opt, dict) or "opt_name" not in opt or \
                not set(opt) <= {"opt_name", "opt_value", "ip_version"}:
            raise A.bad(f"Invalid input for extra_dhcp_opts. Reason: '{opt}' is not a valid "
                        "option.", "ExtraDhcpOptBadData")
        name, val = opt["opt_name"], opt.get("opt_value")
        version = opt.get("ip_version", 4)
        if isinstance(version, str) and version.isdigit():
            version = int(version)
        if version not in (4, 6) or not isinstance(name, str) or not name:
            raise A.bad(f"Invalid input for extra_dhcp_opts. Reason: '{opt}' is not a valid "
                        "option.", "ExtraDhcpOptBadData")
        if val is None:
            if current is None:
                raise A.bad(f"Invalid input for extra_dhcp_opts. Reason: option {name} has no "
                            "value.", "ExtraDhcpOptBadData")
            merged.pop((name, version), None)
            continue
        merged[(name, version)] = {"opt_name": name, "opt_value": str(val),
                                   "ip_version": version}
    return list(merged.values())


def binding(host: str, agents: list[Agent], down_after: float, now: float
            ) -> tuple[str, dict[str, Any]]:
    """(vif_type, vif_details) for a port bound to ``host``: an alive L2 agent there binds
    it; with none, ML2 reports binding_failed."""
    if not host:
        return "unbound", {}
    for agent in agents:
        alive = now - agent.heartbeat_timestamp.timestamp() <= down_after
        if agent.host == host and agent.agent_type in L2_AGENT_TYPES and alive and \
                agent.admin_state_up:
            conf = agent.configurations or {}
            return (str(conf.get("vif_type", "bridge")),
                    dict(conf.get("vif_details", {"port_filter": True,
                                                  "connectivity": "l2"})))
    return "binding_failed", {}


def require_port_security(enabled: bool, sgs: list[str], pairs: list[dict[str, str]]) -> None:
    if enabled:
        return
    if sgs:
        raise exc.Conflict("Port has security group associated. Cannot disable port security "
                           "or ip address until security group is removed",
                           error_type="PortSecurityPortHasSecurityGroup")
    if pairs:
        raise exc.Conflict("Port Security must be enabled in order to have allowed address "
                           "pairs on a port.", error_type="AddressPairAndPortSecurityRequired")
