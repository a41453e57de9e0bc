"""The layering contracts in .importlinter hold on the tree, and each one really catches the
violation it is meant to catch (checked on a throwaway copy of the package)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run([str(LINT), "--config", str(cwd / ".importlinter"), "--no-cache"],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


pytestmark = pytest.mark.skipif(not LINT.exists(), reason="import-linter is not installed")


def test_contracts_are_kept_on_the_tree() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


VIOLATIONS = [
    ("api/identity/routes/zz_bad.py",
     "from pocketstack.db.repositories.identity.users import UserRepo\n",
     "calls services, never repositories"),
    ("services/zz_bad.py", "import pocketstack.api.app\n",
     "never import the HTTP API or the CLI"),
    ("common/zz_bad.py", "from pocketstack.cli import main\n",
     "never import the HTTP API or the CLI"),
    ("db/zz_bad.py", "from pocketstack.services import cloud\n",
     "database layer never imports services"),
    ("services/zz_bad.py", "import subprocess\n", "may import subprocess"),
    ("cli/zz_bad.py", "from subprocess import run\n", "may import subprocess"),
]


@pytest.mark.parametrize(("path", "code", "contract"), VIOLATIONS,
                         ids=[f"{p}:{c.split()[1]}" for p, c, _ in VIOLATIONS])
def test_each_contract_catches_its_violation(tmp_path: Path, path: str, code: str,
                                             contract: str) -> None:
    shutil.copytree(ROOT / "pocketstack", tmp_path / "pocketstack",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    (tmp_path / "pocketstack" / path).write_text(code)
    result = _lint(tmp_path)
    assert result.returncode != 0, result.stdout
    broken = [line for line in result.stdout.splitlines() if line.endswith("BROKEN")]
    assert len(broken) == 1 and contract in broken[0], result.stdout


def test_privileged_may_run_commands(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "pocketstack", tmp_path / "pocketstack",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    (tmp_path / "pocketstack" / "privileged" / "zz_run.py").write_text("import subprocess\n")
    # ...and the layers above may call into privileged (an indirect import of subprocess).
    (tmp_path / "pocketstack" / "drivers" / "zz_use.py").write_text(
        "from pocketstack.privileged import zz_run\n")
    result = _lint(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
