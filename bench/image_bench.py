#!/usr/bin/env python3
"""Image benchmarks (issue 3), measured over HTTP against a real `pocketstack up`.

    .venv/bin/python bench/image_bench.py [--size-mib 1024] [--runs 3] [--out FILE]

Measures:
  - a plain local copy of the test file (the baseline): `cp` without and with fsync, with the
    source in the page cache ("hot") and pushed out of it first ("cold");
  - upload of the file through PUT /v2/images/{id}/file (durable: fsync'd before 204, with
    md5 + sha512 computed on the way) and download through GET .../file into a file, hot
    and cold likewise (cold: the source file, then the stored image, evicted first), and
    once more into /dev/null (the API's own rate, without the client's file writes);
  - the single-core md5 and sha512 rates, the ceiling of any upload that computes both;
  - the server's resident memory growth (VmRSS, sampled every 20 ms) during each transfer;
  - create + upload of a 1 MiB image (POST /v2/images then PUT /file, one keep-alive client):
    median and p95 over 100 rounds.
The client is http.client with 1 MiB blocks. Run it on a quiet machine: the client and the
server share its cores.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BLOCK = 1 << 20


def start(data_dir: Path) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
    proc = subprocess.Popen(
        [PYTHON, "-m", "pocketstack.cli.main", "up", "--data-dir", str(data_dir), "--port", "0",
         "--clouds-yaml", "none", "--quiet"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("pocketstack exited during start")
        try:
            state = json.loads((data_dir / "state.json").read_text())
            if state["pid"] == proc.pid:
                return proc, state
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.02)
    raise RuntimeError("pocketstack did not start")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def connect(state: dict[str, Any]) -> http.client.HTTPConnection:
    host, port = state["url"].split("//", 1)[1].rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=300, blocksize=BLOCK)
    return conn


def token(state: dict[str, Any], data_dir: Path) -> str:
    password = (data_dir / "admin-password").read_text().strip()
    body = json.dumps({"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "admin", "domain": {"id": "default"}, "password": password}}},
        "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}})
    conn = connect(state)
    conn.request("POST", "/v3/auth/tokens", body, {"Content-Type": "application/json"})
    resp = conn.getresponse()
    resp.read()
    return resp.getheader("X-Subject-Token") or ""


def call(conn: http.client.HTTPConnection, method: str, path: str, body: Any,
         headers: dict[str, str], expect: int) -> bytes:
    conn.request(method, path, body, headers)
    resp = conn.getresponse()
    data = resp.read()
    if resp.status != expect:
        raise RuntimeError(f"{method} {path}: {resp.status} {data[:200]!r}")
    return data


def create(conn: http.client.HTTPConnection, tok: str, name: str) -> str:
    body = json.dumps({"name": name, "disk_format": "raw", "container_format": "bare"})
    data = call(conn, "POST", "/image/v2/images", body,
                {"X-Auth-Token": tok, "Content-Type": "application/json"}, 201)
    return str(json.loads(data)["id"])


class RssSampler:
    """Peak VmRSS of a process while a block runs."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = self.base = rss_kb(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_kb(self.pid))

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_kb(self.pid))

    @property
    def growth_mib(self) -> float:
        return round((self.peak - self.base) / 1024, 1)


