"""Server actions and the state machine: each action moves the server through Nova's
states; an action in the wrong state is a 409 with Nova's error body."""

from __future__ import annotations

from typing import Any

import openstack.exceptions as oe
import pytest

from tests.compute.conftest import make_image


def act(raw: Any, sid: str, body: dict[str, Any], expect: int = 202,
        version: str = "2.1") -> Any:
    return raw.ok("POST", f"/v2.1/servers/{sid}/action", body, expect=expect,
                  version=version)


def test_power_cycle(admin_raw: Any, boot: Any) -> None:
    sid = boot()["id"]
    act(admin_raw, sid, {"os-stop": None})
    s = admin_raw.wait(sid, "SHUTOFF")
    assert s["OS-EXT-STS:power_state"] == 4
    msg = admin_raw.error("POST", f"/v2.1/servers/{sid}/action", {"os-stop": None}, 409)
    assert "vm_state stopped" in msg
    act(admin_raw, sid, {"os-start": None})
    admin_raw.wait(sid, "ACTIVE")
    for body, status in (({"reboot": {"type": "SOFT"}}, "ACTIVE"),
                         ({"reboot": {"type": "HARD"}}, "ACTIVE"),
                         ({"pause": None}, "PAUSED"), ({"unpause": None}, "ACTIVE"),
                         ({"suspend": None}, "SUSPENDED"), ({"resume": None}, "ACTIVE"),
                         ({"rescue": None}, "RESCUE"), ({"unrescue": None}, "ACTIVE")):
        act(admin_raw, sid, body, expect=200 if "rescue" in body else 202)
        admin_raw.wait(sid, status)
    admin_raw.error("POST", f"/v2.1/servers/{sid}/action", {"unpause": None}, 409)
    admin_raw.error("POST", f"/v2.1/servers/{sid}/action", {"resume": None}, 409)
    events = admin_raw.ok("GET", f"/v2.1/servers/{sid}/os-instance-actions")
    names = [a["action"] for a in events["instanceActions"]]
    assert names[-1] == "create" and "reboot" in names and "stop" in names
    admin_raw.ok("DELETE", f"/v2.1/servers/{sid}", expect=204)


def test_lock_blocks_the_owner(demo_raw: Any, boot: Any) -> None:
    sid = boot(demo_raw)["id"]
    act(demo_raw, sid, {"lock": None})
    demo_raw.error("POST", f"/v2.1/servers/{sid}/action", {"os-stop": None}, 409)
    demo_raw.error("DELETE", f"/v2.1/servers/{sid}", expect=409)
    act(demo_raw, sid, {"unlock": None})
    demo_raw.ok("DELETE", f"/v2.1/servers/{sid}", expect=204)
    demo_raw.wait(sid, "DELETED")


def test_resize_confirm_and_revert(admin_raw: Any, boot: Any) -> None:
    sid = boot()["id"]
    act(admin_raw, sid, {"resize": {"flavorRef": "2"}})
    s = admin_raw.wait(sid, "VERIFY_RESIZE")
    assert s["flavor"]["id"] == "2"
    act(admin_raw, sid, {"confirmResize": None}, expect=204)
    admin_raw.wait(sid, "ACTIVE")
    msg = admin_raw.error("POST", f"/v2.1/servers/{sid}/action", {"revertResize": None}, 409)
    assert "vm_state active" in msg
    act(admin_raw, sid, {"resize": {"flavorRef": "3"}})
    admin_raw.wait(sid, "VERIFY_RESIZE")
    act(admin_raw, sid, {"revertResize": None})
    s = admin_raw.wait(sid, "ACTIVE")
    assert s["flavor"]["id"] == "2"
    admin_raw.error("POST", f"/v2.1/servers/{sid}/action",
                    {"resize": {"flavorRef": "2"}}, 400)
    admin_raw.ok("DELETE", f"/v2.1/servers/{sid}", expect=204)


