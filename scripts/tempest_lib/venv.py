"""Tempest in its own venv (.tempest/venv), installed from PyPI at a pinned version."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def tempest_version(venv: Path) -> str | None:
    exe = venv / "bin" / "tempest"
    if not exe.exists():
        return None
    try:
        out = subprocess.run([str(exe), "--version"], capture_output=True, text=True,
                             timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    words = (out.stdout + out.stderr).split()
    return words[-1] if out.returncode == 0 and words else None


def _python_works(python: Path) -> bool:
    try:
        return subprocess.run([str(python), "-c", "import pip"], capture_output=True,
                              timeout=60, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def ensure(venv: Path, version: str, log: Path) -> Path:
    """The venv's python, after (re)installing tempest==version when it is not there."""
    have = tempest_version(venv)
    if have == version:
        return venv / "bin" / "python"
    print(f"tempest: installing tempest=={version} into {venv}"
          + (f" (found {have})" if have else "") + " ...", flush=True)
    with open(log, "w") as fh:
        if not _python_works(venv / "bin" / "python"):
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)],
                           stdout=fh, stderr=subprocess.STDOUT, check=True)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                        "--upgrade", f"tempest=={version}"],
                       stdout=fh, stderr=subprocess.STDOUT, check=True)
    have = tempest_version(venv)
    if have != version:
        raise RuntimeError(f"tempest {version} not usable in {venv} after install "
                           f"(found {have}); see {log}")
    return venv / "bin" / "python"
