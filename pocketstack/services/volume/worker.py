"""The worker: a level-triggered reconciler for long volume operations.

The API records desired state (a transitional status plus ``task`` on the row) and calls
``submit``. A thread pool runs the task; each run re-reads the row, so running a task twice
is harmless, and a task submitted while it runs is run once more afterwards. A reconciler
thread scans for rows that still carry a task — at start (resuming whatever a previous
process left half done) and then every ``interval`` seconds (catching anything recorded by
another API process) — so nothing stays in 'creating' forever. A real agent can later take
this role over the HTTP API with the same contract. The pool itself is
``services.workers.KeyedWorker``, keyed by (kind, id).
"""

from __future__ import annotations

from collections.abc import Callable

from pocketstack.services.workers import KeyedWorker

Key = tuple[str, str]


class Worker(KeyedWorker[Key]):
    def __init__(self, runners: dict[str, Callable[[str], None]],
                 scan: Callable[[], list[Key]], *, threads: int, interval: float) -> None:
        self.runners = runners
        self.scan = scan
        super().__init__("volume", self._dispatch, threads=threads, interval=interval,
                         periodic=[(1, self.reconcile)],
                         describe=lambda key: f"volume task {key[0]} {key[1]}")

    def _dispatch(self, key: Key) -> None:
        self.runners[key[0]](key[1])

    def submit(self, kind: str, obj_id: str) -> None:  # type: ignore[override]
        super().submit((kind, obj_id))

    def reconcile(self) -> int:
        """One pass: submit every row that waits for work. Returns how many."""
        try:
            pending = self.scan()
        except Exception:  # noqa: BLE001 - tables missing on a fresh database
            self.log.debug("volume reconcile skipped", exc_info=True)
            return 0
        for kind, obj_id in pending:
            self.submit(kind, obj_id)
        return len(pending)
