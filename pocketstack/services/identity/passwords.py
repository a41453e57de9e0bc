"""Password and secret hashing with argon2id (OWASP parameters or stronger)."""

from __future__ import annotations

import os
import threading

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Hasher:
    """argon2id. At most one hash per core runs at a time, which bounds the memory held by
    concurrent logins (each hash needs ``memory_kib``) without slowing a 2-core machine."""

    def __init__(self, memory_kib: int = 19456, time_cost: int = 2, parallelism: int = 1) -> None:
        self._slots = threading.BoundedSemaphore(max(1, os.cpu_count() or 1))
        self._ph = PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_kib,
            parallelism=parallelism,
            hash_len=32,
            salt_len=16,
            type=Type.ID,
        )

    def hash(self, secret: str) -> str:
        with self._slots:
            return self._ph.hash(secret)

    def verify(self, hashed: str | None, secret: str) -> bool:
        if not hashed:
            # Spend the same time as a real check so timing does not reveal the user exists.
            self.hash(secret)
            return False
        try:
            with self._slots:
                return self._ph.verify(hashed, secret)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
