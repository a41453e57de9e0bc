"""Validation of subnet attributes, as Neutron does it (pure functions, no database)."""

from __future__ import annotations

import ipaddress
from typing import Any

from pocketstack.common import exceptions as exc
from pocketstack.services.network import addresses as A


def ip_version(value: Any) -> int:
    if value not in (4, 6):
        raise A.bad(f"Invalid input for ip_version. Reason: '{value}' is not in [4, 6].")
    return int(value)


def cidr_for(value: str, version: int) -> A.IPNetwork:
    net = A.parse_cidr(value, strict=True)
    if net.version != version:
        raise A.bad(f"Invalid input for operation: Cidr {value} does not match the IP version "
                    f"{version}.", "InvalidInput")
    if net.version == 4 and net.prefixlen == 0:
        raise A.bad("Invalid input for operation: 0 is not allowed as CIDR prefix length.",
                    "InvalidInput")
    return net


def gateway(value: Any, net: A.IPNetwork) -> A.IPAddr | None:
    if value is None:
        return None
    gw = A.parse_ip(value, "gateway_ip")
    if gw.version != net.version:
        raise A.bad(f"Invalid input for gateway_ip. Reason: '{value}' is not a valid IP "
                    "address for this subnet's IP version.")
    if net.version == 4 and net.prefixlen < 31 and gw in (net.network_address,
                                                           net.broadcast_address):
        raise A.bad(f"Gateway is not valid on subnet: gateway {gw} is the network or broadcast "
                    f"address of {net}.", "InvalidInput")
    return gw


def pools(value: Any, net: A.IPNetwork, gw: A.IPAddr | None) -> list[dict[str, str]]:
    """Given pools checked against the subnet and its gateway, or the default pools."""
    if value is None:
        return A.default_pools(net, gw)
    pairs = A.parse_pools(value, net)
    first = int(net.network_address) + 1
    last = int(net.broadcast_address) - (1 if net.version == 4 else 0)
    if net.version == 4 and net.prefixlen >= 31:
        first, last = int(net.network_address), int(net.broadcast_address)
    for start, end in pairs:
        if int(start) < first or int(end) > last:
            raise A.bad(f"The allocation pool {start}-{end} spans beyond the subnet cidr {net}.",
                        "OutOfBoundsAllocationPool")
    if gw is not None:
        check_gateway_outside(gw, pairs)
    return A.pools_json(pairs)


def check_gateway_outside(gw: A.IPAddr, pairs: list[tuple[A.IPAddr, A.IPAddr]]) -> None:
    for start, end in pairs:
        if int(start) <= int(gw) <= int(end):
            raise exc.Conflict(f"Gateway ip {gw} conflicts with allocation pool {start}-{end}.",
                               error_type="GatewayConflictWithAllocationPools")


def nameservers(value: Any, limit: int, subnet_label: str = "subnet") -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise A.bad(f"Invalid input for dns_nameservers. Reason: '{value}' is not a list.")
    out: list[str] = []
    for item in value:
        addr = str(A.parse_ip(item, "dns_nameservers"))
        if addr in out:
            raise A.bad(f"Invalid input for dns_nameservers. Reason: Duplicate nameserver "
                        f"'{item}'.")
        out.append(addr)
    if len(out) > limit:
        raise A.bad(f"Unable to complete operation for {subnet_label}. The number of DNS "
                    f"nameservers exceeds the limit {limit}.", "DNSNameServersExhausted")
    return out


def host_routes(value: Any, version: int, limit: int, subnet_label: str = "subnet"
                ) -> list[dict[str, str]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise A.bad(f"Invalid input for host_routes. Reason: '{value}' is not a list.")
    out: list[dict[str, str]] = []
    for route in value:
        if not isinstance(route, dict) or set(route) != {"destination", "nexthop"}:
            raise A.bad(f"Invalid input for host_routes. Reason: Validation of dictionary's "
                        f"keys failed for '{route}'.")
        dest = A.parse_cidr(route["destination"], field="host_routes")
        hop = A.parse_ip(route["nexthop"], "host_routes")
        if dest.version != version or hop.version != version:
            raise A.bad(f"Invalid input for host_routes. Reason: the route {route} does not "
                        f"match IP version {version}.")
        entry = {"destination": str(dest), "nexthop": str(hop)}
        if entry in out:
            raise A.bad(f"Invalid input for host_routes. Reason: Duplicate hostroute '{route}'.")
        out.append(entry)
    if len(out) > limit:
        raise A.bad(f"Unable to complete operation for {subnet_label}. The number of host "
                    f"routes exceeds the limit {limit}.", "HostRoutesExhausted")
    return out


def ipv6_modes(version: int, ra: str | None, addr: str | None, dhcp: bool,
               net: A.IPNetwork | None) -> None:
    if version == 4:
        for name, value in (("ipv6_ra_mode", ra), ("ipv6_address_mode", addr)):
            if value is not None:
                raise A.bad(f"Invalid input for operation: {name} is not valid when ip_version "
                            "is 4.", "InvalidInput")
        return
    if ra and addr and ra != addr:
        raise A.bad(f"Invalid input for operation: ipv6_ra_mode set to '{ra}' with "
                    f"ipv6_address_mode set to '{addr}' is not valid. If both attributes are "
                    "set, they must be the same value.", "InvalidInput")
    if not dhcp and (ra or addr):
        raise A.bad("Invalid input for operation: ipv6_ra_mode or ipv6_address_mode cannot be "
                    "set when enable_dhcp is set to False.", "InvalidInput")
    auto = ra in A.AUTO_ADDRESS_MODES or addr in A.AUTO_ADDRESS_MODES
    if auto and net is not None and net.prefixlen != 64:
        raise A.bad(f"Invalid input for operation: Invalid CIDR {net} for IPv6 address mode. "
                    "OpenStack uses the EUI-64 address format, which requires the prefix to "
                    "be /64.", "InvalidInput")


def overlap(net: A.IPNetwork, others: list[Any], network_id: str) -> None:
    for other in others:
        if A.overlaps(net, ipaddress.ip_network(other.cidr)):
            raise A.bad(f"Invalid input for operation: Requested subnet with cidr: {net} for "
                        f"network: {network_id} overlaps with another subnet.", "InvalidInput")
