#!/usr/bin/env python3
"""Compute benchmarks (issue 5), measured over HTTP against a real `pocketstack up`.

    .venv/bin/python bench/compute_bench.py [--hosts 100] [--boots 1000] [--rally-boots 1000]
                                            [--clients 16] [--total 10000]
                                            [--out bench/results/compute.json]

Measures, with --hosts simulated hypervisors (fake driver, SQLite, temporary data dir):
  - --boots servers booted by --clients concurrent clients that poll hard ("fast" pacing: the
    first GET 10 ms after the create, backing off by half each time up to 200 ms), each client
    booting its next server as soon as it saw the last one ACTIVE, so the server never idles;
  - --rally-boots servers booted by --clients clients paced as Rally's NovaServers scenarios
    are by default (first GET 1 s after the create, then one a second);
  - for both: the time from sending the create request to ACTIVE, taken two ways: when the
    client's GET first shows ACTIVE (so it includes the wait for that poll), and the server's
    `launched_at` (written in the transaction that makes the server ACTIVE) minus the client's
    send time, both read off this machine's clock; plus the server side alone (create action
    start -> launched_at) and the server's CPU time per boot;
  - then the cloud is filled to --total servers, and GET /servers/detail?limit=1000 is
    timed (median of 10, client side, full body read);
  - the resident memory of the whole cloud (the `pocketstack up` process) at that point.
Run it on a quiet machine: every figure shares the machine's cores with the clients.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _common import address, rss_kb, save, start, stop, token

# Pacings: (first poll after the create, growth of the pause, longest pause), in seconds.
# "fast" polls early and often so the client sees ACTIVE within a few ms of it: 16 such
# clients keep the server saturated. "rally" is what Rally's boot scenarios do by default
# (nova_server_boot_prepoll_delay = 1.0, nova_server_boot_poll_interval = 1.0).
PACINGS = {"fast": (0.01, 1.5, 0.2), "rally": (1.0, 1.0, 1.0)}


class Client:
    """One keep-alive HTTP connection with a token."""

    def __init__(self, state: dict[str, Any], token: str = "") -> None:
        self.addr = address(state["url"])
        self.conn = http.client.HTTPConnection(*self.addr, timeout=120)
        self.token = token

    def call(self, method: str, path: str, body: Any = None,
             headers: dict[str, str] | None = None) -> tuple[int, Any, Any]:
        hdrs = {"Content-Type": "application/json", "X-Auth-Token": self.token,
                **(headers or {})}
        data = json.dumps(body) if body is not None else None
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, data, hdrs)
                resp = self.conn.getresponse()
                raw = resp.read()
                return resp.status, (json.loads(raw) if raw else None), resp.headers
            except (http.client.RemoteDisconnected, ConnectionError):
                if attempt == 2:
                    raise
                self.conn.close()  # the server closed an idle keep-alive connection
                self.conn = http.client.HTTPConnection(*self.addr, timeout=120)
        raise AssertionError("unreachable")


def prepare(c: Client, project: str) -> tuple[str, str]:
    """A public image, a /16 network, unlimited quotas; returns (image id, network id)."""
    status, img, _ = c.call("POST", "/image/v2/images", {
        "name": "bench", "disk_format": "raw", "container_format": "bare",
        "visibility": "public"})
    c.conn.request("PUT", f"/image/v2/images/{img['id']}/file", b"\0" * 4096,
                   {"X-Auth-Token": c.token, "Content-Type": "application/octet-stream"})
    c.conn.getresponse().read()
    _, net, _ = c.call("POST", "/networking/v2.0/networks", {"network": {"name": "bench"}})
    c.call("POST", "/networking/v2.0/subnets", {"subnet": {
        "network_id": net["network"]["id"], "ip_version": 4, "cidr": "10.0.0.0/16"}})
    c.call("PUT", f"/networking/v2.0/quotas/{project}", {"quota": {"port": -1}})
    c.call("PUT", f"/compute/v2.1/os-quota-sets/{project}", {"quota_set": {
        "instances": -1, "cores": -1, "ram": -1}})
    return img["id"], net["network"]["id"]


class Boot:
    """One boot as a client saw it."""

    def __init__(self, sid: str, sent: float, observed: float, launched: str | None) -> None:
        self.sid = sid
        self.sent = sent          # wall clock (time.time()) just before the create was sent
        self.observed = observed  # seconds from sending the create to the GET showing ACTIVE
        self.launched = launched  # the server's launched_at, as that GET showed it

    def to_active(self) -> float:
        """Seconds from sending the create to the server's launched_at (same machine clock)."""
        when = datetime.fromisoformat(str(self.launched))
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return when.timestamp() - self.sent


def boot_one(c: Client, image: str, net: str, name: str, pacing: str | None) -> Boot:
    body = {"server": {"name": name, "imageRef": image, "flavorRef": "1",
                       "networks": [{"uuid": net}]}}
    sent, t0 = time.time(), time.perf_counter()
    status, doc, _ = c.call("POST", "/compute/v2.1/servers", body)
    if status != 202:
        raise RuntimeError(f"create failed: {status} {doc}")
    sid = doc["server"]["id"]
    if pacing is None:
        return Boot(sid, sent, 0.0, None)
    pause, growth, longest = PACINGS[pacing]
    while True:
        time.sleep(pause)
        status, doc, _ = c.call("GET", f"/compute/v2.1/servers/{sid}")
        st = doc["server"]["status"]
        if st == "ACTIVE":
            return Boot(sid, sent, time.perf_counter() - t0, doc["server"]["OS-SRV-USG:launched_at"])
        if st == "ERROR":
            raise RuntimeError(f"server {sid} went to ERROR: {doc['server'].get('fault')}")
        pause = min(pause * growth, longest)


