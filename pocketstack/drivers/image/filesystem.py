"""The default image store: one file per image under a directory (<data_dir>/images).

Writes go to a temporary file in ``<root>/.tmp`` (same filesystem), bypassing the page cache
where the filesystem allows it (O_DIRECT), are fsync'd, and are atomically renamed into
place, followed by an fsync of the directory: a crash leaves either the whole old state or
the whole new one, never a half-written image. Temporary files carry the writer's pid, so a
restarted server can remove those of dead writers.
"""

from __future__ import annotations

import errno
import fcntl
import mmap
import os
import secrets
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pocketstack.drivers.image.base import (
    DataNotFound,
    ImageStore,
    StoreError,
    StoreFull,
    StoreReader,
    StoreWriter,
)

_TMP = ".tmp"
_IOV_MAX = 512
# Ask the kernel to start writing back dirty pages every so often, so the final fsync of a
# large image is short and the page cache does not balloon.
_FLUSH_EVERY = 64 << 20
# Direct I/O: buffer and file offsets aligned to 4 KiB (any block device's logical block).
_O_DIRECT = getattr(os, "O_DIRECT", 0)
_ALIGN = 4096
_DIRECT_BUFFER = 4 << 20


def _safe_name(name: str) -> str:
    if not name or "/" in name or name.startswith(".") or "\0" in name:
        raise StoreError(f"invalid object name {name!r}")
    return name


class FileWriter(StoreWriter):
    """Writes a temporary file, then fsync + rename on commit.

    With ``direct`` (the default) the data bypasses the page cache (O_DIRECT): blocks are
    gathered into one page-aligned buffer and written from it by the device, so a large
    upload neither fills the page cache with pages nobody asked for nor pays for their
    allocation and write-back (one memcpy instead). A filesystem that refuses O_DIRECT
    gets ordinary buffered writes, with write-back started every _FLUSH_EVERY bytes.
    """

    def __init__(self, store: FilesystemStore, name: str, direct: bool = True) -> None:
        self.store = store
        self.name = name
        self.tmp = store.tmp_dir / f"{name}.{os.getpid()}.{secrets.token_hex(4)}.part"
        self._fd: int | None = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._unflushed = 0
        self._offset = 0
        self._buf: mmap.mmap | None = None
        self._view: memoryview | None = None
        self._fill = 0
        if direct and _O_DIRECT:
            try:
                flags = fcntl.fcntl(self._fd, fcntl.F_GETFL)
                fcntl.fcntl(self._fd, fcntl.F_SETFL, flags | _O_DIRECT)
            except OSError:
                pass  # not supported here: buffered writes
            else:
                self._buf = mmap.mmap(-1, _DIRECT_BUFFER)
                self._view = memoryview(self._buf)

    def write(self, block: bytes | bytearray | memoryview) -> None:
        self.write_many([block])

    def write_many(self, blocks: Sequence[Any]) -> None:
        if self._fd is None:
            raise StoreError("writer is closed")
        try:
            if self._view is not None:
                self._gather(blocks)
            else:
                self._writev([memoryview(b) for b in blocks if len(b)])
        except OSError as e:
            raise self._error(e, self.tmp) from e
        if self._unflushed >= _FLUSH_EVERY:
            self._start_writeback()

    def _gather(self, blocks: Sequence[Any]) -> None:
        """Copy into the aligned buffer; write it out each time it is full."""
        view, cap = self._view, _DIRECT_BUFFER
        assert view is not None
        for block in blocks:
            data = memoryview(block).cast("B")
            while len(data):
                n = min(len(data), cap - self._fill)
                view[self._fill:self._fill + n] = data[:n]
                self._fill += n
                data = data[n:]
                if self._fill == cap:
                    self._write_all(view)
                    self._fill = 0

    def _write_all(self, data: memoryview) -> None:
        assert self._fd is not None
        while len(data):
            try:
                n = os.write(self._fd, data)
            except OSError as e:
                if e.errno != errno.EINVAL or not self._direct_off():
                    raise
                continue  # the device wants another alignment: go on buffered
            data = data[n:]
            self._offset += n

    def _writev(self, views: list[memoryview]) -> None:
        assert self._fd is not None
        while views:
            n = os.writev(self._fd, views[:_IOV_MAX])
            self._offset += n
            self._unflushed += n
            while views and n >= len(views[0]):
                n -= len(views.pop(0))
            if n:
                views[0] = views[0][n:]

    def _direct_off(self) -> bool:
        """Leave O_DIRECT (for an unaligned tail); False if it was not on."""
        assert self._fd is not None
        flags = fcntl.fcntl(self._fd, fcntl.F_GETFL)
        if not flags & _O_DIRECT:
            return False
        fcntl.fcntl(self._fd, fcntl.F_SETFL, flags & ~_O_DIRECT)
        return True

    def _start_writeback(self) -> None:
        assert self._fd is not None
        start = self._offset - self._unflushed
        self._unflushed = 0
        if hasattr(os, "sync_file_range"):
            try:
                os.sync_file_range(self._fd, start, self._offset - start,  # type: ignore[attr-defined]
                                   os.SYNC_FILE_RANGE_WRITE)  # type: ignore[attr-defined]
            except OSError:
                pass

    def commit(self) -> str:
        if self._fd is None:
            raise StoreError("writer is closed")
        final = self.store.root / self.name
        try:
            if self._view is not None and self._fill:
                whole = self._fill - self._fill % _ALIGN
                self._write_all(self._view[:whole])
                if whole < self._fill:  # the unaligned tail: an ordinary write
                    self._direct_off()
                    self._write_all(self._view[whole:self._fill])
                self._fill = 0
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd = None
            self._release()
            os.rename(self.tmp, final)
            self.store.sync_dir()
        except OSError as e:
            self.abort()
            raise self._error(e, final) from e
        return self.name

    def abort(self) -> None:
        if self._fd is not None:
            try:
                os.close(self._fd)
            except OSError:
                pass
            self._fd = None
        self._release()
        try:
            os.unlink(self.tmp)
        except FileNotFoundError:
            pass

    def _release(self) -> None:
        """Unmap the buffer now, or (while an exception's traceback still holds a view of
        it) when the last view goes."""
        view, buf, self._view, self._buf = self._view, self._buf, None, None
        if view is not None:
            view.release()
        if buf is not None:
            try:
                buf.close()
            except BufferError:
                pass

    def _error(self, e: OSError, path: Path) -> StoreError:
        if e.errno in (errno.ENOSPC, errno.EDQUOT):
            return StoreFull(f"no space left on {self.store.root}")
        return StoreError(f"cannot write {path}: {e.strerror}")


