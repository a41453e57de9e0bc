"""The compute API with the other services: interfaces through networking ports, floating
IPs through the old proxy actions, volumes attached through Block Storage, boot from
volume."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from tests.compute.conftest import make_network


def act(raw: Any, sid: str, body: dict[str, Any], expect: int = 202,
        version: str = "2.1") -> Any:
    return raw.ok("POST", f"/v2.1/servers/{sid}/action", body, expect=expect,
                  version=version)


def test_interface_attach_detach(admin_conn: Any, admin_raw: Any, boot: Any,
                                 unique: str) -> None:
    sid = boot()["id"]
    extra = make_network(admin_conn, unique, "10.99.0.0/24")
    att = admin_raw.ok("POST", f"/v2.1/servers/{sid}/os-interface", {
        "interfaceAttachment": {"net_id": extra.id}})["interfaceAttachment"]
    assert att["net_id"] == extra.id and att["port_state"] == "ACTIVE"
    port = admin_conn.network.get_port(att["port_id"])
    assert port.device_id == sid and port.device_owner == "compute:nova"
    listed = admin_raw.ok("GET", f"/v2.1/servers/{sid}/os-interface")["interfaceAttachments"]
    assert len(listed) == 2
    server = admin_raw.ok("GET", f"/v2.1/servers/{sid}")["server"]
    assert unique in server["addresses"]
    admin_raw.ok("DELETE", f"/v2.1/servers/{sid}/os-interface/{att['port_id']}", expect=202)
    assert admin_conn.network.find_port(att["port_id"]) is None
    admin_raw.error("DELETE", f"/v2.1/servers/{sid}/os-interface/{att['port_id']}", expect=404)
    admin_raw.ok("DELETE", f"/v2.1/servers/{sid}", expect=204)


def test_floating_ip_proxy(admin_conn: Any, admin_raw: Any, boot: Any, network: Any,
                           unique: str) -> None:
    public = admin_conn.network.create_network(name=unique + "-pub", is_router_external=True)
    admin_conn.network.create_subnet(network_id=public.id, ip_version=4,
                                     cidr="172.24.9.0/24", enable_dhcp=False)
    router = admin_conn.network.create_router(name=unique,
                                              external_gateway_info={"network_id": public.id})
    subnet = next(admin_conn.network.subnets(network_id=network.id))
    admin_conn.network.add_interface_to_router(router, subnet_id=subnet.id)
    sid = boot()["id"]
    fip = admin_raw.ok("POST", "/v2.1/os-floating-ips", {"pool": unique + "-pub"})["floating_ip"]
    act(admin_raw, sid, {"addFloatingIp": {"address": fip["ip"]}})
    shown = admin_raw.ok("GET", f"/v2.1/os-floating-ips/{fip['id']}")["floating_ip"]
    assert shown["instance_id"] == sid
    addrs = admin_raw.ok("GET", f"/v2.1/servers/{sid}")["server"]["addresses"]
    assert any(a["addr"] == fip["ip"] and a["OS-EXT-IPS:type"] == "floating"
               for a in addrs["compute-shared"])
    act(admin_raw, sid, {"removeFloatingIp": {"address": fip["ip"]}})
    admin_raw.ok("DELETE", f"/v2.1/os-floating-ips/{fip['id']}", expect=202)
    admin_raw.error("POST", f"/v2.1/servers/{sid}/action",
                    {"addFloatingIp": {"address": fip["ip"]}}, 404, version="2.43")
    admin_raw.ok("DELETE", f"/v2.1/servers/{sid}", expect=204)
    admin_raw.wait(sid, "DELETED")
    admin_conn.network.remove_interface_from_router(router, subnet_id=subnet.id)


def _volume(conn: Any, name: str, **kw: Any) -> Any:
    vol = conn.block_storage.create_volume(name=name, size=1, **kw)
    return conn.block_storage.wait_for_status(vol, status="available", wait=60)


def test_volume_attach_detach(admin_conn: Any, admin_raw: Any, boot: Any, unique: str) -> None:
    sid = boot()["id"]
    vol = _volume(admin_conn, unique)
    att = admin_raw.ok("POST", f"/v2.1/servers/{sid}/os-volume_attachments", {
        "volumeAttachment": {"volumeId": vol.id}})["volumeAttachment"]
    assert att["volumeId"] == vol.id and att["device"] == "/dev/vdb"
    assert admin_conn.block_storage.get_volume(vol.id).status == "in-use"
    server = admin_raw.ok("GET", f"/v2.1/servers/{sid}", version="2.3")["server"]
    assert server["os-extended-volumes:volumes_attached"] == [
        {"id": vol.id, "delete_on_termination": False}]
    admin_raw.ok("DELETE", f"/v2.1/servers/{sid}/os-volume_attachments/{vol.id}", expect=202)
    admin_conn.block_storage.wait_for_status(vol, status="available", wait=30)
    admin_raw.ok("DELETE", f"/v2.1/servers/{sid}", expect=204)
    admin_conn.block_storage.delete_volume(vol)


def test_multiattach_volume_type(admin_conn: Any, admin_raw: Any, boot: Any,
                                 unique: str) -> None:
    """As Cinder and Nova: a volume of a type with multiattach='<is> True' is multiattach and
    can be attached to two servers (from compute 2.60); any other volume to one only."""
    vtype = admin_conn.block_storage.create_type(name=unique,
                                                 extra_specs={"multiattach": "<is> True"})
    shared = _volume(admin_conn, unique + "-shared", volume_type=unique)
    plain = _volume(admin_conn, unique + "-plain")
    assert shared.is_multiattach is True and plain.is_multiattach is False
    a, b = boot()["id"], boot()["id"]

    def attach(sid: str, vol: Any, version: str = "2.60") -> Any:
        return admin_raw("POST", f"/v2.1/servers/{sid}/os-volume_attachments",
                         {"volumeAttachment": {"volumeId": vol.id}}, version=version)
    msg = admin_raw.error("POST", f"/v2.1/servers/{a}/os-volume_attachments",
                          {"volumeAttachment": {"volumeId": shared.id}}, 400, version="2.59")
    assert "2.60" in msg
    for sid in (a, b):
        assert attach(sid, shared).status_code == 200
    assert attach(a, plain).status_code == 200
    assert attach(b, plain).status_code == 400
    attachments = admin_conn.block_storage.get_volume(shared.id).attachments
    assert sorted(x["server_id"] for x in attachments) == sorted([a, b])
    for sid in (a, b):
        admin_raw.ok("DELETE", f"/v2.1/servers/{sid}", expect=204)
        admin_raw.wait(sid, "DELETED")
    for vol in (shared, plain):
        admin_conn.block_storage.wait_for_status(vol, status="available", wait=30)
        admin_conn.block_storage.delete_volume(vol)
        admin_conn.block_storage.wait_for_delete(vol, wait=30)
    admin_conn.block_storage.delete_type(vtype)


def test_boot_from_volume(admin_conn: Any, admin_raw: Any, boot: Any, image: Any,
                          unique: str) -> None:
    server = boot(imageRef="", block_device_mapping_v2=[{
        "uuid": image.id, "source_type": "image", "destination_type": "volume",
        "volume_size": 1, "boot_index": 0, "delete_on_termination": True}])
    assert server["image"] == ""
    vols = server["os-extended-volumes:volumes_attached"]
    assert len(vols) == 1
    vol = admin_conn.block_storage.get_volume(vols[0]["id"])
    assert vol.status == "in-use" and vol.is_bootable
    admin_raw.ok("DELETE", f"/v2.1/servers/{server['id']}", expect=204)
    admin_raw.wait(server["id"], "DELETED")
    deadline = time.monotonic() + 30
    while admin_conn.block_storage.find_volume(vol.id) is not None:
        assert time.monotonic() < deadline, "the volume was not deleted with its server"
        time.sleep(0.2)


def test_snapshot_of_volume_backed_server(admin_conn: Any, admin_raw: Any, boot: Any,
                                          image: Any, unique: str) -> None:
    """As Nova does: each volume is snapshotted in the Block Storage service, and the image
    (no data) maps the new server's disks to those snapshots."""
    server = boot(imageRef="", block_device_mapping_v2=[{
        "uuid": image.id, "source_type": "image", "destination_type": "volume",
        "volume_size": 1, "boot_index": 0, "delete_on_termination": True}])
    vol_id = server["os-extended-volumes:volumes_attached"][0]["id"]
    resp = admin_raw.ok("POST", f"/v2.1/servers/{server['id']}/action",
                        {"createImage": {"name": unique}}, version="2.45", expect=202)
    img = admin_conn.image.wait_for_status(admin_conn.image.get_image(resp["image_id"]),
                                           status="active", wait=30)
    props = img.properties
    assert props["bdm_v2"] in ("True", True) and props["root_device_name"] == "/dev/vda"
    mapping = json.loads(props["block_device_mapping"])
    assert len(mapping) == 1 and mapping[0]["source_type"] == "snapshot"
    assert mapping[0]["boot_index"] == 0 and mapping[0]["volume_size"] == 1
    snap = admin_conn.block_storage.get_snapshot(mapping[0]["snapshot_id"])
    assert snap.volume_id == vol_id
    snap = admin_conn.block_storage.wait_for_status(snap, status="available", wait=30)
    admin_conn.image.delete_image(img)
    admin_conn.block_storage.delete_snapshot(snap)
    admin_conn.block_storage.wait_for_delete(snap, wait=30)
    admin_raw.ok("DELETE", f"/v2.1/servers/{server['id']}", expect=204)
    admin_raw.wait(server["id"], "DELETED")


