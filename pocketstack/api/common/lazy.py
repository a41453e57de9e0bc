"""An ASGI app built on first use, so `pocketstack up` answers identity requests before the
other services have finished importing and registering their routes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any


class LazyApp:
    def __init__(self, factory: Callable[[], Any]) -> None:
        self._factory = factory
        self._app: Any = None
        self._lock = threading.Lock()

    def build(self) -> Any:
        if self._app is None:
            with self._lock:
                if self._app is None:
                    self._app = self._factory()
        return self._app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        app = self._app
        if app is None:
            import anyio.to_thread

            app = await anyio.to_thread.run_sync(self.build)
        await app(scope, receive, send)


def warm_up(apps: list[LazyApp], then: Callable[[], None] | None = None,
            delay: float = 1.5) -> threading.Thread:
    """Build the lazy apps in the background shortly after start, then run ``then``. The
    delay keeps the build (which holds the GIL for long stretches) away from the first
    requests, which only need identity."""

    def run() -> None:
        time.sleep(delay)
        for app in apps:
            app.build()
        if then is not None:
            then()

    thread = threading.Thread(target=run, name="warm-up", daemon=True)
    thread.start()
    return thread
