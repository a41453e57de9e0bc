"""Volumes through openstacksdk: lifecycle, filters, pagination, metadata, actions, bad
input with Cinder's error bodies, and tenant isolation."""

from __future__ import annotations

from typing import Any

import pytest
from openstack import exceptions

from tests.volume.conftest import rest, wait_gone, wait_status


def _volume(conn: Any, **kw: Any) -> Any:
    kw.setdefault("size", 1)
    vol = conn.block_storage.create_volume(**kw)
    return wait_status(conn.block_storage.get_volume, vol.id, "available")


def test_create_show_list_update_delete(vol_admin: Any, unique: str) -> None:
    bs = vol_admin.block_storage
    vol = bs.create_volume(size=1, name=unique, description="d", metadata={"k": "v"})
    assert vol.status == "creating"
    vol = wait_status(bs.get_volume, vol.id, "available")
    assert (vol.size, vol.name, vol.description, vol.metadata) == (1, unique, "d", {"k": "v"})
    assert vol.volume_type == "__DEFAULT__" and vol.availability_zone == "nova"
    assert vol.is_bootable is False
    assert unique in [v.name for v in bs.volumes(name=unique)]
    r = rest(vol_admin, "GET", f"/volumes/detail?metadata=%7B%22k%22%3A%22v%22%7D&name={unique}")
    assert [v["id"] for v in r.json()["volumes"]] == [vol.id]
    bs.update_volume(vol, name=unique + "-2", description="new")
    assert bs.get_volume(vol.id).name == unique + "-2"
    bs.delete_volume(vol)
    wait_gone(bs.get_volume, vol.id)


def test_pagination_and_sort(vol_admin: Any, unique: str) -> None:
    bs = vol_admin.block_storage
    ids = {_volume(vol_admin, name=f"{unique}-{i}").id for i in range(3)}
    r = rest(vol_admin, "GET", f"/volumes/detail?name~={unique}&limit=1&sort=name:asc",
             version="3.34")
    assert r.status_code == 200
    body = r.json()
    assert len(body["volumes"]) == 1 and body["volumes_links"][0]["rel"] == "next"
    seen = [v.id for v in bs.volumes(details=True, limit=1) if v.id in ids]
    assert set(seen) == ids and len(seen) == 3


def test_extend_bootable_readonly_metadata(vol_admin: Any) -> None:
    bs = vol_admin.block_storage
    vol = _volume(vol_admin)
    bs.extend_volume(vol, 3)
    assert wait_status(bs.get_volume, vol.id, "available").size == 3
    bs.set_volume_bootable_status(vol, True)
    assert bs.get_volume(vol.id).is_bootable is True
    bs.set_volume_readonly(vol, True)
    bs.set_volume_metadata(vol, a="1", b="2")
    bs.delete_volume_metadata(vol, keys=["a"])
    assert bs.get_volume_metadata(vol).metadata == {"b": "2"}
    r = rest(vol_admin, "POST", f"/volumes/{vol.id}/action", json={"os-extend":
                                                                    {"new_size": 2}})
    assert r.status_code == 400 and "badRequest" in r.json()
    bs.delete_volume(vol)


def test_bad_input_bodies(vol_admin: Any) -> None:
    for size in (0, -1, "abc", None):
        r = rest(vol_admin, "POST", "/volumes", json={"volume": {"size": size}})
        assert r.status_code == 400, size
        assert r.json()["badRequest"]["code"] == 400
    r = rest(vol_admin, "POST", "/volumes", json={"volume": {"size": 1,
                                                             "volume_type": "nope"}})
    assert r.status_code == 404 and "itemNotFound" in r.json()
    r = rest(vol_admin, "GET", "/volumes/does-not-exist")
    assert r.status_code == 404 and r.json()["itemNotFound"]["code"] == 404
    r = rest(vol_admin, "POST", "/volumes", json={"volume": {"size": 1,
                                                             "availability_zone": "x"}})
    assert r.status_code == 400


def test_delete_refused_with_snapshot_then_cascade(vol_admin: Any) -> None:
    bs = vol_admin.block_storage
    vol = _volume(vol_admin)
    snap = bs.create_snapshot(volume_id=vol.id, name="s")
    wait_status(bs.get_snapshot, snap.id, "available")
    with pytest.raises(exceptions.BadRequestException, match="dependent snapshots"):
        bs.delete_volume(vol)
    assert bs.get_volume(vol.id).status == "available"
    bs.delete_volume(vol, cascade=True)
    wait_gone(bs.get_volume, vol.id)
    wait_gone(bs.get_snapshot, snap.id)


def test_quota_exceeded_is_413_and_nothing_created(cloud: Any, vol_admin: Any,
                                                   vol_demo: Any) -> None:
    demo_project = vol_demo.current_project_id
    before = len(list(vol_demo.block_storage.volumes()))
    r = rest(vol_admin, "PUT", f"/os-quota-sets/{demo_project}",
             json={"quota_set": {"gigabytes": 5}})
    assert r.status_code == 200, r.text
    try:
        r = rest(vol_demo, "POST", "/volumes", json={"volume": {"size": 6}})
        assert r.status_code == 413
        assert "gigabytes" in r.json()["overLimit"]["message"]
        assert len(list(vol_demo.block_storage.volumes())) == before
    finally:
        rest(vol_admin, "DELETE", f"/os-quota-sets/{demo_project}")


