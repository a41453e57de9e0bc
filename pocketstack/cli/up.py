"""`pocketstack up`: prepare the data dir, migrate, bootstrap, write client config, serve."""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any

from pocketstack.cli import state as run_state
from pocketstack.cli.clientconfig import write_client_config
from pocketstack.config import Settings


def progress(message: str) -> None:
    print(f"pocketstack: {message} ...", flush=True)


def settings_from_args(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    for key in ("data_dir", "host", "port", "admin_password", "database_url", "clouds_yaml",
                "compute_fake_hosts"):
        value = getattr(args, key, None)
        if value is not None:
            overrides[key] = value
    if getattr(args, "quiet", False):
        overrides["log_requests"] = False
    return Settings(**overrides)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        raise SystemExit(f"pocketstack: cannot listen on {host}:{port}: {e.strerror}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _secret(path: Path, given: str | None) -> tuple[str, bool]:
    """The password given, else the stored one, else a new one. Returns (value, changed)."""
    stored = path.read_text().strip() if path.exists() else None
    if given:
        if given != stored:
            run_state.write_secret(path, given)
        return given, stored is not None and given != stored
    if stored:
        return stored, False
    value = secrets.token_urlsafe(18)
    run_state.write_secret(path, value)
    return value, False


def configure_logging(settings: Settings) -> None:
    logs = settings.data_dir / "logs"
    logs.mkdir(exist_ok=True)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    root = logging.getLogger()
    root.setLevel(settings.log_level.upper())
    file_handler = logging.FileHandler(logs / "pocketstack.log")
    file_handler.setFormatter(fmt)
    root.addHandler(file_handler)
    console = logging.StreamHandler(sys.stdout)
    console.setFormatter(fmt)
    console.setLevel(logging.INFO if settings.log_requests else logging.WARNING)
    root.addHandler(console)


def tune_malloc() -> None:
    """Keep memory flat under load (glibc only). Password hashing allocates 19 MiB buffers;
    glibc would raise its mmap threshold after the first one is freed and keep later ones in
    per-thread arenas. A fixed threshold returns them to the system at once."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if not name or not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(name)
        m_mmap_threshold, m_arena_max = -3, -8
        libc.mallopt(m_mmap_threshold, 256 * 1024)
        libc.mallopt(m_arena_max, 2)
    except (OSError, AttributeError):
        pass


class _Stop(Exception):
    """SIGINT/SIGTERM before the server took over signal handling."""


def _early_stop(signum: int, _frame: Any) -> None:
    raise _Stop(signum)


def run_up(args: argparse.Namespace) -> int:
    started = time.monotonic()
    tune_malloc()
    # Until uvicorn installs its handlers, a signal still ends the start-up cleanly (the
    # lock is released and state.json removed by the finally below).
    signal.signal(signal.SIGTERM, _early_stop)
    signal.signal(signal.SIGINT, _early_stop)
    settings = settings_from_args(args)
    data_dir = settings.data_dir.expanduser().resolve()
    settings.data_dir = data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(data_dir, 0o700)
    lock = run_state.RunLock(data_dir)
    try:
        lock.acquire()
    except run_state.DataDirInUse:
        other = run_state.read_state(data_dir) or {}
        print(f"pocketstack: the data dir {data_dir} is in use by another pocketstack "
              f"(pid {other.get('pid', '?')}, {other.get('url', 'unknown URL')}). "
              "Stop it first with `pocketstack down`, or pass another --data-dir.",
              file=sys.stderr)
        return 2
    try:
        return _serve(settings, started)
    except _Stop:
        print("pocketstack: stopped during start-up", flush=True)
        return 0
    finally:
        run_state.clear_state(data_dir)
        lock.release()


def _serve(settings: Settings, started: float) -> int:
    sock = _bind(settings.host, settings.port)
    settings.port = sock.getsockname()[1]
    configure_logging(settings)

    from pocketstack.db import migrate
    from pocketstack.db.engine import Database

    db = Database(settings.db_url)
    if not (settings.data_dir / "keys").exists():
        progress("creating token and credential keys")
    migrate.upgrade(db, progress)

    from pocketstack.api.app import create_app, published_services
    from pocketstack.services.cloud import Cloud
    from pocketstack.services.identity.bootstrap import bootstrap

    cloud = Cloud(settings, db)
    admin_pw, admin_changed = _secret(settings.data_dir / "admin-password",
                                      settings.admin_password)
    demo_pw, _ = _secret(settings.data_dir / "demo-password", None)
    services = published_services(settings.public_url)
    result = bootstrap(db, cloud.identity.hasher, admin_password=admin_pw, demo_password=demo_pw,
                       region=settings.region, services=services, reset_passwords=admin_changed)
    if result.created:
        progress("bootstrapped domain 'default', projects admin/demo, users admin/demo")
    clouds = write_client_config(settings, admin_pw, demo_pw)
    app = create_app(cloud)
    service_urls = {s.type: s.url for s in services}
    run_state.write_state(settings.data_dir, {
        "pid": os.getpid(), "url": settings.public_url, "identity_url": settings.identity_url,
        "data_dir": str(settings.data_dir), "services": service_urls,
        "clouds_yaml": str(clouds), "started_at": time.time(),
    })
    _banner(settings, admin_pw, clouds, time.monotonic() - started)
    try:
        return _run_server(app, sock, settings)
    finally:
        cloud.close()


def _banner(settings: Settings, admin_pw: str, clouds: Path, elapsed: float) -> None:
    print(
        f"pocketstack is up in {elapsed:.2f} s\n"
        f"  Identity URL:  {settings.identity_url}\n"
        f"  admin user:    admin / {admin_pw}  (project admin, domain Default)\n"
        f"  demo user:     demo  (password in {settings.data_dir / 'demo-password'})\n"
        f"  clouds.yaml:   {clouds}  (clouds 'pocketstack' and 'pocketstack-demo')\n"
        f"  openrc:        {settings.data_dir / 'admin-openrc.sh'}\n"
        f"  data dir:      {settings.data_dir}\n"
        f"  try:           openstack --os-cloud pocketstack token issue\n"
        f"Press Ctrl-C to stop.",
        flush=True,
    )


def _run_server(app: Any, sock: socket.socket, settings: Settings) -> int:
    import contextlib
    from collections.abc import Generator

    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn re-raises SIGINT/SIGTERM after its graceful shutdown; a stop asked for by
        a signal is the normal way to end `pocketstack up`, so it exits 0 instead."""

        @contextlib.contextmanager
        def capture_signals(self) -> Generator[None, None, None]:
            with super().capture_signals():
                yield
                self._captured_signals.clear()

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            # Sync handlers run on AnyIO's default thread limiter; size it before serving.
            import anyio.to_thread

            anyio.to_thread.current_default_thread_limiter().total_tokens = settings.api_thread_count
            await super().startup(sockets=sockets)

    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                            loop="auto", http="auto", timeout_graceful_shutdown=5,
                            log_config=None)
    Server(config).run(sockets=[sock])
    print("pocketstack: stopped", flush=True)
    return 0
