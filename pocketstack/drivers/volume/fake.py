"""The fake volume driver: the file driver's contract with no disk at all.

Volumes are sizes (and, when data is written, a dict of extents) in memory, so the layers
above can be tested in milliseconds. ``full`` makes every write fail as a full disk would.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from typing import Any

from pocketstack.drivers.volume.base import Capacity, DriverError, DriverFull, GiB, VolumeDriver


class FakeDriver(VolumeDriver):
    name = "fake"
    storage_protocol = "fake"

    def __init__(self, total_gb: int = 10_000) -> None:
        self.objects: dict[str, tuple[int, dict[int, bytes]]] = {}
        self.total_gb = total_gb
        self.full = False
        self._lock = threading.Lock()

    def _put(self, location: str, size: int, data: dict[int, bytes]) -> str:
        if self.full:
            raise DriverFull("No space left on the volume store.")
        with self._lock:
            self.objects[location] = (size, data)
        return location

    def _get(self, location: str) -> tuple[int, dict[int, bytes]]:
        try:
            return self.objects[location]
        except KeyError:
            raise DriverError(f"{location} does not exist.") from None

    def create(self, volume_id: str, size_gb: int) -> str:
        loc = f"fake://volume-{volume_id}"
        if loc in self.objects:
            size, data = self.objects[loc]
            return self._put(loc, max(size, size_gb * GiB), data)
        return self._put(loc, size_gb * GiB, {})

    def delete(self, location: str) -> None:
        with self._lock:
            self.objects.pop(location, None)

    def extend(self, location: str, size_gb: int) -> None:
        size, data = self._get(location)
        self._put(location, max(size, size_gb * GiB), data)

    def clone(self, source: str, volume_id: str, size_gb: int) -> str:
        size, data = self._get(source)
        return self._put(f"fake://volume-{volume_id}", max(size, size_gb * GiB), dict(data))

    def exists(self, location: str) -> bool:
        return location in self.objects

    def snapshot(self, location: str, snapshot_id: str) -> str:
        size, data = self._get(location)
        return self._put(f"fake://snapshot-{snapshot_id}", size, dict(data))

    def read_extents(self, location: str, chunk: int = 4 << 20) -> Iterator[tuple[int, bytes]]:
        _, data = self._get(location)
        yield from sorted(data.items())

    def write_new(self, volume_id: str, size_gb: int,
                  extents: Iterable[tuple[int, bytes]]) -> str:
        data = {off: bytes(block) for off, block in extents if block.count(0) != len(block)}
        end = max((off + len(b) for off, b in data.items()), default=0)
        return self._put(f"fake://volume-{volume_id}", max(end, size_gb * GiB), data)

    def size_bytes(self, location: str) -> int:
        return self._get(location)[0]

    def connection_info(self, location: str, connector: dict[str, Any] | None,
                        mode: str) -> dict[str, Any]:
        return {"driver_volume_type": "fake", "data": {"name": location, "access_mode": mode}}

    def capacity(self) -> Capacity:
        used = sum(size for size, _ in self.objects.values()) / GiB
        return Capacity(total_gb=float(self.total_gb), free_gb=max(0.0, self.total_gb - used))
