"""Pure address arithmetic for IPAM: CIDRs, allocation pools, keys, EUI-64, MACs."""

from __future__ import annotations

import ipaddress
import random
from collections.abc import Iterable
from typing import Any

from pocketstack.common import exceptions as exc

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddr = ipaddress.IPv4Address | ipaddress.IPv6Address

SHIFT = 1 << 63  # offsets are stored shifted so a /64's whole range fits a signed int64
KEY_SPACE = 1 << 64

AUTO_ADDRESS_MODES = ("slaac", "dhcpv6-stateless")
IPV6_MODES = ("dhcpv6-stateful", "dhcpv6-stateless", "slaac")


def bad(message: str, error_type: str = "HTTPBadRequest") -> exc.BadRequest:
    return exc.BadRequest(message, error_type=error_type)


def parse_cidr(value: Any, *, strict: bool = False, field: str = "cidr") -> IPNetwork:
    """A network from 'a.b.c.d/n'. Host bits must be zero when ``strict``."""
    if not isinstance(value, str) or "/" not in value:
        raise bad(f"Invalid input for {field}. Reason: '{value}' is not a valid IP subnet.")
    try:
        net = ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise bad(f"Invalid input for {field}. Reason: '{value}' is not a valid IP subnet.") \
            from None
    if strict and str(net) != _canonical(value):
        raise bad(f"Invalid input for {field}. Reason: '{value}' isn't a recognized IP subnet "
                  f"cidr, '{net}' is recommended.")
    return net


def _canonical(value: str) -> str:
    addr, _, plen = value.partition("/")
    try:
        return f"{ipaddress.ip_address(addr)}/{int(plen)}"
    except ValueError:
        return value


def parse_ip(value: Any, field: str = "ip_address") -> IPAddr:
    if not isinstance(value, str):
        raise bad(f"Invalid input for {field}. Reason: '{value}' is not a valid IP address.")
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        raise bad(f"Invalid input for {field}. Reason: '{value}' is not a valid IP address.") \
            from None


def ip_key(net: IPNetwork, addr: IPAddr) -> int | None:
    """Order key of ``addr`` inside ``net`` (None beyond the first 2**64 addresses)."""
    offset = int(addr) - int(net.network_address)
    if offset < 0 or offset >= KEY_SPACE:
        return None
    return offset - SHIFT


def key_ip(net: IPNetwork, key: int) -> IPAddr:
    return ipaddress.ip_address(int(net.network_address) + key + SHIFT)


def default_gateway(net: IPNetwork) -> IPAddr | None:
    if net.num_addresses < 2 or (net.version == 4 and net.prefixlen >= 32):
        return None
    return ipaddress.ip_address(int(net.network_address) + 1)


def default_pools(net: IPNetwork, gateway: IPAddr | None) -> list[dict[str, str]]:
    """The whole subnet minus network/broadcast (IPv4), the subnet-router anycast address
    (IPv6) and the gateway."""
    first = int(net.network_address) + 1
    last = int(net.broadcast_address) - (1 if net.version == 4 else 0)
    if net.version == 4 and net.prefixlen >= 31:
        first, last = int(net.network_address), int(net.broadcast_address)
    if last < first:
        return []
    ranges = [(first, last)]
    if gateway is not None and first <= int(gateway) <= last:
        g = int(gateway)
        ranges = [(a, b) for a, b in ((first, g - 1), (g + 1, last)) if a <= b]
    return [{"start": str(ipaddress.ip_address(a)), "end": str(ipaddress.ip_address(b))}
            for a, b in ranges]


def parse_pools(pools: Any, net: IPNetwork) -> list[tuple[IPAddr, IPAddr]]:
    """Validated (start, end) pairs inside ``net``, not overlapping each other."""
    if not isinstance(pools, list):
        raise bad(f"Invalid input for allocation_pools. Reason: '{pools}' is not a list.")
    out: list[tuple[IPAddr, IPAddr]] = []
    for pool in pools:
        if not isinstance(pool, dict) or set(pool) != {"start", "end"}:
            raise bad("Invalid input for allocation_pools. Reason: each pool needs exactly "
                      "the keys 'start' and 'end'.")
        start = parse_ip(pool["start"], "allocation_pools")
        end = parse_ip(pool["end"], "allocation_pools")
        if start.version != net.version or end.version != net.version:
            raise bad(f"Invalid input for allocation_pools. Reason: IP version of pool "
                      f"{pool['start']} - {pool['end']} does not match the subnet.")
        if start not in net or end not in net:
            raise bad(f"The allocation pool {start}-{end} spans beyond the subnet cidr {net}.",
                      "OutOfBoundsAllocationPool")
        if int(end) < int(start):
            raise bad(f"The allocation pool {start}-{end} is not valid: the end address comes "
                      "before the start address.", "InvalidAllocationPool")
        out.append((start, end))
    ordered = sorted(out, key=lambda p: int(p[0]))
    for (s1, e1), (s2, e2) in zip(ordered, ordered[1:], strict=False):
        if int(s2) <= int(e1):
            raise bad(f"Found overlapping allocation pools: {s1}-{e1} and {s2}-{e2} for "
                      f"subnet {net}.", "OverlappingAllocationPools")
    return out


def pools_json(pools: Iterable[tuple[IPAddr, IPAddr]]) -> list[dict[str, str]]:
    return [{"start": str(s), "end": str(e)} for s, e in pools]


def pool_pairs(pools: list[dict[str, str]]) -> list[tuple[IPAddr, IPAddr]]:
    return [(ipaddress.ip_address(p["start"]), ipaddress.ip_address(p["end"])) for p in pools]


def in_pools(addr: IPAddr, pools: list[dict[str, str]]) -> bool:
    value = int(addr)
    return any(int(ipaddress.ip_address(p["start"])) <= value
               <= int(ipaddress.ip_address(p["end"])) for p in pools)


def overlaps(a: IPNetwork, b: IPNetwork) -> bool:
    return a.version == b.version and a.overlaps(b)  # type: ignore[arg-type]


def eui64(net: IPNetwork, mac: str) -> IPAddr:
    """The SLAAC address of ``mac`` in a /64 (modified EUI-64)."""
    octets = [int(x, 16) for x in mac.split(":")]
    octets[0] ^= 0x02
    iid = octets[:3] + [0xFF, 0xFE] + octets[3:]
    value = 0
    for b in iid:
        value = (value << 8) | b
    return ipaddress.ip_address(int(net.network_address) | value)


def random_mac(base: str) -> str:
    prefix = base.lower().split(":")[:3]
    tail = [f"{random.randint(0, 255):02x}" for _ in range(3)]
    return ":".join(prefix + tail)


def normalize_mac(value: Any) -> str:
    if not isinstance(value, str):
        raise bad(f"Invalid input for mac_address. Reason: '{value}' is not a valid MAC "
                  "address.")
    parts = value.replace("-", ":").split(":")
    try:
        if len(parts) != 6 or any(len(p) != 2 for p in parts):
            raise ValueError
        octets = [int(p, 16) for p in parts]
    except ValueError:
        raise bad(f"Invalid input for mac_address. Reason: '{value}' is not a valid MAC "
                  "address.") from None
    if octets == [0] * 6 or octets[0] & 1:
        raise bad(f"Invalid input for mac_address. Reason: '{value}' is not a valid MAC "
                  "address.")
    return ":".join(f"{o:02x}" for o in octets)


def is_auto_address(ip_version: int, address_mode: str | None) -> bool:
    return ip_version == 6 and address_mode in AUTO_ADDRESS_MODES
