"""`api_threads` bounds the threads that run the API's blocking handlers: a burst of
concurrent requests to a cloud started with two grows the process by two threads at most,
while the same burst grows a cloud started with twelve by more (the control, which shows
the count does see the handlers' threads)."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.conftest import start_cloud, stop_cloud


def os_threads(pid: int) -> int:
    found = re.search(r"^Threads:\s+(\d+)", Path(f"/proc/{pid}/status").read_text(), re.M)
    assert found is not None
    return int(found.group(1))


def settled_threads(pid: int, timeout: float = 20.0) -> int:
    """The thread count once the start-up threads are done: the same in two readings a
    second apart, at least three seconds after start (the lazy APIs are built after 1.5 s)."""
    deadline = time.monotonic() + timeout
    time.sleep(3)
    last = os_threads(pid)
    while time.monotonic() < deadline:
        time.sleep(1)
        now = os_threads(pid)
        if now == last:
            return now
        last = now
    raise AssertionError("the thread count did not settle")


@pytest.mark.parametrize("limit", [2, 12])
def test_api_threads_bounds_handler_threads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             limit: int) -> None:
    monkeypatch.setenv("POCKETSTACK_API_THREADS", str(limit))
    cloud, proc = start_cloud(tmp_path)
    try:
        body = {"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": "admin", "domain": {"id": "default"},
                "password": cloud.admin_password}}},
            "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}
        before = settled_threads(cloud.pid)
        # Password tokens: each handler hashes the password for tens of ms, so 16 at once
        # overlap and the pool grows as far as it may.
        with httpx.Client(base_url=cloud.url, timeout=60,
                          limits=httpx.Limits(max_connections=16)) as http, \
                ThreadPoolExecutor(16) as pool:
            for _ in range(3):
                codes = list(pool.map(
                    lambda _i: http.post("/v3/auth/tokens", json=body).status_code, range(16)))
                assert codes == [201] * 16
        grown = os_threads(cloud.pid) - before
        if limit == 2:
            assert 1 <= grown <= 2, grown
        else:
            assert grown > 2, grown
    finally:
        stop_cloud(proc)


def test_api_thread_count_follows_the_database(tmp_path: Path) -> None:
    from pocketstack.config import Settings

    assert Settings(data_dir=tmp_path).api_thread_count == 3
    assert Settings(data_dir=tmp_path, database_url="postgresql+psycopg://u:p@db/ps"
                    ).api_thread_count == 16
    assert Settings(data_dir=tmp_path, api_threads=5).api_thread_count == 5
