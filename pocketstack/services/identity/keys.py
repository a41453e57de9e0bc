"""Key repositories on disk: Fernet keys for tokens and for credential blobs.

Keys are created on first start in <data_dir>/keys/<purpose>/ with mode 0600 (directory
0700). Like keystone-manage fernet_rotate, key 0 is the staged key, the highest number is the
primary; all keys decrypt, the primary encrypts.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, MultiFernet


class KeyRepository:
    def __init__(self, directory: Path, *, max_active: int = 3) -> None:
        self.directory = directory
        self.max_active = max_active

    def ensure(self) -> bool:
        """Create the directory and the first keys if missing. Returns True if created."""
        if self.directory.exists() and any(self.directory.iterdir()):
            return False
        self.directory.mkdir(parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)
        self._write(0, Fernet.generate_key())
        self._write(1, Fernet.generate_key())
        return True

    def rotate(self) -> None:
        keys = self._numbers()
        staged = self.directory / "0"
        new_primary = max(keys) + 1
        os.replace(staged, self.directory / str(new_primary))
        self._write(0, Fernet.generate_key())
        for old in sorted(k for k in keys if k not in (0,))[: -(self.max_active - 1) or None]:
            if old != new_primary and len(self._numbers()) > self.max_active:
                (self.directory / str(old)).unlink()

    def fernet(self) -> MultiFernet:
        keys = sorted(self._numbers(), reverse=True)  # primary first, staged (0) last
        return MultiFernet([Fernet((self.directory / str(k)).read_bytes().strip()) for k in keys])

    def _numbers(self) -> list[int]:
        return [int(p.name) for p in self.directory.iterdir() if p.name.isdigit()]

    def _write(self, number: int, key: bytes) -> None:
        path = self.directory / str(number)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
        os.chmod(path, 0o600)
