"""Generic list queries for the Networking API: column filters, tag filters, multi-key
sorting and keyset (marker) pagination, all in SQL."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from sqlalchemy import and_, bindparam, false, or_, select
from sqlalchemy.orm import Session

from pocketstack.db.models.network import Tag

Converter = Callable[[str], Any]


@dataclass
class Listing:
    """What to select: WHERE clauses, (column, ascending) sort keys, page size, marker."""

    where: list[Any] = field(default_factory=list)
    sorts: list[tuple[Any, bool]] = field(default_factory=list)
    limit: int | None = None
    marker_id: str | None = None
    page_reverse: bool = False


def tag_clauses(id_col: Any, filters: dict[str, list[str]]) -> list[Any]:
    """tags / tags-any / not-tags / not-tags-any, each a comma-separated list."""
    out: list[Any] = []

    def split(key: str) -> list[str]:
        return [t for v in filters.pop(key, []) for t in v.split(",") if t]

    def having(tags: list[str]) -> Any:
        return select(Tag.resource_id).where(Tag.tag.in_(tags))

    tags_all, tags_any = split("tags"), split("tags-any")
    not_all, not_any = split("not-tags"), split("not-tags-any")
    for tag in tags_all:
        out.append(id_col.in_(having([tag])))
    if tags_any:
        out.append(id_col.in_(having(tags_any)))
    if not_all:
        matching = [id_col.in_(having([t])) for t in not_all]
        out.append(~and_(*matching))
    if not_any:
        out.append(~id_col.in_(having(not_any)))
    return out


def column_clauses(columns: dict[str, tuple[Any, Converter]],
                   filters: dict[str, list[str]]) -> list[Any]:
    """Equality filters on known columns; a value that does not convert matches nothing."""
    out: list[Any] = []
    for name in list(filters):
        if name not in columns:
            continue
        col, conv = columns[name]
        values = []
        for raw in filters.pop(name):
            try:
                values.append(conv(raw))
            except (TypeError, ValueError):
                continue
        if not values:
            out.append(false())
        elif any(v is None for v in values):
            nn = [v for v in values if v is not None]
            out.append(or_(col.is_(None), col.in_(nn)) if nn else col.is_(None))
        else:
            out.append(col.in_(values))
    return out


IDS = bindparam("ids", expanding=True)
CHUNK = 900


def by_ids(session: Session, stmt: Any, ids: Sequence[str]) -> list[Any]:
    """Rows of ``stmt`` (whose WHERE uses IDS) for many ids, in chunks; binding the list at
    execution is far cheaper than building a literal IN clause of a thousand values."""
    out: list[Any] = []
    for i in range(0, len(ids), CHUNK):
        out.extend(session.execute(stmt, {"ids": list(ids[i:i + CHUNK])}).all())
    return out


def fetch(session: Session, model: Any, listing: Listing, *, rows: bool = False
          ) -> Sequence[Any]:
    """The page's ORM objects, or with ``rows`` plain read-only rows (much cheaper to
    build for long lists; same attribute names)."""
    stmt = (select(model.__table__) if rows else select(model)).where(*listing.where)
    pk = model.__mapper__.primary_key[0]
    sorts = list(listing.sorts)
    if not any(col is pk for col, _ in sorts):
        sorts.append((pk, sorts[0][1] if sorts else True))
    if listing.page_reverse:
        sorts = [(col, not asc) for col, asc in sorts]
    if listing.marker_id is not None:
        marker = session.get(model, listing.marker_id)
        if marker is not None:
            stmt = stmt.where(_after(marker, sorts))
    stmt = stmt.order_by(*[col.asc() if asc else col.desc() for col, asc in sorts])
    if listing.limit is not None:
        stmt = stmt.limit(listing.limit)
    if rows:
        result = session.execute(stmt)
        keys = list(result.keys())
        found: list[Any] = [SimpleNamespace(**dict(zip(keys, r, strict=True)))
                            for r in result.all()]
    else:
        found = list(session.scalars(stmt).all())
    if listing.page_reverse:
        found.reverse()
    return found


def _after(marker: Any, sorts: list[tuple[Any, bool]]) -> Any:
    """Rows strictly after ``marker`` in the given order (keyset pagination)."""
    clauses = []
    for i, (col, asc) in enumerate(sorts):
        value = getattr(marker, col.key)
        prefix = [sorts[j][0] == getattr(marker, sorts[j][0].key) for j in range(i)]
        if value is None:
            step = col.is_not(None) if asc else false()
        else:
            step = col > value if asc else col < value
        clauses.append(and_(*prefix, step))
    return or_(*clauses)
