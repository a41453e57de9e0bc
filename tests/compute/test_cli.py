"""The `openstack` CLI against the compute API: boot and wait, list, show, stop, delete."""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

from tests.compute.conftest import OPENSTACK


def osc(cloud: Any, *args: str) -> Any:
    env = {**os.environ, "OS_CLIENT_CONFIG_FILE": str(cloud.data_dir / "clouds.yaml")}
    out = subprocess.run([str(OPENSTACK), "--os-cloud", "pocketstack", *args, "-f", "json"],
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout) if out.stdout.strip() else None


def osc_raw(cloud: Any, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OS_CLIENT_CONFIG_FILE": str(cloud.data_dir / "clouds.yaml")}
    return subprocess.run([str(OPENSTACK), "--os-cloud", "pocketstack", *args], env=env,
                          capture_output=True, text=True, timeout=120)


def test_cli_server_lifecycle(cloud: Any, image: Any, network: Any, unique: str) -> None:
    made = osc(cloud, "server", "create", "--flavor", "m1.tiny", "--image", image.id,
               "--network", network.id, "--wait", unique)
    assert made["status"] == "ACTIVE"
    listed = osc(cloud, "server", "list", "--name", unique)
    assert [s["Name"] for s in listed] == [unique]
    assert osc(cloud, "server", "show", unique)["flavor"]["original_name"] == "m1.tiny"
    assert osc_raw(cloud, "server", "stop", unique).returncode == 0
    assert osc_raw(cloud, "server", "delete", "--wait", unique).returncode == 0
    assert osc(cloud, "server", "list", "--name", unique) == []
    assert osc(cloud, "hypervisor", "list")
    assert any(s["Binary"] == "nova-compute" for s in osc(cloud, "compute", "service", "list"))
    assert {f["Name"] for f in osc(cloud, "flavor", "list")} >= {"m1.tiny", "m1.small"}
