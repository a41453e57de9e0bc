"""Backups: create (full copies into the backup store), restore (into a new or an existing
volume), list, show, update, delete, export/import of the record, status actions."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.ids import new_uuid
from pocketstack.common.timeutils import parse_iso, utcnow
from pocketstack.db.engine import Database
from pocketstack.db.models.volume import Backup, Volume
from pocketstack.db.repositories.volume.snapshots import BackupRepo
from pocketstack.db.repositories.volume.volumes import VolumeRepo
from pocketstack.services.volume import access, records
from pocketstack.services.volume.options import VolumeOptions
from pocketstack.services.volume.quotas import QuotaService
from pocketstack.services.volume.snapshots import _flag
from pocketstack.services.volume.types import TypeService
from pocketstack.services.volume.volumes import check_metadata

SORT_COLUMNS = {"id": Backup.id, "name": Backup.name, "status": Backup.status,
                "size": Backup.size, "created_at": Backup.created_at,
                "updated_at": Backup.updated_at, "volume_id": Backup.volume_id,
                "project_id": Backup.project_id}
STATUSES = ("available", "error", "creating", "deleting", "restoring", "error_deleting")


class BackupService:
    def __init__(self, db: Database, options: VolumeOptions, quotas: QuotaService,
                 types: TypeService, submit: Callable[[str, str], None]) -> None:
        self.db = db
        self.options = options
        self.quotas = quotas
        self.types = types
        self.submit = submit

    def create(self, ctx: RequestContext, data: dict[str, Any]) -> dict[str, Any]:
        volume_id = data.get("volume_id")
        if not isinstance(volume_id, str) or not volume_id:
            raise exc.BadRequest("Invalid input for field/attribute volume_id.")
        force = _flag(data.get("force", False), "force")
        incremental = _flag(data.get("incremental", False), "incremental")
        meta = check_metadata(data.get("metadata"))
        with self.db.write() as s:
            vol = access.load_volume(s, ctx, volume_id, lock=True)
            ok = ("available", "in-use") if force else ("available",)
            if vol.status not in ok:
                raise exc.BadRequest(f"Invalid volume: Volume to be backed up must be available "
                                     f"or in-use, but the current status is \"{vol.status}\".")
            parent = None
            if incremental:
                done = [b for b in BackupRepo(s).of_volume(vol.id) if b.status == "available"]
                if not done:
                    raise exc.BadRequest("Invalid backup: No backups available to do an "
                                         "incremental backup.")
                parent = done[-1].id
            self.quotas.check(s, vol.project_id, backups=1, backup_gigabytes=vol.size)
            backup = self._row(ctx, vol, data, meta, parent)
            backup.volume_info = {"metadata": VolumeRepo(s).metadata(vol.id),
                                  "bootable": vol.bootable}
            BackupRepo(s).add(backup)
            backup.task = {"op": "create", "prev": vol.status}
            vol.status, vol.updated_at = "backing-up", utcnow()
            record = records.backups(s, [backup])[0]
        self.submit("backup", backup.id)
        return record

    def _row(self, ctx: RequestContext, vol: Volume, data: dict[str, Any],
             meta: dict[str, str], parent: str | None) -> Backup:
        now = utcnow()
        return Backup(id=new_uuid(), project_id=vol.project_id, user_id=ctx.user_id,
                      volume_id=vol.id, snapshot_id=data.get("snapshot_id"), parent_id=parent,
                      name=data.get("name"), description=data.get("description"),
                      status="creating", size=vol.size, object_count=0,
                      container=data.get("container") or "volumebackups",
                      availability_zone=self.options.availability_zone,
                      is_incremental=parent is not None, data_timestamp=now, metadata_=meta,
                      created_at=now, updated_at=now)

    def get(self, ctx: RequestContext, backup_id: str) -> dict[str, Any]:
        with self.db.read() as s:
            return records.backups(s, [access.load_backup(s, ctx, backup_id)])[0]

    def list(self, ctx: RequestContext, params: dict[str, str]) -> list[dict[str, Any]]:
        where = access.list_filters(ctx, params, Backup, ("status", "volume_id"))
        page = access.list_page(params, SORT_COLUMNS, where)
        with self.db.read() as s:
            return records.backups(s, list(access.fetch_page(BackupRepo(s), ctx, params, page)))

    def update(self, ctx: RequestContext, backup_id: str, data: dict[str, Any]) -> dict[str, Any]:
        with self.db.write() as s:
            backup = access.load_backup(s, ctx, backup_id, lock=True)
            for key in ("name", "description"):
                if key in data:
                    setattr(backup, key, data[key])
            if "metadata" in data:
                backup.metadata_ = check_metadata(data["metadata"])
            backup.updated_at = utcnow()
            return records.backups(s, [backup])[0]

    def delete(self, ctx: RequestContext, backup_id: str, *, force: bool = False) -> None:
        with self.db.write() as s:
            backup = access.load_backup(s, ctx, backup_id, lock=True)
            if not force and backup.status not in ("available", "error"):
                raise exc.BadRequest("Invalid backup: Backup status must be available or error")
            if BackupRepo(s).children(backup.id):
                raise exc.BadRequest("Invalid backup: Incremental backups exist for this "
                                     "backup.")
            backup.status, backup.task, backup.updated_at = "deleting", {"op": "delete"}, \
                utcnow()
        self.submit("backup", backup_id)

    def restore(self, ctx: RequestContext, backup_id: str, data: dict[str, Any],
                volumes: Any) -> dict[str, Any]:
        with self.db.read() as s:
            backup = access.load_backup(s, ctx, backup_id)
            if backup.status != "available":
                raise exc.BadRequest(f"Invalid backup: Backup status must be available but is "
                                     f"{backup.status}.")
            size, volume_id = backup.size, data.get("volume_id")
        if not volume_id:
            vol = volumes.create(ctx, {"size": size, "name": data.get("name") or
                                       f"restore_backup_{backup_id}", "backup_id": backup_id})
            return {"backup_id": backup_id, "volume_id": vol["id"], "volume_name": vol["name"]}
        with self.db.write() as s:
            backup = access.load_backup(s, ctx, backup_id, lock=True)
            vol = access.load_volume(s, ctx, str(volume_id), lock=True)
            if vol.status != "available":
                raise exc.BadRequest(f"Invalid volume: Volume to be restored to must be "
                                     f"available, but the current status is {vol.status}.")
            if vol.size < backup.size:
                raise exc.BadRequest(f"Invalid volume: volume size {vol.size} is too small "
                                     f"to restore backup of size {backup.size}.")
            backup.task = {"op": "restore", "volume_id": vol.id, "size": vol.size}
            backup.status, vol.status = "restoring", "restoring-backup"
            name = vol.name
        self.submit("backup", backup_id)
        return {"backup_id": backup_id, "volume_id": str(volume_id), "volume_name": name or ""}

    def reset_status(self, ctx: RequestContext, backup_id: str, data: Any) -> None:
        status = data.get("status") if isinstance(data, dict) else None
        if status not in STATUSES:
            raise exc.BadRequest(f"Invalid input received: Invalid backup status: {status}")
        with self.db.write() as s:
            backup = access.load_backup(s, ctx, backup_id, lock=True)
            backup.status, backup.task = status, None

    # -- export / import -----------------------------------------------------------------
    def export(self, ctx: RequestContext, backup_id: str) -> dict[str, str]:
        with self.db.read() as s:
            b = access.load_backup(s, ctx, backup_id)
            if b.status != "available":
                raise exc.BadRequest("Invalid backup: Backup status must be available.")
            record = {k: getattr(b, k) for k in ("id", "volume_id", "name", "description",
                                                 "size", "object_count", "container",
                                                 "location", "is_incremental", "parent_id")}
            record["created_at"] = b.created_at.isoformat()
        url = base64.b64encode(json.dumps(record).encode()).decode()
        return {"backup_service": "cinder.backup.drivers.posix", "backup_url": url}

    def import_record(self, ctx: RequestContext, service: Any, url: Any) -> dict[str, Any]:
        if service != "cinder.backup.drivers.posix" or not isinstance(url, str):
            raise exc.BadRequest("Invalid backup record: unsupported backup service or URL.")
        try:
            rec = json.loads(base64.b64decode(url))
        except ValueError:
            raise exc.BadRequest("Invalid backup record: the backup URL cannot be "
                                 "decoded.") from None
        with self.db.write() as s:
            repo = BackupRepo(s)
            existing = repo.get(rec.get("id"))
            if existing is not None and existing.status != "deleted":
                raise exc.BadRequest(f"Invalid backup: Backup {rec.get('id')} already exists.")
            now = utcnow()
            backup = repo.add(Backup(
                id=rec["id"], project_id=ctx.project_id or "", user_id=ctx.user_id,
                volume_id=rec.get("volume_id") or new_uuid(), name=rec.get("name"),
                description=rec.get("description"), status="available",
                size=int(rec.get("size") or 1), object_count=int(rec.get("object_count") or 0),
                container=rec.get("container"), location=rec.get("location"),
                availability_zone=self.options.availability_zone,
                is_incremental=bool(rec.get("is_incremental")), metadata_={},
                data_timestamp=parse_iso(rec["created_at"]) if rec.get("created_at") else now,
                created_at=now, updated_at=now))
            return records.backups(s, [backup])[0]

    def volume_exists(self, s: Any, volume_id: str) -> bool:
        return VolumeRepo(s).get(volume_id) is not None
