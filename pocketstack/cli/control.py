"""`pocketstack status` and `pocketstack down`."""

from __future__ import annotations

import argparse
import os
import signal
import time
import urllib.request
from pathlib import Path

from pocketstack.cli.state import RunLock, read_state
from pocketstack.config import default_data_dir


def _data_dir(args: argparse.Namespace) -> Path:
    return Path(args.data_dir or os.environ.get("POCKETSTACK_DATA_DIR") or default_data_dir())


def status(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args)
    state = read_state(data_dir)
    running = RunLock(data_dir).held_by_other() if data_dir.exists() else False
    if not running or state is None:
        print(f"pocketstack is not running (data dir {data_dir})")
        return 3
    healthy = _probe(state["identity_url"])
    print(f"pocketstack is running (pid {state['pid']}, data dir {data_dir})")
    print(f"  API:          {state['url']}  ({'healthy' if healthy else 'NOT answering'})")
    for name, url in state.get("services", {}).items():
        print(f"  {name + ':':<13} {url}")
    print(f"  clouds.yaml:  {state.get('clouds_yaml')}")
    return 0 if healthy else 1


def _probe(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 - loopback URL
            return bool(resp.status == 200)
    except OSError:
        return False


def down(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args)
    state = read_state(data_dir)
    if state is None or not RunLock(data_dir).held_by_other():
        print(f"pocketstack is not running (data dir {data_dir})")
        return 0
    pid = int(state["pid"])
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        if not RunLock(data_dir).held_by_other():
            print(f"pocketstack stopped (pid {pid})")
            return 0
        time.sleep(0.1)
    print(f"pocketstack (pid {pid}) did not stop within {args.timeout:.0f} s")
    return 1
