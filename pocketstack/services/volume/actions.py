"""Volume actions (POST /volumes/{id}/action) other than attachments: extend, set bootable,
read-only flag, retype, upload to image, reset status, force delete."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.timeutils import utcnow
from pocketstack.db.engine import Database
from pocketstack.db.models.volume import Attachment
from pocketstack.db.repositories.volume.types import TypeRepo
from pocketstack.db.repositories.volume.volumes import AttachmentRepo
from pocketstack.services.volume import access
from pocketstack.services.volume.images import ImageGateway, context_dict
from pocketstack.services.volume.quotas import QuotaService
from pocketstack.services.volume.types import TypeService
from pocketstack.services.volume.volumes import multiattach_type, parse_size

VOLUME_STATUSES = ("creating", "available", "attaching", "in-use", "deleting", "error",
                   "error_deleting", "backing-up", "restoring-backup", "error_restoring",
                   "error_extending", "downloading", "uploading", "retyping", "extending",
                   "maintenance", "reserved", "detaching", "awaiting-transfer")
ATTACH_STATUSES = ("attached", "detached", "attaching", "detaching", "error_attaching",
                   "error_detaching")
DISK_FORMATS = ("raw", "vmdk", "vdi", "qcow2", "vhd", "vhdx", "ploop")
CONTAINER_FORMATS = ("bare", "ovf", "ova", "docker", "compressed")


class ActionService:
    def __init__(self, db: Database, quotas: QuotaService, types: TypeService,
                 images: ImageGateway | None, submit: Callable[[str, str], None]) -> None:
        self.db = db
        self.quotas = quotas
        self.types = types
        self.images = images
        self.submit = submit

    def extend(self, ctx: RequestContext, volume_id: str, new_size: Any, *,
               in_use_ok: bool) -> None:
        size = parse_size(new_size)
        with self.db.write() as s:
            vol = access.load_volume(s, ctx, volume_id, lock=True)
            allowed = ("available", "in-use") if in_use_ok else ("available",)
            if vol.status not in allowed:
                raise exc.BadRequest(f"Invalid volume: Volume status must be "
                                     f"{' or '.join(allowed)} to extend, but current status "
                                     f"is: {vol.status}.")
            assert size is not None
            if size <= vol.size:
                raise exc.BadRequest(f"Invalid input received: New size for extend must be "
                                     f"greater than current size. (current: {vol.size}, "
                                     f"extended: {size}).")
            vt = TypeRepo(s).get(vol.volume_type_id) if vol.volume_type_id else None
            self.quotas.check(s, vol.project_id, gigabytes=size - vol.size,
                              type_name=vt.name if vt else None, volume_size=size)
            vol.task = {"op": "extend", "size": size, "prev": vol.status}
            vol.status, vol.updated_at = "extending", utcnow()
        self.submit("volume", volume_id)

    def set_bootable(self, ctx: RequestContext, volume_id: str, value: Any) -> None:
        flag = _bool(value, "bootable")
        with self.db.write() as s:
            vol = access.load_volume(s, ctx, volume_id, lock=True)
            vol.bootable, vol.updated_at = flag, utcnow()

    def set_readonly(self, ctx: RequestContext, volume_id: str, value: Any) -> None:
        flag = _bool(value, "readonly")
        with self.db.write() as s:
            vol = access.load_volume(s, ctx, volume_id, lock=True)
            if vol.status not in ("available", "in-use"):
                raise exc.BadRequest(f"Invalid volume: Volume status must be available or "
                                     f"in-use to update its read-only flag (is {vol.status}).")
            vol.admin_metadata = {**(vol.admin_metadata or {}), "readonly": str(flag)}
            vol.updated_at = utcnow()

    def reset_status(self, ctx: RequestContext, volume_id: str, data: dict[str, Any]) -> None:
        status, attach = data.get("status"), data.get("attach_status")
        migration = data.get("migration_status")
        if status is None and attach is None and migration is None:
            raise exc.BadRequest("Must specify 'status', 'attach_status' or "
                                 "'migration_status' for update.")
        if status is not None and status not in VOLUME_STATUSES:
            raise exc.BadRequest(f"Invalid input received: Invalid status: {status}")
        if attach is not None and attach not in ATTACH_STATUSES:
            raise exc.BadRequest(f"Invalid input received: Invalid attach status: {attach}")
        with self.db.write() as s:
            vol = access.load_volume(s, ctx, volume_id, lock=True)
            if status is not None:
                vol.status, vol.task = status, None
            if attach is not None:
                vol.attach_status = attach
                if attach == "detached":
                    for att in AttachmentRepo(s).find(Attachment.volume_id == vol.id):
                        s.delete(att)
            if migration is not None:
                vol.migration_status = None if migration == "none" else migration
            vol.updated_at = utcnow()

    def retype(self, ctx: RequestContext, volume_id: str, data: dict[str, Any]) -> None:
        new_type = data.get("new_type")
        if not isinstance(new_type, str) or not new_type:
            raise exc.BadRequest("Invalid input: 'new_type' is required.")
        policy = data.get("migration_policy") or "never"
        if policy not in ("never", "on-demand"):
            raise exc.BadRequest(f"Invalid input: migration_policy must be 'never' or "
                                 f"'on-demand', not {policy!r}.")
        with self.db.write() as s:
            vol = access.load_volume(s, ctx, volume_id, lock=True)
            if vol.status not in ("available", "in-use"):
                raise exc.BadRequest(f"Invalid volume: Volume status must be available or "
                                     f"in-use to retype, but is {vol.status}.")
            vt = self.types.resolve(s, ctx, new_type)
            if vt.id == vol.volume_type_id:
                raise exc.BadRequest("Invalid input received: New volume type must be "
                                     "different from the current one.")
            multiattach = multiattach_type(TypeRepo(s).specs(vt.id))
            if multiattach != vol.multiattach and vol.status == "in-use":
                raise exc.BadRequest("Invalid volume: An in-use volume cannot be retyped to "
                                     "or from a multiattach volume type.")
            self._check_type_quota(s, vol.project_id, vt.name, vol.size)
            vol.volume_type_id, vol.updated_at = vt.id, utcnow()
            vol.multiattach = multiattach

    def _check_type_quota(self, s: Any, project_id: str, type_name: str, size: int) -> None:
        """Retyping moves a volume into the new type's own quotas (volumes_<type>,
        gigabytes_<type>); the project-wide totals do not change."""
        limits = self.quotas.limits(s, project_id)
        used = self.quotas.usage(s, project_id)
        for res, delta in (("volumes", 1), ("gigabytes", size)):
            key = f"{res}_{type_name}"
            limit = limits.get(key, -1)
            if limit >= 0 and used.get(key, 0) + delta > limit:
                raise exc.OverQuota(f"Quota exceeded for resources: ['{key}'] (limit {limit}, "
                                    f"in use {used.get(key, 0)}).")

    def upload_image(self, ctx: RequestContext, volume_id: str,
                     data: dict[str, Any]) -> dict[str, Any]:
        if self.images is None:
            raise exc.BadRequest("Uploading volumes to images needs the Image service.")
        name = data.get("image_name")
        if not isinstance(name, str) or not name:
            raise exc.BadRequest("No image_name was specified in request.")
        disk_format = data.get("disk_format", "raw")
        container_format = data.get("container_format", "bare")
        if disk_format not in DISK_FORMATS:
            raise exc.BadRequest(f"Invalid disk-format '{disk_format}' is specified. Allowed "
                                 f"disk-formats are {', '.join(DISK_FORMATS)}.")
        if container_format not in CONTAINER_FORMATS:
            raise exc.BadRequest(f"Invalid container format '{container_format}'.")
        force = _bool(data.get("force", False), "force")
        visibility = data.get("visibility", "private")
        protected = _bool(data.get("protected", False), "protected")
        with self.db.read() as s:
            vol = access.load_volume(s, ctx, volume_id)
            ok = ("available", "in-use") if force else ("available",)
            if vol.status not in ok:
                raise exc.BadRequest(f"Invalid volume: Volume {volume_id} status must be "
                                     f"available or in-use (with force), but current status "
                                     f"is: {vol.status}.")
        body = {"name": name, "disk_format": disk_format, "container_format": container_format,
                "visibility": visibility, "protected": protected}
        image_id = self.images.create(ctx, body)
        with self.db.write() as s:
            vol = access.load_volume(s, ctx, volume_id, lock=True)
            if vol.status not in ok:
                self.images.abandon(ctx, image_id)
                raise exc.BadRequest(f"Invalid volume: Volume {volume_id} changed status to "
                                     f"{vol.status}.")
            vol.task = {"op": "upload", "image_id": image_id, "prev": vol.status,
                        "ctx": context_dict(ctx)}
            vol.status, vol.updated_at = "uploading", utcnow()
            size, updated = vol.size, vol.updated_at
        self.submit("volume", volume_id)
        return {"id": volume_id, "updated_at": updated, "status": "uploading",
                "display_description": None, "size": size, "volume_type": None,
                "image_id": image_id, "container_format": container_format,
                "disk_format": disk_format, "image_name": name, "visibility": visibility,
                "protected": protected}




def _bool(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0", "yes",
                                                            "no", "on", "off", "t", "f"):
        return value.strip().lower() in ("true", "1", "yes", "on", "t")
    raise exc.BadRequest(f"Invalid input received: '{field}' must be a boolean, "
                         f"got {value!r}.")