def test_assisted_volume_snapshots(admin_conn: Any, admin_raw: Any, demo_raw: Any,
                                   boot: Any, unique: str) -> None:
    """os-assisted-volume-snapshots (Cinder's callback for file-backed volumes): only for
    a volume attached to a server; service or admin only; delete_info is required."""
    sid = boot()["id"]
    vol = _volume(admin_conn, unique)
    snap_id = str(uuid.uuid4())
    body = {"snapshot": {"volume_id": vol.id, "create_info": {
        "snapshot_id": snap_id, "type": "qcow2", "new_file": "new_file"}}}
    assert "Block Device Mapping" in admin_raw.error(
        "POST", "/v2.1/os-assisted-volume-snapshots", body, expect=400)
    admin_raw.ok("POST", f"/v2.1/servers/{sid}/os-volume_attachments", {
        "volumeAttachment": {"volumeId": vol.id}})
    demo_raw.error("POST", "/v2.1/os-assisted-volume-snapshots", body, expect=403)
    bad = {"snapshot": {"volume_id": vol.id, "create_info": {"snapshot_id": snap_id,
                                                             "type": "raw", "new_file": "f"}}}
    admin_raw.error("POST", "/v2.1/os-assisted-volume-snapshots", bad, expect=400)
    made = admin_raw.ok("POST", "/v2.1/os-assisted-volume-snapshots", body)["snapshot"]
    assert made == {"id": snap_id, "volumeId": vol.id}
    path = f"/v2.1/os-assisted-volume-snapshots/{snap_id}"
    admin_raw.error("DELETE", path, expect=400)
    admin_raw.error("DELETE", path + "?delete_info=not-json", expect=400)
    other = json.dumps({"volume_id": str(uuid.uuid4())})
    admin_raw.error("DELETE", f"{path}?delete_info={other}", expect=404)
    info = json.dumps({"volume_id": vol.id, "type": "qcow2"})
    admin_raw.ok("DELETE", f"{path}?delete_info={info}", expect=204)
    admin_raw.ok("DELETE", f"/v2.1/servers/{sid}/os-volume_attachments/{vol.id}", expect=202)
    admin_conn.block_storage.wait_for_status(vol, status="available", wait=30)
    admin_raw.ok("DELETE", f"/v2.1/servers/{sid}", expect=204)
    admin_conn.block_storage.delete_volume(vol)


