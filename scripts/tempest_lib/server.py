"""Start a throw-away pocketstack (temp data dir, free loopback port) and stop it for sure."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO, Any


class ServerError(RuntimeError):
    pass


class Server:
    """``python -m pocketstack.cli.main up`` in its own session, so Ctrl-C reaches only us and
    we stop it by its pid (SIGTERM, then SIGKILL)."""

    def __init__(self, root: Path, python: Path, log_path: Path, quiet: bool = False,
                 settings: dict[str, Any] | None = None) -> None:
        """``settings``: pocketstack options, passed as POCKETSTACK_<NAME> variables."""
        self.root, self.python, self.log_path = root, python, log_path
        self.quiet, self.settings = quiet, settings or {}
        self.data_dir: Path | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self.state: dict[str, Any] = {}

    def start(self, timeout: float = 60.0) -> dict[str, Any]:
        self.data_dir = Path(tempfile.mkdtemp(prefix="pocketstack-tempest-"))
        args = [str(self.python), "-m", "pocketstack.cli.main", "up",
                "--data-dir", str(self.data_dir), "--host", "127.0.0.1", "--port", "0",
                "--clouds-yaml", "none"]
        if self.quiet:
            args.append("--quiet")
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("POCKETSTACK_", "OS_"))}
        env.update({f"POCKETSTACK_{k.upper()}": str(v) for k, v in self.settings.items()})
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(args, cwd=self.root, stdout=self._log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     env=env, start_new_session=True)
        state_file = self.data_dir / "state.json"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerError(f"pocketstack exited early (code {self.proc.returncode}); "
                                  f"the end of {self.log_path}:\n{self._tail()}")
            if state_file.exists():
                try:
                    self.state = json.loads(state_file.read_text())
                    break
                except ValueError:
                    pass
            time.sleep(0.1)
        else:
            raise ServerError(f"pocketstack did not write state.json in {timeout:.0f} s; "
                              f"see {self.log_path}")
        self.state["admin_password"] = (self.data_dir / "admin-password").read_text().strip()
        return self.state

    def _tail(self, lines: int = 12) -> str:
        if self._log is not None:
            self._log.flush()
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join("  | " + line for line in text[-lines:])

    def stop(self, keep_logs_in: Path | None = None) -> None:
        """Idempotent: stop the server by pid, keep its log file, remove the data dir."""
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            try:
                os.kill(proc.pid, signal.SIGTERM)
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
            except ProcessLookupError:
                pass
        if self._log is not None:
            self._log.close()
            self._log = None
        data_dir, self.data_dir = self.data_dir, None
        if data_dir is not None:
            server_log = data_dir / "logs" / "pocketstack.log"
            if keep_logs_in is not None and server_log.exists():
                try:
                    shutil.copy(server_log, keep_logs_in / "pocketstack.log")
                except OSError:
                    pass
            shutil.rmtree(data_dir, ignore_errors=True)
