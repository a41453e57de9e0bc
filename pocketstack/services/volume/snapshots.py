"""Snapshots: create, show, list, update, delete, metadata, status actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.ids import new_uuid
from pocketstack.common.timeutils import utcnow
from pocketstack.db.engine import Database
from pocketstack.db.models.volume import Snapshot
from pocketstack.db.repositories.volume.snapshots import SnapshotRepo
from pocketstack.db.repositories.volume.types import TypeRepo
from pocketstack.db.repositories.volume.volumes import VolumeRepo
from pocketstack.services.volume import access, records
from pocketstack.services.volume.quotas import QuotaService
from pocketstack.services.volume.volumes import check_metadata

SORT_COLUMNS = {"id": Snapshot.id, "name": Snapshot.name, "status": Snapshot.status,
                "size": Snapshot.size, "created_at": Snapshot.created_at,
                "updated_at": Snapshot.updated_at, "volume_id": Snapshot.volume_id,
                "project_id": Snapshot.project_id}
STATUSES = ("creating", "available", "deleting", "error", "error_deleting", "backing-up",
            "restoring", "unmanaging")


def _flag(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
        return value.lower() in ("true", "1", "yes")
    raise exc.BadRequest(f"Invalid input for field/attribute {name}. Value: {value}. "
                         f"{value!r} is not a valid boolean.")


class SnapshotService:
    def __init__(self, db: Database, quotas: QuotaService,
                 submit: Callable[[str, str], None]) -> None:
        self.db = db
        self.quotas = quotas
        self.submit = submit

    def create(self, ctx: RequestContext, data: dict[str, Any], *, in_use_ok: bool,
               group_snapshot_id: str | None = None) -> dict[str, Any]:
        volume_id = data.get("volume_id")
        if not isinstance(volume_id, str) or not volume_id:
            raise exc.NotFound(f"Volume {volume_id} could not be found.")
        force = _flag(data.get("force", False), "force")
        meta = check_metadata(data.get("metadata"))
        with self.db.write() as s:
            vol = access.load_volume(s, ctx, volume_id, lock=True)
            allowed = ("available", "in-use") if (force or in_use_ok) else ("available",)
            if vol.status not in allowed:
                raise exc.BadRequest(f"Invalid volume: Volume {vol.id} status must be "
                                     f"{' or '.join(allowed)}, but current status is: "
                                     f"{vol.status}.")
            vt = TypeRepo(s).get(vol.volume_type_id) if vol.volume_type_id else None
            self.quotas.check(s, vol.project_id, snapshots=1, gigabytes=vol.size,
                              type_name=vt.name if vt else None)
            now = utcnow()
            snap = SnapshotRepo(s).add(Snapshot(
                id=new_uuid(), volume_id=vol.id, project_id=vol.project_id,
                user_id=ctx.user_id, name=data.get("name", data.get("display_name")),
                description=data.get("description", data.get("display_description")),
                status="creating", progress="0%", size=vol.size,
                volume_type_id=vol.volume_type_id, group_snapshot_id=group_snapshot_id,
                task={"op": "create"}, created_at=now, updated_at=now))
            SnapshotRepo(s).set_metadata(snap.id, meta, replace=False)
            record = records.snapshots(s, [snap])[0]
        self.submit("snapshot", snap.id)
        return record

    def get(self, ctx: RequestContext, snapshot_id: str) -> dict[str, Any]:
        with self.db.read() as s:
            return records.snapshots(s, [access.load_snapshot(s, ctx, snapshot_id)])[0]

    def list(self, ctx: RequestContext, params: dict[str, str]) -> list[dict[str, Any]]:
        where = access.list_filters(ctx, params, Snapshot, ("status", "volume_id"))
        if params.get("metadata"):
            for k, v in access.parse_dict(params["metadata"], "metadata").items():
                where.append(SnapshotRepo.has_metadata(k, v))
        page = access.list_page(params, SORT_COLUMNS, where)
        with self.db.read() as s:
            rows = access.fetch_page(SnapshotRepo(s), ctx, params, page)
            return records.snapshots(s, list(rows))

    def update(self, ctx: RequestContext, snapshot_id: str, data: dict[str, Any]) -> dict[str, Any]:
        with self.db.write() as s:
            snap = access.load_snapshot(s, ctx, snapshot_id, lock=True)
            for src, dest in (("name", "name"), ("display_name", "name"),
                              ("description", "description"),
                              ("display_description", "description")):
                if src in data:
                    setattr(snap, dest, data[src])
            snap.updated_at = utcnow()
            return records.snapshots(s, [snap])[0]

    def delete(self, ctx: RequestContext, snapshot_id: str, *, force: bool = False) -> None:
        with self.db.write() as s:
            snap = access.load_snapshot(s, ctx, snapshot_id, lock=True)
            if not force and snap.status not in ("available", "error"):
                raise exc.BadRequest("Invalid snapshot: Volume Snapshot status must be "
                                     "available or error")
            snap.status, snap.task, snap.updated_at = "deleting", {"op": "delete"}, utcnow()
        self.submit("snapshot", snapshot_id)

    def reset_status(self, ctx: RequestContext, snapshot_id: str, data: Any) -> None:
        status = data.get("status") if isinstance(data, dict) else None
        if status not in STATUSES:
            raise exc.BadRequest(f"Invalid input received: Invalid status: {status}")
        with self.db.write() as s:
            snap = access.load_snapshot(s, ctx, snapshot_id, lock=True)
            snap.status, snap.task, snap.updated_at = status, None, utcnow()

    def update_status(self, ctx: RequestContext, snapshot_id: str, data: Any) -> None:
        status = data.get("status") if isinstance(data, dict) else None
        allowed = {"creating": ("available", "error"), "deleting": ("error_deleting",)}
        with self.db.write() as s:
            snap = access.load_snapshot(s, ctx, snapshot_id, lock=True)
            if status not in allowed.get(snap.status, ()):
                raise exc.BadRequest(f"Invalid input received: Snapshot status {snap.status} "
                                     f"not allowed to update to {status}.")
            snap.status, snap.task = status, None
            if data.get("progress"):
                snap.progress = str(data["progress"])

    # -- metadata ---------------------------------------------------------------------------
    def metadata(self, ctx: RequestContext, snapshot_id: str) -> dict[str, str]:
        with self.db.read() as s:
            snap = access.load_snapshot(s, ctx, snapshot_id)
            return SnapshotRepo(s).metadata_for([snap.id])[snap.id]

    def set_metadata(self, ctx: RequestContext, snapshot_id: str, meta: Any, *,
                     replace: bool) -> dict[str, str]:
        clean = check_metadata(meta)
        with self.db.write() as s:
            snap = access.load_snapshot(s, ctx, snapshot_id, lock=True)
            SnapshotRepo(s).set_metadata(snap.id, clean, replace=replace)
            return SnapshotRepo(s).metadata_for([snap.id])[snap.id]

    def delete_metadata(self, ctx: RequestContext, snapshot_id: str, key: str) -> None:
        with self.db.write() as s:
            snap = access.load_snapshot(s, ctx, snapshot_id, lock=True)
            if not SnapshotRepo(s).delete_metadata_key(snap.id, key):
                raise exc.NotFound(f"Snapshot {snapshot_id} has no metadata with key {key}.")

    def volume_exists(self, s: Any, volume_id: str) -> bool:
        return VolumeRepo(s).get(volume_id) is not None
