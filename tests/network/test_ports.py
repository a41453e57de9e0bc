"""Ports: MACs, fixed IPs, address pairs, DHCP options, port security, bindings, and
allocation under concurrency."""

from __future__ import annotations

import ipaddress
import re
import threading
from typing import Any

import openstack.exceptions as osexc
import pytest

from tests.network.conftest import name, private_net


def test_port_defaults(admin_conn: Any, demo_conn: Any) -> None:
    net, sub = private_net(demo_conn, "10.60.0.0/24")
    port = demo_conn.network.create_port(network_id=net.id, name="p")
    assert re.fullmatch(r"fa:16:3e(:[0-9a-f]{2}){3}", port.mac_address)
    assert port.status == "DOWN" and port.is_admin_state_up
    ip = port.fixed_ips[0]["ip_address"]
    assert port.fixed_ips[0]["subnet_id"] == sub.id
    assert ipaddress.ip_address(ip) in ipaddress.ip_network("10.60.0.0/24") and ip != "10.60.0.1"
    default = next(g for g in demo_conn.network.security_groups() if g.name == "default")
    assert port.security_group_ids == [default.id]
    assert port.binding_vnic_type == "normal"
    admin_view = admin_conn.network.get_port(port.id)
    assert admin_view.binding_vif_type == "unbound" and admin_view.binding_host_id == ""


def test_requested_addresses_and_update(admin_conn: Any, admin_raw: Any) -> None:
    net, sub = private_net(admin_conn, "10.61.0.0/24")
    sub2 = admin_conn.network.create_subnet(network_id=net.id, ip_version=4,
                                            cidr="10.61.1.0/24")
    port = admin_conn.network.create_port(network_id=net.id, fixed_ips=[
        {"subnet_id": sub.id, "ip_address": "10.61.0.50"}, {"subnet_id": sub2.id}])
    assert {f["subnet_id"] for f in port.fixed_ips} == {sub.id, sub2.id}
    err = admin_raw.error("POST", "/ports", {"port": {
        "network_id": net.id, "fixed_ips": [{"ip_address": "10.61.0.50"}]}}, 409,
        "IpAddressAlreadyAllocated")
    assert "10.61.0.50" in err["message"]
    admin_raw.error("POST", "/ports", {"port": {
        "network_id": net.id, "fixed_ips": [{"ip_address": "10.99.0.5"}]}}, 400,
        "InvalidIpForNetwork")
    port = admin_conn.network.update_port(port, fixed_ips=[{"subnet_id": sub.id,
                                                            "ip_address": "10.61.0.50"}])
    assert port.fixed_ips == [{"subnet_id": sub.id, "ip_address": "10.61.0.50"}]
    again = admin_conn.network.create_port(network_id=net.id, mac_address="fa:16:3e:aa:bb:cc")
    admin_raw.error("POST", "/ports", {"port": {"network_id": net.id,
                                                "mac_address": again.mac_address}},
                    409, "MacAddressInUse")


def test_address_pairs_dhcp_options_port_security(admin_conn: Any, admin_raw: Any) -> None:
    net, _ = private_net(admin_conn, "10.62.0.0/24")
    port = admin_conn.network.create_port(
        network_id=net.id, allowed_address_pairs=[{"ip_address": "10.62.0.200/32"}],
        extra_dhcp_opts=[{"opt_name": "bootfile-name", "opt_value": "pxelinux.0"}])
    assert port.allowed_address_pairs == [{"ip_address": "10.62.0.200/32",
                                           "mac_address": port.mac_address}]
    assert port.extra_dhcp_opts == [{"opt_name": "bootfile-name", "opt_value": "pxelinux.0",
                                     "ip_version": 4}]
    admin_raw.error("PUT", f"/ports/{port.id}", {"port": {"port_security_enabled": False}},
                    409, "PortSecurityPortHasSecurityGroup")
    bare = admin_conn.network.update_port(port, security_group_ids=[],
                                          allowed_address_pairs=[],
                                          is_port_security_enabled=False)
    assert not bare.is_port_security_enabled and bare.security_group_ids == []
    no_sg = admin_conn.network.create_port(network_id=net.id, security_group_ids=[])
    assert no_sg.security_group_ids == []


