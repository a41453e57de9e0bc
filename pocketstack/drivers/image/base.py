"""The image store contract: where image data lives.

A store turns a stream of blocks into a durable object and back. Writing goes through a
``StoreWriter`` that is invisible until ``commit()`` (then atomically visible under the
returned location) and leaves nothing behind after ``abort()``. Reading is random-access
(``read(location, offset, length)``) so downloads can serve HTTP ranges. Every store has a
fake-free contract: the filesystem store is the default; an object-store or Ceph backend only
has to implement these few methods.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator


class StoreError(Exception):
    """A store could not do what was asked."""


class StoreFull(StoreError):
    """No space left on the store's media."""


class DataNotFound(StoreError):
    """The location holds no data (deleted, or never written)."""


class StoreWriter(ABC):
    """One object being written. Not visible to readers until committed."""

    @abstractmethod
    def write(self, block: bytes | bytearray | memoryview) -> None:
        """Append a block. Raises StoreFull when the media is full."""

    def write_many(self, blocks: list[bytes]) -> None:
        """Append several blocks (a writer may do it in one system call)."""
        for block in blocks:
            self.write(block)

    @abstractmethod
    def commit(self) -> str:
        """Make the data durable and visible; returns its location."""

    @abstractmethod
    def abort(self) -> None:
        """Forget everything written; safe to call more than once, or after commit fails."""


class StoreReader:
    """Random access to one object while it is being served (a download)."""

    def __init__(self, store: ImageStore, location: str) -> None:
        self.store = store
        self.location = location

    def read(self, offset: int, length: int) -> bytes:
        return self.store.read(self.location, offset, length)

    def read_cached(self, offset: int, length: int) -> bytes | memoryview | None:
        """The bytes if the store can give them without waiting for a disk (page cache),
        else None: the caller then reads in a worker thread."""
        return None

    def close(self) -> None:
        pass


class ImageStore(ABC):
    """A backend holding image data, named by ``id`` (what /v2/info/stores lists)."""

    id: str = "store"
    description: str = ""
    read_only: bool = False

    @abstractmethod
    def open_writer(self, name: str) -> StoreWriter:
        """A writer for a new object; ``name`` is a hint (the image id)."""

    @abstractmethod
    def read(self, location: str, offset: int, length: int) -> bytes:
        """Up to ``length`` bytes from ``offset`` (fewer only at the end of the object)."""

    @abstractmethod
    def size(self, location: str) -> int:
        """Size in bytes of the object; DataNotFound when absent."""

    @abstractmethod
    def delete(self, location: str) -> None:
        """Remove the object; absent objects are not an error."""

    def open_reader(self, location: str) -> StoreReader:
        return StoreReader(self, location)

    def iter_range(self, location: str, offset: int = 0, length: int | None = None,
                   chunk_size: int = 1 << 20) -> Iterator[bytes]:
        """Blocks of the object from ``offset``, ``length`` bytes in all (default: to the end)."""
        end = self.size(location) if length is None else offset + length
        pos = offset
        while pos < end:
            block = self.read(location, pos, min(chunk_size, end - pos))
            if not block:
                return
            pos += len(block)
            yield block

    def adopt(self, source: ImageStore, location: str, name: str) -> str | None:
        """Take over an object of another store without copying, when the two can (same
        filesystem...). Returns the new location, or None when a copy is needed."""
        return None

    def free_bytes(self) -> int | None:
        """Free space on the media, when the store can tell."""
        return None

    def recover(self, live: set[str]) -> int:
        """Remove leftovers of writes that never committed (after a crash); objects of writers
        named in ``live`` are kept. Returns how many were removed."""
        return 0