class FileReader(StoreReader):
    """One open descriptor for a whole download, read sequentially (larger read-ahead);
    reads that the page cache can serve are done without a thread switch (preadv2 with
    RWF_NOWAIT)."""

    def __init__(self, store: FilesystemStore, location: str) -> None:
        super().__init__(store, location)
        self.fd = store.open_fd(location)
        if _WILLNEED:
            try:
                os.posix_fadvise(self.fd, 0, 0, os.POSIX_FADV_SEQUENTIAL)
            except OSError:
                pass

    def read(self, offset: int, length: int) -> bytes:
        """A read the page cache could not serve: then ask the disk for the next
        _READ_AHEAD bytes (asynchronously), so the following reads find them cached."""
        data = os.pread(self.fd, length, offset)
        if _WILLNEED and len(data) == length:
            try:
                os.posix_fadvise(self.fd, offset + length, _READ_AHEAD, os.POSIX_FADV_WILLNEED)
            except OSError:
                pass
        return data

    def read_cached(self, offset: int, length: int) -> memoryview | None:
        if not _NOWAIT:
            return None
        buf = bytearray(length)
        try:
            n = os.preadv(self.fd, [buf], offset, os.RWF_NOWAIT)  # type: ignore[attr-defined]
        except OSError:  # EAGAIN: not in the page cache
            return None
        return memoryview(buf)[:n] if n > 0 else None

    def close(self) -> None:
        os.close(self.fd)


_NOWAIT = hasattr(os, "RWF_NOWAIT") and hasattr(os, "preadv")
_WILLNEED = hasattr(os, "posix_fadvise")
_READ_AHEAD = 8 << 20


class FilesystemStore(ImageStore):
    def __init__(self, root: Path, store_id: str = "local",
                 description: str = "Local filesystem store", direct_io: bool = True) -> None:
        self.root = Path(root)
        self.id = store_id
        self.description = description
        self.direct_io = direct_io
        self.tmp_dir = self.root / _TMP
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)

    def path(self, location: str) -> Path:
        return self.root / _safe_name(location)

    def open_writer(self, name: str) -> FileWriter:
        return FileWriter(self, _safe_name(name), direct=self.direct_io)

    def read(self, location: str, offset: int, length: int) -> bytes:
        try:
            fd = os.open(self.path(location), os.O_RDONLY)
        except FileNotFoundError as e:
            raise DataNotFound(location) from e
        try:
            return os.pread(fd, length, offset)
        finally:
            os.close(fd)

    def open_fd(self, location: str) -> int:
        """An open descriptor for sequential reads (the caller closes it)."""
        try:
            return os.open(self.path(location), os.O_RDONLY)
        except FileNotFoundError as e:
            raise DataNotFound(location) from e

    def open_reader(self, location: str) -> FileReader:
        return FileReader(self, location)

    def size(self, location: str) -> int:
        try:
            return self.path(location).stat().st_size
        except FileNotFoundError as e:
            raise DataNotFound(location) from e

    def delete(self, location: str) -> None:
        try:
            os.unlink(self.path(location))
        except FileNotFoundError:
            pass

    def adopt(self, source: ImageStore, location: str, name: str) -> str | None:
        if not isinstance(source, FilesystemStore):
            return None
        src, dst = source.path(location), self.root / _safe_name(name)
        try:
            if os.stat(src).st_dev != os.stat(self.root).st_dev:
                return None
            os.rename(src, dst)
        except OSError:
            return None
        self.sync_dir()
        return name

    def free_bytes(self) -> int | None:
        try:
            return shutil.disk_usage(self.root).free
        except OSError:
            return None

    def sync_dir(self) -> None:
        fd = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def recover(self, live: set[str]) -> int:
        removed = 0
        for part in self.tmp_dir.glob("*.part"):
            pieces = part.name.split(".")
            pid = int(pieces[1]) if len(pieces) >= 4 and pieces[1].isdigit() else None
            if part.name in live or (pid is not None and _alive(pid) and pid != 0):
                continue
            try:
                part.unlink()
                removed += 1
            except OSError:
                pass
        return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
