"""Plain records handed to the API: rows joined with their metadata, attachments, type
names, read inside the transaction so nothing lazy-loads later."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from pocketstack.db.models.volume import Attachment, Backup, Snapshot, Volume, VolumeType
from pocketstack.db.repositories.volume.snapshots import BackupRepo, SnapshotRepo
from pocketstack.db.repositories.volume.types import TypeRepo
from pocketstack.db.repositories.volume.volumes import AttachmentRepo, VolumeRepo


def attachment_summary(a: Attachment) -> dict[str, Any]:
    return {"server_id": a.instance_uuid, "attachment_id": a.id, "attached_at": a.attach_time,
            "host_name": a.attached_host, "volume_id": a.volume_id, "device": a.mountpoint,
            "id": a.volume_id}


def attachment_record(a: Attachment) -> dict[str, Any]:
    return {"id": a.id, "volume_id": a.volume_id, "instance": a.instance_uuid,
            "status": a.attach_status, "attach_mode": a.attach_mode,
            "attached_at": a.attach_time, "detached_at": a.detach_time,
            "connection_info": a.connection_info, "connector": a.connector,
            "host": a.attached_host, "mountpoint": a.mountpoint, "project_id": a.project_id}


def volumes(s: Session, rows: list[Volume], backend: str) -> list[dict[str, Any]]:
    repo = VolumeRepo(s)
    ids = [v.id for v in rows]
    meta, image_meta = repo.metadata_for(ids), repo.image_metadata_for(ids)
    attachments = AttachmentRepo(s).for_volumes(ids)
    type_ids = list({v.volume_type_id for v in rows if v.volume_type_id})
    names = {t.id: t.name for t in TypeRepo(s).by_ids(type_ids)}
    return [_volume(v, meta[v.id], image_meta.get(v.id), attachments[v.id],
                    names.get(v.volume_type_id or ""), backend) for v in rows]


def volume(s: Session, row: Volume, backend: str) -> dict[str, Any]:
    return volumes(s, [row], backend)[0]


def _volume(v: Volume, meta: dict[str, str], image_meta: dict[str, str] | None,
            attachments: list[Attachment], type_name: str | None,
            backend: str) -> dict[str, Any]:
    live = [a for a in attachments if a.attach_status == "attached"]
    admin_meta = v.admin_metadata or {}
    meta = {**meta, **{k: admin_meta[k] for k in ("readonly", "attached_mode")
                       if k in admin_meta}}
    return {
        "id": v.id, "name": v.name, "description": v.description, "size": v.size,
        "status": v.status, "attach_status": v.attach_status,
        "availability_zone": v.availability_zone, "created_at": v.created_at,
        "updated_at": v.updated_at, "project_id": v.project_id, "user_id": v.user_id,
        "volume_type": type_name, "volume_type_id": v.volume_type_id,
        "snapshot_id": v.snapshot_id, "source_volid": v.source_volid,
        "bootable": v.bootable, "multiattach": v.multiattach, "metadata": meta,
        "image_metadata": image_meta, "attachments": [attachment_summary(a) for a in live],
        "host": v.host or backend, "migration_status": v.migration_status,
        "group_id": v.group_id, "admin_metadata": dict(v.admin_metadata or {}),
        "backup_id": v.backup_id, "error": v.error,
    }


def snapshots(s: Session, rows: list[Snapshot]) -> list[dict[str, Any]]:
    meta = SnapshotRepo(s).metadata_for([x.id for x in rows])
    return [{
        "id": x.id, "volume_id": x.volume_id, "project_id": x.project_id, "user_id": x.user_id,
        "name": x.name, "description": x.description, "status": x.status,
        "progress": x.progress, "size": x.size, "created_at": x.created_at,
        "updated_at": x.updated_at, "metadata": meta[x.id], "error": x.error,
    } for x in rows]


def backups(s: Session, rows: list[Backup]) -> list[dict[str, Any]]:
    parents = BackupRepo(s).with_children([b.id for b in rows])
    return [{
        "id": b.id, "project_id": b.project_id, "user_id": b.user_id, "volume_id": b.volume_id,
        "snapshot_id": b.snapshot_id, "name": b.name, "description": b.description,
        "status": b.status, "fail_reason": b.fail_reason, "size": b.size,
        "object_count": b.object_count, "container": b.container,
        "availability_zone": b.availability_zone, "is_incremental": b.is_incremental,
        "has_dependent_backups": b.id in parents, "data_timestamp": b.data_timestamp,
        "created_at": b.created_at, "updated_at": b.updated_at,
        "metadata": dict(b.metadata_ or {}),
    } for b in rows]


def volume_types(s: Session, rows: list[VolumeType]) -> list[dict[str, Any]]:
    specs = TypeRepo(s).specs_for([t.id for t in rows])
    return [{"id": t.id, "name": t.name, "description": t.description,
             "is_public": t.is_public, "qos_specs_id": t.qos_specs_id,
             "extra_specs": specs[t.id]} for t in rows]
