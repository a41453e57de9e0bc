"""Transactions with retry, shared by the services (compute, network).

One write transaction per unit of work, retried when a concurrent writer won a race (a unique
constraint, a lock, a busy database); after ``MAX_RETRIES`` attempts the caller gets a 409.

On SQLite, writers are serialised by BEGIN IMMEDIATE; queueing them on a lock here first
keeps SQLite's busy handler (which sleeps in steps of up to 100 ms) out of the hot path
when many API threads and agent workers write at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc

T = TypeVar("T")
MAX_RETRIES = 8


class RetryingTransactions:
    """Runs a unit of work in one write transaction and retries it when a unique
    constraint or a lock tells that a concurrent writer won a race.

    Each service says how it logs giving up (``log``, ``gave_up``: a message with two
    ``%``-fields, the attempts and the error) and how long it pauses before attempt
    ``attempt + 2`` (``pause``, in seconds)."""

    def __init__(self, db: Any, *, log: logging.Logger, gave_up: str,
                 pause: Callable[[int], float]) -> None:
        self.db = db
        self._log = log
        self._gave_up = gave_up
        self._pause = pause
        self._lock = threading.Lock() if db.is_sqlite else None

    def write(self, work: Callable[[Session], T]) -> T:
        for attempt in range(MAX_RETRIES):
            try:
                return self._once(work)
            except (IntegrityError, OperationalError) as e:
                if attempt == MAX_RETRIES - 1:
                    self._log.warning(self._gave_up, MAX_RETRIES, e)
                    raise exc.Conflict("A concurrent request changed the same resources; "
                                       "please retry.") from e
                time.sleep(self._pause(attempt))
        raise AssertionError("unreachable")

    def _once(self, work: Callable[[Session], T]) -> T:
        if self._lock is None:
            with self.db.write() as s:
                return work(s)
        with self._lock, self.db.write() as s:
            return work(s)

    def read(self, work: Callable[[Session], T]) -> T:
        with self.db.read() as s:
            return work(s)
