"""File-backed volumes: one sparse file per volume or snapshot under ``<data_dir>/volumes``.

A blank volume is a sparse file (no blocks written, created in microseconds whatever its
size). Clones and snapshots use a reflink (ioctl FICLONE: copy-on-write, instant) when the
filesystem offers it (XFS, Btrfs, ...), and otherwise copy only the data extents
(SEEK_DATA / SEEK_HOLE) with copy_file_range, so holes stay holes. New data is written to a
temporary file that is renamed into place when complete: a crash or a full disk leaves no
half-written volume behind, only a temporary file that ``recover`` removes.
"""

from __future__ import annotations

import errno
import fcntl
import os
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pocketstack.drivers.volume.base import Capacity, DriverError, DriverFull, GiB, VolumeDriver

FICLONE = 0x40049409
TMP_PREFIX = ".tmp-"


def _fail(e: OSError, what: str) -> DriverError:
    if e.errno in (errno.ENOSPC, errno.EDQUOT):
        return DriverFull(f"No space left on the volume store while {what}.")
    return DriverError(f"{what} failed: {e.strerror or e}")


class FileDriver(VolumeDriver):
    name = "file"
    storage_protocol = "file"

    def __init__(self, root: Path, *, reflink: bool = True) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.reflink = reflink

    # -- helpers ---------------------------------------------------------------------
    def _path(self, name: str) -> Path:
        return self.root / name

    def _tmp(self, name: str) -> Path:
        return self.root / f"{TMP_PREFIX}{name}-{uuid.uuid4().hex[:8]}"

    def _check(self, location: str) -> Path:
        path = Path(location)
        if path.parent != self.root:
            raise DriverError(f"{location} is not a location of this driver.")
        return path

    # -- volumes -----------------------------------------------------------------------
    def create(self, volume_id: str, size_gb: int) -> str:
        path = self._path(f"volume-{volume_id}")
        try:
            with open(path, "ab") as fh:
                if os.fstat(fh.fileno()).st_size < size_gb * GiB:
                    os.ftruncate(fh.fileno(), size_gb * GiB)
        except OSError as e:
            raise _fail(e, "creating the volume") from e
        return str(path)

    def delete(self, location: str) -> None:
        try:
            self._check(location).unlink(missing_ok=True)
        except OSError as e:
            raise _fail(e, "deleting") from e

    def extend(self, location: str, size_gb: int) -> None:
        path = self._check(location)
        try:
            if path.stat().st_size < size_gb * GiB:
                os.truncate(path, size_gb * GiB)
        except OSError as e:
            raise _fail(e, "extending the volume") from e

    def exists(self, location: str) -> bool:
        return self._check(location).exists()

    def size_bytes(self, location: str) -> int:
        try:
            return self._check(location).stat().st_size
        except OSError as e:
            raise _fail(e, "reading the volume size") from e

    def clone(self, source: str, volume_id: str, size_gb: int) -> str:
        dest = self._path(f"volume-{volume_id}")
        self._copy_file(self._check(source), dest, size_gb * GiB)
        return str(dest)

    def snapshot(self, location: str, snapshot_id: str) -> str:
        dest = self._path(f"snapshot-{snapshot_id}")
        self._copy_file(self._check(location), dest, None)
        return str(dest)

    def copy_from_file(self, volume_id: str, size_gb: int, path: str) -> str | None:
        dest = self._path(f"volume-{volume_id}")
        self._copy_file(Path(path), dest, size_gb * GiB)
        return str(dest)

    def _copy_file(self, src: Path, dest: Path, size: int | None) -> None:
        tmp = self._tmp(dest.name)
        try:
            with open(src, "rb") as fin, open(tmp, "wb") as fout:
                src_size = os.fstat(fin.fileno()).st_size
                if not (self.reflink and _reflink(fin.fileno(), fout.fileno())):
                    _sparse_copy(fin.fileno(), fout.fileno(), src_size)
                target = max(src_size, size or 0)
                if os.fstat(fout.fileno()).st_size != target:
                    os.ftruncate(fout.fileno(), target)
            os.replace(tmp, dest)
        except OSError as e:
            tmp.unlink(missing_ok=True)
            raise _fail(e, "copying volume data") from e

    # -- data ----------------------------------------------------------------------------
    def read_extents(self, location: str, chunk: int = 4 << 20) -> Iterator[tuple[int, bytes]]:
        path = self._check(location)
        with open(path, "rb") as fh:
            fd = fh.fileno()
            for start, end in _data_segments(fd, os.fstat(fd).st_size):
                pos = start
                while pos < end:
                    block = os.pread(fd, min(chunk, end - pos), pos)
                    if not block:
                        break
                    if block.count(0) != len(block):
                        yield pos, block
                    pos += len(block)

    def write_new(self, volume_id: str, size_gb: int,
                  extents: Iterable[tuple[int, bytes]]) -> str:
        dest = self._path(f"volume-{volume_id}")
        tmp = self._tmp(dest.name)
        try:
            with open(tmp, "wb") as fh:
                fd = fh.fileno()
                end = 0
                for offset, block in extents:
                    if block.count(0) != len(block):
                        os.pwrite(fd, block, offset)
                    end = max(end, offset + len(block))
                os.ftruncate(fd, max(end, size_gb * GiB))
            os.replace(tmp, dest)
        except OSError as e:
            tmp.unlink(missing_ok=True)
            raise _fail(e, "writing volume data") from e
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return str(dest)

    # -- attachments / back end ------------------------------------------------------------
    def connection_info(self, location: str, connector: dict[str, Any] | None,
                        mode: str) -> dict[str, Any]:
        path = self._check(location)
        return {"driver_volume_type": "file",
                "data": {"device_path": str(path), "name": path.name, "format": "raw",
                         "access_mode": mode, "discard": True}}

    def capacity(self) -> Capacity:
        st = os.statvfs(self.root)
        return Capacity(total_gb=round(st.f_blocks * st.f_frsize / GiB, 2),
                        free_gb=round(st.f_bavail * st.f_frsize / GiB, 2))

    def recover(self, known_ids: set[str]) -> int:
        removed = 0
        for path in self.root.iterdir():
            kind, _, obj_id = path.name.partition("-")
            orphan = kind in ("volume", "snapshot") and obj_id not in known_ids
            if path.name.startswith(TMP_PREFIX) or orphan:
                path.unlink(missing_ok=True)
                removed += 1
        return removed


