"""Alembic environment. Each service owns a branch (label = service name) and the tables
named '<service>_*'; autogenerate for a branch only looks at that branch's tables, so
services can add migrations independently. Everything upgrades to 'heads'."""

from __future__ import annotations

from typing import Any

from alembic import context

from pocketstack.db import models  # noqa: F401  (registers every table)
from pocketstack.db.base import Base

config = context.config
target_metadata = Base.metadata


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    branch = config.attributes.get("branch")
    if not branch or type_ != "table":
        return True
    return bool(name and name.startswith(f"{branch}_"))


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        from sqlalchemy import create_engine

        engine = create_engine(config.get_main_option("sqlalchemy.url"))
        with engine.connect() as conn:
            _configure_and_run(conn)
        return
    _configure_and_run(connection)


def _configure_and_run(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
