"""Helpers for the Block Storage tests: wait for a status, raw REST calls with a token."""

from __future__ import annotations

import time
from typing import Any

import pytest


def wait_status(get: Any, obj_id: str, status: str, timeout: float = 90.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        obj = get(obj_id)
        if obj.status == status:
            return obj
        if obj.status.startswith("error") and status != obj.status:
            raise AssertionError(f"{obj_id} went to {obj.status}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{obj_id} still {obj.status}, wanted {status}")
        time.sleep(0.05)


def wait_gone(get: Any, obj_id: str, timeout: float = 90.0) -> None:
    from openstack import exceptions

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            get(obj_id)
        except exceptions.NotFoundException:
            return
        time.sleep(0.05)
    raise AssertionError(f"{obj_id} was not deleted")


@pytest.fixture(scope="session")
def vol_admin(cloud: Any) -> Any:
    return cloud.connect("admin")


@pytest.fixture(scope="session")
def vol_demo(cloud: Any) -> Any:
    return cloud.connect("demo", project="demo")


def rest(conn: Any, method: str, path: str, *, json: Any = None,
         version: str | None = None) -> Any:
    """A raw call on the block-storage endpoint (microversion optional)."""
    headers = {"OpenStack-API-Version": f"volume {version}"} if version else {}
    return conn.block_storage.request(path, method, json=json, headers=headers,
                                      raise_exc=False)
