"""A keyed worker pool shared by the services that converge long operations (compute, volume).

``submit(key)`` runs ``run(key)`` in a thread pool, at most one job per key at a time; a key
submitted while its job runs is run once more afterwards, so nothing recorded is missed (each
run re-reads the desired state, so running twice is harmless). A reconciler thread runs the
periodic tasks, each every N passes, one pass every ``interval`` seconds. A failing job or
task is logged and never stops the worker.

Each service keeps its own parts as parameters: ``name`` (thread names ``<name>-worker`` and
``<name>-reconciler``, logger ``pocketstack.<name>.worker``), the periodic tasks, and
``describe`` (how a failed job's key is named in the log).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


class KeyedWorker(Generic[K]):
    def __init__(self, name: str, run: Callable[[K], None], *, threads: int, interval: float,
                 periodic: list[tuple[int, Callable[[], object]]],
                 describe: Callable[[K], str] | None = None) -> None:
        self.name = name
        self.run = run
        self.interval = interval
        self.periodic = periodic  # (every N passes, task)
        self.describe = describe or (lambda key: f"{name} job for {key}")
        self.log = logging.getLogger(f"pocketstack.{name}.worker")
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix=f"{name}-worker")
        self._lock = threading.Lock()
        self._running: set[K] = set()
        self._again: set[K] = set()
        self._idle = threading.Condition(self._lock)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name=f"{self.name}-reconciler",
                                            daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.pool.shutdown(wait=False, cancel_futures=True)

    def submit(self, key: K) -> None:
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

    def _job(self, key: K) -> None:
        while True:
            try:
                self.run(key)
            except Exception:  # noqa: BLE001 - one job's bug must not stop the worker
                self.log.exception("%s failed", self.describe(key))
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
                    self.log.debug("%s periodic task failed", self.name, exc_info=True)
            passes += 1
            self._stop.wait(self.interval)

    def busy(self) -> int:
        with self._lock:
            return len(self._running)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        with self._lock:
            return self._idle.wait_for(lambda: not self._running, timeout)