def test_binding_attributes_are_admin_only(admin_conn: Any, demo_conn: Any,
                                           demo_raw: Any) -> None:
    net, _ = private_net(demo_conn, "10.63.0.0/24")
    port = demo_conn.network.create_port(network_id=net.id)
    raw = demo_raw.ok("GET", f"/ports/{port.id}")["port"]
    assert "binding:host_id" not in raw and raw["binding:vnic_type"] == "normal"
    demo_raw.error("PUT", f"/ports/{port.id}", {"port": {"binding:host_id": "h1"}}, 403)
    bound = admin_conn.network.update_port(port, binding_host_id="compute-1")
    assert bound.binding_host_id == "compute-1"
    assert bound.binding_vif_type == "binding_failed"  # no L2 agent alive on that host


def test_filters(admin_conn: Any, admin_raw: Any) -> None:
    net, sub = private_net(admin_conn, "10.64.0.0/24")
    port = admin_conn.network.create_port(network_id=net.id, fixed_ips=[
        {"subnet_id": sub.id, "ip_address": "10.64.0.77"}], device_id="dev-1")
    found = admin_raw.ok("GET", "/ports?fixed_ips=ip_address%3D10.64.0.77")["ports"]
    assert [p["id"] for p in found] == [port.id]
    found = admin_raw.ok("GET", "/ports?fixed_ips=ip_address_substr%3D10.64.0.7")["ports"]
    assert port.id in {p["id"] for p in found}
    assert [p.id for p in admin_conn.network.ports(device_id="dev-1")] == [port.id]


def test_hundred_parallel_ports_one_subnet(cloud: Any, admin_conn: Any) -> None:
    net, sub = private_net(admin_conn, "10.65.0.0/24")
    conns = [cloud.connect("admin") for _ in range(10)]
    results: list[Any] = []
    errors: list[BaseException] = []

    def worker(conn: Any) -> None:
        for _ in range(10):
            try:
                results.append(conn.network.create_port(network_id=net.id))
            except BaseException as e:  # noqa: BLE001 - reported below
                errors.append(e)

    threads = [threading.Thread(target=worker, args=(c,)) for c in conns]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    ips = [p.fixed_ips[0]["ip_address"] for p in results]
    macs = [p.mac_address for p in results]
    assert len(results) == 100 and len(set(ips)) == 100 and len(set(macs)) == 100
    assert all(ipaddress.ip_address(ip) in ipaddress.ip_network(sub.cidr) for ip in ips)


def test_full_pool(admin_conn: Any, admin_raw: Any) -> None:
    net = admin_conn.network.create_network(name=name())
    admin_conn.network.create_subnet(network_id=net.id, ip_version=4, cidr="10.66.0.0/24",
                                     is_dhcp_enabled=False, allocation_pools=[
                                         {"start": "10.66.0.10", "end": "10.66.0.14"}])
    ips = {admin_conn.network.create_port(network_id=net.id).fixed_ips[0]["ip_address"]
           for _ in range(5)}
    assert ips == {f"10.66.0.{i}" for i in range(10, 15)}
    err = admin_raw.error("POST", "/ports", {"port": {"network_id": net.id}}, 409,
                          "IpAddressGenerationFailure")
    assert net.id in err["message"]
    assert len(list(admin_conn.network.ports(network_id=net.id))) == 5


def test_router_ports_cannot_be_deleted_directly(admin_conn: Any, admin_raw: Any) -> None:
    _, sub = private_net(admin_conn, "10.67.0.0/24")
    router = admin_conn.network.create_router(name=name())
    iface = admin_conn.network.add_interface_to_router(router, subnet_id=sub.id)
    admin_raw.error("DELETE", f"/ports/{iface['port_id']}", None, 409, "ServicePortInUse")
    with pytest.raises(osexc.ConflictException):
        admin_conn.network.delete_router(router)
    admin_conn.network.remove_interface_from_router(router, subnet_id=sub.id)
    admin_conn.network.delete_router(router)


def test_quota_enforced(admin_conn: Any, demo_conn: Any, demo_raw: Any) -> None:
    project = demo_conn.current_project_id
    admin_conn.network.update_quota(project, networks=1000, ports=1000)
    net, _ = private_net(demo_conn, "10.68.0.0/24")
    used = len(list(demo_conn.network.ports()))
    admin_conn.network.update_quota(project, ports=used + 1)
    try:
        demo_conn.network.create_port(network_id=net.id)
        demo_raw.error("POST", "/ports", {"port": {"network_id": net.id}}, 409, "OverQuota")
    finally:
        admin_conn.network.update_quota(project, ports=-1)
    quota = admin_conn.network.get_quota(project)
    assert quota.ports == -1
    defaults = admin_conn.network.get_quota_default(project)
    assert defaults.ports == 500 and defaults.networks == 100