def test_snapshot_lands_in_image_service(admin_conn: Any, admin_raw: Any, boot: Any,
                                         unique: str) -> None:
    sid = boot()["id"]
    out = act(admin_raw, sid, {"createImage": {"name": unique, "metadata": {"k": "v"}}},
              version="2.45")
    image = admin_conn.image.wait_for_status(admin_conn.image.get_image(out["image_id"]),
                                             status="active", wait=30)
    doc = admin_conn.image.get(f"/images/{image.id}").json()
    assert doc["name"] == unique and doc["instance_uuid"] == sid and doc["k"] == "v"
    assert doc["image_type"] == "snapshot"
    admin_raw.wait(sid, "ACTIVE")
    admin_conn.image.delete_image(image.id)
    admin_raw.ok("DELETE", f"/v2.1/servers/{sid}", expect=204)


def test_rescue_of_a_volume_backed_server(admin_conn: Any, admin_raw: Any, boot: Any,
                                          image: Any, unique: str) -> None:
    """As Nova: refused before 2.87; from 2.87 in stable device mode only, that is with a
    rescue image that has hw_rescue_device or hw_rescue_bus; nothing changes on a refusal."""
    server = boot(imageRef="", block_device_mapping_v2=[{
        "uuid": image.id, "source_type": "image", "destination_type": "volume",
        "volume_size": 1, "boot_index": 0, "delete_on_termination": True}])
    sid = server["id"]
    path = f"/v2.1/servers/{sid}/action"
    msg = admin_raw.error("POST", path, {"rescue": {"rescue_image_ref": image.id}}, 400,
                          version="2.86")
    assert msg == "Cannot rescue a volume-backed instance"
    msg = admin_raw.error("POST", path, {"rescue": {"rescue_image_ref": image.id}}, 400,
                          version="2.87")
    assert "stable device rescue image" in msg
    assert admin_raw.ok("GET", f"/v2.1/servers/{sid}")["server"]["status"] == "ACTIVE"
    stable = make_image(admin_conn, unique, hw_rescue_bus="virtio")
    try:
        out = act(admin_raw, sid, {"rescue": {"rescue_image_ref": stable.id}}, expect=200,
                  version="2.87")
        assert out["adminPass"]
        admin_raw.wait(sid, "RESCUE")
        act(admin_raw, sid, {"unrescue": None}, version="2.87")
        admin_raw.wait(sid, "ACTIVE")
    finally:
        admin_raw.ok("DELETE", f"/v2.1/servers/{sid}", expect=204)
        admin_raw.wait(sid, "DELETED")
        admin_conn.image.delete_image(stable.id)


def test_shelve_and_rebuild(admin_raw: Any, boot: Any, image: Any) -> None:
    sid = boot()["id"]
    act(admin_raw, sid, {"shelve": None})
    s = admin_raw.wait(sid, "SHELVED_OFFLOADED")
    assert s["OS-EXT-SRV-ATTR:host"] is None
    act(admin_raw, sid, {"unshelve": None})
    admin_raw.wait(sid, "ACTIVE")
    out = act(admin_raw, sid, {"rebuild": {"imageRef": image.id, "name": "rebuilt"}})
    assert out["server"]["name"] == "rebuilt" and out["server"]["adminPass"]
    assert admin_raw.wait(sid, "ACTIVE")["name"] == "rebuilt"
    admin_raw.ok("DELETE", f"/v2.1/servers/{sid}", expect=204)


def test_console_output_and_remote_console(admin_raw: Any, boot: Any) -> None:
    sid = boot()["id"]
    out = act(admin_raw, sid, {"os-getConsoleOutput": {"length": 3}}, expect=200)
    assert len(out["output"].split("\n")) == 3
    rc = admin_raw.ok("POST", f"/v2.1/servers/{sid}/remote-consoles", {
        "remote_console": {"protocol": "vnc", "type": "novnc"}}, version="2.6")
    assert rc["remote_console"]["url"].startswith("http")
    admin_raw.ok("DELETE", f"/v2.1/servers/{sid}", expect=204)


def test_sdk_conflict(admin_conn: Any, boot: Any) -> None:
    sid = boot()["id"]
    admin_conn.compute.stop_server(sid)
    admin_conn.compute.wait_for_server(admin_conn.compute.get_server(sid), status="SHUTOFF",
                                       wait=30)
    with pytest.raises(oe.ConflictException):
        admin_conn.compute.stop_server(sid)
    admin_conn.compute.delete_server(sid)