def cpu_s(pid: int) -> float:
    """User + system CPU seconds a process (all its threads) has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def make_file(path: Path, size: int) -> str:
    md5 = hashlib.md5(usedforsecurity=False)
    with open(path, "wb") as f:
        left = size
        while left:
            block = os.urandom(min(BLOCK, left))
            md5.update(block)
            f.write(block)
            left -= len(block)
    return md5.hexdigest()


def evict(path: Path) -> None:
    """Push a file out of the page cache (as if it had not been read for a while)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def drop_dest(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def copy_baseline(src: Path, dst: Path, cold: bool) -> dict[str, float]:
    """`cp` of the source file (shutil.copyfile: copy_file_range in the kernel), without and
    with fsync; ``cold``: the source is first pushed out of the page cache."""
    out = {}
    for key, sync in (("cp", False), ("cp_fsync", True)):
        drop_dest(dst)
        subprocess.run(["sync"], check=True)
        if cold:
            evict(src)
        t = time.perf_counter()
        shutil.copyfile(src, dst)
        if sync:
            fd = os.open(dst, os.O_RDONLY)
            os.fsync(fd)
            os.close(fd)
        out[f"{key}_{'cold' if cold else 'hot'}_s"] = time.perf_counter() - t
    drop_dest(dst)
    return out


def hash_ceiling(src: Path) -> dict[str, float]:
    """Single-core md5 and sha512 rates on this machine (MiB/s): an upload cannot beat the
    slower of the two, since both digests cover every byte in order."""
    block = src.open("rb").read(64 << 20)
    out = {}
    for name in ("md5", "sha512"):
        h = hashlib.new(name)
        t = time.perf_counter()
        for _ in range(4):
            h.update(block)
        out[name] = round(256 / (time.perf_counter() - t))
    return out


def upload(state: dict[str, Any], tok: str, src: Path, pid: int,
           cold: bool) -> dict[str, Any]:
    conn = connect(state)
    image_id = create(conn, tok, "bench-big")
    size = src.stat().st_size
    subprocess.run(["sync"], check=True)
    if cold:
        evict(src)
    cpu0 = cpu_s(pid)
    with open(src, "rb") as f, RssSampler(pid) as rss:
        t = time.perf_counter()
        call(conn, "PUT", f"/image/v2/images/{image_id}/file", f,
             {"X-Auth-Token": tok, "Content-Type": "application/octet-stream",
              "Content-Length": str(size)}, 204)
        seconds = time.perf_counter() - t
    return {"image_id": image_id, "seconds": seconds, "rss_growth_mib": rss.growth_mib,
            "server_cpu_s": cpu_s(pid) - cpu0}


def download(state: dict[str, Any], tok: str, image_id: str, dst: Path, pid: int,
             stored: Path | None) -> dict[str, Any]:
    conn = connect(state)
    if dst != Path(os.devnull):
        drop_dest(dst)
    subprocess.run(["sync"], check=True)
    if stored is not None:
        evict(stored)
    cpu0 = cpu_s(pid)
    with RssSampler(pid) as rss, open(dst, "wb") as out:
        t = time.perf_counter()
        conn.request("GET", f"/image/v2/images/{image_id}/file", headers={"X-Auth-Token": tok})
        resp = conn.getresponse()
        while True:
            block = resp.read(BLOCK)
            if not block:
                break
            out.write(block)
        seconds = time.perf_counter() - t
    if resp.status != 200:
        raise RuntimeError(f"download: {resp.status}")
    return {"seconds": seconds, "rss_growth_mib": rss.growth_mib,
            "server_cpu_s": cpu_s(pid) - cpu0}


def small_images(state: dict[str, Any], tok: str, rounds: int = 100) -> dict[str, Any]:
    conn = connect(state)
    payload = os.urandom(1 << 20)
    headers = {"X-Auth-Token": tok, "Content-Type": "application/octet-stream"}
    times = []
    for i in range(rounds + 10):
        t = time.perf_counter()
        image_id = create(conn, tok, f"small-{i}")
        call(conn, "PUT", f"/image/v2/images/{image_id}/file", payload, headers, 204)
        if i >= 10:  # the first rounds warm up the server
            times.append(time.perf_counter() - t)
    times.sort()
    return {"rounds": rounds, "median_ms": round(statistics.median(times) * 1000, 1),
            "p95_ms": round(times[int(len(times) * 0.95)] * 1000, 1)}


def big_transfers(state: dict[str, Any], tok: str, tmp: Path, size: int, runs: int,
                  pid: int) -> dict[str, Any]:
    src, dst = tmp / "source.img", tmp / "dest.img"
    md5 = make_file(src, size)
    rows = []
    for _ in range(runs):
        row: dict[str, Any] = {}
        for cold in (False, True):
            temp = "cold" if cold else "hot"
            row.update(copy_baseline(src, dst, cold))
            up = upload(state, tok, src, pid, cold)
            stored = tmp / "data" / "images" / up["image_id"]
            down = download(state, tok, up["image_id"], dst, pid, stored if cold else None)
            if not cold:  # the API alone: the client discards what it receives
                sink = download(state, tok, up["image_id"], Path(os.devnull), pid, None)
                row["download_discard_s"] = sink["seconds"]
            got = file_md5(dst)  # the file download, checked byte for byte
            if got != md5:
                raise RuntimeError("downloaded data differs from the upload")
            drop_dest(dst)
            row.update({f"upload_{temp}_server_cpu_s": up["server_cpu_s"],
                        f"download_{temp}_server_cpu_s": down["server_cpu_s"],
                        f"upload_{temp}_s": up["seconds"], f"download_{temp}_s": down["seconds"],
                        f"upload_{temp}_rss_growth_mib": up["rss_growth_mib"],
                        f"download_{temp}_rss_growth_mib": down["rss_growth_mib"]})
        rows.append(row)
    return {**summarize(rows, size), "hash_ceiling_mib_per_s": hash_ceiling(src)}


def file_md5(path: Path) -> str:
    md5 = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        while block := f.read(BLOCK):
            md5.update(block)
    return md5.hexdigest()


def summarize(rows: list[dict[str, Any]], size: int) -> dict[str, Any]:
    def med(key: str) -> float:
        return statistics.median(r[key] for r in rows)

    mib = size / (1 << 20)
    out: dict[str, Any] = {"size_mib": mib, "runs": rows}
    for temp in ("hot", "cold"):
        keys = ("cp", "cp_fsync", "upload", "download")
        out[temp] = {
            "median_mib_per_s": {k: round(mib / med(f"{k}_{temp}_s")) for k in keys},
            "upload_vs_cp_fsync": round(med(f"cp_fsync_{temp}_s") / med(f"upload_{temp}_s"), 2),
            "upload_vs_cp": round(med(f"cp_{temp}_s") / med(f"upload_{temp}_s"), 2),
            "download_vs_cp": round(med(f"cp_{temp}_s") / med(f"download_{temp}_s"), 2),
            "server_cpu_s_per_gib": {
                k: round(med(f"{k}_{temp}_server_cpu_s") * 1024 / mib, 2)
                for k in ("upload", "download")},
        }
    out["hot"]["median_mib_per_s"]["download_discard"] = round(mib / med("download_discard_s"))
    out["max_rss_growth_mib"] = max(v for r in rows for k, v in r.items() if "rss" in k)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "image.json")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ps-image-bench-"))
    proc = None
    try:
        proc, state = start(tmp / "data")
        tok = token(state, tmp / "data")
        result: dict[str, Any] = {
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{os.cpu_count()} cores",
            "small_1mib_create_upload": small_images(state, tok),
            "big": big_transfers(state, tok, tmp, args.size_mib << 20, args.runs, proc.pid),
        }
    finally:
        if proc is not None:
            stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "big"} |
                     {"big": {k: v for k, v in result["big"].items() if k != "runs"}},
                     indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
