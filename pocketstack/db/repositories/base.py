"""Repository base: the only place SQL is written. Services hold a Session and call these."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.db.base import Base

M = TypeVar("M", bound=Base)
_BY_IDS: dict[type[Any], Any] = {}  # model -> SELECT ... WHERE pk IN (:ids)


class Repository(Generic[M]):
    model: type[M]

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, id_: Any) -> M | None:
        return self.session.get(self.model, id_)

    def get_for_update(self, id_: Any) -> M | None:
        return self.session.get(self.model, id_, with_for_update=True)

    def add(self, obj: M, *, conflict: str | None = None) -> M:
        """Insert and flush inside a savepoint; a unique-constraint violation becomes
        Conflict(conflict) and leaves the surrounding transaction usable, so a caller may
        catch it and go on (e.g. an idempotent PUT that lost a race)."""
        self.session.flush()  # earlier pending work must not land inside the savepoint
        try:
            with self.session.begin_nested():
                self.session.add(obj)
                self.session.flush()
        except IntegrityError as e:
            raise exc.Conflict(conflict or "Conflict occurred attempting to store data.") from e
        return obj

    def flush(self, *, conflict: str | None = None) -> None:
        """Flush pending updates; a unique-constraint violation becomes Conflict(conflict).
        The transaction is then unusable: the caller lets the Conflict end it."""
        try:
            self.session.flush()
        except IntegrityError as e:
            raise exc.Conflict(conflict or "Conflict occurred attempting to store data.") from e

    def delete(self, obj: M) -> None:
        self.session.delete(obj)
        self.session.flush()

    def find(self, *where: Any, order_by: Any = None, limit: int | None = None) -> Sequence[M]:
        stmt = select(self.model).where(*where)
        if order_by is not None:
            stmt = stmt.order_by(order_by)
        if limit is not None:
            stmt = stmt.limit(limit)
        return self.session.scalars(stmt).all()

    def first(self, *where: Any) -> M | None:
        return self.session.scalars(select(self.model).where(*where).limit(1)).first()

    def count(self, *where: Any) -> int:
        return int(self.session.scalar(select(func.count()).select_from(self.model).where(*where)))

    def delete_where(self, *where: Any) -> int:
        result = self.session.execute(delete(self.model).where(*where))
        return int(result.rowcount or 0)

    def by_ids(self, ids: Iterable[Any]) -> Sequence[M]:
        ids = list(ids)
        if not ids:
            return []
        stmt = _BY_IDS.get(self.model)
        if stmt is None:  # built once per model (building costs more than running it)
            pk = self.model.__mapper__.primary_key[0]
            stmt = _BY_IDS[self.model] = select(self.model).where(
                pk.in_(bindparam("ids", expanding=True)))
        return self.session.scalars(stmt, {"ids": ids}).all()
