"""Fixtures for the Compute API tests: a raw HTTP helper (status codes, error bodies and
headers the clients hide), a public image, a shared network, roomy quotas, and helpers
to boot servers and wait for them."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
OPENSTACK = ROOT / ".venv" / "bin" / "openstack"


class Raw:
    """Plain HTTP against the Compute API with a user's token."""

    def __init__(self, base: str, token: str) -> None:
        self.base = base.rstrip("/") + "/compute"
        self.session = requests.Session()
        self.session.headers["X-Auth-Token"] = token

    def __call__(self, method: str, path: str, body: Any = None, *,
                 version: str | None = None, **kw: Any) -> requests.Response:
        headers = dict(kw.pop("headers", {}))
        if version:
            headers["OpenStack-API-Version"] = f"compute {version}"
        return self.session.request(method, self.base + path, json=body, headers=headers,
                                    timeout=60, **kw)

    def ok(self, method: str, path: str, body: Any = None, expect: int = 200,
           version: str | None = None) -> Any:
        resp = self(method, path, body, version=version)
        assert resp.status_code == expect, (resp.status_code, resp.text)
        return resp.json() if resp.content else None

    def error(self, method: str, path: str, body: Any = None, expect: int = 400,
              version: str | None = None) -> str:
        """The request fails with Nova's error body; returns its message."""
        resp = self(method, path, body, version=version)
        assert resp.status_code == expect, (resp.status_code, resp.text)
        doc = resp.json()
        assert len(doc) == 1, doc
        (key, err), = doc.items()
        assert key in ("badRequest", "itemNotFound", "conflictingRequest", "forbidden",
                       "notAcceptable", "overLimit", "badMethod", "computeFault"), doc
        assert err["code"] == expect and isinstance(err["message"], str), doc
        return str(err["message"])

    def wait(self, server_id: str, status: str = "ACTIVE", timeout: float = 30.0) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            resp = self("GET", f"/v2.1/servers/{server_id}", version="2.1")
            if status == "DELETED" and resp.status_code == 404:
                return None
            assert resp.status_code == 200, resp.text
            server = resp.json()["server"]
            if server["status"] == status and server.get("OS-EXT-STS:task_state") is None:
                return server
            assert time.monotonic() < deadline, f"{server_id} is {server['status']}"
            time.sleep(0.05)


@pytest.fixture(scope="session")
def admin_raw(cloud: Any, admin_conn: Any) -> Raw:
    return Raw(cloud.url, admin_conn.auth_token)


@pytest.fixture(scope="session")
def demo_raw(cloud: Any, demo_conn: Any) -> Raw:
    return Raw(cloud.url, demo_conn.auth_token)


def make_image(conn: Any, name: str = "cirros-test", **props: Any) -> Any:
    image = conn.image.create_image(name=name, disk_format="raw", container_format="bare",
                                    visibility="public", data=b"\0" * 4096, **props)
    return conn.image.get_image(image.id)


def make_network(conn: Any, name: str, cidr: str, *, shared: bool = False) -> Any:
    net = conn.network.create_network(name=name, shared=shared)
    conn.network.create_subnet(network_id=net.id, ip_version=4, cidr=cidr, name=name)
    return net


@pytest.fixture(scope="session")
def image(admin_conn: Any) -> Any:
    return make_image(admin_conn)


@pytest.fixture(scope="session")
def network(admin_conn: Any) -> Any:
    """A shared network every project may boot on."""
    return make_network(admin_conn, "compute-shared", "10.77.0.0/20", shared=True)


@pytest.fixture(scope="session", autouse=True)
def roomy_quotas(admin_raw: Raw, admin_conn: Any, demo_conn: Any) -> None:
    for project in (admin_conn.current_project_id, demo_conn.current_project_id):
        admin_raw.ok("PUT", f"/v2.1/os-quota-sets/{project}", {"quota_set": {
            "instances": -1, "cores": -1, "ram": -1}})
        admin_conn.network.update_quota(project, ports=-1, networks=-1, subnets=-1,
                                        security_groups=-1, security_group_rules=-1)


@pytest.fixture()
def boot(admin_raw: Raw, image: Any, network: Any) -> Callable[..., Any]:
    """Boot a server through the raw API and wait for it (or not)."""
    def run(raw: Raw | None = None, *, wait: str | None = "ACTIVE", version: str = "2.1",
            **server: Any) -> Any:
        raw = raw or admin_raw
        body = {"name": server.pop("name", "t-" + uuid.uuid4().hex[:8]),
                "imageRef": server.pop("imageRef", image.id),
                "flavorRef": server.pop("flavorRef", "1"),
                "networks": server.pop("networks", [{"uuid": network.id}]), **server}
        made = raw.ok("POST", "/v2.1/servers", {"server": body}, expect=202,
                      version=version)["server"]
        return raw.wait(made["id"], wait) if wait else made
    return run
