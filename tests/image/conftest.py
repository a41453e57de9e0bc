"""Fixtures for the Image API tests: official-client connections, a raw HTTP helper for what
the clients hide (status codes, headers, bodies), and small image builders."""

from __future__ import annotations

import http.server
import os
import struct
import subprocess
import threading
import uuid
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
OPENSTACK = ROOT / ".venv" / "bin" / "openstack"


class Raw:
    """Plain HTTP against the Image API with a user's token (for what clients hide)."""

    def __init__(self, base: str, token: str) -> None:
        self.base = base.rstrip("/")
        self.session = requests.Session()
        self.session.headers["X-Auth-Token"] = token

    def __call__(self, method: str, path: str, **kw: Any) -> requests.Response:
        return self.session.request(method, self.base + path, timeout=60, **kw)

    def json(self, method: str, path: str, body: Any = None, expect: int = 200,
             **kw: Any) -> Any:
        resp = self(method, path, json=body, **kw)
        assert resp.status_code == expect, (resp.status_code, resp.text)
        return resp.json() if resp.content else None

    def create(self, expect: int = 201, **body: Any) -> dict[str, Any]:
        body.setdefault("name", "t-" + uuid.uuid4().hex[:8])
        return self.json("POST", "/v2/images", body, expect=expect)  # type: ignore[no-any-return]

    def upload(self, image_id: str, data: bytes, *, path: str = "file",
               expect: int = 204, **headers: str) -> requests.Response:
        hdrs = {"Content-Type": "application/octet-stream", **headers}
        resp = self("PUT", f"/v2/images/{image_id}/{path}", data=data, headers=hdrs)
        assert resp.status_code == expect, (resp.status_code, resp.text)
        return resp

    def patch(self, image_id: str, ops: list[dict[str, Any]], expect: int = 200,
              media: str = "application/openstack-images-v2.1-json-patch") -> Any:
        import json

        resp = self("PATCH", f"/v2/images/{image_id}", data=json.dumps(ops),
                    headers={"Content-Type": media})
        assert resp.status_code == expect, (resp.status_code, resp.text)
        return resp.json() if resp.content else None


def image_url(cloud: Any) -> str:
    return cloud.url + "/image"


@pytest.fixture(scope="session")
def admin_raw(cloud: Any, admin_conn: Any) -> Raw:
    return Raw(image_url(cloud), admin_conn.auth_token)


@pytest.fixture(scope="session")
def demo_raw(cloud: Any, demo_conn: Any) -> Raw:
    return Raw(image_url(cloud), demo_conn.auth_token)


@pytest.fixture(scope="session")
def other_project(cloud: Any, admin_conn: Any) -> dict[str, Any]:
    """A third project with its own member user: for sharing tests."""
    name = "img-" + uuid.uuid4().hex[:8]
    project = admin_conn.identity.create_project(name=name, domain_id="default")
    password = uuid.uuid4().hex
    user = admin_conn.identity.create_user(name=name, password=password,
                                           domain_id="default", default_project_id=project.id)
    role = admin_conn.identity.find_role("member")
    admin_conn.identity.assign_project_role_to_user(project, user, role)
    conn = cloud.connect(name, password=password, project=name)
    return {"project": project, "conn": conn,
            "raw": Raw(image_url(cloud), conn.auth_token)}


@pytest.fixture(scope="session")
def reader(cloud: Any, admin_conn: Any) -> Raw:
    """A user with only the reader role on the demo project."""
    name = "rdr-" + uuid.uuid4().hex[:8]
    password = uuid.uuid4().hex
    demo = admin_conn.identity.find_project("demo")
    user = admin_conn.identity.create_user(name=name, password=password, domain_id="default")
    admin_conn.identity.assign_project_role_to_user(demo, user,
                                                    admin_conn.identity.find_role("reader"))
    conn = cloud.connect(name, password=password, project="demo")
    return Raw(image_url(cloud), conn.auth_token)


def qcow2(virtual_size: int, total: int = 256 * 1024) -> bytes:
    """A qcow2 v3 header (enough for virtual_size detection), padded to ``total`` bytes."""
    header = b"QFI\xfb" + struct.pack(">IQIIQIIQQIIQQQII", 3, 0, 0, 16, virtual_size, 0, 1,
                                      0x30000, 0x10000, 1, 0, 0, 0, 0, 4, 104)
    return header.ljust(total, b"\0")


def vmdk(virtual_size: int, total: int = 64 * 1024) -> bytes:
    header = b"KDMV" + struct.pack("<IIQ", 1, 3, virtual_size // 512)
    return header.ljust(total, b"\0")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A local HTTP server on 127.0.0.1 serving a directory: (base URL, directory)."""
    root = tmp_path_factory.mktemp("www")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()


def cli(cloud: Any, *args: str, user_cloud: str = "pocketstack",
        check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the official `openstack` CLI against the test cloud."""
    env = {**os.environ, "OS_CLIENT_CONFIG_FILE": str(cloud.data_dir / "clouds.yaml"),
           "OS_CLOUD": user_cloud}
    for key in list(env):
        if key.startswith("OS_") and key not in ("OS_CLIENT_CONFIG_FILE", "OS_CLOUD"):
            env.pop(key)
    proc = subprocess.run([str(OPENSTACK), *args], env=env, capture_output=True, text=True,
                          timeout=120)
    if check:
        assert proc.returncode == 0, proc.stderr + proc.stdout
    return proc
