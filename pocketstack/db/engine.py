"""Database handle: engine, sessions and transaction boundaries.

Services open exactly one transaction per unit of work with ``db.write()`` (mutations) or
``db.read()``. On SQLite a write transaction starts with BEGIN IMMEDIATE, so writers are
serialised by the database itself and allocation is safe by construction; on PostgreSQL,
repositories lock the rows they allocate from (SELECT ... FOR UPDATE) and unique
constraints catch the rest.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session


class Database:
    def __init__(self, url: str, *, pool_size: int = 16) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {"future": True}
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
            kwargs["pool_size"] = pool_size
            kwargs["max_overflow"] = 32
        else:
            kwargs["pool_size"] = pool_size
            kwargs["max_overflow"] = 32
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = create_engine(url, **kwargs)
        database = self.engine.url.database if self.is_sqlite else None
        self._sqlite_file = database if database and database != ":memory:" else None
        self._local = threading.local()
        if self.is_sqlite:
            self._setup_sqlite(self.engine)

    @staticmethod
    def _setup_sqlite(engine: Engine) -> None:
        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy, not pysqlite, decide when transactions begin.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            mode = conn.info.get("ps_begin", "BEGIN")
            conn.exec_driver_sql(mode)

    @contextmanager
    def _transaction(self, immediate: bool) -> Iterator[Session]:
        with self.engine.connect() as conn:
            if self.is_sqlite:
                conn.info["ps_begin"] = "BEGIN IMMEDIATE" if immediate else "BEGIN"
            try:
                with Session(bind=conn, expire_on_commit=False) as session, session.begin():
                    yield session
            finally:
                conn.info.pop("ps_begin", None)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A read-write transaction, committed on success, rolled back on any exception."""
        with self._transaction(immediate=True) as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction (rolled back at the end; never takes a write lock)."""
        with self._transaction(immediate=False) as session:
            yield session

    def scalar_now(self, sql: str, params: tuple[object, ...] = ()) -> object:
        """One value from a single statement: no ORM, no explicit transaction (a lone SELECT
        is atomic). For very hot, very small reads only (a revision checked per request).
        On a SQLite file each thread keeps its own autocommit connection for these, which
        costs a fraction of a pool checkout; elsewhere a pooled DBAPI connection is used."""
        if self._sqlite_file:
            conn = getattr(self._local, "conn", None)
            if conn is None:
                conn = self._local.conn = sqlite3.connect(
                    self._sqlite_file, timeout=30, isolation_level=None)
            row = conn.execute(sql, params).fetchone()
            return row[0] if row else None
        raw = self.engine.raw_connection()
        try:
            cur = raw.cursor()
            try:
                cur.execute(sql, params)
                row = cur.fetchone()
            finally:
                cur.close()
            if not self.is_sqlite:
                raw.commit()  # end the implicit read transaction the driver opened
            return row[0] if row else None
        finally:
            raw.close()

    def dispose(self) -> None:
        self.engine.dispose()