def test_tenant_isolation(vol_admin: Any, vol_demo: Any) -> None:
    vol = _volume(vol_admin)
    with pytest.raises(exceptions.NotFoundException):
        vol_demo.block_storage.get_volume(vol.id)
    assert vol.id not in [v.id for v in vol_demo.block_storage.volumes()]
    r = rest(vol_demo, "DELETE", f"/volumes/{vol.id}")
    assert r.status_code == 404
    r = rest(vol_demo, "POST", "/types", json={"volume_type": {"name": "x"}})
    assert r.status_code == 403 and "forbidden" in r.json()
    vol_admin.block_storage.delete_volume(vol)


def test_attach_legacy_flow_and_attachment_api(vol_admin: Any) -> None:
    vol = _volume(vol_admin)
    base = f"/volumes/{vol.id}/action"
    assert rest(vol_admin, "POST", base, json={"os-reserve": None}).status_code == 202
    assert vol_admin.block_storage.get_volume(vol.id).status == "attaching"
    r = rest(vol_admin, "POST", base, json={"os-initialize_connection": {
        "connector": {"host": "h1"}}})
    info = r.json()["connection_info"]
    assert info["driver_volume_type"] == "file"
    assert info["data"]["device_path"].endswith(f"volume-{vol.id}")
    server = "11111111-2222-3333-4444-555555555555"
    r = rest(vol_admin, "POST", base, json={"os-attach": {"instance_uuid": server,
                                                         "mountpoint": "/dev/vdb"}})
    assert r.status_code == 202
    got = vol_admin.block_storage.get_volume(vol.id)
    assert got.status == "in-use" and got.attachments[0]["server_id"] == server
    r = rest(vol_admin, "DELETE", f"/volumes/{vol.id}")
    assert r.status_code == 400  # attached
    assert rest(vol_admin, "POST", base, json={"os-detach": {}}).status_code == 202
    assert vol_admin.block_storage.get_volume(vol.id).status == "available"
    # The attachment API (3.27+), as the compute service drives it.
    r = rest(vol_admin, "POST", "/attachments", version="3.44", json={"attachment": {
        "volume_uuid": vol.id, "instance_uuid": server, "connector": {"host": "h1"}}})
    assert r.status_code == 200, r.text
    att = r.json()["attachment"]
    assert rest(vol_admin, "POST", f"/attachments/{att['id']}/action", version="3.44",
                json={"os-complete": None}).status_code == 204
    assert vol_admin.block_storage.get_volume(vol.id).status == "in-use"
    assert rest(vol_admin, "DELETE", f"/attachments/{att['id']}",
                version="3.44").status_code == 200
    assert vol_admin.block_storage.get_volume(vol.id).status == "available"
    vol_admin.block_storage.delete_volume(vol)


def test_multiattach_follows_the_volume_type(vol_admin: Any, unique: str) -> None:
    """As Cinder: a type with multiattach='<is> True' makes its volumes multiattach, a retype
    moves the flag with the type, and an in-use volume cannot change it by a retype."""
    bs = vol_admin.block_storage
    shared = bs.create_type(name=unique + "-ma", extra_specs={"multiattach": "<is>  TRUE"})
    plain = bs.create_type(name=unique + "-plain")
    vol = _volume(vol_admin, volume_type=plain.name)
    assert vol.is_multiattach is False
    action = f"/volumes/{vol.id}/action"
    for vtype, expect in ((shared, True), (plain, False)):
        r = rest(vol_admin, "POST", action, json={"os-retype": {"new_type": vtype.name}})
        assert r.status_code == 202, r.text
        got = bs.get_volume(vol.id)
        assert (got.volume_type, got.is_multiattach) == (vtype.name, expect)
    rest(vol_admin, "POST", action, json={"os-attach": {
        "instance_uuid": "11111111-2222-3333-4444-555555555555", "mountpoint": "/dev/vdb"}})
    assert bs.get_volume(vol.id).status == "in-use"
    r = rest(vol_admin, "POST", action, json={"os-retype": {"new_type": shared.name}})
    assert r.status_code == 400 and "multiattach" in r.json()["badRequest"]["message"]
    got = bs.get_volume(vol.id)
    assert (got.volume_type, got.is_multiattach) == (plain.name, False)
    assert rest(vol_admin, "POST", action, json={"os-detach": {}}).status_code == 202
    bs.delete_volume(vol)
    wait_gone(bs.get_volume, vol.id)
    for vtype in (shared, plain):
        bs.delete_type(vtype)


def test_microversions_and_discovery(vol_admin: Any) -> None:
    r = rest(vol_admin, "GET", "/volumes", version="3.71")
    assert r.headers["OpenStack-API-Version"] == "volume 3.71"
    assert rest(vol_admin, "GET", "/volumes", version="3.99").status_code == 406
    assert rest(vol_admin, "GET", "/volumes", version="x").status_code == 400
    assert rest(vol_admin, "GET", "/attachments", version="3.0").status_code == 404
    url = vol_admin.block_storage.get_endpoint()
    r = vol_admin.session.get(url.rsplit("/v3", 1)[0] + "/", raise_exc=False)
    assert r.status_code == 300 and r.json()["versions"][0]["version"] == "3.71"
    project = vol_admin.current_project_id
    r = vol_admin.session.get(f"{url}/{project}/volumes", raise_exc=False)
    assert r.status_code == 200  # the /v3/{project_id}/... form works too
