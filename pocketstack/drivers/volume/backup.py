"""Backup stores: where volume backups live, apart from the volume back end.

The directory store keeps each backup as a sparse file (only the data extents are written)
under ``<data_dir>/volume-backups``, written under a temporary name and renamed when
complete. Backups go through the volume driver's extents, so any volume driver can be backed
up to any store.
"""

from __future__ import annotations

import errno
import os
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path

from pocketstack.drivers.volume.base import DriverError, DriverFull, VolumeDriver


class BackupStore(ABC):
    name: str = "backup"

    @abstractmethod
    def write(self, backup_id: str, driver: VolumeDriver, location: str) -> tuple[str, int]:
        """Copy the volume (or snapshot) at ``location``; returns (backup location, number
        of data blocks written)."""

    @abstractmethod
    def restore(self, backup_location: str, driver: VolumeDriver, volume_id: str,
                size_gb: int) -> str:
        """A volume holding the backup's data; returns the volume's location."""

    @abstractmethod
    def delete(self, backup_location: str) -> None:
        """Remove a backup; absent is not an error."""

    @abstractmethod
    def exists(self, backup_location: str) -> bool:
        """Whether the backup's data is there."""


class DirectoryBackupStore(BackupStore):
    name = "directory"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _own(self, location: str) -> Path:
        path = Path(location)
        if path.parent != self.root:
            raise DriverError(f"{location} is not a backup of this store.")
        return path

    def write(self, backup_id: str, driver: VolumeDriver, location: str) -> tuple[str, int]:
        dest = self.root / f"backup-{backup_id}"
        tmp = self.root / f".tmp-{dest.name}-{uuid.uuid4().hex[:8]}"
        blocks = 0
        try:
            with open(tmp, "wb") as fh:
                for offset, block in driver.read_extents(location):
                    os.pwrite(fh.fileno(), block, offset)
                    blocks += 1
                os.ftruncate(fh.fileno(), driver.size_bytes(location))
            os.replace(tmp, dest)
        except OSError as e:
            tmp.unlink(missing_ok=True)
            if e.errno in (errno.ENOSPC, errno.EDQUOT):
                raise DriverFull("No space left on the backup store.") from e
            raise DriverError(f"backup failed: {e.strerror or e}") from e
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return str(dest), blocks

    def restore(self, backup_location: str, driver: VolumeDriver, volume_id: str,
                size_gb: int) -> str:
        path = self._own(backup_location)
        if not path.exists():
            raise DriverError(f"backup data {path.name} is missing.")
        copied = driver.copy_from_file(volume_id, size_gb, str(path))
        if copied is not None:
            return copied
        return driver.write_new(volume_id, size_gb, _extents(path))

    def delete(self, backup_location: str) -> None:
        self._own(backup_location).unlink(missing_ok=True)

    def exists(self, backup_location: str) -> bool:
        return self._own(backup_location).exists()

    def recover(self) -> None:
        for path in self.root.glob(".tmp-*"):
            path.unlink(missing_ok=True)


def _extents(path: Path, chunk: int = 4 << 20) -> Iterator[tuple[int, bytes]]:
    with open(path, "rb") as fh:
        pos = 0
        while True:
            block = fh.read(chunk)
            if not block:
                return
            yield pos, block
            pos += len(block)
