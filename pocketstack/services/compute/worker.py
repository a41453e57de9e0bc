"""The compute worker: a thread pool that converges servers, one job per server at a time.

``submit(id)`` is called after a request recorded what a server should become; the job
reads the server and carries it forward until it is settled (scheduling, then the host's
agent). A server submitted while its job runs is run once more afterwards, so nothing
recorded is missed. A reconciler thread sends the hosts' heartbeats, re-submits every
server still carrying a task (after a restart, or recorded by another API process) and, less
often, has the agents audit their hypervisors. So no server stays in BUILD forever.
The pool itself is ``services.workers.KeyedWorker``, keyed by server id.
"""

from __future__ import annotations

from collections.abc import Callable

from pocketstack.services.workers import KeyedWorker

AUDIT_EVERY = 12  # reconcile passes between audits


class Worker(KeyedWorker[str]):
    def __init__(self, run: Callable[[str], None], *, threads: int, interval: float,
                 periodic: list[tuple[int, Callable[[], object]]]) -> None:
        super().__init__("compute", run, threads=threads, interval=interval,
                         periodic=periodic)
