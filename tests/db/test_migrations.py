"""Migrations: an empty database upgrades to every branch head, a second upgrade is a no-op,
each service owns one branch and its own '<service>_*' tables, and the migrated schema is
exactly what the ORM models describe (no drift between models and migrations)."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from pocketstack.db import (
    migrate,
    models,  # noqa: F401  (registers every table)
)
from pocketstack.db.base import Base
from pocketstack.db.engine import Database

pytestmark = pytest.mark.postgres


def branch_files() -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for path in sorted((migrate.MIGRATIONS / "versions").glob("*.py")):
        match = re.match(r"([a-z]+)_\d{4}_", path.name)
        assert match, f"{path.name}: migration files are named <service>_<NNNN>_<what>.py"
        out[match.group(1)].append(path.name)
    return out


def test_each_service_branch_has_exactly_one_head() -> None:
    heads = migrate.script_heads()
    branches = branch_files()
    assert branches, "no migrations at all"
    assert sorted(h.rsplit("_", 1)[0] for h in heads) == sorted(branches)
    for branch, files in branches.items():
        assert f"{branch}_{len(files):04d}" in heads, (branch, files, heads)


def test_upgrade_from_empty_reaches_every_head_once(database: Database) -> None:
    assert migrate.current_heads(database) == set()
    assert migrate.upgrade(database) is True
    assert migrate.current_heads(database) == migrate.script_heads()
    assert migrate.upgrade(database) is False  # already current: the fast path


def test_every_table_belongs_to_a_migrated_service(migrated: Database) -> None:
    branches = set(branch_files())
    for table in Base.metadata.tables:
        assert table.split("_", 1)[0] in branches, f"{table}: no migration branch owns it"
    existing = set(inspect(migrated.engine).get_table_names())
    missing = set(Base.metadata.tables) - existing
    assert not missing, f"models without a migration: {sorted(missing)}"


def _diff(db: Database) -> list[Any]:
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={
            "compare_type": True,
            "include_object": lambda obj, name, type_, reflected, compare_to:
                not (type_ == "table" and name == "alembic_version"),
        })
        return list(compare_metadata(ctx, Base.metadata))


def test_migrated_schema_matches_the_models(migrated: Database) -> None:
    diff = _diff(migrated)
    assert diff == [], "models and migrations disagree (run scripts/new-migration):\n" + \
        "\n".join(map(str, diff))


def test_new_install_shortcut_gives_the_migrated_schema(database: Database) -> None:
    """upgrade() on an empty database creates the schema from the models and stamps the
    heads; that must be exactly what replaying the migrations gives."""
    assert migrate.upgrade(database) is True
    assert migrate.current_heads(database) == migrate.script_heads()
    diff = _diff(database)
    assert diff == [], "\n".join(map(str, diff))
