"""Subnets: IPv4 / IPv6, pools, gateways, DNS, host routes, subnet pools, validation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.network.conftest import name, private_net


def test_ipv4_defaults(admin_conn: Any) -> None:
    _, sub = private_net(admin_conn, "10.30.0.0/24", dns_nameservers=["8.8.8.8", "1.1.1.1"],
                         host_routes=[{"destination": "10.99.0.0/16", "nexthop": "10.30.0.254"}])
    assert sub.gateway_ip == "10.30.0.1"
    assert sub.allocation_pools == [{"start": "10.30.0.2", "end": "10.30.0.254"}]
    assert sub.dns_nameservers == ["8.8.8.8", "1.1.1.1"]
    assert sub.host_routes == [{"destination": "10.99.0.0/16", "nexthop": "10.30.0.254"}]
    assert sub.is_dhcp_enabled and sub.ip_version == 4


def test_no_gateway_and_custom_pools(admin_conn: Any) -> None:
    net = admin_conn.network.create_network(name=name())
    sub = admin_conn.network.create_subnet(
        network_id=net.id, ip_version=4, cidr="10.31.0.0/24", gateway_ip=None,
        allocation_pools=[{"start": "10.31.0.10", "end": "10.31.0.20"},
                          {"start": "10.31.0.30", "end": "10.31.0.40"}])
    assert sub.gateway_ip is None and len(sub.allocation_pools) == 2
    updated = admin_conn.network.update_subnet(sub, gateway_ip="10.31.0.1",
                                               dns_nameservers=["9.9.9.9"])
    assert updated.gateway_ip == "10.31.0.1" and updated.dns_nameservers == ["9.9.9.9"]


def test_ipv6_modes(admin_conn: Any) -> None:
    net = admin_conn.network.create_network(name=name())
    slaac = admin_conn.network.create_subnet(
        network_id=net.id, ip_version=6, cidr="2001:db8:1::/64", ipv6_ra_mode="slaac",
        ipv6_address_mode="slaac")
    assert slaac.gateway_ip == "2001:db8:1::1"
    assert slaac.allocation_pools == [{"start": "2001:db8:1::2",
                                       "end": "2001:db8:1:0:ffff:ffff:ffff:ffff"}]
    port = admin_conn.network.create_port(network_id=net.id, mac_address="fa:16:3e:11:22:33")
    v6 = [f["ip_address"] for f in port.fixed_ips if f["subnet_id"] == slaac.id]
    assert v6 == ["2001:db8:1:0:f816:3eff:fe11:2233"]  # EUI-64 from the MAC
    stateful = admin_conn.network.create_subnet(network_id=net.id, ip_version=6,
                                                cidr="2001:db8:2::/64",
                                                ipv6_address_mode="dhcpv6-stateful")
    assert stateful.ipv6_ra_mode is None
    admin_conn.network.delete_subnet(slaac)  # auto-address subnets go with ports in place
    assert all(f["subnet_id"] != slaac.id
               for f in admin_conn.network.get_port(port.id).fixed_ips)


@pytest.mark.parametrize("subnet, code, etype", [
    ({"cidr": "10.40.0.0/33"}, 400, None),
    ({"cidr": "not-a-cidr"}, 400, None),
    ({"cidr": "10.40.0.5/24"}, 400, None),
    ({"cidr": "2001:db8::/64"}, 400, "InvalidInput"),
    ({"cidr": "10.40.0.0/24", "allocation_pools": [{"start": "10.40.1.1",
                                                     "end": "10.40.1.9"}]},
     400, "OutOfBoundsAllocationPool"),
    ({"cidr": "10.40.0.0/24", "allocation_pools": [{"start": "10.40.0.1",
                                                     "end": "10.40.0.9"}]},
     409, "GatewayConflictWithAllocationPools"),
    ({"cidr": "10.40.0.0/24", "allocation_pools": [
        {"start": "10.40.0.5", "end": "10.40.0.20"}, {"start": "10.40.0.10", "end": "10.40.0.30"}]},
     400, "OverlappingAllocationPools"),
    ({"cidr": "10.40.0.0/24", "allocation_pools": [{"start": "10.40.0.9",
                                                     "end": "10.40.0.5"}]},
     400, "InvalidAllocationPool"),
    ({"cidr": "10.40.0.0/24", "gateway_ip": "10.40.0.0"}, 400, None),
    ({"cidr": "10.40.0.0/24", "dns_nameservers": ["8.8.8.8", "8.8.8.8"]}, 400, None),
    ({"cidr": "10.40.0.0/24", "ip_version": 5}, 400, None),
    ({"cidr": "10.40.0.0/24", "ipv6_address_mode": "slaac"}, 400, None),
])
def test_bad_subnets(admin_conn: Any, admin_raw: Any, subnet: dict[str, Any], code: int,
                     etype: str | None) -> None:
    net = admin_conn.network.create_network(name=name())
    body = {"network_id": net.id, "ip_version": 4, **subnet}
    admin_raw.error("POST", "/subnets", {"subnet": body}, code, etype)
    assert admin_raw.ok("GET", f"/subnets?network_id={net.id}")["subnets"] == []


def test_overlap_within_network(admin_conn: Any, admin_raw: Any) -> None:
    net, _ = private_net(admin_conn, "10.41.0.0/24")
    err = admin_raw.error("POST", "/subnets", {"subnet": {
        "network_id": net.id, "ip_version": 4, "cidr": "10.41.0.128/25"}}, 400)
    assert "overlaps with another subnet" in err["message"]
    other, _ = private_net(admin_conn, "10.41.0.0/24")  # other networks may overlap
    assert other.id


def test_ipv6_invalid_mode_combinations(admin_conn: Any, admin_raw: Any) -> None:
    net = admin_conn.network.create_network(name=name())
    for ra, mode in (("slaac", "dhcpv6-stateful"), ("dhcpv6-stateless", "slaac")):
        admin_raw.error("POST", "/subnets", {"subnet": {
            "network_id": net.id, "ip_version": 6, "cidr": "2001:db8:9::/64",
            "ipv6_ra_mode": ra, "ipv6_address_mode": mode}}, 400)
    admin_raw.error("POST", "/subnets", {"subnet": {
        "network_id": net.id, "ip_version": 6, "cidr": "2001:db8:9::/80",
        "ipv6_address_mode": "slaac"}}, 400)


def test_subnet_in_use(admin_conn: Any, admin_raw: Any) -> None:
    net, sub = private_net(admin_conn, "10.42.0.0/24")
    port = admin_conn.network.create_port(network_id=net.id)
    admin_raw.error("DELETE", f"/subnets/{sub.id}", None, 409, "SubnetInUse")
    admin_conn.network.delete_port(port)
    admin_conn.network.delete_subnet(sub)  # the reserved DHCP port does not hold it


def test_dhcp_port_reserved(admin_conn: Any) -> None:
    net, sub = private_net(admin_conn, "10.43.0.0/24")
    dhcp = list(admin_conn.network.ports(network_id=net.id, device_owner="network:dhcp"))
    assert len(dhcp) == 1 and dhcp[0].fixed_ips == [{"subnet_id": sub.id,
                                                      "ip_address": "10.43.0.2"}]
    assert dhcp[0].device_id == "reserved_dhcp_port"
    admin_conn.network.update_subnet(sub, is_dhcp_enabled=False)
    assert not list(admin_conn.network.ports(network_id=net.id, device_owner="network:dhcp"))


def test_subnet_pools(admin_conn: Any, admin_raw: Any) -> None:
    pool = admin_conn.network.create_subnet_pool(name=name(), prefixes=["10.50.0.0/16"],
                                                 default_prefixlen=24)
    net = admin_conn.network.create_network(name=name())
    cidrs = {admin_conn.network.create_subnet(network_id=net.id, ip_version=4,
                                              subnet_pool_id=pool.id).cidr
             for _ in range(1)}
    other = admin_conn.network.create_network(name=name())
    cidrs.add(admin_conn.network.create_subnet(network_id=other.id, ip_version=4,
                                               subnet_pool_id=pool.id, prefix_length=26).cidr)
    assert cidrs == {"10.50.0.0/24", "10.50.1.0/26"}
    admin_raw.error("POST", "/subnets", {"subnet": {
        "network_id": other.id, "ip_version": 4, "subnetpool_id": pool.id,
        "prefixlen": 8}}, 409, "SubnetAllocationError")
    admin_raw.error("DELETE", f"/subnetpools/{pool.id}", None, 409)
    admin_raw.error("POST", "/subnets", {"subnet": {"network_id": other.id,
                                                    "ip_version": 4}}, 400)
