"""Security group rule validation and normalisation, as Neutron does it (pure functions)."""

from __future__ import annotations

import hashlib
import ipaddress
from typing import Any

from pocketstack.common import exceptions as exc

PROTOCOLS = {
    "ah": 51, "dccp": 33, "egp": 8, "esp": 50, "gre": 47, "hopopt": 0, "icmp": 1, "igmp": 2,
    "ipip": 4, "ipv6-encap": 41, "ipv6-frag": 44, "ipv6-icmp": 58, "icmpv6": 58,
    "ipv6-nonxt": 59, "ipv6-opts": 60, "ipv6-route": 43, "ospf": 89, "pgm": 113, "rsvp": 46,
    "sctp": 132, "tcp": 6, "udp": 17, "udplite": 136, "vrrp": 112,
}
PORT_PROTOCOLS = {6, 17, 33, 132, 136}
ICMP_PROTOCOLS = {1, 58}


def bad(msg: str, error_type: str) -> exc.BadRequest:
    return exc.BadRequest(msg, error_type=error_type)


def ethertype(value: Any) -> str:
    if value is None:
        return "IPv4"
    if isinstance(value, str) and value.lower() in ("ipv4", "ipv6"):
        return "IPv4" if value.lower() == "ipv4" else "IPv6"
    raise bad(f"Invalid input for ethertype. Reason: '{value}' is not in ['IPv4', 'IPv6'].",
              "HTTPBadRequest")


def protocol(value: Any) -> str | None:
    """A known name (kept as given) or a number 0-255 (as a string); None for any."""
    if value is None or (isinstance(value, str) and value.lower() in ("any", "")):
        return None
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        number = int(value)
        if 0 <= number <= 255:
            return str(number)
    elif isinstance(value, str) and value.lower() in PROTOCOLS:
        return value.lower()
    names = sorted(PROTOCOLS)
    raise bad(f"Security group rule protocol {value} not supported. Only protocol values "
              f"{names} and integer representations [0 to 255] are supported.",
              "SecurityGroupRuleInvalidProtocol")


def protocol_number(proto: str | None) -> int | None:
    if proto is None:
        return None
    return int(proto) if proto.isdigit() else PROTOCOLS[proto]


def port_value(value: Any) -> int | None:
    if value is None:
        return None
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        number = int(value.strip())
    if number is None or not 0 <= number <= 65535:
        raise bad(f"Invalid value for port {value}", "SecurityGroupInvalidPortValue")
    return number


def ports(proto: str | None, pmin: int | None, pmax: int | None) -> None:
    number = protocol_number(proto)
    if pmin is None and pmax is None:
        return
    if number is None:
        raise bad("Must also specify protocol if port range is given.",
                  "SecurityGroupProtocolRequiredWithPorts")
    if number in PORT_PROTOCOLS:
        if pmin is None or pmax is None or pmin > pmax:
            raise bad("For TCP/UDP protocols, port_range_min must be <= port_range_max",
                      "SecurityGroupInvalidPortRange")
        if pmin == 0 or pmax == 0:
            raise bad("Invalid value for port 0", "SecurityGroupInvalidPortValue")
        return
    if number in ICMP_PROTOCOLS:
        for field, attr, value in (("type", "port_range_min", pmin),
                                   ("code", "port_range_max", pmax)):
            if value is not None and not 0 <= value <= 255:
                raise bad(f"Invalid value for ICMP {field} ({attr}) {value}. It must be 0 to "
                          "255.", "SecurityGroupInvalidIcmpValue")
        if pmin is None and pmax is not None:
            raise bad(f"ICMP code (port-range-max) {pmax} is provided but ICMP type "
                      "(port-range-min) is missing.", "SecurityGroupMissingIcmpType")
        return
    raise bad("Invalid protocol for port range, only supported for TCP, UDP, UDPLITE, SCTP and "
              "DCCP", "SecurityGroupInvalidProtocolForPortRange")


def remote_prefix(value: Any, ether: str) -> tuple[str | None, str | None]:
    """(the prefix as given, its normalised CIDR)."""
    if value is None:
        return None, None
    try:
        if not isinstance(value, str):
            raise ValueError
        net = ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise bad(f"Invalid input for remote_ip_prefix. Reason: '{value}' is not a valid IP "
                  "subnet or address.", "HTTPBadRequest") from None
    if f"IPv{net.version}" != ether:
        raise bad(f"Conflicting value ethertype {ether} for CIDR {value}",
                  "SecurityGroupRuleParameterConflict")
    return value, str(net)


def ethertype_protocol(ether: str, proto: str | None) -> None:
    if ether == "IPv4" and proto in ("ipv6-icmp", "icmpv6", "ipv6-encap", "ipv6-frag",
                                     "ipv6-nonxt", "ipv6-opts", "ipv6-route"):
        raise bad(f"Protocol {proto} is not supported with ethertype IPv4",
                  "SecurityGroupEthertypeConflictWithProtocol")


def fingerprint(rule: dict[str, Any]) -> str:
    """What makes two rules the same, for duplicate detection (a unique column)."""
    proto = protocol_number(rule.get("protocol"))
    cidr = rule.get("normalized_cidr")
    if cidr in ("0.0.0.0/0", "::/0"):
        cidr = None
    parts = [rule["direction"], rule["ethertype"], proto, rule.get("port_range_min"),
             rule.get("port_range_max"), cidr, rule.get("remote_group_id")]
    return hashlib.sha256(repr(parts).encode()).hexdigest()
