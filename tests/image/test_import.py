"""Interoperable import: discovery, stage + glance-direct, web-download from a local HTTP
server, copy-image, glance-download, and the tasks that record them."""

from __future__ import annotations

import hashlib
import os
import time
import uuid

from tests.image.conftest import qcow2


def _wait(raw, image_id: str, status: str, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        got = raw.json("GET", f"/v2/images/{image_id}")
        if got["status"] == status or time.monotonic() > deadline:
            return got
        time.sleep(0.1)


def _tasks(raw, image_id: str, timeout: float = 20) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        tasks = raw.json("GET", f"/v2/images/{image_id}/tasks")["tasks"]
        if (tasks and all(t["status"] in ("success", "failure") for t in tasks)) \
                or time.monotonic() > deadline:
            return tasks
        time.sleep(0.1)


def test_discovery(admin_raw):
    info = admin_raw.json("GET", "/v2/info/import")["import-methods"]
    assert info["type"] == "array"
    assert set(info["value"]) == {"glance-direct", "web-download", "copy-image",
                                  "glance-download"}
    stores = admin_raw.json("GET", "/v2/info/stores")["stores"]
    assert stores == [{"id": "local", "description": "Local filesystem store",
                       "default": True}]


def test_stage_and_glance_direct(admin_raw):
    img = admin_raw.create(disk_format="qcow2", container_format="bare")
    data = qcow2(5 << 30, 300_000)
    admin_raw.upload(img["id"], data, path="stage")
    staged = admin_raw.json("GET", f"/v2/images/{img['id']}")
    assert staged["status"] == "uploading" and staged["size"] is None
    admin_raw.upload(img["id"], data, path="stage", expect=409)
    resp = admin_raw("POST", f"/v2/images/{img['id']}/import",
                     json={"method": {"name": "glance-direct"}})
    assert resp.status_code == 202
    got = _wait(admin_raw, img["id"], "active")
    assert got["status"] == "active" and got["size"] == len(data)
    assert got["checksum"] == hashlib.md5(data).hexdigest()
    assert got["os_hash_value"] == hashlib.sha512(data).hexdigest()
    assert got["virtual_size"] == 5 << 30 and got["stores"] == "local"
    assert got["os_glance_importing_to_stores"] == "" and got["os_glance_failed_import"] == ""
    assert admin_raw("GET", f"/v2/images/{img['id']}/file").content == data
    [task] = _tasks(admin_raw, img["id"])
    assert task["status"] == "success" and task["type"] == "api_image_import"
    assert task["request_id"] == resp.headers["X-OpenStack-Request-Id"]
    assert task["input"]["import_req"]["method"]["name"] == "glance-direct"


def test_sdk_import_with_glance_direct(admin_conn, unique, tmp_path):
    data = os.urandom(1 << 20)
    path = tmp_path / "d.raw"
    path.write_bytes(data)
    image = admin_conn.image.create_image(name=unique, filename=str(path), disk_format="raw",
                                          container_format="bare", use_import=True,
                                          validate_checksum=False)
    deadline = time.monotonic() + 20
    while admin_conn.image.get_image(image.id).status != "active":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert admin_conn.image.get_image(image.id).checksum == hashlib.md5(data).hexdigest()


def test_web_download_from_local_server(admin_raw, web):
    base, root = web
    data = qcow2(1 << 30, 500_000)
    (root / "disk.qcow2").write_bytes(data)
    img = admin_raw.create(disk_format="qcow2", container_format="bare")
    resp = admin_raw("POST", f"/v2/images/{img['id']}/import", json={
        "method": {"name": "web-download", "uri": f"{base}/disk.qcow2"}})
    assert resp.status_code == 202
    got = _wait(admin_raw, img["id"], "active")
    assert got["size"] == len(data) and got["virtual_size"] == 1 << 30
    assert got["checksum"] == hashlib.md5(data).hexdigest()
    assert [t["status"] for t in _tasks(admin_raw, img["id"])] == ["success"]


def test_web_download_failure_reverts_to_queued(admin_raw, web):
    base, _ = web
    img = admin_raw.create(disk_format="raw", container_format="bare")
    admin_raw("POST", f"/v2/images/{img['id']}/import", json={
        "method": {"name": "web-download", "uri": f"{base}/missing.img"}})
    [task] = _tasks(admin_raw, img["id"])
    assert task["status"] == "failure" and "404" in task["message"]
    got = admin_raw.json("GET", f"/v2/images/{img['id']}")
    assert got["status"] == "queued" and got["os_glance_failed_import"] == "local"
    assert got["os_glance_importing_to_stores"] == ""


def test_import_rules(admin_raw, web):
    base, _ = web
    img = admin_raw.create(disk_format="raw", container_format="bare")["id"]
    url = f"/v2/images/{img}/import"
    assert admin_raw("POST", url, json={}).status_code == 400
    assert admin_raw("POST", url, json={"method": {}}).status_code == 400
    assert admin_raw("POST", url, json={"method": {"name": "teleport"}}).status_code == 400
    assert admin_raw("POST", url, json={"method": {"name": "glance-direct"}}).status_code == 409
    assert admin_raw("POST", url, json={"method": {"name": "copy-image"}}).status_code == 409
    assert admin_raw("POST", url, json={"method": {"name": "web-download",
                                                   "uri": "ftp://x/y"}}).status_code == 400
    assert admin_raw("POST", url, json={"method": {"name": "web-download", "uri": base},
                                        "stores": ["nowhere"]}).status_code == 409
    bad = admin_raw("POST", url, json={"method": {
        "name": "glance-download", "glance_image_id": "foo", "glance_region": "RegionOne"}})
    assert bad.status_code == 400 and "does not look like a UUID" in bad.json()["message"]
    no_formats = admin_raw.create()["id"]
    resp = admin_raw("POST", f"/v2/images/{no_formats}/import",
                     json={"method": {"name": "web-download", "uri": base + "/x"}})
    assert resp.status_code == 409


def test_copy_image_single_store_is_a_noop(admin_raw):
    img = admin_raw.create(disk_format="raw", container_format="bare")["id"]
    admin_raw.upload(img, b"data")
    resp = admin_raw("POST", f"/v2/images/{img}/import",
                     json={"method": {"name": "copy-image"}, "all_stores": True,
                           "all_stores_must_succeed": False})
    assert resp.status_code == 202
    [task] = _tasks(admin_raw, img)
    assert task["status"] == "success"
    got = admin_raw.json("GET", f"/v2/images/{img}")
    assert got["os_glance_importing_to_stores"] == "" and got["os_glance_failed_import"] == ""
    resp = admin_raw("POST", f"/v2/images/{img}/import",
                     json={"method": {"name": "copy-image"}, "stores": ["local"]})
    assert resp.status_code == 400


def test_glance_download_from_this_cloud(admin_raw):
    src = admin_raw.create(disk_format="qcow2", container_format="bare",
                           hw_cpu_cores="4", os_distro="debian", speed="fast")["id"]
    data = qcow2(2 << 30, 100_000)
    admin_raw.upload(src, data)
    dst = admin_raw.create(disk_format="iso", container_format="ovf", os_distro="other")["id"]
    resp = admin_raw("POST", f"/v2/images/{dst}/import", json={"method": {
        "name": "glance-download", "glance_image_id": src, "glance_region": "RegionOne",
        "glance_service_interface": "public"}})
    assert resp.status_code == 202
    [task] = _tasks(admin_raw, dst)
    assert task["status"] == "success", task["message"]
    got = admin_raw.json("GET", f"/v2/images/{dst}")
    assert got["status"] == "active" and got["checksum"] == hashlib.md5(data).hexdigest()
    assert (got["disk_format"], got["container_format"]) == ("qcow2", "bare")
    assert got["hw_cpu_cores"] == "4" and got["os_distro"] == "debian" and "speed" not in got


def test_glance_download_bad_region_fails_task(admin_raw):
    dst = admin_raw.create(disk_format="raw", container_format="bare", keep="me")["id"]
    admin_raw("POST", f"/v2/images/{dst}/import", json={"method": {
        "name": "glance-download", "glance_image_id": str(uuid.uuid4()),
        "glance_region": "nowhere"}})
    [task] = _tasks(admin_raw, dst)
    assert task["status"] == "failure"
    got = admin_raw.json("GET", f"/v2/images/{dst}")
    assert got["status"] == "queued" and got["keep"] == "me"


def test_tasks_api(admin_raw, demo_raw, web):
    base, root = web
    (root / "t.img").write_bytes(b"t" * 5000)
    body = {"type": "import", "input": {
        "import_from": f"{base}/t.img", "import_from_format": "raw",
        "image_properties": {"name": "from-task", "disk_format": "raw",
                             "container_format": "bare"}}}
    assert demo_raw("POST", "/v2/tasks", json=body).status_code == 403
    task = admin_raw.json("POST", "/v2/tasks", body, expect=201)
    assert task["status"] in ("pending", "processing", "success")
    assert task["self"] == f"/v2/tasks/{task['id']}"
    deadline = time.monotonic() + 20
    while task["status"] not in ("success", "failure") and time.monotonic() < deadline:
        time.sleep(0.1)
        task = admin_raw.json("GET", f"/v2/tasks/{task['id']}")
    assert task["status"] == "success", task["message"]
    image = admin_raw.json("GET", f"/v2/images/{task['result']['image_id']}")
    assert image["status"] == "active" and image["size"] == 5000
    assert task["id"] in {t["id"] for t in admin_raw.json("GET", "/v2/tasks")["tasks"]}
    bad = {"type": "import", "input": {**body["input"], "import_from": "gopher://x"}}
    assert admin_raw("POST", "/v2/tasks", json=bad).status_code == 400
    assert admin_raw("POST", "/v2/tasks", json={"type": "nope", "input": {}}).status_code == 400
    assert admin_raw("GET", f"/v2/tasks/{uuid.uuid4()}").status_code == 404


def test_delete_staged_image_removes_staging_data(admin_raw, cloud):
    img = admin_raw.create(disk_format="raw", container_format="bare")["id"]
    admin_raw.upload(img, b"staged bytes", path="stage")
    staging = cloud.data_dir / "images" / "staging"
    assert img in {p.name for p in staging.iterdir()}
    admin_raw("DELETE", f"/v2/images/{img}")
    assert img not in {p.name for p in staging.iterdir()}
