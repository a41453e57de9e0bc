"""Image (Glance v2) domain logic: the services the Image API calls."""

from __future__ import annotations

import logging
import os
import socket
from concurrent.futures import ThreadPoolExecutor

from pocketstack.common.context import RequestContext
from pocketstack.config import Settings
from pocketstack.db.engine import Database
from pocketstack.db.repositories.image.images import ImageRepo
from pocketstack.services.image.data import DataService
from pocketstack.services.image.images import ImageService
from pocketstack.services.image.imports import ImportService
from pocketstack.services.image.members import MemberService
from pocketstack.services.image.metadefs import MetadefService
from pocketstack.services.image.options import ImageOptions
from pocketstack.services.image.quotas import Quotas, Usage
from pocketstack.services.image.stores import Stores
from pocketstack.services.image.tasks import TaskService

log = logging.getLogger("pocketstack.image")


class Image:
    def __init__(self, db: Database, settings: Settings,
                 options: ImageOptions | None = None) -> None:
        self.db = db
        self.options = options or ImageOptions.from_settings(settings)
        root = self.options.store_dir or settings.data_dir / "images"
        self.stores = Stores(root)
        self.quotas = Quotas(self.options)
        # Image data needs no pool: each upload's HashingSink runs its own three threads
        # (md5, sha512, writer), and downloads read in anyio's worker threads.
        self.task_pool = ThreadPoolExecutor(4, thread_name_prefix="image-task")
        self.images = ImageService(db, self.options, self.quotas, self.stores.release)
        self.data = DataService(db, self.options, self.quotas, self.stores)
        self.members = MemberService(db, self.options)
        self.imports = ImportService(db, self.options, self.quotas, self.stores,
                                     self.task_pool, settings.identity_url)
        self.metadefs = MetadefService(db)
        self.tasks = TaskService(db, self.options, self.stores, self.task_pool,
                                 self.images.create)
        self.recover()

    def usage(self, ctx: RequestContext) -> dict[str, Usage]:
        """Quota limits and usage of the caller's project (/v2/info/usage)."""
        with self.db.read() as s:
            return self.quotas.usage(s, ctx.project_id or "")

    def recover(self) -> None:
        """After a crash: uploads whose writer is gone go back to queued, their temporary
        files are removed, and import tasks left running fail."""
        try:
            self._recover_uploads()
            self.imports.recover()
            for store in (*self.stores.by_id.values(), self.stores.staging):
                store.recover(set())
        except Exception:  # noqa: BLE001 - a fresh database has no tables yet
            log.debug("image recovery skipped", exc_info=True)

    def _recover_uploads(self) -> None:
        host = socket.gethostname()
        with self.db.write() as s:
            for image in ImageRepo(s).in_status(("saving", "uploading")):
                lease = image.upload_lease or {}
                if not lease or lease.get("host") != host or _alive(int(lease.get("pid", 0))):
                    continue
                image.status, image.upload_lease = "queued", None
                image.size = image.virtual_size = None
                if image.staged is None:
                    continue
                self.stores.staging.delete(image.staged.get("location", ""))
                image.staged = None

    def close(self) -> None:
        self.task_pool.shutdown(wait=False, cancel_futures=True)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
