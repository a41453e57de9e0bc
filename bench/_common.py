"""What the benchmarks share: a real `pocketstack up` started on a temporary data dir and
stopped, its address, the admin's password token, and the server's resident memory.

The benchmarks run as scripts (`.venv/bin/python bench/X.py`): Python puts the script's
directory first on sys.path, so they import this module as `_common`.
"""

from __future__ import annotations

import http.client
import json
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def start(data_dir: Path, *extra: str, poll: float, timeout: float | None = 60.0,
          env: Mapping[str, str] | None = None) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
    """Launch `pocketstack up` (output discarded) and wait, checking every ``poll`` seconds,
    until it has written its state file; ``timeout=None`` waits as long as it runs.
    Returns (process, state)."""
    proc = subprocess.Popen(
        [PYTHON, "-m", "pocketstack.cli.main", "up", "--data-dir", str(data_dir), "--port", "0",
         "--clouds-yaml", "none", "--quiet", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, env=env)
    state_file = data_dir / "state.json"
    deadline = None if timeout is None else time.monotonic() + timeout
    while deadline is None or time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("pocketstack exited during start")
        try:
            state = json.loads(state_file.read_text())
            if state["pid"] == proc.pid:
                return proc, state
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(poll)
    stop(proc)
    raise RuntimeError("pocketstack did not start")


def stop(proc: subprocess.Popen[bytes], timeout: float = 15) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def address(url: str) -> tuple[str, int]:
    """(host, port) of the cloud's URL, "http://host:port"."""
    host, port = url.split("//", 1)[1].rsplit(":", 1)
    return host, int(port)


def auth_body(data_dir: Path) -> dict[str, Any]:
    """The body of a password token request for the admin, scoped to the admin project."""
    password = (data_dir / "admin-password").read_text().strip()
    return {"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "admin", "domain": {"id": "default"}, "password": password}}},
        "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}


def token(state: dict[str, Any], data_dir: Path) -> str:
    """An admin token; tries for about 10 s while the server is not answering yet."""
    body = json.dumps(auth_body(data_dir))
    for _ in range(200):
        try:
            conn = http.client.HTTPConnection(*address(state["url"]), timeout=30)
            conn.request("POST", "/v3/auth/tokens", body, {"Content-Type": "application/json"})
            resp = conn.getresponse()
            resp.read()
            if resp.status == 201:
                return resp.getheader("X-Subject-Token") or ""
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError("no token")


def rss_kb(pid: int) -> int:
    """Resident memory (VmRSS) of a process, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def save(path: Path, result: dict[str, Any], indent: int = 2) -> None:
    """Write the result as JSON, creating the directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=indent) + "\n")
