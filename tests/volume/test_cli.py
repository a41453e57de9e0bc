"""The official `openstack` CLI against pocketstack's Block Storage API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

OPENSTACK = str(Path(sys.executable).parent / "openstack")


def osc(cloud: Any, *args: str) -> Any:
    env = dict(os.environ, OS_CLIENT_CONFIG_FILE=str(cloud.data_dir / "clouds.yaml"),
               OS_CLOUD="pocketstack")
    out = subprocess.run([OPENSTACK, *args], env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout) if "-f" in args and "json" in args else out.stdout


def wait(cloud: Any, kind: tuple[str, ...], name: str, status: str) -> dict[str, Any]:
    for _ in range(200):
        obj = osc(cloud, *kind, "show", name, "-f", "json")
        if obj["status"] == status:
            return obj  # type: ignore[no-any-return]
        time.sleep(0.1)
    raise AssertionError(f"{name} is {obj['status']}")


def test_cli_volume_snapshot_backup_delete(cloud: Any, unique: str) -> None:
    vol = osc(cloud, "volume", "create", "--size", "1", unique, "-f", "json")
    assert vol["size"] == 1
    wait(cloud, ("volume",), unique, "available")
    osc(cloud, "volume", "snapshot", "create", "--volume", unique, unique + "-s", "-f", "json")
    wait(cloud, ("volume", "snapshot"), unique + "-s", "available")
    osc(cloud, "volume", "snapshot", "delete", unique + "-s")
    osc(cloud, "volume", "backup", "create", "--name", unique + "-b", unique, "-f", "json")
    wait(cloud, ("volume", "backup"), unique + "-b", "available")
    osc(cloud, "volume", "backup", "delete", unique + "-b")
    wait(cloud, ("volume",), unique, "available")
    osc(cloud, "volume", "delete", unique)
    listing = osc(cloud, "volume", "list", "-f", "json")
    assert all(v["Name"] != unique or v["Status"] == "deleting" for v in listing)


def test_cli_volume_from_image(cloud: Any, unique: str, tmp_path: Path) -> None:
    data = tmp_path / "disk.raw"
    data.write_bytes(b"\x01" * 4096 + b"\0" * (1 << 20))
    osc(cloud, "image", "create", "--disk-format", "raw", "--container-format", "bare",
        "--file", str(data), unique + "-img", "-f", "json")
    osc(cloud, "volume", "create", "--size", "1", "--image", unique + "-img", unique,
        "-f", "json")
    vol = wait(cloud, ("volume",), unique, "available")
    assert vol["bootable"] in ("true", True)
    assert vol["volume_image_metadata"]["image_name"] == unique + "-img"
    path = cloud.data_dir / "volumes" / f"volume-{vol['id']}"
    with open(path, "rb") as fh:
        assert fh.read(4096) == b"\x01" * 4096
    assert path.stat().st_size == 1 << 30
    osc(cloud, "volume", "delete", unique)
    osc(cloud, "image", "delete", unique + "-img")


def test_cli_server_add_remove_volume(cloud: Any, unique: str, tmp_path: Path) -> None:
    """With the compute API: attach and detach through `server add/remove volume`."""
    import pytest

    catalog = osc(cloud, "catalog", "list", "-f", "json")
    if "compute" not in [c["Type"] for c in catalog]:
        pytest.skip("no compute service in this cloud")
    img = tmp_path / "img.raw"
    img.write_bytes(b"\0" * 65536)
    osc(cloud, "image", "create", "--disk-format", "raw", "--container-format", "bare",
        "--file", str(img), unique, "-f", "json")
    osc(cloud, "flavor", "create", "--ram", "128", "--disk", "1", "--vcpus", "1", unique,
        "-f", "json")
    osc(cloud, "network", "create", unique, "-f", "json")
    osc(cloud, "subnet", "create", "--network", unique, "--subnet-range", "10.77.0.0/24",
        unique, "-f", "json")
    osc(cloud, "server", "create", "--flavor", unique, "--image", unique, "--network", unique,
        "--wait", unique, "-f", "json")
    osc(cloud, "volume", "create", "--size", "1", unique, "-f", "json")
    wait(cloud, ("volume",), unique, "available")
    osc(cloud, "server", "add", "volume", unique, unique)
    vol = wait(cloud, ("volume",), unique, "in-use")
    assert vol["attachments"][0]["device"]
    osc(cloud, "server", "remove", "volume", unique, unique)
    wait(cloud, ("volume",), unique, "available")
    osc(cloud, "volume", "delete", unique)
    osc(cloud, "server", "delete", "--wait", unique)
