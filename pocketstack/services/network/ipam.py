"""IP address management: turn a port's fixed_ips request into allocations.

Free addresses are found without loading the pool: a few random probes answered by one
indexed query, then (for dense pools) an index walk for the first gap. The unique key
(network_id, ip_address) makes a double allocation impossible; a lost race is retried by
the transaction runner.
"""

from __future__ import annotations

import ipaddress
import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.db.models.network import IPAllocation, Subnet
from pocketstack.db.repositories.network.subnets import AllocationRepo
from pocketstack.services.network import addresses as A

PROBES = 8
INTERFACE_OWNERS = ("network:router_interface", "network:router_interface_distributed",
                    "network:ha_router_replicated_interface")
ROUTER_OWNERS = (*INTERFACE_OWNERS, "network:router_gateway")


@dataclass
class Wanted:
    subnet: Subnet
    ip: A.IPAddr | None = None  # None: any free address (or the EUI-64 one on SLAAC)


def exhausted(network_id: str) -> exc.Conflict:
    return exc.Conflict(f"No more IP addresses available on network {network_id}.",
                        error_type="IpAddressGenerationFailure")


class IPAM:
    # -- requests -------------------------------------------------------------------------
    def resolve(self, network_id: str, subnets: list[Subnet], fixed_ips: Any,
                device_owner: str) -> list[Wanted]:
        """What a create/update asks for; None means 'automatic', as Neutron does it."""
        if fixed_ips is None:
            return self._automatic(subnets, device_owner)
        if not isinstance(fixed_ips, list):
            raise A.bad(f"Invalid input for fixed_ips. Reason: '{fixed_ips}' is not a list.")
        by_id = {s.id: s for s in subnets}
        out: list[Wanted] = []
        for item in fixed_ips:
            out.append(self._one(network_id, subnets, by_id, item, device_owner))
        seen = [(w.subnet.id, str(w.ip)) for w in out if w.ip is not None]
        if len(seen) != len(set(seen)):
            raise A.bad("Invalid input for fixed_ips. Reason: Duplicate IP address requested.")
        return out

    def _automatic(self, subnets: list[Subnet], device_owner: str) -> list[Wanted]:
        if device_owner in INTERFACE_OWNERS:
            return []
        usable = [s for s in subnets if self._serves(s, device_owner)]
        out = [Wanted(s) for s in usable if A.is_auto_address(s.ip_version, s.ipv6_address_mode)]
        v4 = [s for s in usable if s.ip_version == 4]
        v6 = [s for s in usable if s.ip_version == 6
              and not A.is_auto_address(6, s.ipv6_address_mode)]
        out += [Wanted(s) for s in (v4[:1] + v6[:1])]
        return out

    @staticmethod
    def _serves(subnet: Subnet, device_owner: str) -> bool:
        types = subnet.service_types or []
        return not types or device_owner in types

    def _one(self, network_id: str, subnets: list[Subnet], by_id: dict[str, Subnet], item: Any,
             device_owner: str) -> Wanted:
        if not isinstance(item, dict) or not set(item) <= {"subnet_id", "ip_address"} or \
                not item:
            raise A.bad(f"Invalid input for fixed_ips. Reason: '{item}' is not a valid fixed "
                        "IP request.")
        subnet = None
        if item.get("subnet_id") is not None:
            subnet = by_id.get(item["subnet_id"])
            if subnet is None:
                raise A.bad(f"Invalid input for operation: Failed to create port on network "
                            f"{network_id}, because fixed_ips included invalid subnet "
                            f"{item['subnet_id']}.", "InvalidInput")
        ip = None
        if item.get("ip_address") is not None:
            ip = A.parse_ip(item["ip_address"], "fixed_ips")
            if subnet is None:
                subnet = self._subnet_for(network_id, subnets, ip)
            elif ip not in ipaddress.ip_network(subnet.cidr):
                raise A.bad(f"IP address {ip} is not a valid IP for the specified subnet.",
                            "InvalidIpForSubnet")
            self._check_explicit(subnet, ip, device_owner)
        if subnet is None:
            raise A.bad("Invalid input for fixed_ips. Reason: a subnet_id or ip_address is "
                        "required.")
        return Wanted(subnet, ip)

    @staticmethod
    def _subnet_for(network_id: str, subnets: list[Subnet], ip: A.IPAddr) -> Subnet:
        for s in subnets:
            if ip in ipaddress.ip_network(s.cidr):
                return s
        raise A.bad(f"IP address {ip} is not a valid IP for any of the subnets on the "
                    "specified network.", "InvalidIpForNetwork")

    @staticmethod
    def _check_explicit(subnet: Subnet, ip: A.IPAddr, device_owner: str) -> None:
        net = ipaddress.ip_network(subnet.cidr)
        if net.version == 4 and net.prefixlen < 31 and ip in (net.network_address,
                                                              net.broadcast_address):
            raise A.bad(f"IP address {ip} is not a valid IP for the specified subnet.",
                        "InvalidIpForSubnet")
        if A.is_auto_address(subnet.ip_version, subnet.ipv6_address_mode) and \
                device_owner not in ROUTER_OWNERS:
            raise A.bad(f"IPv6 address {ip} cannot be directly assigned to a port on subnet "
                        f"{subnet.id} as the subnet is configured for automatic addresses.",
                        "InvalidInput")

    # -- allocation ------------------------------------------------------------------------
    def allocate(self, s: Session, network_id: str, port_id: str, mac: str,
                 wanted: list[Wanted], device_owner: str = "", *,
                 lowest: bool = False) -> list[IPAllocation]:
        """Allocate what ``wanted`` asks for; automatic addresses are random free ones, or
        with ``lowest`` the first free one (the DHCP port, as a DHCP agent's port takes)."""
        repo = AllocationRepo(s)
        out = []
        for w in wanted:
            net = ipaddress.ip_network(w.subnet.cidr)
            ip = w.ip
            if ip is None and A.is_auto_address(w.subnet.ip_version, w.subnet.ipv6_address_mode) \
                    and device_owner not in INTERFACE_OWNERS:
                ip = A.eui64(net, mac)
            if ip is None:
                ip = self._free(repo, network_id, w.subnet, net, lowest)
            else:
                self._ensure_free(repo, network_id, w.subnet, ip)
            alloc = IPAllocation(network_id=network_id, ip_address=str(ip), port_id=port_id,
                                 subnet_id=w.subnet.id, ip_key=A.ip_key(net, ip))
            s.add(alloc)
            out.append(alloc)
        s.flush()
        return out

    @staticmethod
    def _ensure_free(repo: AllocationRepo, network_id: str, subnet: Subnet,
                     ip: A.IPAddr) -> None:
        if repo.owner_of(network_id, str(ip)) is not None:
            raise exc.Conflict(f"IP address {ip} already allocated in subnet {subnet.id}",
                               error_type="IpAddressAlreadyAllocated")

    def _free(self, repo: AllocationRepo, network_id: str, subnet: Subnet,
              net: A.IPNetwork, lowest: bool = False) -> A.IPAddr:
        ranges = self._key_ranges(subnet, net)
        if not ranges:
            raise exhausted(network_id)
        if lowest:
            return self._first(repo, network_id, subnet, net, ranges)
        total = sum(hi - lo + 1 for lo, hi in ranges)
        probes = []
        for _ in range(min(PROBES, total)):
            pick = random.randrange(total)
            for lo, hi in ranges:
                size = hi - lo + 1
                if pick < size:
                    probes.append(lo + pick)
                    break
                pick -= size
        taken = repo.taken_keys(subnet.id, probes)
        for key in probes:
            if key not in taken:
                return A.key_ip(net, key)
        return self._first(repo, network_id, subnet, net, ranges)

    @staticmethod
    def _first(repo: AllocationRepo, network_id: str, subnet: Subnet, net: A.IPNetwork,
               ranges: list[tuple[int, int]]) -> A.IPAddr:
        for lo, hi in ranges:
            key = repo.first_gap(subnet.id, lo, hi)
            if key is not None and key <= hi:
                return A.key_ip(net, key)
        raise exhausted(network_id)

    @staticmethod
    def _key_ranges(subnet: Subnet, net: A.IPNetwork) -> list[tuple[int, int]]:
        out = []
        top = A.KEY_SPACE - 1 - A.SHIFT
        for pool in subnet.allocation_pools or []:
            lo = A.ip_key(net, ipaddress.ip_address(pool["start"]))
            hi = A.ip_key(net, ipaddress.ip_address(pool["end"]))
            if lo is None:
                continue
            out.append((lo, top if hi is None else hi))
        return out
