#!/usr/bin/env python3
"""Block Storage benchmarks (issue 6), measured over HTTP against a real `pocketstack up`.

    .venv/bin/python bench/volume_bench.py [--volumes 100] [--clients 8] [--image-mib 1024]
                                           [--out bench/results/volume.json]

Measures:
  - 100 volumes of 1 GiB created by 8 concurrent clients: for each, the time from sending
    POST /volumes to the first GET that shows 'available' (clients poll every 5 ms);
    p50 / p90 / max, and the wall time of the whole batch;
  - a 1 GiB volume created from a 1 GiB raw image (random data, so nothing is sparse):
    seconds from POST to 'available', as a speed, next to the speed of a plain local copy
    of the same file (shutil.copyfile) on the same filesystem.
The server and its data dir are temporary; everything is removed at the end.
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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _common import address, save, start, stop, token


class Client:
    def __init__(self, url: str, token: str) -> None:
        self.conn = http.client.HTTPConnection(*address(url), timeout=120)
        self.headers = {"X-Auth-Token": token, "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: Any = None,
             headers: dict[str, str] | None = None, raw: Any = None) -> tuple[int, Any, Any]:
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        self.conn.request(method, path, data, {**self.headers, **(headers or {})})
        resp = self.conn.getresponse()
        text = resp.read()
        return resp.status, (json.loads(text) if text.strip() else None), resp.headers


def wait_available(c: Client, vid: str, interval: float = 0.005) -> None:
    while True:
        _, body, _ = c.call("GET", f"/volume/v3/volumes/{vid}")
        if body["volume"]["status"] == "available":
            return
        if body["volume"]["status"].startswith("error"):
            raise RuntimeError(f"volume {vid} failed")
        time.sleep(interval)


def create_many(state: dict[str, Any], tok: str, total: int, clients: int) -> dict[str, Any]:
    latencies: list[float] = []
    ids: list[str] = []
    lock = threading.Lock()
    per = [total // clients + (1 if i < total % clients else 0) for i in range(clients)]
    # Quota: let the batch through.
    admin = Client(state["url"], tok)
    _, me, _ = admin.call("GET", "/v3/auth/tokens", headers={"X-Subject-Token": tok})
    project = me["token"]["project"]["id"]
    admin.call("PUT", f"/volume/v3/os-quota-sets/{project}",
               {"quota_set": {"volumes": -1, "gigabytes": -1}})

    def run(n: int) -> None:
        c = Client(state["url"], tok)
        for _ in range(n):
            t0 = time.perf_counter()
            status, body, _ = c.call("POST", "/volume/v3/volumes", {"volume": {"size": 1}})
            assert status == 202, (status, body)
            wait_available(c, body["volume"]["id"])
            with lock:
                latencies.append(time.perf_counter() - t0)
                ids.append(body["volume"]["id"])

    t0 = time.perf_counter()
    threads = [threading.Thread(target=run, args=(n,)) for n in per]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    for vid in ids:
        admin.call("DELETE", f"/volume/v3/volumes/{vid}")
    lat = sorted(latencies)
    return {"volumes": total, "clients": clients, "wall_s": round(wall, 3),
            "p50_ms": round(statistics.median(lat) * 1000, 1),
            "p90_ms": round(lat[int(len(lat) * 0.9) - 1] * 1000, 1),
            "max_ms": round(lat[-1] * 1000, 1)}


def from_image(state: dict[str, Any], tok: str, tmp: Path, mib: int) -> dict[str, Any]:
    src = tmp / "image.raw"
    with open(src, "wb") as fh:
        block = os.urandom(1 << 20)
        for i in range(mib):
            fh.write(block[i % 7:] + block[:i % 7])
    t0 = time.perf_counter()
    shutil.copyfile(src, tmp / "copy.raw")
    copy_s = time.perf_counter() - t0
    (tmp / "copy.raw").unlink()
    c = Client(state["url"], tok)
    _, img, _ = c.call("POST", "/image/v2/images", {"name": "bench", "disk_format": "raw",
                                                      "container_format": "bare"})
    with open(src, "rb") as fh:
        status, _, _ = c.call("PUT", f"/image/v2/images/{img['id']}/file", raw=fh,
                              headers={"Content-Type": "application/octet-stream",
                                       "Content-Length": str(src.stat().st_size)})
    assert status == 204, status
    size_gb = max(1, -(-mib // 1024))
    t0 = time.perf_counter()
    status, body, _ = c.call("POST", "/volume/v3/volumes", {"volume": {
        "size": size_gb, "imageRef": img["id"]}})
    assert status == 202, (status, body)
    wait_available(c, body["volume"]["id"], interval=0.01)
    vol_s = time.perf_counter() - t0
    c.call("DELETE", f"/volume/v3/volumes/{body['volume']['id']}")
    c.call("DELETE", f"/image/v2/images/{img['id']}")
    mb = mib
    return {"image_mib": mib, "local_copy_s": round(copy_s, 3),
            "local_copy_mib_s": round(mb / copy_s, 1), "volume_from_image_s": round(vol_s, 3),
            "volume_from_image_mib_s": round(mb / vol_s, 1),
            "ratio_to_local_copy": round(copy_s / vol_s, 2)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--volumes", type=int, default=100)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--image-mib", type=int, default=1024)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ps-volume-bench-"))
    proc = None
    try:
        proc, state = start(tmp / "data", poll=0.01, timeout=30)
        tok = token(state, tmp / "data")
        result = {"when": datetime.now(UTC).isoformat(timespec="seconds"),
                  "create": create_many(state, tok, args.volumes, args.clients),
                  "from_image": from_image(state, tok, tmp, args.image_mib)}
    finally:
        if proc is not None:
            stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)
    text = json.dumps(result, indent=1)
    print(text)
    if args.out:
        save(args.out, result, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