def test_view_shows_tags_volumes_and_group(admin_conn: Any, admin_raw: Any, image: Any,
                                           network: Any, unique: str) -> None:
    """A server's view assembles its tags (sorted) and its attached volumes (in the order
    they were attached), in show and in the detail list alike, and from 2.71 its server group
    (in show only, as in Nova)."""
    group = admin_raw.ok("POST", "/v2.1/os-server-groups", {"server_group": {
        "name": unique, "policy": "anti-affinity"}}, version="2.64")["server_group"]
    made = admin_raw.ok("POST", "/v2.1/servers", {
        "server": {"name": unique, "imageRef": image.id, "flavorRef": "1",
                   "networks": [{"uuid": network.id}], "tags": ["zeta", "alpha", "mid"]},
        "os:scheduler_hints": {"group": group["id"]}}, expect=202, version="2.71")["server"]
    sid = made["id"]
    admin_raw.wait(sid)
    # attached in the opposite order of their ids, so that an order by id would show
    vols = sorted((_volume(admin_conn, f"{unique}-{i}") for i in range(2)),
                  key=lambda v: v.id, reverse=True)
    for vol in vols:
        admin_raw.ok("POST", f"/v2.1/servers/{sid}/os-volume_attachments", {
            "volumeAttachment": {"volumeId": vol.id}})
    expected_vols = [{"id": v.id, "delete_on_termination": False} for v in vols]
    shown = admin_raw.ok("GET", f"/v2.1/servers/{sid}", version="2.71")["server"]
    listed = [s for s in admin_raw.ok("GET", f"/v2.1/servers/detail?name=^{unique}$",
                                      version="2.71")["servers"] if s["id"] == sid]
    assert len(listed) == 1
    for view in (shown, listed[0]):
        assert view["tags"] == ["alpha", "mid", "zeta"]
        assert view["os-extended-volumes:volumes_attached"] == expected_vols
    assert shown["server_groups"] == [group["id"]]
    assert "server_groups" not in listed[0]
    before = admin_raw.ok("GET", f"/v2.1/servers/{sid}", version="2.70")["server"]
    assert "server_groups" not in before and before["tags"] == ["alpha", "mid", "zeta"]
    for vol in vols:
        admin_raw.ok("DELETE", f"/v2.1/servers/{sid}/os-volume_attachments/{vol.id}",
                     expect=202)
    admin_raw.ok("DELETE", f"/v2.1/servers/{sid}", expect=204)
    admin_raw.wait(sid, "DELETED")
    for vol in vols:
        admin_conn.block_storage.wait_for_status(vol, status="available", wait=30)
        admin_conn.block_storage.delete_volume(vol)
    admin_raw.ok("DELETE", f"/v2.1/os-server-groups/{group['id']}", expect=204)
