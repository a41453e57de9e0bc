#!/usr/bin/env python3
"""Networking benchmarks (issue 4), measured over HTTP against a real `pocketstack up`.

    .venv/bin/python bench/network_bench.py [--out bench/results/network.json] [--ports 5000]

Measures, with keep-alive connections and an admin token:
  - network create: median and p95 latency of one client (POST /v2.0/networks);
  - port create: median and p95 latency of one client on a /16 subnet;
  - 50 concurrent clients creating --ports ports in total on one network: errors, wall time,
    and that every address and MAC is distinct;
  - port list of those ports with limit=1000: median latency of the first page.
Run it on a quiet machine: every figure shares the machine's cores with the client.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _common import ROOT, address, save, start, stop, token

BASE = "/networking/v2.0"


class Client:
    """One keep-alive HTTP connection with the admin token."""

    def __init__(self, state: dict[str, Any], token: str) -> None:
        self.address = address(state["url"])
        self.conn = http.client.HTTPConnection(*self.address, timeout=60)
        self.headers = {"X-Auth-Token": token, "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any, float]:
        data = json.dumps(body) if body is not None else None
        try:
            return self._once(method, path, data)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self.conn.close()  # the server closed an idle keep-alive connection
            self.conn = http.client.HTTPConnection(*self.address, timeout=60)
            return self._once(method, path, data)

    def _once(self, method: str, path: str, data: str | None) -> tuple[int, Any, float]:
        t = time.perf_counter()
        self.conn.request(method, BASE + path, data, self.headers)
        resp = self.conn.getresponse()
        raw = resp.read()
        elapsed = time.perf_counter() - t
        return resp.status, (json.loads(raw) if raw else None), elapsed


def stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"median_ms": round(statistics.median(ordered) * 1000, 2),
            "p95_ms": round(ordered[int(len(ordered) * 0.95)] * 1000, 2), "n": len(ordered)}


def ok(status: int, body: Any, expect: int = 201) -> Any:
    if status != expect:
        raise RuntimeError(f"unexpected {status}: {body}")
    return body


def network_create(client: Client, count: int = 200) -> dict[str, float]:
    for i in range(20):  # warm-up
        ok(*client.call("POST", "/networks", {"network": {"name": f"warm-{i}"}})[:2])
    times = []
    for i in range(count):
        status, body, t = client.call("POST", "/networks", {"network": {"name": f"bench-{i}"}})
        ok(status, body)
        times.append(t)
    return stats(times)


def subnet(client: Client, cidr: str) -> str:
    net = ok(*client.call("POST", "/networks", {"network": {"name": "bench-" + cidr}})[:2])
    ok(*client.call("POST", "/subnets", {"subnet": {
        "network_id": net["network"]["id"], "ip_version": 4, "cidr": cidr}})[:2])
    return str(net["network"]["id"])


def port_create(client: Client, count: int = 300) -> dict[str, float]:
    net_id = subnet(client, "10.200.0.0/16")
    for _ in range(20):
        ok(*client.call("POST", "/ports", {"port": {"network_id": net_id}})[:2])
    times = []
    for _ in range(count):
        status, body, t = client.call("POST", "/ports", {"port": {"network_id": net_id}})
        ok(status, body)
        times.append(t)
    return stats(times)


def concurrent_ports(state: dict[str, Any], tok: str, total: int,
                     clients: int = 50) -> tuple[dict[str, Any], str]:
    net_id = subnet(Client(state, tok), "10.128.0.0/17")
    per, extra = divmod(total, clients)
    made: list[tuple[str, str]] = []
    errors: list[str] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        client = Client(state, tok)
        for _ in range(n):
            try:
                status, body, _ = client.call("POST", "/ports", {"port": {"network_id": net_id}})
            except OSError as e:
                with lock:
                    errors.append(repr(e))
                continue
            with lock:
                if status == 201:
                    p = body["port"]
                    made.append((p["fixed_ips"][0]["ip_address"], p["mac_address"]))
                else:
                    errors.append(f"{status} {body}")

    threads = [threading.Thread(target=worker, args=(per + (1 if i < extra else 0),))
               for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {"clients": clients, "ports": len(made), "errors": len(errors),
            "first_errors": errors[:3], "wall_s": round(wall, 2),
            "ports_per_s": round(len(made) / wall, 1),
            "distinct_ips": len({ip for ip, _ in made}),
            "distinct_macs": len({mac for _, mac in made})}, net_id


def port_list(client: Client, net_id: str, runs: int = 20) -> dict[str, Any]:
    times = []
    count = 0
    for _ in range(runs):
        status, body, t = client.call("GET", f"/ports?network_id={net_id}&limit=1000")
        ok(status, body, 200)
        count = len(body["ports"])
        times.append(t)
    return {**stats(times), "page_size": count}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "network.json")
    parser.add_argument("--ports", type=int, default=5000)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="ps-net-bench-")) / "data"
    proc, state = start(data_dir, poll=0.01)
    try:
        tok = token(state, data_dir)
        client = Client(state, tok)
        quota = {"quota": {"network": -1, "subnet": -1, "port": -1}}
        own = ok(*client.call("GET", "/security-groups")[:2], expect=200)
        ok(*client.call("PUT", f"/quotas/{own['security_groups'][0]['project_id']}", quota)[:2],
           expect=200)
        result: dict[str, Any] = {
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{os.cpu_count()} cores", "database": "sqlite",
            "network_create": network_create(client),
            "port_create": port_create(client),
        }
        result["concurrent_port_create"], net_id = concurrent_ports(state, tok, args.ports)
        result["port_list_limit_1000"] = port_list(client, net_id)
    finally:
        stop(proc)
    save(args.out, result)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
