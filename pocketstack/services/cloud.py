"""The service container: one per process, built from Settings, shared by every API."""

from __future__ import annotations

from pocketstack.config import Settings
from pocketstack.db.engine import Database


class Cloud:
    def __init__(self, settings: Settings, db: Database | None = None) -> None:
        from pocketstack.services.identity import Identity

        self.settings = settings
        self.db = db or Database(settings.db_url)
        self.identity = Identity(self.db, settings)

    def close(self) -> None:
        self.db.dispose()
