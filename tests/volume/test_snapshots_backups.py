"""Snapshots, clones, backups and transfers through openstacksdk."""

from __future__ import annotations

from typing import Any

from tests.volume.conftest import rest, wait_gone, wait_status


def test_snapshot_and_clones(vol_admin: Any) -> None:
    bs = vol_admin.block_storage
    vol = wait_status(bs.get_volume, bs.create_volume(size=1).id, "available")
    snap = bs.create_snapshot(volume_id=vol.id, name="s", metadata={"x": "y"})
    snap = wait_status(bs.get_snapshot, snap.id, "available")
    assert snap.metadata == {"x": "y"} and snap.size == 1
    from_snap = bs.create_volume(snapshot_id=snap.id, size=2)
    from_snap = wait_status(bs.get_volume, from_snap.id, "available")
    assert from_snap.size == 2 and from_snap.snapshot_id == snap.id
    clone = wait_status(bs.get_volume, bs.create_volume(source_volume_id=vol.id).id,
                        "available")
    assert clone.source_volume_id == vol.id and clone.size == 1
    r = rest(vol_admin, "POST", "/volumes", json={"volume": {"snapshot_id": snap.id,
                                                             "size": 0}})
    assert r.status_code == 400
    for v in (from_snap, clone):
        bs.delete_volume(v)
    bs.delete_snapshot(snap)
    wait_gone(bs.get_snapshot, snap.id)
    bs.delete_volume(vol)


def test_backup_restore_delete(vol_admin: Any) -> None:
    bs = vol_admin.block_storage
    vol = wait_status(bs.get_volume, bs.create_volume(size=1).id, "available")
    backup = bs.create_backup(volume_id=vol.id, name="b")
    assert bs.get_volume(vol.id).status in ("backing-up", "available")
    backup = wait_status(bs.get_backup, backup.id, "available")
    assert backup.size == 1 and backup.volume_id == vol.id
    wait_status(bs.get_volume, vol.id, "available")
    r = rest(vol_admin, "POST", f"/backups/{backup.id}/restore", json={"restore": {}})
    assert r.status_code == 202
    restored = r.json()["restore"]["volume_id"]
    wait_status(bs.get_volume, restored, "available")
    bs.delete_backup(backup)
    wait_gone(bs.get_backup, backup.id)
    for v in (restored, vol.id):
        bs.delete_volume(v)


def test_transfer_between_projects(vol_admin: Any, vol_demo: Any) -> None:
    bs = vol_admin.block_storage
    vol = wait_status(bs.get_volume, bs.create_volume(size=1).id, "available")
    r = rest(vol_admin, "POST", "/os-volume-transfer", json={"transfer": {
        "volume_id": vol.id, "name": "t"}})
    assert r.status_code == 202
    t = r.json()["transfer"]
    assert bs.get_volume(vol.id).status == "awaiting-transfer"
    bad = rest(vol_demo, "POST", f"/os-volume-transfer/{t['id']}/accept",
               json={"accept": {"auth_key": "wrong"}})
    assert bad.status_code == 400
    ok = rest(vol_demo, "POST", f"/os-volume-transfer/{t['id']}/accept",
              json={"accept": {"auth_key": t["auth_key"]}})
    assert ok.status_code == 202
    moved = vol_demo.block_storage.get_volume(vol.id)
    assert moved.status == "available"
    vol_demo.block_storage.delete_volume(moved)


def test_types_extra_specs_access_and_qos(vol_admin: Any, vol_demo: Any, unique: str) -> None:
    bs = vol_admin.block_storage
    vt = bs.create_type(name=unique, extra_specs={"a": "b"}, is_public=False)
    assert bs.get_type(vt.id).extra_specs == {"a": "b"}
    r = rest(vol_demo, "POST", "/volumes", json={"volume": {"size": 1, "volume_type": vt.id}})
    assert r.status_code == 404
    bs.add_type_access(vt, vol_demo.current_project_id)
    r = rest(vol_demo, "POST", "/volumes", json={"volume": {"size": 1, "volume_type": vt.id}})
    assert r.status_code == 202
    vid = r.json()["volume"]["id"]
    wait_status(vol_demo.block_storage.get_volume, vid, "available")
    r = rest(vol_admin, "DELETE", f"/types/{vt.id}")
    assert r.status_code == 400  # in use
    vol_demo.block_storage.delete_volume(vid)
    wait_gone(vol_demo.block_storage.get_volume, vid)
    r = rest(vol_admin, "POST", "/qos-specs", json={"qos_specs": {"name": unique,
                                                                  "read_iops_sec": "100"}})
    assert r.status_code == 200
    qos = r.json()["qos_specs"]
    assert rest(vol_admin, "GET", f"/qos-specs/{qos['id']}/associate?vol_type_id="
                f"{vt.id}").status_code == 202
    assert rest(vol_admin, "DELETE", f"/qos-specs/{qos['id']}").status_code == 400
    assert rest(vol_admin, "DELETE", f"/qos-specs/{qos['id']}?force=True").status_code == 202
    bs.delete_type(vt)


def test_groups_snapshots_and_clone(vol_admin: Any, unique: str) -> None:
    bs = vol_admin.block_storage
    vt = bs.create_type(name=unique)
    r = rest(vol_admin, "POST", "/group_types", version="3.13",
             json={"group_type": {"name": unique}})
    assert r.status_code == 202
    gt = r.json()["group_type"]
    r = rest(vol_admin, "POST", "/groups", version="3.14", json={"group": {
        "name": unique, "group_type": gt["id"], "volume_types": [vt.id]}})
    group = r.json()["group"]
    r = rest(vol_admin, "POST", "/volumes", version="3.14", json={"volume": {
        "size": 1, "volume_type": vt.id, "group_id": group["id"]}})
    vid = r.json()["volume"]["id"]
    assert r.json()["volume"]["group_id"] == group["id"]
    wait_status(bs.get_volume, vid, "available")
    r = rest(vol_admin, "POST", "/group_snapshots", version="3.14",
             json={"group_snapshot": {"group_id": group["id"]}})
    gs = r.json()["group_snapshot"]
    snaps = [x for x in bs.snapshots(details=True) if x.volume_id == vid]
    wait_status(bs.get_snapshot, snaps[0].id, "available")
    r = rest(vol_admin, "POST", "/groups/action", version="3.14",
             json={"create-from-src": {"group_snapshot_id": gs["id"]}})
    clone = r.json()["group"]
    show = rest(vol_admin, "GET", f"/groups/{clone['id']}", version="3.14").json()["group"]
    assert len(show["volumes"]) == 1
    wait_status(bs.get_volume, show["volumes"][0], "available")
    assert rest(vol_admin, "DELETE", f"/group_snapshots/{gs['id']}",
                version="3.14").status_code == 202
    for g in (clone["id"], group["id"]):
        r = rest(vol_admin, "POST", f"/groups/{g}/action", version="3.14",
                 json={"delete": {"delete-volumes": True}})
        assert r.status_code == 202
    wait_gone(bs.get_volume, vid)
    wait_gone(bs.get_volume, show["volumes"][0])
    assert rest(vol_admin, "DELETE", f"/group_types/{gt['id']}",
                version="3.14").status_code == 202
    bs.delete_type(vt)
