"""Servers through openstacksdk: boot on a network, list / detail / show, ports bound
through the Networking service and cleaned up on delete, update, metadata and tags."""

from __future__ import annotations

from typing import Any

import openstack.exceptions as oe


def test_boot_list_show_delete(admin_conn: Any, image: Any, network: Any, unique: str) -> None:
    c = admin_conn.compute
    server = c.create_server(name=unique, image_id=image.id, flavor_id="1",
                             networks=[{"uuid": network.id}])
    server = c.wait_for_server(server, status="ACTIVE", wait=30)
    assert server.status == "ACTIVE" and server.power_state == 1
    assert server.hypervisor_hostname and server.compute_host
    assert [s.id for s in c.servers(name=unique)] == [server.id]
    assert any(s.id == server.id for s in c.servers(details=True))
    addrs = server.addresses["compute-shared"]
    assert addrs and addrs[0]["OS-EXT-IPS:type"] == "fixed"
    ports = list(admin_conn.network.ports(device_id=server.id))
    assert len(ports) == 1
    port = ports[0]
    assert port.status == "ACTIVE" and port.device_owner == "compute:nova"
    assert port.binding_host_id == server.compute_host
    assert port.fixed_ips[0]["ip_address"] == addrs[0]["addr"]
    c.delete_server(server)
    c.wait_for_delete(server, wait=30)
    assert list(admin_conn.network.ports(device_id=server.id)) == []
    assert c.find_server(server.id) is None


def test_update_metadata_tags(admin_conn: Any, boot: Any, admin_raw: Any, unique: str) -> None:
    server = boot()
    sid = server["id"]
    c = admin_conn.compute
    c.update_server(sid, name=unique + "-renamed")
    assert c.get_server(sid).name == unique + "-renamed"
    c.set_server_metadata(sid, color="blue", size="L")
    assert c.get_server_metadata(sid).metadata == {"color": "blue", "size": "L"}
    c.delete_server_metadata(sid, ["size"])
    assert c.get_server_metadata(sid).metadata == {"color": "blue"}
    admin_raw.ok("PUT", f"/v2.1/servers/{sid}/tags", {"tags": ["a", "b"]}, version="2.26")
    assert admin_raw.ok("GET", f"/v2.1/servers/{sid}/tags", version="2.26")["tags"] == \
        ["a", "b"]
    found = admin_raw.ok("GET", "/v2.1/servers?tags=a", version="2.26")["servers"]
    assert [s["id"] for s in found] == [sid]
    c.delete_server(sid)


def test_list_filters_and_paging(admin_raw: Any, boot: Any, unique: str) -> None:
    ids = [boot(name=f"{unique}-{i}")["id"] for i in range(3)]
    page = admin_raw.ok("GET", f"/v2.1/servers?name=^{unique}-&limit=2")
    assert len(page["servers"]) == 2 and page["servers_links"][0]["rel"] == "next"
    marker = page["servers"][-1]["id"]
    rest = admin_raw.ok("GET", f"/v2.1/servers?name=^{unique}-&limit=2&marker={marker}")
    assert len(rest["servers"]) == 1
    got = {s["id"] for s in page["servers"] + rest["servers"]}
    assert got == set(ids)
    active = admin_raw.ok("GET", f"/v2.1/servers/detail?name=^{unique}-&status=ACTIVE")
    assert len(active["servers"]) == 3
    assert admin_raw.ok("GET", f"/v2.1/servers?name=^{unique}-&status=SHUTOFF")["servers"] \
        == []
    for sid in ids:
        admin_raw.ok("DELETE", f"/v2.1/servers/{sid}", expect=204)


def test_multiple_create_and_reservation(admin_raw: Any, boot: Any, image: Any,
                                        network: Any, unique: str) -> None:
    made = boot(name=unique, wait=None, min_count=2, max_count=3)
    assert made["id"]
    names = sorted(s["name"] for s in admin_raw.ok(
        "GET", f"/v2.1/servers?name=^{unique}")["servers"])
    assert names == [f"{unique}-1", f"{unique}-2", f"{unique}-3"]
    resv = admin_raw.ok("POST", "/v2.1/servers", {"server": {
        "name": unique + "r", "imageRef": image.id, "flavorRef": "1",
        "networks": [{"uuid": network.id}], "return_reservation_id": True}}, expect=202)
    assert resv["reservation_id"].startswith("r-")
    found = admin_raw.ok("GET", f"/v2.1/servers?reservation_id={resv['reservation_id']}")
    assert [s["name"] for s in found["servers"]] == [unique + "r"]
    for s in admin_raw.ok("GET", f"/v2.1/servers?name=^{unique}")["servers"]:
        admin_raw.ok("DELETE", f"/v2.1/servers/{s['id']}", expect=204)


def test_show_missing_is_404(admin_conn: Any) -> None:
    try:
        admin_conn.compute.get_server("00000000-0000-0000-0000-000000000000")
    except oe.NotFoundException:
        return
    raise AssertionError("expected 404")
