#!/usr/bin/env python3
"""Image benchmarks (issue 3), measured over HTTP (loopback) against a real `pocketstack up`.

    .venv/bin/python bench/image_bench.py [--size-mib 1024] [--runs 3] [--out FILE]

Measures, on a test file of random bytes in a temporary directory on the same filesystem as
the server's data dir:
  - the baseline, a plain local copy: `cp SRC DST` (GNU coreutils, default options; on ext4 it
    copies in the kernel with copy_file_range), timed from the start of `cp` to its exit, and
    `cp` followed by fsync(DST) ("cp_fsync": the same durability as an upload, which is
    fsync'd before its 204). Each is timed with the source in the page cache ("hot") and
    pushed out of it first ("cold": fsync + POSIX_FADV_DONTNEED), after a `sync`, to a
    destination that does not exist yet;
  - upload of the file through PUT /v2/images/{id}/file (md5 + sha512 computed, fsync'd
    before the 204) and download through GET .../file, hot and cold likewise (cold: the
    source file is evicted before the upload, the stored image before the download), with
    two clients: Debian's curl (`curl -T FILE`, `curl -o FILE`) and Python's http.client
    (1 MiB blocks, as an SDK would); downloads go into a new file (checked byte for byte),
    and, hot only, into /dev/null (the API's own rate, without the client's file writes);
  - the single-core md5 and sha512 rates, the ceiling of any upload that computes both;
  - CPU seconds of the server (all threads, and its event-loop thread alone) and of the
    client, per transfer;
  - the server's resident memory growth (VmRSS, sampled every 20 ms) during each transfer;
  - create + upload of a 1 MiB image (POST /v2/images then PUT /file, one keep-alive client):
    median and p95 over 100 rounds.
The load average is recorded at the start and at the end. Run it on a quiet machine: the
clients and the server share its cores.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import resource
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

from _common import PYTHON, ROOT, address, rss_kb, save, start, stop, token

BLOCK = 1 << 20
SETTLE = 4.0


def connect(state: dict[str, Any]) -> http.client.HTTPConnection:
    return http.client.HTTPConnection(*address(state["url"]), timeout=300, blocksize=BLOCK)


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


def cpu_s(pid: int, tid: int | None = None) -> float:
    """User + system CPU seconds a process (all its threads), or one of its threads, has
    used so far."""
    stat = f"/proc/{pid}/task/{tid}/stat" if tid else f"/proc/{pid}/stat"
    fields = Path(stat).read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_s() -> float:
    """CPU seconds all cores of the machine have spent busy so far (from /proc/stat)."""
    cpu = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in cpu[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


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


def warm(path: Path) -> None:
    """Read a file into the page cache."""
    with open(path, "rb") as f:
        while f.read(BLOCK):
            pass


def prepare(cold_file: Path | None = None, warm_file: Path | None = None) -> None:
    """Before each timed operation (baseline and API alike): write back all dirty data (so
    one measure does not pay for the previous one's), put ``warm_file`` in and ``cold_file``
    out of the page cache, then wait SETTLE seconds: memory freed by the previous step
    (deleted files, evicted pages) is then handed back to the hypervisor by the guest's
    free page reporting, so every operation starts from the same state."""
    if warm_file is not None:
        warm(warm_file)
    subprocess.run(["sync"], check=True)
    if cold_file is not None:
        evict(cold_file)
    time.sleep(SETTLE)


def fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def copy_baseline(src: Path, dst: Path, cold: bool) -> dict[str, float]:
    """The plain local copy: `cp SRC DST` to a new file, then (cp_fsync) fsync(DST) too;
    ``cold``: the source is first pushed out of the page cache."""
    out = {}
    for key, sync in (("cp", False), ("cp_fsync", True)):
        drop_dest(dst)
        prepare(cold_file=src if cold else None, warm_file=None if cold else src)
        t = time.perf_counter()
        subprocess.run(["cp", str(src), str(dst)], check=True)
        if sync:
            fsync_path(dst)
        out[f"{key}_{'cold' if cold else 'hot'}_s"] = time.perf_counter() - t
    drop_dest(dst)
    return out


def hash_ceiling(src: Path) -> dict[str, float]:
    """Single-core md5 and sha512 rates on this machine (MiB/s): an upload cannot beat the
    slower of the two, since both digests cover every byte in order."""
    with src.open("rb") as f:
        block = f.read(64 << 20)
    out = {}
    for name in ("md5", "sha512"):
        h = hashlib.new(name)
        t = time.perf_counter()
        for _ in range(4):
            h.update(block)
        out[name] = round(256 / (time.perf_counter() - t))
    return out


class Probe:
    """Wall time, CPU (server: all threads and its event-loop thread; client; whole machine)
    and server RSS growth of one transfer."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.rss = RssSampler(pid)

    def __enter__(self) -> Probe:
        self.rss.__enter__()
        self.server0 = cpu_s(self.pid)
        self.loop0 = cpu_s(self.pid, self.pid)
        self.machine0 = machine_busy_s()
        self.client0 = _client_cpu()
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.seconds = time.perf_counter() - self.t0
        self.client = _client_cpu() - self.client0
        self.machine = machine_busy_s() - self.machine0
        self.server = cpu_s(self.pid) - self.server0
        self.loop = cpu_s(self.pid, self.pid) - self.loop0
        self.rss.__exit__(*exc)

    def row(self, key: str) -> dict[str, float]:
        return {f"{key}_s": self.seconds, f"{key}_server_cpu_s": self.server,
                f"{key}_loop_cpu_s": self.loop, f"{key}_client_cpu_s": self.client,
                f"{key}_machine_cpu_s": self.machine,
                f"{key}_rss_growth_mib": self.rss.growth_mib}


def _client_cpu() -> float:
    """CPU of the clients: this thread (http.client) plus finished children (curl)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.thread_time() + children.ru_utime + children.ru_stime


class Cloud:
    """The server under test and the calls the benchmark makes to it."""

    def __init__(self, state: dict[str, Any], tok: str, data_dir: Path, pid: int) -> None:
        self.state, self.tok, self.pid = state, tok, pid
        self.url = state["url"].rstrip("/") + "/image/v2/images"
        self.images = data_dir / "images"

    def create(self, name: str) -> str:
        return create(connect(self.state), self.tok, name)

    def check(self, image_id: str, size: int, md5: str) -> None:
        data = call(connect(self.state), "GET", f"/image/v2/images/{image_id}", None,
                    {"X-Auth-Token": self.tok}, 200)
        image = json.loads(data)
        if (image["status"], image["size"], image["checksum"]) != ("active", size, md5):
            raise RuntimeError(f"uploaded image is wrong: {image}")

    def delete(self, image_id: str) -> None:
        call(connect(self.state), "DELETE", f"/image/v2/images/{image_id}", None,
             {"X-Auth-Token": self.tok}, 204)

    def upload(self, client: str, src: Path, cold: bool) -> tuple[str, Probe]:
        image_id = self.create(f"bench-{client}")
        size = src.stat().st_size
        conn = connect(self.state)
        prepare(cold_file=src if cold else None, warm_file=None if cold else src)
        if client == "curl":
            with Probe(self.pid) as probe:
                _curl(["-T", str(src), "-X", "PUT", "-H", f"X-Auth-Token: {self.tok}",
                       "-H", "Content-Type: application/octet-stream", "-H", "Expect:",
                       f"{self.url}/{image_id}/file"], "204")
        else:
            with open(src, "rb") as f, Probe(self.pid) as probe:
                call(conn, "PUT", f"/image/v2/images/{image_id}/file", f,
                     {"X-Auth-Token": self.tok, "Content-Type": "application/octet-stream",
                      "Content-Length": str(size)}, 204)
        return image_id, probe

    def download(self, client: str, image_id: str, dst: Path, cold: bool) -> Probe:
        if dst != Path(os.devnull):
            drop_dest(dst)
        conn = connect(self.state)
        stored = self.images / image_id
        prepare(cold_file=stored if cold else None, warm_file=None if cold else stored)
        if client == "curl":
            with Probe(self.pid) as probe:
                _curl(["-o", str(dst), "-H", f"X-Auth-Token: {self.tok}",
                       f"{self.url}/{image_id}/file"], "200")
            return probe
        with Probe(self.pid) as probe, open(dst, "wb") as out:
            conn.request("GET", f"/image/v2/images/{image_id}/file",
                         headers={"X-Auth-Token": self.tok})
            resp = conn.getresponse()
            while True:
                block = resp.read(BLOCK)
                if not block:
                    break
                out.write(block)
        if resp.status != 200:
            raise RuntimeError(f"download: {resp.status}")
        return probe


def _curl(args: list[str], expect: str) -> None:
    out = subprocess.run(["curl", "-sS", "-w", "%{http_code}", *args],
                         check=True, capture_output=True, text=True).stdout
    if not out.endswith(expect):
        raise RuntimeError(f"curl {args[-1]}: HTTP {out[-3:]}")


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


CLIENTS = ("curl", "python")

# The client's own ceiling: a minimal HTTP server that sends the file with sendfile(2), no
# Python on the data path; what curl gets from it is the most any server could give it.
SENDFILE_SERVER = """
import os, socket, sys
path = sys.argv[1]
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(4)
print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept()
    c.recv(65536)
    c.sendall(b"HTTP/1.1 200 OK\\r\\nContent-Length: %d\\r\\nConnection: close\\r\\n\\r\\n"
              % os.path.getsize(path))
    with open(path, "rb") as f:
        c.sendfile(f)
    c.close()
"""


def curl_ceiling(src: Path, dst: Path) -> dict[str, float]:
    """curl downloading ``src`` (page cache hot) from the sendfile server, into a new file
    and into /dev/null."""
    server = subprocess.Popen([PYTHON, "-c", SENDFILE_SERVER, str(src)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        url = f"http://127.0.0.1:{int(server.stdout.readline())}/"
        out = {}
        for key, target in (("file", dst), ("discard", Path(os.devnull))):
            if target == dst:
                drop_dest(dst)
            prepare(warm_file=src)
            t = time.perf_counter()
            _curl(["-o", str(target), url], "200")
            out[f"curl_sendfile_{key}_s"] = time.perf_counter() - t
        drop_dest(dst)
        return out
    finally:
        server.kill()
        server.wait()


def big_transfers(cloud: Cloud, tmp: Path, size: int, runs: int) -> dict[str, Any]:
    src, dst = tmp / "source.img", tmp / "dest.img"
    md5 = make_file(src, size)
    rows = []
    try:
        for _ in range(runs):
            row: dict[str, Any] = {}
            row.update(curl_ceiling(src, dst))
            for cold in (False, True):
                temp = "cold" if cold else "hot"
                row.update(copy_baseline(src, dst, cold))
                for client in CLIENTS:
                    image_id, up = cloud.upload(client, src, cold)
                    row.update(up.row(f"upload_{client}_{temp}"))
                    cloud.check(image_id, size, md5)
                    down = cloud.download(client, image_id, dst, cold)
                    row.update(down.row(f"download_{client}_{temp}"))
                    if file_md5(dst) != md5:  # the file download, checked byte for byte
                        raise RuntimeError(f"{client}: downloaded data differs from the upload")
                    drop_dest(dst)
                    if not cold:  # the API alone: the client discards what it receives
                        sink = cloud.download(client, image_id, Path(os.devnull), False)
                        row.update(sink.row(f"download_{client}_discard_{temp}"))
                    cloud.delete(image_id)
            rows.append(row)
        ceiling = hash_ceiling(src)
    finally:
        drop_dest(src)
        drop_dest(dst)
    return {**summarize(rows, size), "hash_ceiling_mib_per_s": ceiling}


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
    gib = mib / 1024
    out: dict[str, Any] = {"size_mib": mib, "runs": rows}
    for temp in ("hot", "cold"):
        transfers = [f"{op}_{client}" for op in ("upload", "download") for client in CLIENTS]
        if temp == "hot":
            transfers += [f"download_{client}_discard" for client in CLIENTS]
        rates = {k: round(mib / med(f"{k}_{temp}_s")) for k in ("cp", "cp_fsync", *transfers)}
        ratios = {}
        for client in CLIENTS:
            ratios[f"upload_{client}_vs_cp_fsync"] = round(
                med(f"cp_fsync_{temp}_s") / med(f"upload_{client}_{temp}_s"), 2)
            ratios[f"download_{client}_vs_cp"] = round(
                med(f"cp_{temp}_s") / med(f"download_{client}_{temp}_s"), 2)
        cpu = {k: {part: round(med(f"{k}_{temp}_{part}_cpu_s") / gib, 2)
                   for part in ("server", "loop", "client", "machine")} for k in transfers}
        out[temp] = {"median_mib_per_s": rates, "ratios": ratios, "cpu_s_per_gib": cpu}
    out["hot"]["median_mib_per_s"].update(
        {k: round(mib / med(f"{k}_s")) for k in ("curl_sendfile_file", "curl_sendfile_discard")})
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
    command = " ".join([".venv/bin/python", "bench/image_bench.py", *sys.argv[1:]])
    load_start = [round(x, 2) for x in os.getloadavg()]
    try:
        proc, state = start(tmp / "data", poll=0.02)
        tok = token(state, tmp / "data")
        cloud = Cloud(state, tok, tmp / "data", proc.pid)
        result: dict[str, Any] = {
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "command": command,
            "machine": f"{os.cpu_count()} cores",
            "load_average_start": load_start,
            "small_1mib_create_upload": small_images(state, tok),
            "big": big_transfers(cloud, tmp, args.size_mib << 20, args.runs),
        }
        result["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    finally:
        if proc is not None:
            stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)
    save(args.out, result)
    print(json.dumps({k: v for k, v in result.items() if k != "big"} |
                     {"big": {k: v for k, v in result["big"].items() if k != "runs"}},
                     indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
