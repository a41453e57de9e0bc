"""Hashing while streaming: every block written to a store is also fed to md5 (Glance's
``checksum``) and to the secure hash (``os_hash_algo``, sha512 by default).

The three consumers of the stream (md5, the secure hash, the store writer) each run in their
own thread and take the blocks in order from a shared, bounded window: the slowest one (md5
on most machines) never waits for the others, and the producer (the event loop receiving the
upload, or an import thread) only waits when ``max_bytes`` are in flight. hashlib and os.writev
release the GIL, so the three run on as many cores as the machine has. A block is dropped as
soon as all three have seen it, so memory stays at ``max_bytes`` plus one block whatever the
image size. The first and last bytes of the stream are kept for format inspection (qcow2 /
vmdk / vhd headers and footers).

Blocks are lists of bytes-like chunks (as received: never joined, never copied); the producer
must not modify a chunk after handing it over.
"""

from __future__ import annotations

import hashlib
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from pocketstack.drivers.image.base import StoreWriter

HEAD_BYTES = 64 * 1024
TAIL_BYTES = 512
MAX_IN_FLIGHT = 16 << 20

Chunks = Sequence[Any]  # bytes | bytearray | memoryview


@dataclass(frozen=True)
class Digest:
    size: int
    checksum: str
    hash_algo: str
    hash_value: str
    head: bytes
    tail: bytes


class SinkClosed(Exception):
    """The sink was cancelled (or failed) while a producer was still feeding it."""


