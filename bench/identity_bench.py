#!/usr/bin/env python3
"""Identity benchmarks (issue 2), measured over HTTP against a real `pocketstack up`.

    .venv/bin/python bench/identity_bench.py [--out bench/results/identity.json]

Measures:
  - launch of `pocketstack up` to the first successful password token issue (median of 5),
    on a fresh data dir and on an existing one;
  - token validation (GET /v3/auth/tokens): median latency of one keep-alive client, and
    throughput with 8 concurrent connections (wrk when installed, else Python threads);
  - password token issue: median latency of one client;
  - resident memory of the whole cloud after start, and after the load above.
Run it on a quiet machine: every figure shares the machine's cores with the client.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _common import ROOT, address, auth_body, rss_kb, save, stop
from _common import start as start_server
from _common import token as admin_token


def start(data_dir: Path) -> tuple[subprocess.Popen[bytes], dict[str, Any], float]:
    """Launch `pocketstack up`; returns (process, state, seconds to first token)."""
    t0 = time.perf_counter()
    proc, state = start_server(data_dir, poll=0.002, timeout=None)
    body = password_body(data_dir)
    while True:
        try:
            conn = connect(state)
            conn.request("POST", "/v3/auth/tokens", body, {"Content-Type": "application/json"})
            resp = conn.getresponse()
            resp.read()
            if resp.status == 201:
                break
        except OSError:
            time.sleep(0.002)
    return proc, state, time.perf_counter() - t0


def connect(state: dict[str, Any]) -> http.client.HTTPConnection:
    return http.client.HTTPConnection(*address(state["url"]), timeout=30)


def password_body(data_dir: Path) -> str:
    return json.dumps(auth_body(data_dir))


def startup(tmp: Path, runs: int = 5) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for mode in ("fresh", "existing"):
        times = []
        data_dir = tmp / f"start-{mode}"
        for _ in range(runs):
            if mode == "fresh":
                shutil.rmtree(data_dir, ignore_errors=True)
            proc, _, seconds = start(data_dir)
            times.append(seconds)
            stop(proc)
        out[mode] = {"runs_s": [round(t, 3) for t in times],
                     "median_s": round(statistics.median(times), 3)}
    return out


def timed(conn: http.client.HTTPConnection, method: str, path: str, body: str | None,
          headers: dict[str, str], expect: int) -> float:
    t = time.perf_counter()
    conn.request(method, path, body, headers)
    resp = conn.getresponse()
    resp.read()
    elapsed = time.perf_counter() - t
    if resp.status != expect:
        raise RuntimeError(f"{method} {path}: {resp.status}")
    return elapsed


def latency(state: dict[str, Any], data_dir: Path) -> dict[str, Any]:
    token = admin_token(state, data_dir)
    conn = connect(state)
    headers = {"X-Auth-Token": token, "X-Subject-Token": token}
    for _ in range(200):
        timed(conn, "GET", "/v3/auth/tokens", None, headers, 200)
    validate = [timed(conn, "GET", "/v3/auth/tokens", None, headers, 200) for _ in range(2000)]
    body = password_body(data_dir)
    jhead = {"Content-Type": "application/json"}
    issue = [timed(conn, "POST", "/v3/auth/tokens", body, jhead, 201) for _ in range(100)]
    return {
        "validate_median_ms": round(statistics.median(validate) * 1000, 3),
        "validate_p95_ms": round(sorted(validate)[int(len(validate) * 0.95)] * 1000, 3),
        "issue_password_median_ms": round(statistics.median(issue) * 1000, 2),
        "issue_password_p95_ms": round(sorted(issue)[int(len(issue) * 0.95)] * 1000, 2),
    }


def throughput(state: dict[str, Any], data_dir: Path, clients: int = 8,
               seconds: int = 10) -> dict[str, Any]:
    token = admin_token(state, data_dir)
    url = state["url"] + "/v3/auth/tokens"
    if shutil.which("wrk"):
        script = Path(tempfile.mkstemp(suffix=".lua")[1])
        script.write_text(f'wrk.headers["X-Auth-Token"] = "{token}"\n'
                          f'wrk.headers["X-Subject-Token"] = "{token}"\n')
        out = subprocess.run(["wrk", "-t", "2", "-c", str(clients), "-d", f"{seconds}s",
                              "-s", str(script), "--latency", url],
                             capture_output=True, text=True, check=True).stdout
        script.unlink()
        rps = float(next(line.split()[1] for line in out.splitlines()
                         if line.startswith("Requests/sec")))
        non2xx = [line for line in out.splitlines() if "Non-2xx" in line]
        return {"tool": "wrk", "clients": clients, "seconds": seconds,
                "requests_per_s": round(rps, 1), "errors": non2xx or None}
    count = [0]
    deadline = time.monotonic() + seconds
    headers = {"X-Auth-Token": token, "X-Subject-Token": token}

    def worker() -> None:
        conn = connect(state)
        while time.monotonic() < deadline:
            timed(conn, "GET", "/v3/auth/tokens", None, headers, 200)
            count[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"tool": "python threads", "clients": clients, "seconds": seconds,
            "requests_per_s": round(count[0] / seconds, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path,
                        default=ROOT / "bench" / "results" / "identity.json")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ps-bench-"))
    try:
        result: dict[str, Any] = {
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{os.cpu_count()} cores",
            "command": "python bench/identity_bench.py",
            "startup_to_first_token": startup(tmp),
        }
        data_dir = tmp / "main"
        proc, state, _ = start(data_dir)
        try:
            time.sleep(5.0)  # the background warm-up builds every service: the whole cloud
            result["rss_after_start_mb"] = round(rss_kb(proc.pid) / 1024, 1)
            result["latency"] = latency(state, data_dir)
            result["validate_throughput"] = throughput(state, data_dir)
            result["rss_after_load_mb"] = round(rss_kb(proc.pid) / 1024, 1)
        finally:
            stop(proc)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    save(args.out, result)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
