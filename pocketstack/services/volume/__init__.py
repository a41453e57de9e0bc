"""Block Storage (Cinder v3) domain logic: the services the Block Storage API calls.

``BlockStorage`` wires the driver, the backup store, the worker (a level-triggered
reconciler for long operations) and the services. ``start()`` recovers after a crash —
leftover temporary files are removed and every row still carrying a task is resumed — and
then keeps reconciling in the background.
"""

from __future__ import annotations

import logging
from typing import Any

from pocketstack.config import Settings
from pocketstack.db.engine import Database
from pocketstack.db.repositories.volume.snapshots import BackupRepo, SnapshotRepo
from pocketstack.db.repositories.volume.volumes import VolumeRepo
from pocketstack.drivers.volume.backup import DirectoryBackupStore
from pocketstack.drivers.volume.base import VolumeDriver
from pocketstack.services.volume.actions import ActionService
from pocketstack.services.volume.attachments import AttachmentService
from pocketstack.services.volume.backend import BackendService
from pocketstack.services.volume.backups import BackupService
from pocketstack.services.volume.groups import GroupService, GroupTypeService
from pocketstack.services.volume.images import ImageGateway, LocalImageGateway
from pocketstack.services.volume.options import VolumeOptions
from pocketstack.services.volume.quotas import QuotaService
from pocketstack.services.volume.snapshots import SnapshotService
from pocketstack.services.volume.tasks import TaskRunner
from pocketstack.services.volume.transfers import TransferService
from pocketstack.services.volume.types import EncryptionService, QosService, TypeService
from pocketstack.services.volume.volumes import VolumeService
from pocketstack.services.volume.worker import Worker

log = logging.getLogger("pocketstack.volume")


def make_driver(options: VolumeOptions) -> VolumeDriver:
    if options.driver == "fake":
        from pocketstack.drivers.volume.fake import FakeDriver

        return FakeDriver()
    if options.driver == "file":
        from pocketstack.drivers.volume.file import FileDriver

        return FileDriver(options.volume_dir, reflink=options.reflink)
    raise ValueError(f"unknown volume driver {options.driver!r} (use 'file' or 'fake')")


class BlockStorage:
    def __init__(self, db: Database, settings: Settings, image: Any = None,
                 options: VolumeOptions | None = None,
                 images: ImageGateway | None = None) -> None:
        self.db = db
        self.options = options or VolumeOptions.from_settings(settings)
        self.driver = make_driver(self.options)
        self.backup_store = DirectoryBackupStore(self.options.backup_dir)
        self.images = images or (LocalImageGateway(image) if image is not None else None)
        self.runner = TaskRunner(db, self.driver, self.backup_store, lambda: self.images,
                                 self.submit)
        self.worker = Worker({"volume": self.runner.run_volume,
                              "snapshot": self.runner.run_snapshot,
                              "backup": self.runner.run_backup}, self._pending,
                             threads=self.options.workers,
                             interval=self.options.reconcile_interval)
        self.quotas = QuotaService(db, self.options)
        self.types = TypeService(db, self.options.default_type)
        self.qos = QosService(db)
        self.encryption = EncryptionService(db)
        self.volumes = VolumeService(db, self.options, self.quotas, self.types, self.images,
                                     self.submit)
        self.actions = ActionService(db, self.quotas, self.types, self.images, self.submit)
        self.attachments = AttachmentService(db, self.driver)
        self.snapshots = SnapshotService(db, self.quotas, self.submit)
        self.backups = BackupService(db, self.options, self.quotas, self.types, self.submit)
        self.transfers = TransferService(db, self.quotas)
        self.backend = BackendService(db, self.options, self.driver, self.quotas)
        self.group_types = GroupTypeService(db)
        self.groups = GroupService(db, self.options.availability_zone, self.types,
                                   self.volumes, self.snapshots)
        self._started = False

    def submit(self, kind: str, obj_id: str) -> None:
        self.worker.submit(kind, obj_id)

    def _pending(self) -> list[tuple[str, str]]:
        with self.db.read() as s:
            out = [("snapshot", x.id) for x in SnapshotRepo(s).pending()]
            out += [("backup", x.id) for x in BackupRepo(s).pending()]
            out += [("volume", x.id) for x in VolumeRepo(s).pending()]
        return out

    def start(self) -> None:
        """Prepare the back end and resume unfinished work (idempotent)."""
        if self._started:
            return
        self._started = True
        try:
            self.types.ensure_default()
            self.backend.ensure_services()
            self._recover()
        except Exception:  # noqa: BLE001 - tables missing on a database not yet migrated
            log.warning("block storage start-up recovery skipped", exc_info=True)
        self.worker.start()

    def _recover(self) -> None:
        with self.db.read() as s:
            known = {v.id for v in VolumeRepo(s).find()} | {x.id for x in SnapshotRepo(s).find()}
        removed = self.driver.recover(known)
        self.backup_store.recover()
        if removed:
            log.info("volume recovery removed %d leftover objects", removed)

    def close(self) -> None:
        self.worker.stop()
