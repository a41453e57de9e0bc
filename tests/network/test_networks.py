"""Networks and provider segments through openstacksdk, plus their error bodies."""

from __future__ import annotations

import threading
from typing import Any

import openstack.exceptions as osexc
import pytest

from tests.network.conftest import name, private_net


def test_create_show_update_delete(admin_conn: Any) -> None:
    net = admin_conn.network.create_network(name=name(), description="d1")
    assert net.status == "ACTIVE" and net.is_admin_state_up
    assert net.mtu == 1450  # VXLAN: 1500 less 50
    assert net.provider_network_type == "vxlan" and net.provider_segmentation_id >= 1
    assert net.revision_number == 1 and net.created_at.endswith("Z")
    assert net.is_port_security_enabled and not net.is_shared and not net.is_router_external
    updated = admin_conn.network.update_network(net, name="renamed", description="d2")
    assert updated.name == "renamed" and updated.revision_number == 2
    assert admin_conn.network.get_network(net.id).description == "d2"
    admin_conn.network.delete_network(net)
    with pytest.raises(osexc.NotFoundException):
        admin_conn.network.get_network(net.id)


def test_provider_networks(admin_conn: Any, admin_raw: Any) -> None:
    vlan = admin_conn.network.create_network(name=name(), provider_network_type="vlan",
                                             provider_physical_network="physnet1",
                                             provider_segmentation_id=3001)
    assert (vlan.provider_network_type, vlan.provider_segmentation_id, vlan.mtu) == \
        ("vlan", 3001, 1500)
    err = admin_raw.error("POST", "/networks", {"network": {
        "provider:network_type": "vlan", "provider:physical_network": "physnet1",
        "provider:segmentation_id": 3001}}, 409, "VlanIdInUse")
    assert "3001" in err["message"]
    auto = admin_conn.network.create_network(name=name(), provider_network_type="vlan",
                                             provider_physical_network="physnet1")
    assert 1000 <= auto.provider_segmentation_id <= 2999
    gre = admin_conn.network.create_network(name=name(), provider_network_type="gre")
    assert gre.mtu == 1458 and 1 <= gre.provider_segmentation_id <= 1000
    local = admin_conn.network.create_network(name=name(), provider_network_type="local")
    assert local.provider_segmentation_id is None
    found = admin_raw.ok("GET", "/networks?provider:network_type=gre&provider:segmentation_id="
                         f"{gre.provider_segmentation_id}")["networks"]
    assert [n["id"] for n in found] == [gre.id]


@pytest.mark.parametrize("body, code, etype", [
    ({"provider:network_type": "vxlan", "provider:segmentation_id": 16777216}, 400, None),
    ({"provider:network_type": "vlan", "provider:physical_network": "physnet1",
      "provider:segmentation_id": 4095}, 400, None),
    ({"provider:network_type": "flat"}, 400, None),
    ({"provider:network_type": "flat", "provider:physical_network": "p",
      "provider:segmentation_id": 3}, 400, None),
    ({"provider:network_type": "vxlan", "provider:physical_network": "physnet1"}, 400, None),
    ({"provider:network_type": "bogus"}, 400, None),
    ({"provider:segmentation_id": 5}, 400, None),
    ({"mtu": 9000}, 400, None),
    ({"admin_state_up": "maybe"}, 400, None),
    ({"unknown_attr": 1}, 400, None),
])
def test_bad_network_input(admin_raw: Any, body: dict[str, Any], code: int,
                           etype: str | None) -> None:
    before = len(admin_raw.ok("GET", "/networks")["networks"])
    admin_raw.error("POST", "/networks", {"network": body}, code, etype)
    assert len(admin_raw.ok("GET", "/networks")["networks"]) == before


def test_flat_network_in_use(admin_raw: Any) -> None:
    body = {"network": {"provider:network_type": "flat",
                        "provider:physical_network": "physnet-flat-x"}}
    admin_raw.ok("POST", "/networks", body, 201)
    admin_raw.error("POST", "/networks", body, 409, "FlatNetworkInUse")


def test_admin_only_attributes(demo_conn: Any, demo_raw: Any) -> None:
    demo_raw.error("POST", "/networks", {"network": {"router:external": True}}, 403)
    demo_raw.error("POST", "/networks", {"network": {"shared": True}}, 403)
    demo_raw.error("POST", "/networks", {"network": {"provider:network_type": "vxlan"}}, 403)
    net = demo_raw.ok("POST", "/networks", {"network": {"name": name(), "shared": False}},
                      201)["network"]
    assert "provider:network_type" not in net and "provider:segmentation_id" not in net
    demo_conn.network.delete_network(net["id"])


def test_concurrent_creates_get_distinct_segments(cloud: Any) -> None:
    ids: list[int] = []
    errors: list[BaseException] = []

    def create() -> None:
        try:
            conn = cloud.connect("admin")
            for _ in range(5):
                ids.append(conn.network.create_network(name=name()).provider_segmentation_id)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=create) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(ids) == 40 and len(set(ids)) == 40


