"""Per-project quotas (image count, stored and staged MiB) and a store whose disk is full:
a clear 413, the image back to queued, nothing half-written left behind."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import start_cloud, stop_cloud
from tests.image.conftest import Raw, image_url

MIB = 1 << 20


@pytest.fixture(scope="module")
def limited_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    env = {"POCKETSTACK_IMAGE_COUNT_TOTAL": "3", "POCKETSTACK_IMAGE_SIZE_TOTAL": "2",
           "POCKETSTACK_IMAGE_STAGE_TOTAL": "1"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        running, proc = start_cloud(tmp_path_factory.mktemp("limited"))
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    try:
        yield running
    finally:
        stop_cloud(proc)


@pytest.fixture(scope="module")
def limited(limited_cloud: Any) -> Raw:
    return Raw(image_url(limited_cloud), limited_cloud.connect("demo", project="demo").auth_token)


def test_count_quota_holds_under_concurrency(limited_cloud: Any) -> None:
    admin = limited_cloud.connect("admin")
    name = "q-" + uuid.uuid4().hex[:8]
    project = admin.identity.create_project(name=name, domain_id="default")
    user = admin.identity.create_user(name=name, password=name, domain_id="default")
    admin.identity.assign_project_role_to_user(project, user, admin.identity.find_role("member"))
    raw = Raw(image_url(limited_cloud), limited_cloud.connect(name, password=name,
                                                              project=name).auth_token)
    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda i: raw("POST", "/v2/images", json={"name": str(i)})
                              .status_code, range(8)))
    assert sorted(codes) == [201] * 3 + [413] * 5


def test_usage_and_quotas(limited):
    raw = limited
    usage = raw.json("GET", "/v2/info/usage")["usage"]
    assert usage["image_count_total"] == {"limit": 3, "usage": 0}
    assert usage["image_size_total"]["limit"] == 2
    a = raw.create(disk_format="raw", container_format="bare")["id"]
    raw.upload(a, b"a" * MIB)
    b = raw.create(disk_format="raw", container_format="bare")["id"]
    # 1 MiB stored, 2 MiB allowed: 1.5 MiB more is refused, whole or streamed.
    resp = raw.upload(b, b"b" * (3 * MIB // 2), expect=413)
    assert "quota" in resp.json()["message"]

    def chunks():
        for _ in range(6):
            yield b"c" * (MIB // 4)

    raw.upload(b, chunks(), expect=413)
    got = raw.json("GET", f"/v2/images/{b}")
    assert got["status"] == "queued" and got["size"] is None
    raw.upload(b, b"b" * (MIB // 2))
    usage = raw.json("GET", "/v2/info/usage")["usage"]
    assert usage["image_count_total"]["usage"] == 2 and usage["image_size_total"]["usage"] == 1
    c = raw.create(disk_format="raw", container_format="bare")["id"]
    resp = raw("POST", "/v2/images", json={"name": "fourth"})
    assert resp.status_code == 413 and "image_count_total" in resp.json()["message"]
    # Staging has its own quota.
    raw.upload(c, b"s" * (2 * MIB), path="stage", expect=413)
    assert raw.json("GET", f"/v2/images/{c}")["status"] == "queued"
    raw("DELETE", f"/v2/images/{a}")
    assert raw("POST", "/v2/images", json={"name": "fits again"}).status_code == 201


def _can_mount() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.mark.functional
@pytest.mark.skipif(not _can_mount(), reason="needs root to mount a small tmpfs")
def test_full_disk(tmp_path: Path) -> None:
    store = tmp_path / "store"
    store.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(store)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount tmpfs here")
    os.environ["POCKETSTACK_IMAGE_STORE_DIR"] = str(store)
    try:
        (tmp_path / "cloud").mkdir()
        running, proc = start_cloud(tmp_path / "cloud")
    finally:
        os.environ.pop("POCKETSTACK_IMAGE_STORE_DIR")
    try:
        raw = Raw(image_url(running), running.connect("admin").auth_token)
        big = raw.create(disk_format="raw", container_format="bare")["id"]
        resp = raw.upload(big, os.urandom(6 * MIB), expect=413)
        assert "full" in resp.json()["message"]
        assert raw.json("GET", f"/v2/images/{big}")["status"] == "queued"
        assert not list((store / ".tmp").iterdir())
        small = raw.create(disk_format="raw", container_format="bare")["id"]
        raw.upload(small, b"fits")
        assert raw("GET", f"/v2/images/{small}/file").content == b"fits"
    finally:
        stop_cloud(proc)
        subprocess.run(["umount", "-l", str(store)], capture_output=True)
