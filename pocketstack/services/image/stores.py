"""The stores this cloud offers (/v2/info/stores) and the staging area of interoperable
import. One local filesystem store by default; the table is keyed by store id so more
backends can be added next to it."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pocketstack.common import exceptions as exc
from pocketstack.drivers.image.base import ImageStore, StoreError
from pocketstack.drivers.image.filesystem import FilesystemStore

log = logging.getLogger("pocketstack.image")

STAGING_ID = "os_glance_staging_store"


class Stores:
    def __init__(self, root: Path) -> None:
        local = FilesystemStore(root, "local", "Local filesystem store")
        self.default: ImageStore = local
        self.staging: ImageStore = FilesystemStore(root / "staging", STAGING_ID,
                                                   "Staging area of image import")
        self.by_id: dict[str, ImageStore] = {local.id: local}

    def get(self, store_id: str | None) -> ImageStore:
        if store_id is None:
            return self.default
        store = self.by_id.get(store_id)
        if store is None:
            raise exc.BadRequest(f"Unknown scheme '{store_id}' found in URI")
        return store

    def writable_ids(self) -> list[str]:
        return [s.id for s in self.by_id.values() if not s.read_only]

    def describe(self) -> list[dict[str, Any]]:
        out = []
        for store in self.by_id.values():
            entry: dict[str, Any] = {"id": store.id, "description": store.description}
            if store is self.default:
                entry["default"] = True
            if store.read_only:
                entry["read-only"] = "true"
            out.append(entry)
        return out

    def release(self, store_id: str | None, location: str | None,
                staged: dict[str, Any] | None) -> None:
        """Delete data no image refers to any more (errors are logged, never raised)."""
        targets = []
        if location:
            targets.append((self.by_id.get(store_id or "", self.default), location))
        if staged and staged.get("location"):
            targets.append((self.staging, staged["location"]))
        for store, loc in targets:
            try:
                store.delete(loc)
            except (StoreError, OSError) as e:
                log.warning("could not delete image data %s from %s: %s", loc, store.id, e)
