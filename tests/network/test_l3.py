"""Routers (gateway, interfaces, routes) and floating IPs."""

from __future__ import annotations

from typing import Any

import openstack.exceptions as osexc
import pytest

from tests.network.conftest import name, private_net


def test_router_gateway_and_interfaces(admin_conn: Any, demo_conn: Any, demo_raw: Any,
                                       public: Any) -> None:
    net, sub = private_net(demo_conn, "10.70.0.0/24")
    router = demo_conn.network.create_router(name=name(),
                                             external_gateway_info={"network_id": public.id})
    gw = router.external_gateway_info
    assert gw["network_id"] == public.id and gw["enable_snat"] is True
    assert gw["external_fixed_ips"][0]["ip_address"].startswith("198.51.100.")
    raw = demo_raw.ok("GET", f"/routers/{router.id}")["router"]
    assert "distributed" not in raw and "ha" not in raw
    iface = demo_conn.network.add_interface_to_router(router, subnet_id=sub.id)
    port = demo_conn.network.get_port(iface["port_id"])
    assert port.device_owner == "network:router_interface" and port.device_id == router.id
    assert port.fixed_ips == [{"subnet_id": sub.id, "ip_address": "10.70.0.1"}]
    demo_raw.error("PUT", f"/routers/{router.id}/add_router_interface",
                   {"subnet_id": sub.id}, 400)
    routed = demo_conn.network.update_router(router, routes=[
        {"destination": "192.168.50.0/24", "nexthop": "10.70.0.9"}])
    assert routed.routes == [{"destination": "192.168.50.0/24", "nexthop": "10.70.0.9"}]
    demo_raw.error("PUT", f"/routers/{router.id}", {"router": {"routes": [
        {"destination": "192.168.51.0/24", "nexthop": "172.16.0.1"}]}}, 400, "InvalidRoutes")
    demo_raw.error("PUT", f"/routers/{router.id}/remove_router_interface",
                   {"subnet_id": sub.id}, 409, "RouterInterfaceInUseByRoute")
    demo_conn.network.update_router(router, routes=[])
    demo_conn.network.remove_interface_from_router(router, subnet_id=sub.id)
    with pytest.raises(osexc.NotFoundException):
        demo_conn.network.get_port(iface["port_id"])
    demo_conn.network.update_router(router, external_gateway_info={})
    assert demo_conn.network.get_router(router.id).external_gateway_info is None
    demo_conn.network.delete_router(router)
    assert net.id


def test_router_admin_view_and_snat(admin_conn: Any, demo_raw: Any, public: Any) -> None:
    router = admin_conn.network.create_router(
        name=name(), external_gateway_info={"network_id": public.id, "enable_snat": False})
    assert router.is_distributed is False and router.is_ha is False
    assert router.external_gateway_info["enable_snat"] is False
    demo_raw.error("POST", "/routers", {"router": {
        "external_gateway_info": {"network_id": public.id, "enable_snat": False}}}, 403)
    demo_raw.error("POST", "/routers", {"router": {"distributed": True}}, 403)


def test_overlapping_interfaces_refused(demo_conn: Any, demo_raw: Any) -> None:
    _, sub1 = private_net(demo_conn, "10.71.0.0/24")
    _, sub2 = private_net(demo_conn, "10.71.0.0/25")
    router = demo_conn.network.create_router(name=name())
    demo_conn.network.add_interface_to_router(router, subnet_id=sub1.id)
    demo_raw.error("PUT", f"/routers/{router.id}/add_router_interface",
                   {"subnet_id": sub2.id}, 400)


def test_gateway_needs_external_network(demo_conn: Any, demo_raw: Any) -> None:
    net, _ = private_net(demo_conn, "10.72.0.0/24")
    router = demo_conn.network.create_router(name=name())
    demo_raw.error("PUT", f"/routers/{router.id}", {"router": {
        "external_gateway_info": {"network_id": net.id}}}, 400)
    demo_raw.error("PUT", f"/routers/{router.id}", {"router": {
        "external_gateway_info": {"network_id": "6b2d6f8b-9a55-4c1f-9b55-000000000000"}}}, 404)


def test_floating_ips(demo_conn: Any, demo_raw: Any, admin_conn: Any, public: Any) -> None:
    net, sub = private_net(demo_conn, "10.73.0.0/24")
    port = demo_conn.network.create_port(network_id=net.id)
    fip = demo_conn.network.create_ip(floating_network_id=public.id)
    assert fip.floating_ip_address.startswith("198.51.100.") and fip.port_id is None
    err = demo_raw.error("PUT", f"/floatingips/{fip.id}", {"floatingip": {"port_id": port.id}},
                         404, "ExternalGatewayForFloatingIPNotFound")
    assert "not reachable" in err["message"]
    router = demo_conn.network.create_router(name=name(),
                                             external_gateway_info={"network_id": public.id})
    demo_conn.network.add_interface_to_router(router, subnet_id=sub.id)
    fip = demo_conn.network.update_ip(fip, port_id=port.id)
    assert fip.router_id == router.id
    assert fip.fixed_ip_address == port.fixed_ips[0]["ip_address"]
    demo_raw.error("PUT", f"/routers/{router.id}/remove_router_interface",
                   {"subnet_id": sub.id}, 409, "RouterInterfaceInUseByFloatingIP")
    demo_raw.error("PUT", f"/routers/{router.id}", {"router": {"external_gateway_info": {}}},
                   409)
    demo_conn.network.delete_port(port)
    fip = demo_conn.network.get_ip(fip.id)
    assert fip.port_id is None and fip.router_id is None
    demo_raw.error("POST", "/floatingips", {"floatingip": {"floating_network_id": net.id}}, 400)
    # An address of the pool that nothing on the shared public network holds right now
    # (other tests allocate from the same pool at random).
    used = {ip["ip_address"] for p in admin_conn.network.ports(network_id=public.id)
            for ip in p.fixed_ips}
    wanted = next(f"198.51.100.{n}" for n in range(250, 9, -1)
                  if f"198.51.100.{n}" not in used)
    demo_raw.error("POST", "/floatingips", {"floatingip": {
        "floating_network_id": public.id, "floating_ip_address": wanted}}, 403)
    chosen = admin_conn.network.create_ip(floating_network_id=public.id,
                                          floating_ip_address=wanted)
    assert chosen.floating_ip_address == wanted
    admin_raw_conflict = admin_conn.network.post(
        "/floatingips", json={"floatingip": {"floating_network_id": public.id,
                                             "floating_ip_address": wanted}})
    assert admin_raw_conflict.status_code == 409
    demo_conn.network.delete_ip(fip)
    assert fip.id not in {f.id for f in demo_conn.network.ips()}
