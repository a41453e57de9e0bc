"""Key pairs (owned by a user)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from pocketstack.db.models.compute import KeyPair
from pocketstack.db.repositories.base import Repository


class KeyPairRepo(Repository[KeyPair]):
    model = KeyPair

    def of_user(self, user_id: str, name: str) -> KeyPair | None:
        return self.first(KeyPair.user_id == user_id, KeyPair.name == name)

    def page(self, user_id: str, limit: int | None, marker: KeyPair | None
             ) -> Sequence[KeyPair]:
        stmt = select(KeyPair).where(KeyPair.user_id == user_id)
        if marker is not None:
            stmt = stmt.where(KeyPair.id > marker.id)
        stmt = stmt.order_by(KeyPair.id)
        if limit is not None:
            stmt = stmt.limit(limit)
        return self.session.scalars(stmt).all()

    def count_of(self, user_id: str) -> int:
        return self.count(KeyPair.user_id == user_id)
