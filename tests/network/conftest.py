"""Fixtures for the Networking API tests: official-client connections, a raw HTTP helper for
what the clients hide (status codes, error bodies), and small builders."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
OPENSTACK = ROOT / ".venv" / "bin" / "openstack"


class Raw:
    """Plain HTTP against the Networking API with a user's token."""

    def __init__(self, base: str, token: str) -> None:
        self.base = base.rstrip("/") + "/networking/v2.0"
        self.session = requests.Session()
        self.session.headers["X-Auth-Token"] = token

    def __call__(self, method: str, path: str, body: Any = None, **kw: Any) -> requests.Response:
        return self.session.request(method, self.base + path, json=body, timeout=60, **kw)

    def ok(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        resp = self(method, path, body)
        assert resp.status_code == expect, (resp.status_code, resp.text)
        return resp.json() if resp.content else None

    def error(self, method: str, path: str, body: Any = None, expect: int = 400,
              error_type: str | None = None) -> dict[str, Any]:
        resp = self(method, path, body)
        assert resp.status_code == expect, (resp.status_code, resp.text)
        err = resp.json()["NeutronError"]
        assert set(err) == {"type", "message", "detail"}
        if error_type:
            assert err["type"] == error_type, err
        return err  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def admin_raw(cloud: Any, admin_conn: Any) -> Raw:
    return Raw(cloud.url, admin_conn.auth_token)


@pytest.fixture(scope="session")
def demo_raw(cloud: Any, demo_conn: Any) -> Raw:
    return Raw(cloud.url, demo_conn.auth_token)


@pytest.fixture(scope="session", autouse=True)
def roomy_quotas(admin_conn: Any, demo_conn: Any) -> None:
    """The tests create more groups than Neutron's default quota of 10 allows."""
    admin_conn.network.update_quota(demo_conn.current_project_id, security_groups=-1,
                                    security_group_rules=-1, networks=-1, subnets=-1,
                                    routers=-1, floating_ips=-1)


def name() -> str:
    return "t-" + uuid.uuid4().hex[:8]


@pytest.fixture(scope="session")
def public(admin_conn: Any) -> Any:
    """An external flat network with an IPv4 subnet (no DHCP), as the install guides make."""
    net = admin_conn.network.create_network(
        name="public-" + uuid.uuid4().hex[:6], is_router_external=True,
        provider_network_type="flat", provider_physical_network="physnet-test")
    admin_conn.network.create_subnet(
        network_id=net.id, ip_version=4, cidr="198.51.100.0/24", gateway_ip="198.51.100.1",
        is_dhcp_enabled=False,
        allocation_pools=[{"start": "198.51.100.10", "end": "198.51.100.250"}])
    return net


def private_net(conn: Any, cidr: str = "10.10.0.0/24", **subnet: Any) -> tuple[Any, Any]:
    net = conn.network.create_network(name=name())
    sub = conn.network.create_subnet(network_id=net.id, ip_version=subnet.pop("ip_version", 4),
                                     cidr=cidr, name=name(), **subnet)
    return net, sub