def test_tenant_isolation(admin_conn: Any, demo_conn: Any, demo_raw: Any) -> None:
    private, sub = private_net(admin_conn, "10.20.0.0/24")
    assert private.id not in {n.id for n in demo_conn.network.networks()}
    demo_raw.error("GET", f"/networks/{private.id}", None, 404, "NetworkNotFound")
    demo_raw.error("PUT", f"/networks/{private.id}", {"network": {"name": "x"}}, 404)
    demo_raw.error("DELETE", f"/networks/{private.id}", None, 404)
    demo_raw.error("GET", f"/subnets/{sub.id}", None, 404, "SubnetNotFound")
    demo_raw.error("POST", "/ports", {"port": {"network_id": private.id}}, 404)
    demo_raw.error("POST", "/subnets", {"subnet": {"network_id": private.id, "ip_version": 4,
                                                   "cidr": "10.99.0.0/24"}}, 404)
    assert admin_conn.network.get_network(private.id).name == private.name


def test_shared_network_and_rbac(admin_conn: Any, demo_conn: Any, demo_raw: Any) -> None:
    net, sub = private_net(admin_conn, "10.21.0.0/24")
    demo_project = demo_conn.current_project_id
    policy = admin_conn.network.create_rbac_policy(
        object_type="network", object_id=net.id, action="access_as_shared",
        target_project_id=demo_project)
    seen = demo_conn.network.get_network(net.id)
    assert seen.is_shared
    port = demo_conn.network.create_port(network_id=net.id)
    assert port.fixed_ips[0]["subnet_id"] == sub.id
    with pytest.raises(osexc.ConflictException):
        admin_conn.network.delete_rbac_policy(policy)
    demo_conn.network.delete_port(port)
    admin_conn.network.delete_rbac_policy(policy)
    demo_raw.error("GET", f"/networks/{net.id}", None, 404)
    admin_conn.network.update_network(net, is_shared=True)
    assert net.id in {n.id for n in demo_conn.network.networks(is_shared=True)}


def test_network_in_use(admin_conn: Any, admin_raw: Any) -> None:
    net, _ = private_net(admin_conn, "10.22.0.0/24")
    port = admin_conn.network.create_port(network_id=net.id)
    err = admin_raw.error("DELETE", f"/networks/{net.id}", None, 409, "NetworkInUse")
    assert "ports still in use" in err["message"]
    admin_conn.network.delete_port(port)
    admin_conn.network.delete_network(net)  # its subnet and DHCP port go with it


def test_tags_and_filters(admin_conn: Any, admin_raw: Any) -> None:
    net = admin_conn.network.create_network(name=name())
    admin_conn.network.set_tags(net, ["red", "blue"])
    assert sorted(admin_conn.network.get_network(net.id).tags) == ["blue", "red"]
    found = admin_raw.ok("GET", "/networks?tags=red,blue")["networks"]
    assert net.id in {n["id"] for n in found}
    assert net.id not in {n["id"] for n in admin_raw.ok("GET", "/networks?not-tags=red")
                          ["networks"]}
    admin_raw.ok("PUT", f"/networks/{net.id}/tags/green", None, 201)
    admin_raw.ok("GET", f"/networks/{net.id}/tags/green", None, 204)
    admin_raw.ok("DELETE", f"/networks/{net.id}/tags/green", None, 204)
    admin_raw.error("GET", f"/networks/{net.id}/tags/green", None, 404)
    admin_raw.error("GET", "/networks?bogus_filter=1", None, 400)


def test_fields_sorting_pagination(admin_conn: Any, admin_raw: Any) -> None:
    prefix = name()
    for i in range(5):
        admin_conn.network.create_network(name=f"{prefix}-{i}")
    body = admin_raw.ok("GET", f"/networks?name={prefix}-1&fields=id&fields=name")
    assert [sorted(n) for n in body["networks"]] == [["id", "name"]]
    mine = [n for n in admin_raw.ok("GET", "/networks?sort_key=name&sort_dir=desc")
            ["networks"] if n["name"].startswith(prefix)]
    assert [n["name"] for n in mine] == [f"{prefix}-{i}" for i in (4, 3, 2, 1, 0)]
    seen: list[str] = []
    url = "/networks?limit=2&sort_key=id"
    while True:
        page = admin_raw.ok("GET", url)
        seen += [n["id"] for n in page["networks"]]
        nxt = [lk for lk in page.get("networks_links", []) if lk["rel"] == "next"]
        if not nxt:
            break
        url = nxt[0]["href"].split("/v2.0", 1)[1]
    assert seen == sorted(seen) and len(seen) == len(set(seen))
    assert len(seen) == len(admin_raw.ok("GET", "/networks")["networks"])


def test_versions_and_extensions(admin_raw: Any, cloud: Any) -> None:
    import requests

    root = requests.get(cloud.url + "/networking/", timeout=10).json()
    assert root["versions"][0]["id"] == "v2.0"
    aliases = {e["alias"] for e in admin_raw.ok("GET", "/extensions")["extensions"]}
    assert {"router", "external-net", "provider", "security-group", "quotas", "agent",
            "binding", "allowed-address-pairs", "extra_dhcp_opt", "extraroute"} <= aliases
    assert admin_raw.ok("GET", "/extensions/router")["extension"]["alias"] == "router"
    admin_raw.error("GET", "/extensions/metering", None, 404)