class _Window:
    """Blocks handed in order to several consumer threads, at most ``max_bytes`` (plus the
    last block) held at a time. Each consumer sees every block exactly once, in order."""

    def __init__(self, consumers: list[tuple[str, Callable[[Chunks], None]]],
                 max_bytes: int) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._blocks: deque[tuple[Chunks, int]] = deque()
        self._first = 0              # index of _blocks[0] in the stream
        self._count = 0              # blocks put so far
        self._pos = [0] * len(consumers)
        self._held = 0               # bytes in _blocks
        self.max_bytes = max_bytes
        self._closed = False         # no more blocks will come
        self._stopped = False        # cancelled, or a consumer failed
        self.error: BaseException | None = None
        self._room: list[Future[None]] = []
        self._threads = [threading.Thread(target=self._run, args=(i, fn), daemon=True,
                                          name=f"image-{name}")
                         for i, (name, fn) in enumerate(consumers)]
        for t in self._threads:
            t.start()

    # -- producer side ---------------------------------------------------------------------
    def put(self, block: Chunks, size: int) -> None:
        """Append a block without waiting (see ``full`` / ``room``); raises the error of a
        failed consumer, or SinkClosed after ``cancel``."""
        with self._cond:
            self._check()
            self._blocks.append((block, size))
            self._held += size
            self._count += 1
            self._cond.notify_all()

    @property
    def full(self) -> bool:
        return self._held >= self.max_bytes

    def room(self) -> Future[None]:
        """Done when fewer than ``max_bytes`` are held (or the window failed)."""
        fut: Future[None] = Future()
        with self._cond:
            if self._held < self.max_bytes or self._stopped:
                fut.set_result(None)
            else:
                self._room.append(fut)
        return fut

    def wait_room(self) -> None:
        with self._cond:
            while self._held >= self.max_bytes and not self._stopped:
                self._cond.wait()
            self._check()

    def close(self) -> None:
        """No more blocks: wait for every consumer to finish; raises the first error."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._join()
        with self._cond:
            self._check()

    def cancel(self) -> None:
        """Stop the consumers (each finishes the block in hand) and wait for them."""
        with self._cond:
            self._stopped = True
            self._blocks.clear()
            self._held = 0
            self._cond.notify_all()
            self._wake_room()
        self._join()

    def _join(self) -> None:
        for t in self._threads:
            if t is not threading.current_thread():
                t.join()

    def _check(self) -> None:
        if self.error is not None:
            raise self.error
        if self._stopped:
            raise SinkClosed("the image data sink was cancelled")

    def _wake_room(self) -> None:
        waiting, self._room = self._room, []
        for fut in waiting:
            if fut.set_running_or_notify_cancel():
                fut.set_result(None)

    # -- consumer side ---------------------------------------------------------------------
    def _run(self, i: int, fn: Callable[[Chunks], None]) -> None:
        cond = self._cond
        while True:
            with cond:
                while self._pos[i] == self._count and not self._closed and not self._stopped:
                    cond.wait()
                if self._stopped or self._pos[i] == self._count:
                    return
                block = self._blocks[self._pos[i] - self._first][0]
            try:
                fn(block)
            except BaseException as e:  # noqa: BLE001 - handed to the producer
                with cond:
                    if self.error is None:
                        self.error = e
                    self._stopped = True
                    self._blocks.clear()
                    self._held = 0
                    cond.notify_all()
                    self._wake_room()
                return
            del block
            with cond:
                self._pos[i] += 1
                low = min(self._pos)
                if low > self._first:
                    while self._first < low:
                        self._held -= self._blocks.popleft()[1]
                        self._first += 1
                    if self._held < self.max_bytes:
                        cond.notify_all()  # a producer blocked in wait_room
                        self._wake_room()


def _hasher(h: Any) -> Callable[[Chunks], None]:
    def update(block: Chunks) -> None:
        for chunk in block:
            h.update(chunk)
    return update


class HashingSink:
    """Feeds blocks to a StoreWriter and to both hashes, each in its own thread.

    ``put(chunks)`` hands a block over without waiting (then check ``full`` and wait for
    ``room()``: the event-loop way); ``feed(block)`` waits for room itself (the worker-thread
    way). ``finish()`` waits until everything is written and hashed and gives the Digest (the
    writer is then ready to commit); ``cancel()`` stops the threads (call it before aborting
    the writer). Errors of the writer (StoreFull...) are raised by the next put / feed /
    finish.
    """

    def __init__(self, writer: StoreWriter, pool: Any = None, hash_algo: str = "sha512",
                 max_bytes: int = MAX_IN_FLIGHT) -> None:
        self.writer = writer
        self.hash_algo = hash_algo
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._secure = hashlib.new(hash_algo)
        self.size = 0
        self._head = bytearray()
        self._tail = b""
        self._digest: Digest | None = None
        self._window = _Window([("md5", _hasher(self._md5)),
                                (hash_algo, _hasher(self._secure)),
                                ("write", writer.write_many)], max_bytes)

    # -- producer API ----------------------------------------------------------------------
    def put(self, chunks: Chunks) -> None:
        """Hand over consecutive chunks (not copied: do not modify them afterwards)."""
        chunks = [c for c in chunks if len(c)]
        if not chunks:
            return
        size = 0
        for chunk in chunks:
            size += self._remember(chunk)
        self._window.put(chunks, size)

    @property
    def full(self) -> bool:
        return self._window.full

    def room(self) -> Future[None]:
        return self._window.room()

    def feed(self, block: bytes | bytearray | memoryview) -> None:
        """Hand over one block, waiting while the window is full (from a worker thread)."""
        self.feed_many([block])

    def feed_many(self, blocks: Chunks) -> None:
        self.put(blocks)
        if self._window.full:
            self._window.wait_room()

    def finish(self) -> Digest:
        """Wait for the writes and hashes to complete; raises the first error."""
        if self._digest is None:
            self._window.close()
            self._digest = Digest(self.size, self._md5.hexdigest(), self.hash_algo,
                                  self._secure.hexdigest(), bytes(self._head), self._tail)
        return self._digest

    digest = finish

    def cancel(self) -> None:
        """Stop writing and hashing (idempotent); the caller then aborts the writer."""
        if self._digest is None:
            self._window.cancel()

    @property
    def error(self) -> BaseException | None:
        return self._window.error

    def _remember(self, chunk: Any) -> int:
        view = memoryview(chunk)
        if view.itemsize != 1 or view.ndim != 1:
            view = view.cast("B")
        n = len(view)
        if len(self._head) < HEAD_BYTES:
            self._head += view[: HEAD_BYTES - len(self._head)]
        if n >= TAIL_BYTES:
            self._tail = bytes(view[-TAIL_BYTES:])
        else:
            self._tail = (self._tail + bytes(view))[-TAIL_BYTES:]
        self.size += n
        return n
