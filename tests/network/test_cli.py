"""The classic install-guide walkthrough with the official `openstack` client, unchanged."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from typing import Any

from tests.network.conftest import OPENSTACK


def run(cloud: Any, *args: str, cloud_name: str = "pocketstack") -> Any:
    env = dict(os.environ, OS_CLIENT_CONFIG_FILE=str(cloud.data_dir / "clouds.yaml"),
               OS_CLOUD=cloud_name)
    env.pop("OS_AUTH_URL", None)
    proc = subprocess.run([str(OPENSTACK), *args], env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
    if "-f" in args and "json" in args:
        return json.loads(proc.stdout)
    return proc.stdout


def test_walkthrough(cloud: Any) -> None:
    tag = uuid.uuid4().hex[:6]
    ext, priv, router = f"ext-net-{tag}", f"selfservice-{tag}", f"router-{tag}"
    phys = f"physnet-{tag}"
    run(cloud, "network", "create", "--external", "--provider-network-type", "flat",
        "--provider-physical-network", phys, ext)
    run(cloud, "subnet", "create", "--network", ext, "--allocation-pool",
        "start=203.0.113.101,end=203.0.113.250", "--gateway", "203.0.113.1", "--no-dhcp",
        "--subnet-range", "203.0.113.0/24", f"{ext}-subnet")
    run(cloud, "network", "create", priv, cloud_name="pocketstack-demo")
    sub = run(cloud, "subnet", "create", "--network", priv, "--subnet-range", "10.0.0.0/24",
              "--dns-nameserver", "8.8.4.4", f"{priv}-subnet", "-f", "json",
              cloud_name="pocketstack-demo")
    assert sub["gateway_ip"] == "10.0.0.1"
    run(cloud, "router", "create", router, cloud_name="pocketstack-demo")
    run(cloud, "router", "set", "--external-gateway", ext, router,
        cloud_name="pocketstack-demo")
    run(cloud, "router", "add", "subnet", router, f"{priv}-subnet",
        cloud_name="pocketstack-demo")
    rule = run(cloud, "security", "group", "rule", "create", "--ingress", "--protocol", "tcp",
               "--dst-port", "22:22", "default", "-f", "json", cloud_name="pocketstack-demo")
    assert rule["port_range_min"] == 22 and rule["protocol"] == "tcp"
    port = run(cloud, "port", "create", "--network", priv, f"vm-{tag}", "-f", "json",
               cloud_name="pocketstack-demo")
    fip = run(cloud, "floating", "ip", "create", ext, "-f", "json",
              cloud_name="pocketstack-demo")
    assert fip["floating_ip_address"].startswith("203.0.113.")
    run(cloud, "floating", "ip", "set", "--port", port["id"], fip["id"],
        cloud_name="pocketstack-demo")
    shown = run(cloud, "floating", "ip", "show", fip["id"], "-f", "json",
                cloud_name="pocketstack-demo")
    assert shown["port_id"] == port["id"] and shown["router_id"]
    assert run(cloud, "network", "agent", "list", "-f", "json") == []
    info = run(cloud, "router", "show", router, "-f", "json", cloud_name="pocketstack-demo")
    assert info["external_gateway_info"]["network_id"]
