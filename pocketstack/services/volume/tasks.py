"""What the worker does for each task: driver work outside any transaction, then one short
transaction that records the outcome — only if the row still waits for that same task."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from pocketstack.common import exceptions as exc
from pocketstack.common.ids import new_uuid
from pocketstack.common.timeutils import utcnow
from pocketstack.db.engine import Database
from pocketstack.db.models.volume import Backup, Message
from pocketstack.db.repositories.volume.misc import MessageRepo
from pocketstack.db.repositories.volume.snapshots import BackupRepo, SnapshotRepo
from pocketstack.db.repositories.volume.types import TypeRepo
from pocketstack.db.repositories.volume.volumes import VolumeRepo
from pocketstack.drivers.volume.backup import BackupStore
from pocketstack.drivers.volume.base import DriverError, VolumeDriver
from pocketstack.services.volume.images import ImageGateway, context_from

log = logging.getLogger("pocketstack.volume.tasks")
FAILURES = (DriverError, exc.PocketstackError, OSError)


class TaskRunner:
    def __init__(self, db: Database, driver: VolumeDriver, backups: BackupStore,
                 images: Callable[[], ImageGateway | None],
                 submit: Callable[[str, str], None]) -> None:
        self.db = db
        self.driver = driver
        self.backups = backups
        self.images = images
        self.submit = submit

    # -- shared -------------------------------------------------------------------------
    def _load(self, repo_cls: Any, obj_id: str) -> tuple[Any, dict[str, Any]] | None:
        with self.db.read() as s:
            row = repo_cls(s).get(obj_id)
            if row is None or not row.task:
                return None
            return row, dict(row.task)

    def _settle(self, repo_cls: Any, obj_id: str, task: dict[str, Any],
                apply: Callable[[Any, Any], None]) -> bool:
        with self.db.write() as s:
            row = repo_cls(s).get_for_update(obj_id)
            if row is None or row.task != task:
                return False
            row.task = None
            row.updated_at = utcnow()
            apply(s, row)
            return True

    def _message(self, s: Any, project_id: str, rtype: str, rid: str, event: str,
                 text: str) -> None:
        MessageRepo(s).add(Message(id=new_uuid(), project_id=project_id, resource_type=rtype,
                                   resource_uuid=rid, event_id=event, message_level="ERROR",
                                   user_message=text, created_at=utcnow()))

    # -- volumes --------------------------------------------------------------------------
    def run_volume(self, volume_id: str) -> None:
        loaded = self._load(VolumeRepo, volume_id)
        if loaded is None:
            return
        vol, task = loaded
        op = task.get("op")
        try:
            if op == "create":
                self._create(vol, task)
            elif op == "extend":
                self.driver.extend(vol.provider_location, int(task["size"]))
                self._settle(VolumeRepo, volume_id, task, lambda s, v: _extended(v, task))
            elif op == "delete":
                self._delete(vol, task)
            elif op == "upload":
                self._upload(vol, task)
            else:
                raise DriverError(f"unknown volume task {op!r}")
        except FAILURES as e:
            self._volume_failed(volume_id, task, _reason(e))

    def _check_backend(self, vol: Any) -> None:
        """The scheduler's capability filter: a type's extra specs that name back-end
        capabilities must match this back end, or no back end can take the volume."""
        if not vol.volume_type_id:
            return
        with self.db.read() as s:
            specs = TypeRepo(s).specs(vol.volume_type_id)
        caps = {"volume_backend_name": self.driver.name, "vendor_name": "Open Source",
                "storage_protocol": self.driver.storage_protocol}
        for key, wanted in specs.items():
            name = key.split(":", 1)[1] if key.startswith("capabilities:") else key
            if name in caps and wanted.removeprefix("<in> ").strip() != caps[name]:
                raise DriverError("schedule allocate volume:Could not find any available "
                                  "weighted backend.")

    def _create(self, vol: Any, task: dict[str, Any]) -> None:
        source, image_meta = task.get("source"), None
        info: dict[str, Any] | None = None
        self._check_backend(vol)
        if source == "blank":
            location = self.driver.create(vol.id, vol.size)
        elif source in ("snapshot", "volume"):
            location = self.driver.clone(self._source_location(source, task["id"]), vol.id,
                                         vol.size)
        elif source == "backup":
            with self.db.read() as s:
                backup = BackupRepo(s).get(task["id"])
                where = backup.location if backup else None
                info = backup.volume_info if backup else None
            if not where:
                raise DriverError(f"backup {task['id']} has no data")
            location = self.backups.restore(where, self.driver, vol.id, vol.size)
        elif source == "image":
            location, image_meta = self._from_image(vol, task)
        else:
            raise DriverError(f"unknown volume source {source!r}")

        def done(s: Any, v: Any) -> None:
            v.status, v.provider_location, v.launched_at, v.error = "available", location, \
                utcnow(), None
            if image_meta is not None:
                VolumeRepo(s).set_image_metadata(v.id, image_meta)
            if source == "backup":
                _restore_info(s, v, info)

        if not self._settle(VolumeRepo, vol.id, task, done):
            self.driver.delete(location)  # deleted (or changed) while we worked

    def _source_location(self, kind: str, obj_id: str) -> str:
        with self.db.read() as s:
            row = (SnapshotRepo if kind == "snapshot" else VolumeRepo)(s).get(obj_id)
            location = row.provider_location if row else None
        if not location:
            raise DriverError(f"the source {kind} {obj_id} has no data")
        return location

    def _from_image(self, vol: Any, task: dict[str, Any]) -> tuple[str, dict[str, str]]:
        images = self.images()
        if images is None:
            raise DriverError("the Image service is not available")
        ctx = context_from(task.get("ctx"))
        info = images.get(ctx, task["id"])
        path = images.local_file(ctx, task["id"])
        location = None
        if path is not None:
            location = self.driver.copy_from_file(vol.id, vol.size, path)
        if location is None:
            location = self.driver.write_new(vol.id, vol.size, images.extents(ctx, task["id"]))
        return location, info.volume_metadata()

    def _delete(self, vol: Any, task: dict[str, Any]) -> None:
        with self.db.read() as s:
            if SnapshotRepo(s).of_volume(vol.id):
                return  # cascade: the last snapshot deletion submits us again
        if vol.provider_location:
            self.driver.delete(vol.provider_location)
        self._settle(VolumeRepo, vol.id, task, lambda s, v: s.delete(v))

    def _upload(self, vol: Any, task: dict[str, Any]) -> None:
        images = self.images()
        if images is None:
            raise DriverError("the Image service is not available")
        ctx = context_from(task.get("ctx"))
        size = self.driver.size_bytes(vol.provider_location)
        images.upload(ctx, task["image_id"], self.driver.read_extents(vol.provider_location),
                      size)
        self._settle(VolumeRepo, vol.id, task, lambda s, v: setattr(v, "status", task["prev"]))

    def _volume_failed(self, volume_id: str, task: dict[str, Any], reason: str) -> None:
        op = task.get("op")
        log.warning("volume %s: %s failed: %s", volume_id, op, reason)
        status = {"create": "error", "extend": "error_extending", "delete": "error_deleting",
                  "upload": task.get("prev", "available")}.get(op or "", "error")

        def failed(s: Any, v: Any) -> None:
            v.status, v.error = status, reason
            self._message(s, v.project_id, "VOLUME", v.id, "VOLUME_VOLUME_001_003"
                          if op == "create" else f"VOLUME_{(op or '').upper()}", reason)

        self._settle(VolumeRepo, volume_id, task, failed)

    # -- snapshots -------------------------------------------------------------------------
    def run_snapshot(self, snapshot_id: str) -> None:
        loaded = self._load(SnapshotRepo, snapshot_id)
        if loaded is None:
            return
        snap, task = loaded
        try:
            if task.get("op") == "create":
                location = self.driver.snapshot(self._source_location("volume", snap.volume_id),
                                                snap.id)

                def done(s: Any, x: Any) -> None:
                    x.status, x.progress, x.provider_location = "available", "100%", location

                if not self._settle(SnapshotRepo, snap.id, task, done):
                    self.driver.delete(location)
            else:
                if snap.provider_location:
                    self.driver.delete(snap.provider_location)
                self._settle(SnapshotRepo, snap.id, task, lambda s, x: s.delete(x))
                self.submit("volume", snap.volume_id)
        except FAILURES as e:
            status = "error" if task.get("op") == "create" else "error_deleting"
            reason = _reason(e)

            def failed(s: Any, x: Any) -> None:
                x.status, x.error = status, reason

            self._settle(SnapshotRepo, snapshot_id, task, failed)

    # -- backups ---------------------------------------------------------------------------
    def run_backup(self, backup_id: str) -> None:
        loaded = self._load(BackupRepo, backup_id)
        if loaded is None:
            return
        backup, task = loaded
        op = task.get("op")
        try:
            if op == "create":
                self._backup(backup, task)
            elif op == "restore":
                self._restore(backup, task)
            else:
                with self.db.read() as s:
                    shared = backup.location and BackupRepo(s).count(
                        Backup.location == backup.location, Backup.id != backup.id)
                if backup.location and not shared:  # imported records share the data
                    self.backups.delete(backup.location)
                self._settle(BackupRepo, backup.id, task, lambda s, b: s.delete(b))
        except FAILURES as e:
            self._backup_failed(backup_id, task, _reason(e))

    def _backup(self, backup: Any, task: dict[str, Any]) -> None:
        source = (self._source_location("snapshot", backup.snapshot_id) if backup.snapshot_id
                  else self._source_location("volume", backup.volume_id))
        location, blocks = self.backups.write(backup.id, self.driver, source)

        def done(s: Any, b: Any) -> None:
            b.status, b.location, b.object_count = "available", location, blocks
            _volume_back(s, b.volume_id, task.get("prev"))

        if not self._settle(BackupRepo, backup.id, task, done):
            self.backups.delete(location)

    def _restore(self, backup: Any, task: dict[str, Any]) -> None:
        volume_id = task["volume_id"]
        location = self.backups.restore(backup.location, self.driver, volume_id,
                                        int(task["size"]))

        def done(s: Any, b: Any) -> None:
            b.status = "available"
            vol = VolumeRepo(s).get(volume_id)
            if vol is not None:
                vol.status, vol.provider_location, vol.updated_at = "available", location, \
                    utcnow()
                _restore_info(s, vol, b.volume_info)

        self._settle(BackupRepo, backup.id, task, done)

    def _backup_failed(self, backup_id: str, task: dict[str, Any], reason: str) -> None:
        op = task.get("op")
        log.warning("backup %s: %s failed: %s", backup_id, op, reason)

        def failed(s: Any, b: Any) -> None:
            if op == "create":
                b.status, b.fail_reason = "error", reason
                _volume_back(s, b.volume_id, task.get("prev"))
            elif op == "restore":
                b.status = "available"
                vol = VolumeRepo(s).get(task["volume_id"])
                if vol is not None:
                    vol.status, vol.error = "error_restoring", reason
            else:
                b.status, b.fail_reason = "error_deleting", reason
            self._message(s, b.project_id, "VOLUME_BACKUP", b.id,
                          f"BACKUP_{(op or '').upper()}", reason)

        self._settle(BackupRepo, backup_id, task, failed)


def _restore_info(s: Any, vol: Any, info: dict[str, Any] | None) -> None:
    """Metadata and bootable flag of the backed-up volume, onto the restored one."""
    if not info:
        return
    VolumeRepo(s).set_metadata(vol.id, dict(info.get("metadata") or {}), replace=False)
    vol.bootable = bool(info.get("bootable")) or vol.bootable


def _extended(vol: Any, task: dict[str, Any]) -> None:
    vol.size, vol.status = int(task["size"]), task.get("prev", "available")


def _volume_back(s: Any, volume_id: str, prev: str | None) -> None:
    vol = VolumeRepo(s).get(volume_id)
    if vol is not None and vol.status == "backing-up":
        vol.status = prev or "available"


def _reason(e: BaseException) -> str:
    return getattr(e, "message", None) or str(e) or type(e).__name__
