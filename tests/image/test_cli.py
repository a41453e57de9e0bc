"""The official `openstack` CLI, as a user types it."""

from __future__ import annotations

import json
import os

from tests.image.conftest import cli


def test_image_lifecycle_with_the_cli(cloud, tmp_path, unique):
    data = os.urandom(2 * 1024 * 1024 + 3)
    src = tmp_path / "disk.qcow2"
    src.write_bytes(data)
    created = json.loads(cli(cloud, "image", "create", "--file", str(src), "--disk-format",
                             "qcow2", "--container-format", "bare", unique, "-f", "json").stdout)
    assert created["status"] == "active" and created["size"] == len(data)
    image_id = created["id"]

    listed = json.loads(cli(cloud, "image", "list", "-f", "json").stdout)
    assert image_id in {i["ID"] for i in listed}

    shown = json.loads(cli(cloud, "image", "show", unique, "-f", "json").stdout)
    assert shown["id"] == image_id and shown["disk_format"] == "qcow2"

    out = tmp_path / "out.img"
    cli(cloud, "image", "save", "--file", str(out), unique)
    assert out.read_bytes() == data

    cli(cloud, "image", "set", "--property", "os_distro=debian", "--property", "k=v", unique)
    props = json.loads(cli(cloud, "image", "show", unique, "-f", "json").stdout)["properties"]
    assert props["os_distro"] == "debian" and props["k"] == "v"

    cli(cloud, "image", "add", "project", unique, "demo")
    members = json.loads(cli(cloud, "image", "member", "list", unique, "-f", "json").stdout)
    assert len(members) == 1 and members[0]["Status"] == "pending"
    cli(cloud, "image", "set", "--accept", image_id, user_cloud="pocketstack-demo")
    demo_list = json.loads(cli(cloud, "image", "list", "-f", "json",
                               user_cloud="pocketstack-demo").stdout)
    assert image_id in {i["ID"] for i in demo_list}

    cli(cloud, "image", "delete", unique)
    gone = cli(cloud, "image", "show", image_id, check=False)
    assert gone.returncode != 0


def test_cli_reports_errors(cloud, unique):
    proc = cli(cloud, "image", "create", "--disk-format", "floppy", unique, check=False)
    assert proc.returncode != 0
    proc = cli(cloud, "image", "create", "--public", unique, user_cloud="pocketstack-demo",
               check=False)
    assert proc.returncode != 0 and "publicize_image" in proc.stderr
