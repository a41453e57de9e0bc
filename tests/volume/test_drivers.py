"""The volume driver contract, for the file driver and its fake twin."""

from __future__ import annotations

from pathlib import Path

import pytest

from pocketstack.drivers.volume.backup import DirectoryBackupStore
from pocketstack.drivers.volume.base import DriverFull, GiB, VolumeDriver
from pocketstack.drivers.volume.fake import FakeDriver
from pocketstack.drivers.volume.file import FileDriver


@pytest.fixture(params=["file", "fake"])
def driver(request: pytest.FixtureRequest, tmp_path: Path) -> VolumeDriver:
    if request.param == "file":
        return FileDriver(tmp_path / "volumes")
    return FakeDriver()


def test_create_is_sparse_and_idempotent(driver: VolumeDriver, tmp_path: Path) -> None:
    loc = driver.create("a", 2)
    assert driver.create("a", 2) == loc and driver.size_bytes(loc) == 2 * GiB
    assert list(driver.read_extents(loc)) == []
    if isinstance(driver, FileDriver):
        assert Path(loc).stat().st_blocks == 0


def test_write_clone_snapshot_extend(driver: VolumeDriver) -> None:
    loc = driver.write_new("a", 1, iter([(0, b"x" * 4096), (GiB // 2, b"y" * 10)]))
    extents = dict(driver.read_extents(loc))
    assert extents[0][:4096] == b"x" * 4096
    snap = driver.snapshot(loc, "s")
    clone = driver.clone(snap, "b", 3)
    assert driver.size_bytes(clone) == 3 * GiB
    assert b"".join(b for _, b in driver.read_extents(clone)).count(b"y") == 10
    driver.extend(loc, 2)
    assert driver.size_bytes(loc) == 2 * GiB
    for x in (loc, snap, clone):
        driver.delete(x)
        driver.delete(x)  # absent: not an error
        assert not driver.exists(x)


def test_backup_round_trip(driver: VolumeDriver, tmp_path: Path) -> None:
    store = DirectoryBackupStore(tmp_path / "backups")
    loc = driver.write_new("a", 1, iter([(8192, b"data")]))
    where, blocks = store.write("b1", driver, loc)
    assert blocks == 1
    restored = store.restore(where, driver, "r", 1)
    assert b"data" in b"".join(b for _, b in driver.read_extents(restored))
    store.delete(where)
    assert not store.exists(where)


def test_full_disk_leaves_nothing(tmp_path: Path) -> None:
    fake = FakeDriver()
    fake.full = True
    with pytest.raises(DriverFull):
        fake.create("a", 1)
    assert fake.objects == {}


def test_recover_removes_leftovers(tmp_path: Path) -> None:
    drv = FileDriver(tmp_path / "v")
    keep = drv.create("keep", 1)
    drv.create("orphan", 1)
    (tmp_path / "v" / ".tmp-volume-x-1").write_bytes(b"1")
    assert drv.recover({"keep"}) == 2
    assert [p.name for p in (tmp_path / "v").iterdir()] == [Path(keep).name]
