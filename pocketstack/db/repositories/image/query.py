"""The image list query: who may see what (Glance's visibility rules), filters, sorting and
marker pagination, as one SQL statement that behaves the same on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, exists, false, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from pocketstack.db.models.image import Image, ImageMember, ImageProperty, ImageTag

# Sortable keys, and the value NULLs sort as (so order is identical on every backend).
SORT_KEYS: dict[str, Any] = {
    "name": "", "status": "", "container_format": "", "disk_format": "", "size": -1,
    "id": "", "created_at": None, "updated_at": None, "visibility": "", "owner": "",
    "min_disk": None, "min_ram": None, "virtual_size": -1,
}
OPS = {"eq", "neq", "gt", "gte", "lt", "lte"}


@dataclass
class ImageQuery:
    project_id: str | None
    is_admin: bool = False
    visibility: str | None = None          # public, private, shared, community, all
    member_status: str = "accepted"        # pending, accepted, rejected, all
    equal: dict[str, Any] = field(default_factory=dict)           # column == value
    one_of: dict[str, list[Any]] = field(default_factory=dict)    # column IN (...)
    compare: list[tuple[str, str, Any]] = field(default_factory=list)  # (column, op, value)
    properties: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    sort: list[tuple[str, str]] = field(default_factory=lambda: [("created_at", "desc")])
    limit: int | None = None
    marker: Image | None = None


def _sort_expr(key: str) -> Any:
    col = getattr(Image, key)
    null_as = SORT_KEYS[key]
    return col if null_as is None else func.coalesce(col, null_as)


def _marker_value(marker: Image, key: str) -> Any:
    value = getattr(marker, key)
    null_as = SORT_KEYS[key]
    return null_as if value is None and null_as is not None else value


def _compare(col: Any, op: str, value: Any) -> ColumnElement[bool]:
    return {
        "eq": lambda: col == value, "neq": lambda: col != value, "gt": lambda: col > value,
        "gte": lambda: col >= value, "lt": lambda: col < value, "lte": lambda: col <= value,
    }[op]()


def _visible(q: ImageQuery) -> list[ColumnElement[bool]]:
    """Glance's rules: admins see everything; others see their own images, public and
    community ones, and shared images they are a member of (in ``member_status``)."""
    where: list[ColumnElement[bool]] = []
    own = Image.owner == q.project_id if q.project_id else false()
    if not q.is_admin:
        member = [ImageMember.image_id == Image.id, ImageMember.member == (q.project_id or "")]
        if q.member_status != "all":
            member.append(ImageMember.status == q.member_status)
        shared = and_(Image.visibility == "shared", exists().where(*member))
        where.append(or_(own, Image.visibility.in_(("public", "community")), shared))
    if q.visibility is not None:
        if q.visibility != "all":
            where.append(Image.visibility == q.visibility)
    else:
        where.append(or_(own, Image.visibility != "community"))
    return where


def _filters(q: ImageQuery) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    for key, value in q.equal.items():
        where.append(getattr(Image, key) == value)
    for key, values in q.one_of.items():
        where.append(getattr(Image, key).in_(values))
    for key, op, value in q.compare:
        where.append(_compare(getattr(Image, key), op, value))
    for name, value in q.properties.items():
        where.append(exists().where(ImageProperty.image_id == Image.id,
                                    ImageProperty.name == name, ImageProperty.value == value))
    for tag in q.tags:
        where.append(exists().where(ImageTag.image_id == Image.id, ImageTag.value == tag))
    return where


def _after_marker(q: ImageQuery, sort: list[tuple[str, str]]) -> ColumnElement[bool]:
    assert q.marker is not None
    clauses = []
    for i, (key, direction) in enumerate(sort):
        prefix = [_sort_expr(k) == _marker_value(q.marker, k) for k, _ in sort[:i]]
        expr, value = _sort_expr(key), _marker_value(q.marker, key)
        step = expr > value if direction == "asc" else expr < value
        clauses.append(and_(*prefix, step))
    return or_(*clauses)


def build(q: ImageQuery) -> Select[tuple[Image]]:
    sort = list(q.sort)
    default_dir = sort[-1][1] if sort else "desc"
    for key in ("created_at", "id"):
        if key not in {k for k, _ in sort}:
            sort.append((key, default_dir))
    stmt = select(Image).where(Image.deleted == false(), Image.status != "killed",
                               *_visible(q), *_filters(q))
    if q.marker is not None:
        stmt = stmt.where(_after_marker(q, sort))
    order = [_sort_expr(k).asc() if d == "asc" else _sort_expr(k).desc() for k, d in sort]
    stmt = stmt.order_by(*order)
    if q.limit is not None:
        stmt = stmt.limit(q.limit)
    return stmt

