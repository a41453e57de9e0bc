"""Revision counters: a row per service, bumped in the same transaction as any change to
that service's tables ('<service>_*'). Processes may cache derived data (validated tokens,
the catalog) as long as the counter they read has not moved; this is safe with several API
processes on one database, because every cache check reads the counter from the database.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, String, event, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from pocketstack.db.base import Base

TRACKED = ("identity",)


class Revision(Base):
    __tablename__ = "identity_revisions"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


def _service_of(table_name: str) -> str | None:
    prefix = table_name.split("_", 1)[0]
    return prefix if prefix in TRACKED and table_name != Revision.__tablename__ else None


def _mark(session: Session, table_name: str | None) -> None:
    service = _service_of(table_name or "")
    if service:
        session.info.setdefault("ps_dirty", set()).add(service)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _ctx: Any) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        _mark(session, getattr(obj, "__tablename__", None))


@event.listens_for(Session, "do_orm_execute")
def _bulk(state: Any) -> None:
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(state.statement, "table", None)
        _mark(state.session, getattr(table, "name", None))


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    dirty = session.info.pop("ps_dirty", None)
    if not dirty:
        return
    for service in dirty:
        result = session.execute(
            update(Revision).where(Revision.name == service).values(value=Revision.value + 1)
        )
        if not result.rowcount:
            session.add(Revision(name=service, value=1))
    session.flush()
    session.info.pop("ps_dirty", None)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop("ps_dirty", None)


def read(db: Any, service: str) -> int:
    """The counter, read without a session (hot path: every token validation)."""
    mark = "?" if db.is_sqlite else "%s"
    value = db.scalar_now(f"SELECT value FROM {Revision.__tablename__} WHERE name = {mark}",
                          (service,))
    return int(value or 0)  # type: ignore[call-overload]


def current(session: Session, service: str) -> int:
    value = session.scalar(select(Revision.value).where(Revision.name == service))
    return int(value or 0)
