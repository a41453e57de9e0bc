"""The volume driver contract: where volume data lives and how it is reached.

A driver stores each volume (and snapshot) as one object named by a *location* string that
the driver hands out and the database keeps (``provider_location``). Every method is
idempotent, so the worker can simply run an operation again after a crash: creating what
exists only makes sure of its size, deleting what is gone is not an error. Data crosses the
contract as *extents* — ``(offset, bytes)`` pairs for the parts that hold data — so sparse
volumes stay sparse through clones, image copies and backups.

``connection_info`` is what a hypervisor needs to attach the volume (the file driver gives
the file path, which qemu opens directly).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

GiB = 1 << 30


class DriverError(Exception):
    """The back end could not do what was asked."""


class DriverFull(DriverError):
    """No space left on the back end."""


@dataclass(frozen=True)
class Capacity:
    total_gb: float
    free_gb: float


class VolumeDriver(ABC):
    """A storage back end. ``name`` shows up as the volume_backend_name and in hosts."""

    name: str = "driver"
    storage_protocol: str = "file"

    # -- volumes ----------------------------------------------------------------------
    @abstractmethod
    def create(self, volume_id: str, size_gb: int) -> str:
        """A blank volume of ``size_gb`` GiB (reads as zeros). Returns its location."""

    @abstractmethod
    def delete(self, location: str) -> None:
        """Remove the object at ``location``; an absent one is not an error."""

    @abstractmethod
    def extend(self, location: str, size_gb: int) -> None:
        """Grow the object to ``size_gb`` GiB (never shrinks)."""

    @abstractmethod
    def clone(self, source: str, volume_id: str, size_gb: int) -> str:
        """A new volume with the data of ``source`` (a volume or a snapshot), grown to
        ``size_gb``; copy-on-write where the back end can. Returns its location."""

    @abstractmethod
    def exists(self, location: str) -> bool:
        """Whether the object is there."""

    # -- snapshots --------------------------------------------------------------------
    @abstractmethod
    def snapshot(self, location: str, snapshot_id: str) -> str:
        """A point-in-time copy of the volume at ``location``. Returns its location."""

    # -- data -------------------------------------------------------------------------
    @abstractmethod
    def read_extents(self, location: str, chunk: int = 4 << 20) -> Iterator[tuple[int, bytes]]:
        """The data of the object as (offset, block) pairs; holes are left out."""

    @abstractmethod
    def write_new(self, volume_id: str, size_gb: int,
                  extents: Iterable[tuple[int, bytes]]) -> str:
        """A new volume holding ``extents`` (all else zero). Nothing is visible under the
        location until every extent is written. Returns its location."""

    @abstractmethod
    def size_bytes(self, location: str) -> int:
        """The object's size in bytes."""

    def copy_from_file(self, volume_id: str, size_gb: int, path: str) -> str | None:
        """A new volume with the contents of a local raw file (clone or in-kernel copy),
        when the back end can do that faster than through extents. None: not supported."""
        return None

    # -- attachments ------------------------------------------------------------------
    @abstractmethod
    def connection_info(self, location: str, connector: dict[str, Any] | None,
                        mode: str) -> dict[str, Any]:
        """What the host in ``connector`` needs to attach the volume."""

    # -- back end -----------------------------------------------------------------------
    @abstractmethod
    def capacity(self) -> Capacity:
        """Total and free space."""

    def recover(self, known_ids: set[str]) -> int:
        """Remove leftovers of writes that never finished (temporary objects) and objects
        of volumes or snapshots whose id is not in ``known_ids``. Returns how many were
        removed."""
        return 0
