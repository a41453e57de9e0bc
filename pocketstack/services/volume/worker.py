"""The worker: a level-triggered reconciler for long volume operations.

The API records desired state (a transitional status plus ``task`` on the row) and calls
``submit``. A thread pool runs the task; each run re-reads the row, so running a task twice
is harmless, and a task submitted while it runs is run once more afterwards. A reconciler
thread scans for rows that still carry a task — at start (resuming whatever a previous
process left half done) and then every ``interval`` seconds (catching anything recorded by
another API process) — so nothing stays in 'creating' forever. A real agent can later take
this role over the HTTP API with the same contract.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger("pocketstack.volume.worker")

Key = tuple[str, str]


class Worker:
    def __init__(self, runners: dict[str, Callable[[str], None]],
                 scan: Callable[[], list[Key]], *, threads: int, interval: float) -> None:
        self.runners = runners
        self.scan = scan
        self.interval = interval
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="volume-worker")
        self._lock = threading.Lock()
        self._running: set[Key] = set()
        self._again: set[Key] = set()
        self._idle = threading.Condition(self._lock)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="volume-reconciler",
                                            daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.pool.shutdown(wait=False, cancel_futures=True)

    def submit(self, kind: str, obj_id: str) -> None:
        key = (kind, obj_id)
        with self._lock:
            if key in self._running:
                self._again.add(key)
                return
            self._running.add(key)
        try:
            self.pool.submit(self._run, key)
        except RuntimeError:  # shutting down
            with self._lock:
                self._running.discard(key)

    def _run(self, key: Key) -> None:
        while True:
            try:
                self.runners[key[0]](key[1])
            except Exception:  # noqa: BLE001 - a bug in one task must not stop the worker
                log.exception("volume task %s %s failed", *key)
            with self._lock:
                if key in self._again:
                    self._again.discard(key)
                    continue
                self._running.discard(key)
                self._idle.notify_all()
                return

    def reconcile(self) -> int:
        """One pass: submit every row that waits for work. Returns how many."""
        try:
            pending = self.scan()
        except Exception:  # noqa: BLE001 - tables missing on a fresh database
            log.debug("volume reconcile skipped", exc_info=True)
            return 0
        for kind, obj_id in pending:
            self.submit(kind, obj_id)
        return len(pending)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.reconcile()
            self._stop.wait(self.interval)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        with self._lock:
            return self._idle.wait_for(lambda: not self._running, timeout)
