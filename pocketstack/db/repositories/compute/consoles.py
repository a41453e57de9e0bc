"""Remote console tokens (stored hashed, short-lived)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete

from pocketstack.db.models.compute import ConsoleToken
from pocketstack.db.repositories.base import Repository


class TokenRepo(Repository[ConsoleToken]):
    model = ConsoleToken

    def purge_expired(self, now: datetime) -> int:
        result = self.session.execute(delete(ConsoleToken).where(ConsoleToken.expires_at < now))
        return int(result.rowcount or 0)