def _reflink(src_fd: int, dest_fd: int) -> bool:
    try:
        fcntl.ioctl(dest_fd, FICLONE, src_fd)
        return True
    except OSError:
        return False


def _data_segments(fd: int, size: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each run of data; the whole file when holes cannot be seen."""
    pos = 0
    while pos < size:
        try:
            start = os.lseek(fd, pos, os.SEEK_DATA)
        except OSError as e:
            if e.errno == errno.ENXIO:  # only a hole remains
                return
            yield pos, size
            return
        end = os.lseek(fd, start, os.SEEK_HOLE)
        yield start, end
        pos = end


def _sparse_copy(src: int, dest: int, size: int) -> None:
    for start, end in _data_segments(src, size):
        pos = start
        while pos < end:
            try:
                n = os.copy_file_range(src, dest, end - pos, pos, pos)
            except OSError as e:
                if e.errno not in (errno.EXDEV, errno.ENOSYS, errno.EOPNOTSUPP, errno.EINVAL):
                    raise
                n = _plain_copy(src, dest, pos, end)
            if n <= 0:
                break
            pos += n
    os.ftruncate(dest, size)


def _plain_copy(src: int, dest: int, pos: int, end: int) -> int:
    block = os.pread(src, min(8 << 20, end - pos), pos)
    if block:
        os.pwrite(dest, block, pos)
    return len(block)
