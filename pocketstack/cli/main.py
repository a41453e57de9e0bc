"""`pocketstack` command line: up, status, down. Imports stay lazy so commands start fast."""

from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pocketstack",
                                     description="An OpenStack-compatible cloud in one program.")
    sub = parser.add_subparsers(dest="command", required=True)

    up = sub.add_parser("up", help="start an all-in-one cloud in the foreground")
    _common(up)
    up.add_argument("--host", help="listen address (default 127.0.0.1)")
    up.add_argument("--port", type=int, help="the one port for every API (default 5000; 0 picks "
                    "a free one)")
    up.add_argument("--admin-password", help="admin password (default: generated on first "
                    "start and stored 0600 in the data dir)")
    up.add_argument("--database-url", help="SQLAlchemy URL (default: SQLite in the data dir)")
    up.add_argument("--clouds-yaml", help="clouds.yaml to merge the clouds into, or 'none'")
    up.add_argument("--quiet", action="store_true", help="no per-request log lines on stdout")
    up.add_argument("--fake-hosts", type=int, dest="compute_fake_hosts", metavar="N",
                    help="simulated hypervisors run by the fake compute driver (default 1)")

    status = sub.add_parser("status", help="show whether a cloud runs on a data dir, and where")
    _common(status)

    down = sub.add_parser("down", help="stop the cloud running on a data dir")
    _common(down)
    down.add_argument("--timeout", type=float, default=15.0)

    sub.add_parser("version", help="print the version")
    return parser


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", help="state directory (default: ~/.local/share/pocketstack)")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "version":
        from pocketstack import __version__

        print(__version__)
        return 0
    if args.command == "up":
        from pocketstack.cli.up import run_up

        return run_up(args)
    from pocketstack.cli import control

    if args.command == "status":
        return control.status(args)
    return control.down(args)


if __name__ == "__main__":
    sys.exit(main())
