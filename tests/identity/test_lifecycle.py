"""The cloud as a process: a restart on the same data dir keeps everything (data, passwords,
token keys); a second `up` on a data dir in use is refused with exit code 2; `status` and
`down` tell the truth; SIGTERM stops the server cleanly."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import start_cloud, stop_cloud

ON_POSTGRES = bool(os.environ.get("POCKETSTACK_TEST_PG_URL"))
POCKETSTACK = Path(sys.executable).with_name("pocketstack")


def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    exe = [str(POCKETSTACK)] if POCKETSTACK.exists() else [sys.executable, "-m",
                                                           "pocketstack.cli.main"]
    return subprocess.run([*exe, *args], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def admin_token(cloud: Any, client: httpx.Client) -> str:
    resp = client.post("/v3/auth/tokens", json={"auth": {"identity": {
        "methods": ["password"], "password": {"user": {
            "name": "admin", "domain": {"id": "default"}, "password": cloud.admin_password}}}}})
    assert resp.status_code == 201, resp.text
    return resp.headers["X-Subject-Token"]


def port_open(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(ON_POSTGRES, reason="start_cloud makes a new PostgreSQL database on each "
                    "start; the data dir is what this test is about")
def test_restart_on_the_same_data_dir_keeps_everything(tmp_path: Path, unique: str) -> None:
    first, proc = start_cloud(tmp_path)
    try:
        with httpx.Client(base_url=first.url, timeout=60) as client:
            token = admin_token(first, client)
            h = {"X-Auth-Token": token}
            project = client.post("/v3/projects", headers=h,
                                  json={"project": {"name": unique, "tags": ["keep"]}})
            assert project.status_code == 201, project.text
            user = client.post("/v3/users", headers=h, json={"user": {
                "name": unique, "password": "pw-" + unique, "email": "a@b.c"}})
            assert user.status_code == 201, user.text
            project_id = project.json()["project"]["id"]
            user_id = user.json()["user"]["id"]
            member = client.get("/v3/roles", headers=h, params={"name": "member"})
            role_id = member.json()["roles"][0]["id"]
            assert client.put(f"/v3/projects/{project_id}/users/{user_id}/roles/{role_id}",
                              headers=h).status_code == 204
            revoked = admin_token(first, client)
            assert client.delete("/v3/auth/tokens", headers={
                "X-Auth-Token": token, "X-Subject-Token": revoked}).status_code == 204
    finally:
        stop_cloud(proc)

    # A state.json left behind by an unclean stop (see test_stop_is_clean) would make
    # start_cloud read the old URL before the new server writes its own.
    (first.data_dir / "state.json").unlink(missing_ok=True)
    second, proc = start_cloud(tmp_path)
    try:
        assert json.loads((second.data_dir / "state.json").read_text())["pid"] == proc.pid
        assert second.data_dir == first.data_dir
        assert second.admin_password == first.admin_password
        assert second.demo_password == first.demo_password
        with httpx.Client(base_url=second.url, timeout=60) as client:
            # The token keys survived: a token from before the restart still works...
            h = {"X-Auth-Token": token}
            got = client.get(f"/v3/projects/{project_id}", headers=h)
            assert got.status_code == 200, got.text
            assert got.json()["project"]["name"] == unique
            assert got.json()["project"]["tags"] == ["keep"]
            # ...and a revoked one stays revoked.
            check = client.get("/v3/auth/tokens",
                               headers={"X-Auth-Token": token, "X-Subject-Token": revoked})
            assert check.status_code == 404
            got = client.get(f"/v3/users/{user_id}", headers=h).json()["user"]
            assert got["name"] == unique and got["email"] == "a@b.c"
            resp = client.post("/v3/auth/tokens", json={"auth": {
                "identity": {"methods": ["password"], "password": {
                    "user": {"id": user_id, "password": "pw-" + unique}}},
                "scope": {"project": {"id": project_id}}}})
            assert resp.status_code == 201, resp.text
            names = [p["name"] for p in client.get("/v3/projects", headers=h).json()["projects"]]
            # Bootstrap ran again but created nothing twice.
            assert sorted(names) == sorted(["admin", "demo", "service", unique])
            users = [u["name"] for u in client.get("/v3/users", headers=h).json()["users"]]
            assert sorted(users) == sorted(["admin", "demo", unique])
            catalog = client.get("/v3/auth/catalog", headers=h).json()["catalog"]
            identity = [s for s in catalog if s["type"] == "identity"]
            assert len(identity) == 1
            assert {e["url"] for e in identity[0]["endpoints"]} == {second.identity_url}
    finally:
        stop_cloud(proc)


def test_second_up_on_a_data_dir_in_use_fails_clearly(fresh_cloud: Any) -> None:
    data_dir = fresh_cloud.data_dir
    result = cli("up", "--data-dir", str(data_dir), "--port", "0", "--clouds-yaml", "none",
                 "--quiet", timeout=60)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "in use" in result.stderr
    assert str(fresh_cloud.pid) in result.stderr
    assert str(data_dir) in result.stderr
    # The running cloud is untouched.
    with httpx.Client(base_url=fresh_cloud.url, timeout=30) as client:
        assert client.get("/v3").status_code == 200
    assert (data_dir / "state.json").exists()


def test_status_running_and_not_running(tmp_path: Path) -> None:
    cloud, proc = start_cloud(tmp_path)
    try:
        result = cli("status", "--data-dir", str(cloud.data_dir))
        assert result.returncode == 0, result.stdout + result.stderr
        assert "pocketstack is running" in result.stdout
        assert f"pid {proc.pid}" in result.stdout
        assert cloud.url in result.stdout and "healthy" in result.stdout
    finally:
        stop_cloud(proc)
    result = cli("status", "--data-dir", str(cloud.data_dir))
    assert result.returncode == 3, result.stdout + result.stderr
    assert "pocketstack is not running" in result.stdout
    never = cli("status", "--data-dir", str(tmp_path / "never-used"))
    assert never.returncode == 3 and "not running" in never.stdout


def wait_ready(cloud: Any) -> None:
    """Until the API answers (the server loop runs and handles signals)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(cloud.identity_url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise AssertionError("the API never answered")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_signal_stops_the_server(tmp_path: Path, sig: signal.Signals) -> None:
    cloud, proc = start_cloud(tmp_path)
    try:
        wait_ready(cloud)
        proc.send_signal(sig)
        started = time.monotonic()
        proc.wait(timeout=20)
        assert time.monotonic() - started < 10
        assert not port_open(cloud.url)
        result = cli("status", "--data-dir", str(cloud.data_dir))
        assert result.returncode == 3 and "not running" in result.stdout
        # The lock is free: the data dir can be used again at once.
        again, proc2 = start_cloud(tmp_path)
        stop_cloud(proc2)
    finally:
        stop_cloud(proc)


@pytest.mark.parametrize("how", ["TERM", "INT", "down"])
def test_stop_is_clean(tmp_path: Path, how: str) -> None:
    cloud, proc = start_cloud(tmp_path)
    try:
        wait_ready(cloud)
        if how == "down":
            result = cli("down", "--data-dir", str(cloud.data_dir))
            assert result.returncode == 0, result.stdout + result.stderr
        else:
            proc.send_signal(getattr(signal, "SIG" + how))
        rc = proc.wait(timeout=20)
        log = (tmp_path / "server.log").read_text()
        assert not (cloud.data_dir / "state.json").exists(), log
        assert "pocketstack: stopped" in log
        assert "Traceback" not in log
        assert rc == 0, log
    finally:
        stop_cloud(proc)


def test_down_stops_the_server(tmp_path: Path) -> None:
    cloud, proc = start_cloud(tmp_path)
    try:
        wait_ready(cloud)
        result = cli("down", "--data-dir", str(cloud.data_dir))
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"pocketstack stopped (pid {proc.pid})" in result.stdout
        proc.wait(timeout=20)
        assert not port_open(cloud.url)
        again = cli("down", "--data-dir", str(cloud.data_dir))
        assert again.returncode == 0 and "not running" in again.stdout
    finally:
        stop_cloud(proc)
