"""Database fixtures: a fresh, empty database per test, on SQLite (a file in tmp_path) or, when
POCKETSTACK_TEST_PG_URL is set, a new PostgreSQL database dropped afterwards."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pocketstack.db.engine import Database
from tests.conftest import _pg_database, _pg_drop


@pytest.fixture()
def database(tmp_path: Path) -> Iterator[Database]:
    pg_admin = os.environ.get("POCKETSTACK_TEST_PG_URL")
    if pg_admin:
        url, name = _pg_database(pg_admin)
        db = Database(url)
        try:
            yield db
        finally:
            db.dispose()
            _pg_drop(pg_admin, name)
    else:
        db = Database(f"sqlite:///{tmp_path / 'test.db'}")
        try:
            yield db
        finally:
            db.dispose()


@pytest.fixture()
def migrated(database: Database) -> Database:
    from pocketstack.db import migrate

    migrate.run_migrations(database)  # the real migrations, not the new-install shortcut
    return database
