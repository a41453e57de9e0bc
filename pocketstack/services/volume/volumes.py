"""Volumes: create (blank, from a snapshot, another volume, an image or a backup), show,
list, update, delete, metadata. Long work is recorded as the row's ``task`` and carried out
by the worker; the API answers at once with status 'creating' / 'deleting'."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.ids import new_uuid
from pocketstack.common.timeutils import utcnow
from pocketstack.db.engine import Database
from pocketstack.db.models.volume import Attachment, Snapshot, Transfer, Volume
from pocketstack.db.repositories.volume.groups import GroupRepo
from pocketstack.db.repositories.volume.snapshots import SnapshotRepo
from pocketstack.db.repositories.volume.types import TypeRepo
from pocketstack.db.repositories.volume.volumes import AttachmentRepo, VolumeRepo
from pocketstack.services.volume import access, records
from pocketstack.services.volume.images import ImageGateway, ImageInfo, context_dict
from pocketstack.services.volume.options import VolumeOptions
from pocketstack.services.volume.quotas import QuotaService
from pocketstack.services.volume.types import TypeService

GiB = 1 << 30
DELETABLE = ("available", "error", "error_restoring", "error_extending", "error_managing")
SORT_COLUMNS = {"id": Volume.id, "name": Volume.name, "status": Volume.status,
                "size": Volume.size, "availability_zone": Volume.availability_zone,
                "created_at": Volume.created_at, "updated_at": Volume.updated_at,
                "bootable": Volume.bootable, "volume_type": Volume.volume_type_id,
                "project_id": Volume.project_id}


def parse_size(value: Any, *, required: bool = True) -> int | None:
    if value is None and not required:
        return None
    if isinstance(value, bool) or value is None:
        raise exc.BadRequest(f"Invalid input received: Volume size '{value}' must be an "
                             "integer and greater than 0.")
    try:
        size = int(value) if isinstance(value, int) else int(str(value).strip())
    except ValueError:
        raise exc.BadRequest(f"Invalid input received: Volume size '{value}' must be an "
                             "integer and greater than 0.") from None
    if size < 1 or size > 2147483647:
        raise exc.BadRequest(f"Invalid input received: Volume size '{value}' must be an "
                             "integer and greater than 0.")
    return size


def check_metadata(meta: Any, what: str = "metadata") -> dict[str, str]:
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise exc.BadRequest(f"Invalid input for field/attribute {what}: must be an object.")
    out = {}
    for key, value in meta.items():
        if not isinstance(key, str) or not key or len(key) > 255:
            raise exc.BadRequest(f"Invalid input for field/attribute {what}: keys must be "
                                 "strings of 1 to 255 characters.")
        if not isinstance(value, str) or len(value) > 255:
            raise exc.BadRequest(f"Invalid input for field/attribute {what}: the value of "
                                 f"'{key}' must be a string of at most 255 characters.")
        out[key] = value
    return out


class VolumeService:
    def __init__(self, db: Database, options: VolumeOptions, quotas: QuotaService,
                 types: TypeService, images: ImageGateway | None,
                 submit: Callable[[str, str], None]) -> None:
        self.db = db
        self.options = options
        self.quotas = quotas
        self.types = types
        self.images = images
        self.submit = submit

    # -- create -----------------------------------------------------------------------------
    def create(self, ctx: RequestContext, data: dict[str, Any]) -> dict[str, Any]:
        zone = data.get("availability_zone") or self.options.availability_zone
        if zone != self.options.availability_zone:
            raise exc.BadRequest(f"Invalid input received: Availability zone '{zone}' is "
                                 "invalid.")
        meta = check_metadata(data.get("metadata"))
        image_ref = data.get("imageRef") or data.get("image_id")
        image = self._image(ctx, image_ref) if image_ref else None
        size = parse_size(data.get("size"), required=not (
            data.get("snapshot_id") or data.get("source_volid") or data.get("backup_id")))
        if image is not None:
            self._check_image_fits(image, size)
        with self.db.write() as s:
            vol = self._new_row(s, ctx, data, size, zone, image)
            self.quotas.check(s, vol.project_id, volumes=1, gigabytes=vol.size,
                              type_name=self._type_name(s, vol), volume_size=vol.size)
            VolumeRepo(s).add(vol)
            VolumeRepo(s).set_metadata(vol.id, meta, replace=False)
            record = records.volume(s, vol, self.options.backend)
        self.submit("volume", vol.id)
        return record

    def _type_name(self, s: Session, vol: Volume) -> str | None:
        vt = TypeRepo(s).get(vol.volume_type_id) if vol.volume_type_id else None
        return vt.name if vt else None

    def _new_row(self, s: Session, ctx: RequestContext, data: dict[str, Any],
                 size: int | None, zone: str, image: ImageInfo | None) -> Volume:
        now = utcnow()
        source: dict[str, Any] = {"op": "create", "source": "blank"}
        type_ref = data.get("volume_type")
        vol = Volume(id=new_uuid(), project_id=ctx.project_id or "", user_id=ctx.user_id,
                     name=data.get("name", data.get("display_name")),
                     description=data.get("description", data.get("display_description")),
                     status="creating", attach_status="detached", availability_zone=zone,
                     bootable=False, multiattach=bool(data.get("multiattach", False)),
                     host=self.options.backend, admin_metadata={}, created_at=now,
                     updated_at=now)
        if data.get("snapshot_id"):
            snap = self._source_snapshot(s, ctx, data["snapshot_id"])
            vol.snapshot_id, source = snap.id, {"op": "create", "source": "snapshot",
                                                "id": snap.id}
            size = _at_least(size, snap.size, "snapshot")
            src = VolumeRepo(s).get(snap.volume_id)
            type_ref = type_ref or (src.volume_type_id if src else None)
            vol.bootable = bool(src and src.bootable)
        elif data.get("source_volid"):
            src = self._source_volume(s, ctx, data["source_volid"])
            vol.source_volid, source = src.id, {"op": "create", "source": "volume",
                                                "id": src.id}
            size = _at_least(size, src.size, "volume")
            type_ref, vol.bootable = type_ref or src.volume_type_id, src.bootable
        elif data.get("backup_id"):
            backup = access.load_backup(s, ctx, data["backup_id"])
            if backup.status != "available":
                raise exc.BadRequest(f"Invalid backup: Backup status must be available but "
                                     f"is {backup.status}.")
            source = {"op": "create", "source": "backup", "id": backup.id}
            size = _at_least(size, backup.size, "backup")
        elif image is not None:
            vol.image_id, vol.bootable = image.id, True
            source = {"op": "create", "source": "image", "id": image.id,
                      "ctx": context_dict(ctx)}
        vt = self.types.resolve(s, ctx, type_ref)
        vol.volume_type_id, vol.size, vol.task = vt.id, size or 1, source
        # As Cinder: a volume is multiattach when its type says so (the request's own flag,
        # from before 3.50, is still honoured).
        vol.multiattach = vol.multiattach or multiattach_type(TypeRepo(s).specs(vt.id))
        if data.get("group_id"):
            vol.group_id = self._group(s, ctx, str(data["group_id"]), vt.id)
        return vol

    @staticmethod
    def _group(s: Session, ctx: RequestContext, group_id: str, type_id: str) -> str:
        group = GroupRepo(s).get(group_id)
        if group is None or not access.visible(ctx, group.project_id):
            raise exc.NotFound(f"Group {group_id} could not be found.")
        if type_id not in group.volume_type_ids:
            raise exc.BadRequest("Invalid input received: The volume type is not supported "
                                 "by the group.")
        return group.id

    def _source_snapshot(self, s: Session, ctx: RequestContext, snapshot_id: str) -> Snapshot:
        snap = access.load_snapshot(s, ctx, snapshot_id)
        if snap.status != "available":
            raise exc.BadRequest("Invalid snapshot: Originating snapshot status must be one "
                                 "of 'available' values")
        return snap

    def _source_volume(self, s: Session, ctx: RequestContext, volume_id: str) -> Volume:
        src = access.load_volume(s, ctx, volume_id)
        if src.status not in ("available", "in-use"):
            raise exc.BadRequest(f"Invalid volume: Unable to create a volume from an "
                                 f"originating source volume when its status is {src.status}.")
        return src

    def _image(self, ctx: RequestContext, image_ref: str) -> ImageInfo:
        if self.images is None:
            raise exc.BadRequest("Creating volumes from images needs the Image service.")
        try:
            image = self.images.get(ctx, str(image_ref))
        except exc.NotFound:
            raise exc.BadRequest("Invalid image identifier or unable to access requested "
                                 "image.") from None
        if image.status != "active":
            raise exc.BadRequest(f"Invalid image identifier or unable to access requested "
                                 f"image. Image {image.id} is not active.")
        return image

    @staticmethod
    def _check_image_fits(image: ImageInfo, size: int | None) -> None:
        if size is None:
            raise exc.BadRequest("Invalid input received: Volume size must be given.")
        image_gb = -(-(image.virtual_size or image.size or 0) // GiB)
        if image_gb > size:
            raise exc.BadRequest(f"Invalid input received: Size of specified image {image_gb}GB"
                                 f" is larger than volume size {size}GB.")
        if image.min_disk > size:
            raise exc.BadRequest(f"Invalid input received: Volume size {size}GB cannot be "
                                 f"smaller than the image minDisk size {image.min_disk}GB.")

    # -- read ---------------------------------------------------------------------------
    def get(self, ctx: RequestContext, volume_id: str) -> dict[str, Any]:
        with self.db.read() as s:
            return records.volume(s, access.load_volume(s, ctx, volume_id), self.options.backend)

    def list(self, ctx: RequestContext, params: dict[str, str]) -> tuple[list[dict[str, Any]],
                                                                          int | None]:
        page = access.list_page(params, SORT_COLUMNS, self._filters(ctx, params))
        with self.db.read() as s:
            repo = VolumeRepo(s)
            rows = access.fetch_page(repo, ctx, params, page)
            total = repo.total(page.where) if access.truthy(params.get("with_count")) else None
            return records.volumes(s, list(rows), self.options.backend), total

    def _filters(self, ctx: RequestContext, params: dict[str, str]) -> list[Any]:
        where = access.list_filters(ctx, params, Volume, ("status", "availability_zone",
                                                          "migration_status", "group_id"))
        if params.get("name~"):
            where.append(Volume.name.contains(params["name~"]))
        if params.get("size") is not None:
            where.append(Volume.size == parse_size(params["size"]))
        if params.get("bootable") is not None:
            where.append(Volume.bootable.is_(bool(access.truthy(params["bootable"]))))
        if params.get("volume_type"):
            from sqlalchemy import or_, select

            from pocketstack.db.models.volume import VolumeType

            ids = select(VolumeType.id).where(or_(VolumeType.id == params["volume_type"],
                                                  VolumeType.name == params["volume_type"]))
            where.append(Volume.volume_type_id.in_(ids))
        if params.get("metadata"):
            for k, v in access.parse_dict(params["metadata"], "metadata").items():
                where.append(VolumeRepo.has_metadata(k, v))
        image_meta = params.get("image_metadata") or params.get("glance_metadata")
        if image_meta:
            for k, v in access.parse_dict(image_meta, "image_metadata").items():
                where.append(VolumeRepo.has_image_metadata(k, v))
        return where

    def summary(self, ctx: RequestContext, all_tenants: bool) -> dict[str, Any]:
        where = [] if (ctx.is_admin and all_tenants) else [Volume.project_id == ctx.project_id]
        with self.db.read() as s:
            repo = VolumeRepo(s)
            count, size = repo.totals(where)
            meta: dict[str, list[str]] = {}
            ids = [v.id for v in repo.find(*where)]
            for items in repo.metadata_for(ids).values():
                for k, v in items.items():
                    meta.setdefault(k, [])
                    if v not in meta[k]:
                        meta[k].append(v)
        return {"total_size": size, "total_count": count, "metadata": meta}

    # -- update / delete ---------------------------------------------------------------------
    def update(self, ctx: RequestContext, volume_id: str, data: dict[str, Any]) -> dict[str, Any]:
        meta = check_metadata(data["metadata"]) if "metadata" in data else None
        with self.db.write() as s:
            vol = access.load_volume(s, ctx, volume_id, lock=True)
            for src, dest in (("name", "name"), ("display_name", "name"),
                              ("description", "description"),
                              ("display_description", "description")):
                if src in data:
                    value = data[src]
                    if value is not None and (not isinstance(value, str) or len(value) > 255
                                              and dest == "name"):
                        raise exc.BadRequest(f"Invalid input for field/attribute {src}.")
                    setattr(vol, dest, value)
            if meta is not None:
                VolumeRepo(s).set_metadata(vol.id, meta, replace=True)
            vol.updated_at = utcnow()
            return records.volume(s, vol, self.options.backend)

    def delete(self, ctx: RequestContext, volume_id: str, *, cascade: bool = False,
               force: bool = False) -> None:
        with self.db.write() as s:
            vol = access.load_volume(s, ctx, volume_id, lock=True)
            self._check_deletable(s, vol, cascade=cascade, force=force)
            snaps = SnapshotRepo(s).of_volume(vol.id)
            for snap in snaps:
                snap.status, snap.task = "deleting", {"op": "delete"}
            vol.status, vol.task, vol.updated_at = "deleting", {"op": "delete"}, utcnow()
            for t in s.query(Transfer).filter(Transfer.volume_id == vol.id).all():
                s.delete(t)
        if not snaps:
            self.submit("volume", volume_id)
        for snap in snaps:
            self.submit("snapshot", snap.id)

    @staticmethod
    def _check_deletable(s: Session, vol: Volume, *, cascade: bool, force: bool) -> None:
        attached = AttachmentRepo(s).count(Attachment.volume_id == vol.id,
                                           Attachment.attach_status != "detached")
        if force:
            if attached:
                raise exc.BadRequest("Invalid volume: Volume is attached; detach it first.")
            return
        if vol.status not in DELETABLE or attached or vol.migration_status in ("migrating",):
            raise exc.BadRequest(
                "Invalid volume: Volume status must be available or error or error_restoring "
                "or error_extending or error_managing and must not be migrating, attached, "
                "belong to a group, have snapshots, awaiting a transfer, or be disassociated "
                f"from snapshots after volume transfer. (status: {vol.status})")
        snaps = SnapshotRepo(s).of_volume(vol.id)
        if snaps and not cascade:
            raise exc.BadRequest(f"Invalid volume: Volume still has {len(snaps)} dependent "
                                 "snapshots.")
        if cascade and any(x.status not in ("available", "error") for x in snaps):
            raise exc.BadRequest("Invalid volume: Snapshots of the volume must be available "
                                 "or error to delete them with the volume.")

    # -- metadata ---------------------------------------------------------------------------
    def metadata(self, ctx: RequestContext, volume_id: str) -> dict[str, str]:
        with self.db.read() as s:
            return VolumeRepo(s).metadata(access.load_volume(s, ctx, volume_id).id)

    def set_metadata(self, ctx: RequestContext, volume_id: str, meta: Any, *,
                     replace: bool) -> dict[str, str]:
        clean = check_metadata(meta)
        with self.db.write() as s:
            vol = access.load_volume(s, ctx, volume_id, lock=True)
            VolumeRepo(s).set_metadata(vol.id, clean, replace=replace)
            vol.updated_at = utcnow()
            return VolumeRepo(s).metadata(vol.id)

    def delete_metadata(self, ctx: RequestContext, volume_id: str, key: str) -> None:
        with self.db.write() as s:
            vol = access.load_volume(s, ctx, volume_id, lock=True)
            if not VolumeRepo(s).delete_metadata_key(vol.id, key):
                raise exc.NotFound(f"Volume {volume_id} has no metadata with key {key}.")

    def set_image_metadata(self, ctx: RequestContext, volume_id: str,
                           meta: Any) -> dict[str, str]:
        clean = check_metadata(meta)
        with self.db.write() as s:
            vol = access.load_volume(s, ctx, volume_id, lock=True)
            VolumeRepo(s).set_image_metadata(vol.id, clean)
            return VolumeRepo(s).image_metadata_for([vol.id]).get(vol.id, {})

    def delete_image_metadata(self, ctx: RequestContext, volume_id: str, key: str) -> None:
        with self.db.write() as s:
            vol = access.load_volume(s, ctx, volume_id, lock=True)
            if not VolumeRepo(s).delete_image_metadata_key(vol.id, key):
                raise exc.NotFound(f"Glance metadata for volume {volume_id} has no key {key}.")

    def image_metadata(self, ctx: RequestContext, volume_id: str) -> dict[str, str]:
        with self.db.read() as s:
            vol = access.load_volume(s, ctx, volume_id)
            return VolumeRepo(s).image_metadata_for([vol.id]).get(vol.id, {})


def _at_least(size: int | None, source_size: int, what: str) -> int:
    if size is None:
        return source_size
    if size < source_size:
        raise exc.BadRequest(f"Invalid input received: Volume size {size}GB cannot be smaller "
                             f"than the {what} size {source_size}GB. They must be >= original "
                             f"{what} size.")
    return size


def multiattach_type(specs: dict[str, str]) -> bool:
    """Whether a volume type's extra specs make its volumes multiattach: multiattach in
    Cinder's boolean form, '<is> True' (spacing and case aside)."""
    spec = specs.get("multiattach")
    return spec is not None and "".join(spec.split()).lower() == "<is>true"
