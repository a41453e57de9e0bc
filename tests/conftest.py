"""Shared fixtures: a real pocketstack server in a subprocess, and official-client connections.

The server listens on a free loopback port with a temporary data dir. Set
POCKETSTACK_TEST_PG_URL (e.g. postgresql+psycopg://postgres@/postgres?host=/run/postgresql)
to run the same tests against a fresh PostgreSQL database instead of SQLite.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


# The API tests of these services are database-facing: scripts/test also runs them against
# PostgreSQL (pytest -m postgres). Identity and db tests carry the mark themselves.
POSTGRES_DIRS = ("image", "network", "volume", "compute")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    tests_dir = Path(__file__).resolve().parent
    for item in items:
        try:
            top = Path(str(item.fspath)).resolve().relative_to(tests_dir).parts[0]
        except ValueError:
            continue
        if top in POSTGRES_DIRS and not item.get_closest_marker("sqlite_only"):
            item.add_marker(pytest.mark.postgres)


@dataclass
class RunningCloud:
    url: str
    identity_url: str
    data_dir: Path
    admin_password: str
    demo_password: str
    pid: int
    database_url: str | None = None
    _conns: list[Any] = field(default_factory=list)

    def connect(self, user: str = "admin", password: str | None = None,
                project: str | None = "admin", **auth: Any) -> Any:
        """An openstacksdk Connection (the official client library, unmodified)."""
        import openstack

        if password is None:
            password = self.admin_password if user == "admin" else self.demo_password
        auth_args = {"auth_url": self.identity_url, "username": user, "password": password,
                     "user_domain_id": "default"}
        if project:
            auth_args.update(project_name=project, project_domain_id="default")
        auth_args.update(auth)
        conn = openstack.connect(auth=auth_args, region_name="RegionOne",
                                 identity_api_version="3", load_yaml_config=False,
                                 load_envvars=False)
        self._conns.append(conn)
        return conn


def _pg_database(admin_url: str) -> tuple[str, str]:
    """Create a fresh database; returns (its URL, its name)."""
    import sqlalchemy as sa

    name = "ps_test_" + uuid.uuid4().hex[:12]
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    url = sa.engine.make_url(admin_url).set(database=name)
    return url.render_as_string(hide_password=False), name


def _pg_drop(admin_url: str, name: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def start_cloud(tmp: Path, *extra: str, timeout: float = 30.0) -> tuple[RunningCloud, Any]:
    """Start `pocketstack up` and wait until it answers. Returns (cloud, process)."""
    data_dir = tmp / "data"
    db_url = None
    pg_admin = os.environ.get("POCKETSTACK_TEST_PG_URL")
    pg_name = None
    if pg_admin:
        db_url, pg_name = _pg_database(pg_admin)
    args = [sys.executable, "-m", "pocketstack.cli.main", "up", "--data-dir", str(data_dir),
            "--port", "0", "--clouds-yaml", "none", "--quiet", *extra]
    if db_url:
        args += ["--database-url", db_url]
    (data_dir / "state.json").unlink(missing_ok=True)  # a stale one from a killed run
    log = open(tmp / "server.log", "w")  # noqa: SIM115 - closed by the fixture
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    proc.pg = (pg_admin, pg_name)  # type: ignore[attr-defined]
    proc.logfile = log  # type: ignore[attr-defined]
    state_file = data_dir / "state.json"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"pocketstack exited early:\n{(tmp / 'server.log').read_text()}")
        if state_file.exists():
            try:
                state = json.loads(state_file.read_text())
                break
            except ValueError:
                pass
        time.sleep(0.05)
    else:
        stop_cloud(proc)
        raise RuntimeError(f"pocketstack did not start:\n{(tmp / 'server.log').read_text()}")
    cloud = RunningCloud(
        url=state["url"], identity_url=state["identity_url"], data_dir=data_dir,
        admin_password=(data_dir / "admin-password").read_text().strip(),
        demo_password=(data_dir / "demo-password").read_text().strip(),
        pid=proc.pid, database_url=db_url,
    )
    return cloud, proc


def stop_cloud(proc: Any) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    proc.logfile.close()
    pg_admin, pg_name = proc.pg
    if pg_admin and pg_name:
        _pg_drop(pg_admin, pg_name)


@pytest.fixture(scope="session")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCloud]:
    """One running cloud shared by the whole test session."""
    tmp = tmp_path_factory.mktemp("cloud")
    running, proc = start_cloud(tmp)
    try:
        yield running
    finally:
        stop_cloud(proc)


@pytest.fixture()
def fresh_cloud(tmp_path: Path) -> Iterator[RunningCloud]:
    """A cloud of its own, for tests that restart or disturb the server."""
    running, proc = start_cloud(tmp_path)
    try:
        yield running
    finally:
        stop_cloud(proc)


@pytest.fixture(scope="session")
def admin_conn(cloud: RunningCloud) -> Any:
    return cloud.connect("admin")


@pytest.fixture(scope="session")
def demo_conn(cloud: RunningCloud) -> Any:
    return cloud.connect("demo", project="demo")


@pytest.fixture()
def unique() -> str:
    return "t-" + uuid.uuid4().hex[:10]
