"""Restart recovery: work left half done by a stopped server is resumed at the next start."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import start_cloud, stop_cloud
from tests.volume.conftest import wait_status


@pytest.mark.skipif("POCKETSTACK_TEST_PG_URL" in __import__("os").environ,
                    reason="edits the SQLite file directly")
def test_unfinished_operations_resume_after_restart(tmp_path: Path) -> None:
    cloud, proc = start_cloud(tmp_path)
    try:
        conn = cloud.connect("admin")
        bs = conn.block_storage
        a = wait_status(bs.get_volume, bs.create_volume(size=1).id, "available")
        b = wait_status(bs.get_volume, bs.create_volume(size=1).id, "available")
        c = wait_status(bs.get_volume, bs.create_volume(size=1).id, "available")
    finally:
        stop_cloud(proc)
    volumes = cloud.data_dir / "volumes"
    (volumes / f"volume-{a.id}").unlink()   # died before the data was written
    (volumes / ".tmp-volume-junk-1234").write_bytes(b"x")  # a half-written copy
    db = sqlite3.connect(cloud.data_dir / "pocketstack.db")
    with db:
        db.execute("UPDATE volume_volumes SET status='creating', provider_location=NULL, "
                   "task=? WHERE id=?", ('{"op":"create","source":"blank"}', a.id))
        db.execute("UPDATE volume_volumes SET status='extending', task=? WHERE id=?",
                   ('{"op":"extend","size":2,"prev":"available"}', b.id))
        db.execute("UPDATE volume_volumes SET status='deleting', task=? WHERE id=?",
                   ('{"op":"delete"}', c.id))
    db.close()
    (cloud.data_dir / "state.json").unlink(missing_ok=True)
    cloud, proc = start_cloud(tmp_path)
    try:
        bs = cloud.connect("admin").block_storage
        assert wait_status(bs.get_volume, a.id, "available").size == 1
        assert wait_status(bs.get_volume, b.id, "available").size == 2
        for _ in range(100):
            if c.id not in [v.id for v in bs.volumes()]:
                break
            __import__("time").sleep(0.1)
        else:
            raise AssertionError("the interrupted delete was not resumed")
        assert (volumes / f"volume-{a.id}").stat().st_size == 1 << 30
        assert (volumes / f"volume-{b.id}").stat().st_size == 2 << 30
        assert not (volumes / f"volume-{c.id}").exists()
        assert not (volumes / ".tmp-volume-junk-1234").exists()
    finally:
        stop_cloud(proc)