def run_boots(state: dict[str, Any], tok: str, image: str, net: str, count: int,
              clients: int, pacing: str | None, prefix: str) -> tuple[list[Boot], float]:
    local = threading.local()

    def one(i: int) -> Boot:
        if not hasattr(local, "c"):
            local.c = Client(state, tok)
        return boot_one(local.c, image, net, f"{prefix}-{i}", pacing)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(one, range(count)))
    return results, time.perf_counter() - t0


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def server_side(c: Client, ids: list[str]) -> list[float]:
    """From the server's own clock: the create action's start (when the request was
    recorded) to launched_at (when the host reported the server running), in seconds."""
    out = []
    for sid in ids:
        _, acts, _ = c.call("GET", f"/compute/v2.1/servers/{sid}/os-instance-actions")
        start = next(a["start_time"] for a in acts["instanceActions"] if a["action"] == "create")
        _, doc, _ = c.call("GET", f"/compute/v2.1/servers/{sid}")
        launched = doc["server"]["OS-SRV-USG:launched_at"]
        out.append((datetime.fromisoformat(launched) - datetime.fromisoformat(start))
                   .total_seconds())
    return out


def wait_all_active(c: Client, total: int, timeout: float = 1800) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        count, marker = 0, None
        while True:
            path = "/compute/v2.1/servers?status=ACTIVE&limit=1000" + (
                f"&marker={marker}" if marker else "")
            _, doc, _ = c.call("GET", path)
            count += len(doc["servers"])
            if len(doc["servers"]) < 1000:
                break
            marker = doc["servers"][-1]["id"]
        if count >= total:
            return
        time.sleep(1)
    raise RuntimeError("servers did not all become ACTIVE")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def time_list(c: Client, runs: int = 10) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        status, doc, _ = c.call("GET", "/compute/v2.1/servers/detail?limit=1000")
        out.append(time.perf_counter() - t0)
        assert status == 200 and len(doc["servers"]) == 1000, status
    return out


def boots(state: dict[str, Any], tok: str, c: Client, pid: int, image: str, net: str,
          count: int, clients: int, pacing: str) -> dict[str, Any]:
    """Boot ``count`` servers with ``clients`` clients paced as ``pacing``; the figures."""
    cpu0 = cpu_seconds(pid)
    done, wall = run_boots(state, tok, image, net, count, clients, pacing, pacing[0])
    cpu_per_boot = (cpu_seconds(pid) - cpu0) / count
    srv = server_side(c, [b.sid for b in done])

    def ms(values: list[float], keys: tuple[int, ...] = (50, 95, 99, 100)) -> dict[str, float]:
        return {("max" if q == 100 else f"p{q}"): round(pct(values, q) * 1000, 1) for q in keys}
    return {
        "servers": count, "pacing": pacing, "first_poll_growth_longest_s": PACINGS[pacing],
        "seconds": round(wall, 1), "per_second": round(count / wall, 1),
        "server_cpu_ms_per_boot": round(cpu_per_boot * 1000, 1),
        "to_launched_ms": ms([b.to_active() for b in done]),
        "client_ms": ms([b.observed for b in done]),
        "server_ms": ms(srv, (50, 95, 99))}


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--hosts", type=int, default=100)
    p.add_argument("--boots", type=int, default=1000)
    p.add_argument("--rally-boots", type=int, default=1000)
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--total", type=int, default=10000)
    p.add_argument("--out", type=Path)
    args = p.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="ps-compute-bench-"))
    env = {**os.environ, "POCKETSTACK_LOG_REQUESTS": "false", "POCKETSTACK_LOG_LEVEL": "WARNING"}
    proc, state = start(tmp / "data", "--fake-hosts", str(args.hosts), poll=0.05, env=env)
    result: dict[str, Any] = {"date": datetime.now(UTC).isoformat(timespec="seconds"),
                              "hosts": args.hosts, "clients": args.clients}
    try:
        tok = token(state, tmp / "data")
        c = Client(state, tok)
        _, me, _ = c.call("GET", "/v3/auth/tokens", headers={"X-Subject-Token": tok})
        image, net = prepare(c, me["token"]["project"]["id"])
        result["rss_mib_start"] = round(rss_kb(proc.pid) / 1024, 1)
        booted = 0
        for key, pacing, count in (("boot", "fast", args.boots),
                                   ("boot_rally", "rally", args.rally_boots)):
            if count:
                result[key] = boots(state, tok, c, proc.pid, image, net, count, args.clients,
                                    pacing)
                booted += count
                print(json.dumps({key: result[key]}), flush=True)
        rest = max(0, args.total - booted)
        if rest:
            _, wall2 = run_boots(state, tok, image, net, rest, args.clients, None, "f")
            wait_all_active(c, args.total)
            result["fill"] = {"servers": rest, "seconds": round(wall2, 1)}
        times = time_list(c) if args.total >= 1000 else [0.0]
        result["list_detail_limit_1000_ms"] = {
            "median": round(statistics.median(times) * 1000, 1),
            "min": round(min(times) * 1000, 1), "max": round(max(times) * 1000, 1),
            "servers_in_cloud": args.total}
        result["rss_mib"] = round(rss_kb(proc.pid) / 1024, 1)
        print(json.dumps(result, indent=1), flush=True)
        if args.out:
            save(args.out, result, indent=1)
        return 0
    finally:
        stop(proc, timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
