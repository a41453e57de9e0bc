"""The scheduler on several small fake hosts: concurrent boots never overcommit a host,
server groups hold, disabled hosts are skipped, and a restart resumes unfinished builds."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.compute.conftest import Raw, make_image, make_network
from tests.conftest import RunningCloud, start_cloud, stop_cloud

SMALL = {"COMPUTE_FAKE_HOST_VCPUS": "4", "COMPUTE_FAKE_HOST_MEMORY_MB": "4096",
         "COMPUTE_FAKE_HOST_DISK_GB": "100", "COMPUTE_CPU_ALLOCATION_RATIO": "1.0",
         "COMPUTE_RAM_ALLOCATION_RATIO": "1.0", "COMPUTE_RESERVED_HOST_MEMORY_MB": "0"}


def _start(tmp: Path, monkeypatch: pytest.MonkeyPatch, hosts: int,
           **extra: str) -> tuple[RunningCloud, Any]:
    for key, value in {**SMALL, **extra}.items():
        monkeypatch.setenv(f"POCKETSTACK_{key}", value)
    return start_cloud(tmp, "--fake-hosts", str(hosts))


class Env:
    def __init__(self, cloud: RunningCloud) -> None:
        self.cloud = cloud
        self.conn = cloud.connect("admin")
        self.raw = Raw(cloud.url, self.conn.auth_token)
        self.image = make_image(self.conn)
        self.net = make_network(self.conn, "sched", "10.88.0.0/16")
        project = self.conn.current_project_id
        self.raw.ok("PUT", f"/v2.1/os-quota-sets/{project}", {"quota_set": {
            "instances": -1, "cores": -1, "ram": -1, "server_group_members": -1}})
        self.conn.network.update_quota(project, ports=-1)

    def post(self, name: str, **extra: Any) -> str:
        body = {"server": {"name": name, "imageRef": self.image.id, "flavorRef": "1",
                           "networks": [{"uuid": self.net.id}], **extra.pop("server", {})},
                **extra}
        return str(self.raw.ok("POST", "/v2.1/servers", body, expect=202,
                               version="2.64")["server"]["id"])

    def settle(self, ids: list[str], timeout: float = 60.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        out: dict[str, Any] = {}
        while time.monotonic() < deadline:
            for sid in ids:
                if sid in out:
                    continue
                s = self.raw.ok("GET", f"/v2.1/servers/{sid}")["server"]
                if s["status"] in ("ACTIVE", "ERROR"):
                    out[sid] = s
            if len(out) == len(ids):
                return out
            time.sleep(0.1)
        raise AssertionError(f"{len(ids) - len(out)} servers did not settle")


@pytest.fixture()
def four_hosts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Env]:
    cloud, proc = _start(tmp_path, monkeypatch, 4)
    try:
        yield Env(cloud)
    finally:
        stop_cloud(proc)


def test_fifty_concurrent_boots_never_overcommit(four_hosts: Env) -> None:
    env = four_hosts
    with ThreadPoolExecutor(16) as pool:
        ids = list(pool.map(lambda i: env.post(f"c-{i}"), range(50)))
    servers = env.settle(ids)
    active = [s for s in servers.values() if s["status"] == "ACTIVE"]
    failed = [s for s in servers.values() if s["status"] == "ERROR"]
    assert len(active) == 16 and len(failed) == 34
    assert all("No valid host was found" in s["fault"]["message"] for s in failed)
    per_host: dict[str, int] = {}
    for s in active:
        per_host[s["OS-EXT-SRV-ATTR:host"]] = per_host.get(s["OS-EXT-SRV-ATTR:host"], 0) + 1
    assert sorted(per_host.values()) == [4, 4, 4, 4]
    hvs = env.raw.ok("GET", "/v2.1/os-hypervisors/detail", version="2.87")["hypervisors"]
    assert all(h["vcpus_used"] <= h["vcpus"] for h in hvs)
    assert sum(h["vcpus_used"] for h in hvs) == 16
    ports = list(env.conn.network.ports(device_owner="compute:nova"))
    assert len(ports) == 16
    for sid in ids:
        env.raw.ok("DELETE", f"/v2.1/servers/{sid}", expect=204)
    for sid in ids:
        env.raw.wait(sid, "DELETED")
    hvs = env.raw.ok("GET", "/v2.1/os-hypervisors/detail", version="2.87")["hypervisors"]
    assert sum(h["vcpus_used"] for h in hvs) == 0
    assert list(env.conn.network.ports(device_owner="compute:nova")) == []


def test_server_groups_and_disabled_hosts(four_hosts: Env) -> None:
    env = four_hosts
    anti = env.raw.ok("POST", "/v2.1/os-server-groups", {"server_group": {
        "name": "anti", "policy": "anti-affinity"}}, version="2.64")["server_group"]
    with ThreadPoolExecutor(5) as pool:
        ids = list(pool.map(lambda i: env.post(f"a-{i}", **{
            "os:scheduler_hints": {"group": anti["id"]}}), range(5)))
    servers = env.settle(ids)
    hosts = [s["OS-EXT-SRV-ATTR:host"] for s in servers.values() if s["status"] == "ACTIVE"]
    assert len(hosts) == 4 and len(set(hosts)) == 4
    aff = env.raw.ok("POST", "/v2.1/os-server-groups", {"server_group": {
        "name": "aff", "policy": "affinity"}}, version="2.64")["server_group"]
    together = env.settle([env.post(f"f-{i}", **{"os:scheduler_hints": {"group": aff["id"]}})
                           for i in range(3)])
    assert len({s["OS-EXT-SRV-ATTR:host"] for s in together.values()}) == 1
    for sid in [*ids, *together]:
        env.raw.ok("DELETE", f"/v2.1/servers/{sid}", expect=204)
    for sid in [*ids, *together]:
        env.raw.wait(sid, "DELETED")
    services = env.raw.ok("GET", "/v2.1/os-services?binary=nova-compute",
                          version="2.53")["services"]
    for svc in services[1:]:
        env.raw.ok("PUT", f"/v2.1/os-services/{svc['id']}", {"status": "disabled"},
                   version="2.53")
    placed = env.settle([env.post(f"d-{i}") for i in range(3)])
    assert {s["OS-EXT-SRV-ATTR:host"] for s in placed.values()} == {services[0]["host"]}


def test_restart_resumes_unfinished_builds(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    cloud, proc = _start(tmp_path, monkeypatch, 2, COMPUTE_FAKE_BOOT_DELAY="5")
    try:
        env = Env(cloud)
        ids = [env.post(f"r-{i}") for i in range(3)]
        time.sleep(0.5)
        states = {env.raw.ok("GET", f"/v2.1/servers/{sid}")["server"]["status"]
                  for sid in ids}
        assert states == {"BUILD"}
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.logfile.close()
        monkeypatch.setenv("POCKETSTACK_COMPUTE_FAKE_BOOT_DELAY", "0")
        (cloud.data_dir / "state.json").unlink(missing_ok=True)
        pg = proc.pg
        extra = ["--fake-hosts", "2"]
        if cloud.database_url:  # the same PostgreSQL database, not a fresh one
            monkeypatch.delenv("POCKETSTACK_TEST_PG_URL")
            extra += ["--database-url", cloud.database_url]
        cloud, proc = start_cloud(tmp_path, *extra)
        proc.pg = pg
        env2 = Env.__new__(Env)
        env2.conn = cloud.connect("admin")
        env2.raw = Raw(cloud.url, env2.conn.auth_token)
        servers = env2.settle(ids)
        assert {s["status"] for s in servers.values()} == {"ACTIVE"}
    finally:
        stop_cloud(proc)
