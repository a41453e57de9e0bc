"""Hashing while streaming: every block written to a store is also fed to md5 (Glance's
``checksum``) and to the secure hash (``os_hash_algo``, sha512 by default).

The two digests and the write run in parallel (hashlib and os.write release the GIL), so a
block costs the slowest of the three rather than their sum. The first and last bytes of the
stream are kept for format inspection (qcow2 / vmdk / vhd headers and footers).
"""

from __future__ import annotations

import hashlib
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from pocketstack.drivers.image.base import StoreWriter

HEAD_BYTES = 64 * 1024
TAIL_BYTES = 512


@dataclass(frozen=True)
class Digest:
    size: int
    checksum: str
    hash_algo: str
    hash_value: str
    head: bytes
    tail: bytes


def _update(hasher: Any, blocks: list[Any]) -> None:
    for block in blocks:
        hasher.update(block)


class HashingSink:
    """Feeds blocks to a StoreWriter and to both hashes; ``finish()`` gives the Digest."""

    def __init__(self, writer: StoreWriter, pool: Executor, hash_algo: str = "sha512") -> None:
        self.writer = writer
        self.pool = pool
        self.hash_algo = hash_algo
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._secure = hashlib.new(hash_algo)
        self.size = 0
        self._head = bytearray()
        self._tail = b""

    def feed(self, block: bytes | bytearray | memoryview) -> None:
        """Write and hash one block (called from a worker thread, one block at a time)."""
        self.feed_many([block])

    def feed_many(self, blocks: list[Any]) -> None:
        """Write and hash consecutive blocks without joining them (no copy): the caller
        hands them over and does not touch them again."""
        blocks = [b for b in blocks if len(b)]
        if not blocks:
            return
        md5_done = self.pool.submit(_update, self._md5, blocks)
        secure_done = self.pool.submit(_update, self._secure, blocks)
        try:
            self.writer.write_many(blocks)
        finally:
            md5_done.result()
            secure_done.result()
        for block in blocks:
            self._remember(memoryview(block))

    def _remember(self, view: memoryview) -> None:
        if len(self._head) < HEAD_BYTES:
            self._head += view[: HEAD_BYTES - len(self._head)]
        if len(view) >= TAIL_BYTES:
            self._tail = bytes(view[-TAIL_BYTES:])
        else:
            self._tail = (self._tail + bytes(view))[-TAIL_BYTES:]
        self.size += len(view)

    def digest(self) -> Digest:
        return Digest(self.size, self._md5.hexdigest(), self.hash_algo,
                      self._secure.hexdigest(), bytes(self._head), self._tail)
