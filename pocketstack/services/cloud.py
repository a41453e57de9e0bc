"""The service container: one per process, built from Settings, shared by every API.

Identity is built at once (every request needs it). The other services are built on first
use, under a lock, so that `pocketstack up` answers its first request quickly; right after
start, a background warm-up builds them all (api/app.py), which also starts their
background work (volume reconciler, compute agents, recovery of interrupted uploads).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pocketstack.config import Settings
from pocketstack.db.engine import Database

if TYPE_CHECKING:
    from pocketstack.services.compute import Compute
    from pocketstack.services.image import Image
    from pocketstack.services.network import Networking
    from pocketstack.services.volume import BlockStorage


class Cloud:
    # Built lazily, in this order by build_all().
    LAZY = ("image", "network", "volume", "compute")

    def __init__(self, settings: Settings, db: Database | None = None) -> None:
        from pocketstack.services.identity import Identity

        self.settings = settings
        self.db = db or Database(settings.db_url)
        self.identity = Identity(self.db, settings)
        self._built: dict[str, Any] = {}
        self._lock = threading.RLock()  # re-entrant: building volume builds image

    def _service(self, name: str, factory: Callable[[], Any]) -> Any:
        service = self._built.get(name)
        if service is None:
            with self._lock:
                service = self._built.get(name)
                if service is None:
                    service = self._built[name] = factory()
        return service

    @property
    def image(self) -> Image:
        def build() -> Image:
            from pocketstack.services.image import Image

            return Image(self.db, self.settings)

        return self._service("image", build)  # type: ignore[no-any-return]

    @property
    def network(self) -> Networking:
        def build() -> Networking:
            from pocketstack.services.network import Networking

            return Networking(self.db, self.settings)

        return self._service("network", build)  # type: ignore[no-any-return]

    @property
    def volume(self) -> BlockStorage:
        def build() -> BlockStorage:
            from pocketstack.services.volume import BlockStorage

            return BlockStorage(self.db, self.settings, image=self.image)

        return self._service("volume", build)  # type: ignore[no-any-return]

    @property
    def compute(self) -> Compute:
        def build() -> Compute:
            from pocketstack.services.compute import Compute

            return Compute(self)

        return self._service("compute", build)  # type: ignore[no-any-return]

    def build_all(self) -> None:
        for name in self.LAZY:
            getattr(self, name)

    def close(self) -> None:
        """Stop the services' background work (in reverse order of building), then the
        database pool."""
        for name in reversed(list(self._built)):
            close = getattr(self._built[name], "close", None)
            if callable(close):
                close()
        self.db.dispose()
