"""Read a subunit v2 stream and write results.json, failures.txt and tests.csv.

Runs under the Tempest venv's python (it needs python-subunit and testtools, which Tempest
brings), so it is called as a program: ``python summarize.py SUBUNIT OUTDIR``. It prints one
JSON line with the per-service counts for the harness to show.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import subunit
import testtools

SERVICES = ("identity", "image", "network", "compute", "volume")
_SERVICE_RE = re.compile(r"tempest\.(?:serial_tests\.)?(api|scenario)\.(\w+)")
_ATTRS_RE = re.compile(r"\[[^\]]*\]$")
PASSED = {"success", "xfail"}
FAILED = {"fail", "uxsuccess"}


def service_of(test_id: str) -> str:
    """identity/image/network/compute/volume from a test id; 'scenario' or 'other' else."""
    m = _SERVICE_RE.search(test_id)
    if not m:
        return "other"
    if m.group(1) == "scenario":
        return "scenario"
    name = m.group(2)
    return name if name in SERVICES else name.replace("_", "-")


def _text(details: dict, *names: str) -> str:
    out = []
    for name, content in details.items():
        if names and name not in names:
            continue
        try:
            text = "".join(content.iter_text())
        except Exception:  # noqa: BLE001 - binary attachments are not worth showing
            continue
        if text.strip():
            out.append(text if len(names) == 1 else f"--- {name} ---\n{text}")
    return "\n".join(out)


def read_stream(path: Path) -> list[dict]:
    tests: list[dict] = []
    with open(path, "rb") as fh:
        stream = subunit.ByteStreamToStreamResult(fh, non_subunit_name="stdout")
        result = testtools.StreamToDict(tests.append)
        result.startTestRun()
        try:
            stream.run(result)
        finally:
            result.stopTestRun()
    rows = []
    for t in tests:
        status = t["status"]
        if status in ("exists", "inprogress", None):
            continue
        start, stop = (t.get("timestamps") or [None, None])[:2]
        duration = (stop - start).total_seconds() if start and stop else None
        details = t.get("details") or {}
        row = {
            "id": t["id"],
            "name": _ATTRS_RE.sub("", t["id"]),
            "service": service_of(t["id"]),
            "status": status,
            "duration": duration,
        }
        if status == "skip":
            row["reason"] = _text(details, "reason").strip()
        elif status in FAILED:
            row["traceback"] = _text(details, "traceback") or _text(details)
        rows.append(row)
    rows.sort(key=lambda r: r["id"])
    return rows


def counts(rows: list[dict]) -> dict[str, dict[str, int]]:
    per: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        kind = ("passed" if r["status"] in PASSED else
                "failed" if r["status"] in FAILED else "skipped")
        per[r["service"]][kind] += 1
        per["total"][kind] += 1
    return {svc: {k: c.get(k, 0) for k in ("passed", "failed", "skipped")}
            for svc, c in per.items()}


def main() -> int:
    subunit_file, outdir = Path(sys.argv[1]), Path(sys.argv[2])
    rows = read_stream(subunit_file)
    summary = {"counts": counts(rows),
               "failed": [r["id"] for r in rows if r["status"] in FAILED]}
    (outdir / "results.json").write_text(json.dumps({**summary, "tests": rows}, indent=1))
    with open(outdir / "tests.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["service", "status", "seconds", "test", "reason"])
        for r in rows:
            secs = f"{r['duration']:.2f}" if r["duration"] is not None else ""
            w.writerow([r["service"], r["status"], secs, r["id"], r.get("reason", "")])
    with open(outdir / "failures.txt", "w") as fh:
        for r in rows:
            if r["status"] in FAILED:
                fh.write(f"{'=' * 78}\nFAIL: {r['id']}\n{'-' * 78}\n{r['traceback']}\n")
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
