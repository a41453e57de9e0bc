"""Schema upgrades through Alembic, with a cheap 'already current' check for fast starts.

Each service has its own migration branch (see migrations/env.py); the schema is current
when the database holds exactly the heads of all branches.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text

from pocketstack.db.engine import Database

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(db: Database) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    return cfg


def _field(line: str) -> str:
    return line.split("=", 1)[1].strip().strip("'\"")


def script_heads() -> set[str]:
    """Newest revision of every branch, read from the version files without alembic."""
    revs: set[str] = set()
    downs: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for line in path.read_text().splitlines():
            if line.startswith("revision = "):
                revs.add(_field(line))
            elif line.startswith("down_revision = ") and _field(line) != "None":
                downs.add(_field(line))
    return revs - downs


def current_heads(db: Database) -> set[str]:
    with db.engine.connect() as conn:
        try:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
        except Exception:  # noqa: BLE001 - table absent on a new database
            return set()
        return {r[0] for r in rows}


def upgrade(db: Database, progress: Callable[[str], None] | None = None) -> bool:
    """Bring the schema to the heads of every branch. Returns True when the schema changed."""
    heads = script_heads()
    current = current_heads(db)
    if current == heads:
        return False
    if not current and _is_empty(db):
        if progress:
            progress("creating the database schema")
        _create_and_stamp(db, heads)
        return True
    if progress:
        progress("applying database migrations")
    run_migrations(db)
    return True


def run_migrations(db: Database) -> None:
    """Replay the Alembic migrations of every branch up to its head."""
    import logging

    from alembic import command

    logging.getLogger("alembic").setLevel(logging.WARNING)
    cfg = alembic_config(db)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")


def _is_empty(db: Database) -> bool:
    from sqlalchemy import inspect

    with db.engine.connect() as conn:
        return not inspect(conn).get_table_names()


def _create_and_stamp(db: Database, heads: set[str]) -> None:
    """A brand-new database gets the models' schema in one go and is stamped at the heads
    (Alembic's own recipe for new installs): much faster than replaying every migration.
    tests/db checks that the migrations and the models give the same schema."""
    from pocketstack.db import models  # noqa: F401  (registers every table)
    from pocketstack.db.base import Base

    with db.engine.begin() as conn:
        Base.metadata.create_all(conn)
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                          "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"))
        for head in sorted(heads):
            conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"),
                         {"v": head})
