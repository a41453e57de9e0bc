"""Compute transactions: one write transaction per unit of work, retried when a concurrent
writer won a race (a unique constraint, a lock, a busy database). The retry loop and the
SQLite writer queue are ``services.transactions.RetryingTransactions``; compute pauses
2 ms, 4 ms, 6 ms … between attempts.
"""

from __future__ import annotations

import logging
from typing import Any

from pocketstack.services.transactions import MAX_RETRIES, RetryingTransactions

__all__ = ["MAX_RETRIES", "Transactions"]

log = logging.getLogger("pocketstack.compute")


class Transactions(RetryingTransactions):
    def __init__(self, db: Any) -> None:
        super().__init__(db, log=log, gave_up="compute write gave up after %d attempts: %s",
                         pause=lambda attempt: 0.002 * (attempt + 1))
