"""Sorted, keyset-paginated listing shared by every volume_* collection."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session


@dataclass
class Page:
    """What to list: filters (SQL expressions), sort keys [(column, 'asc'|'desc')], and the
    window (a marker row, a limit, an offset)."""

    where: list[Any] = field(default_factory=list)
    sort: list[tuple[Any, str]] = field(default_factory=list)
    marker: Any = None
    limit: int | None = None
    offset: int | None = None


def _after(sort: list[tuple[Any, str]], marker: Any) -> Any:
    """Rows strictly after ``marker`` in the sort order (keys compared lexicographically)."""
    clauses = []
    for i, (col, direction) in enumerate(sort):
        value = getattr(marker, col.key)
        equal = [c == getattr(marker, c.key) for c, _ in sort[:i]]
        if value is None:
            # NULLs sort first ascending (SQLite) / we treat them as smallest everywhere.
            step = col.is_not(None) if direction == "asc" else None
        else:
            step = (col > value) if direction == "asc" else or_(col < value, col.is_(None))
        if step is not None:
            clauses.append(and_(*equal, step))
    return or_(*clauses) if clauses else None


def fetch(session: Session, model: Any, page: Page) -> Sequence[Any]:
    pk = model.__mapper__.primary_key[0]
    sort = list(page.sort)
    if not any(c.key == pk.key for c, _ in sort):
        sort.append((pk, sort[-1][1] if sort else "desc"))
    stmt = select(model).where(*page.where)
    if page.marker is not None:
        cond = _after(sort, page.marker)
        if cond is not None:
            stmt = stmt.where(cond)
    order = []
    for col, direction in sort:
        if direction == "asc":
            order.append(col.asc().nulls_first())
        else:
            order.append(col.desc().nulls_last())
    stmt = stmt.order_by(*order)
    if page.offset:
        stmt = stmt.offset(page.offset)
    if page.limit is not None:
        stmt = stmt.limit(page.limit)
    return session.scalars(stmt).all()


def count(session: Session, model: Any, where: list[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)
