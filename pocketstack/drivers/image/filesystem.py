"""The default image store: one file per image under a directory (<data_dir>/images).

Writes go to a temporary file in ``<root>/.tmp`` (same filesystem), are fsync'd, and are
atomically renamed into place, followed by an fsync of the directory: a crash leaves either
the whole old state or the whole new one, never a half-written image. Temporary files carry
the writer's pid, so a restarted server can remove those of dead writers.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
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


def _safe_name(name: str) -> str:
    if not name or "/" in name or name.startswith(".") or "\0" in name:
        raise StoreError(f"invalid object name {name!r}")
    return name


class FileWriter(StoreWriter):
    def __init__(self, store: FilesystemStore, name: str) -> None:
        self.store = store
        self.name = name
        self.tmp = store.tmp_dir / f"{name}.{os.getpid()}.{secrets.token_hex(4)}.part"
        self._fd: int | None = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._unflushed = 0
        self._offset = 0

    def write(self, block: bytes | bytearray | memoryview) -> None:
        self.write_many([block])

    def write_many(self, blocks: list[Any]) -> None:
        if self._fd is None:
            raise StoreError("writer is closed")
        views = [memoryview(b) for b in blocks if len(b)]
        try:
            while views:
                n = os.writev(self._fd, views[:_IOV_MAX])
                self._offset += n
                self._unflushed += n
                while views and n >= len(views[0]):
                    n -= len(views.pop(0))
                if n:
                    views[0] = views[0][n:]
        except OSError as e:
            if e.errno in (errno.ENOSPC, errno.EDQUOT):
                raise StoreFull(f"no space left on {self.store.root}") from e
            raise StoreError(f"cannot write {self.tmp}: {e.strerror}") from e
        if self._unflushed >= _FLUSH_EVERY:
            self._start_writeback()

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
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd = None
            os.rename(self.tmp, final)
            self.store.sync_dir()
        except OSError as e:
            self.abort()
            if e.errno in (errno.ENOSPC, errno.EDQUOT):
                raise StoreFull(f"no space left on {self.store.root}") from e
            raise StoreError(f"cannot store {final}: {e.strerror}") from e
        return self.name

    def abort(self) -> None:
        if self._fd is not None:
            try:
                os.close(self._fd)
            except OSError:
                pass
            self._fd = None
        try:
            os.unlink(self.tmp)
        except FileNotFoundError:
            pass


class FileReader(StoreReader):
    """One open descriptor for a whole download; reads that the page cache can serve are
    done without a thread switch (preadv2 with RWF_NOWAIT)."""

    def __init__(self, store: FilesystemStore, location: str) -> None:
        super().__init__(store, location)
        self.fd = store.open_fd(location)

    def read(self, offset: int, length: int) -> bytes:
        return os.pread(self.fd, length, offset)

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


class FilesystemStore(ImageStore):
    def __init__(self, root: Path, store_id: str = "local",
                 description: str = "Local filesystem store") -> None:
        self.root = Path(root)
        self.id = store_id
        self.description = description
        self.tmp_dir = self.root / _TMP
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)

    def path(self, location: str) -> Path:
        return self.root / _safe_name(location)

    def open_writer(self, name: str) -> FileWriter:
        return FileWriter(self, _safe_name(name))

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
