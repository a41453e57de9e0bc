"""The compute worker: a thread pool that converges servers, one job per server at a time.

``submit(id)`` is called after a request recorded what a server should become; the job
reads the server and carries it forward until it is settled (scheduling, then the host's
agent). A server submitted while its job runs is run once more afterwards, so nothing
recorded is missed. A reconciler thread sends the hosts' heartbeats, re-submits every
server still carrying a task (after a restart, or recorded by another API process) and, less
often, has the agents audit their hypervisors. So no server stays in BUILD forever.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger("pocketstack.compute.worker")
AUDIT_EVERY = 12  # reconcile passes between audits


class Worker:
    def __init__(self, run: Callable[[str], None], *, threads: int, interval: float,
                 periodic: list[tuple[int, Callable[[], object]]]) -> None:
        self.run = run
        self.interval = interval
        self.periodic = periodic  # (every N passes, task)
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="compute-worker")
        self._lock = threading.Lock()
        self._running: set[str] = set()
        self._again: set[str] = set()
        self._idle = threading.Condition(self._lock)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="compute-reconciler",
                                            daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.pool.shutdown(wait=False, cancel_futures=True)

    def submit(self, key: str) -> None:
        with self._lock:
            if key in self._running:
                self._again.add(key)
                return
            self._running.add(key)
        try:
            self.pool.submit(self._job, key)
        except RuntimeError:  # shutting down
            with self._lock:
                self._running.discard(key)

    def _job(self, key: str) -> None:
        while True:
            try:
                self.run(key)
            except Exception:  # noqa: BLE001 - one server's bug must not stop the worker
                log.exception("compute job for %s failed", key)
            with self._lock:
                if key in self._again:
                    self._again.discard(key)
                    continue
                self._running.discard(key)
                self._idle.notify_all()
                return

    def _loop(self) -> None:
        passes = 0
        while not self._stop.is_set():
            for every, task in self.periodic:
                if passes % every:
                    continue
                try:
                    task()
                except Exception:  # noqa: BLE001 - tables missing on a fresh database
                    log.debug("compute periodic task failed", exc_info=True)
            passes += 1
            self._stop.wait(self.interval)

    def busy(self) -> int:
        with self._lock:
            return len(self._running)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        with self._lock:
            return self._idle.wait_for(lambda: not self._running, timeout)
