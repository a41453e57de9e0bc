"""The data directory's run state: a lock held while a cloud runs, and state.json."""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from typing import Any


class DataDirInUse(Exception):
    pass


class RunLock:
    """An exclusive flock on <data_dir>/pocketstack.lock, held for the cloud's lifetime."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "pocketstack.lock"
        self.fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise DataDirInUse(str(self.path)) from None
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def held_by_other(self) -> bool:
        if not self.path.exists():
            return False
        fd = os.open(self.path, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)
        return False


def state_path(data_dir: Path) -> Path:
    return data_dir / "state.json"


def write_state(data_dir: Path, state: dict[str, Any]) -> None:
    tmp = state_path(data_dir).with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2))
    os.replace(tmp, state_path(data_dir))


def read_state(data_dir: Path) -> dict[str, Any] | None:
    try:
        return json.loads(state_path(data_dir).read_text())  # type: ignore[no-any-return]
    except (OSError, ValueError):
        return None


def clear_state(data_dir: Path) -> None:
    try:
        state_path(data_dir).unlink()
    except FileNotFoundError:
        pass


def write_secret(path: Path, value: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")
    os.chmod(path, 0o600)
