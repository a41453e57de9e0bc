"""Attachments: the attachment API (3.27+: create/update/complete/delete) and the legacy
flow the compute service uses (os-reserve, os-initialize_connection, os-attach,
os-begin_detaching, os-terminate_connection, os-detach).

Volume states: available -> reserved/attaching -> in-use -> detaching -> available. The
driver's connection info (for the file driver: the file path) is what a hypervisor opens.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.ids import new_uuid
from pocketstack.common.timeutils import utcnow
from pocketstack.db.engine import Database
from pocketstack.db.models.volume import Attachment, Volume
from pocketstack.db.repositories.volume.listing import Page
from pocketstack.db.repositories.volume.volumes import AttachmentRepo
from pocketstack.drivers.volume.base import VolumeDriver
from pocketstack.services.volume import access, records

MODES = ("rw", "ro")


class AttachmentService:
    def __init__(self, db: Database, driver: VolumeDriver) -> None:
        self.db = db
        self.driver = driver

    # -- helpers -----------------------------------------------------------------------
    @staticmethod
    def _live(s: Session, volume_id: str) -> list[Attachment]:
        return [a for a in AttachmentRepo(s).of_volume(volume_id)
                if a.attach_status != "detached"]

    @staticmethod
    def _settle_volume(s: Session, vol: Volume) -> None:
        """Volume status from its attachments, once no transition is under way."""
        live = AttachmentService._live(s, vol.id)
        attached = [a for a in live if a.attach_status == "attached"]
        if attached:
            vol.status, vol.attach_status = "in-use", "attached"
        elif live:
            vol.status = "reserved" if all(a.attach_status == "reserved" for a in live) \
                else "attaching"
            vol.attach_status = "attaching"
        else:
            vol.status, vol.attach_status = "available", "detached"
        vol.updated_at = utcnow()

    def _mode(self, vol: Volume, mode: str | None) -> str:
        mode = mode or "rw"
        if mode not in MODES:
            raise exc.BadRequest(f"Invalid attaching mode '{mode}'; must be 'rw' or 'ro'.")
        if (vol.admin_metadata or {}).get("readonly") == "True" and mode == "rw":
            raise exc.BadRequest(f"Invalid volume: Volume {vol.id} is read-only: it can only "
                                 "be attached in 'ro' mode.")
        return mode

    @staticmethod
    def _can_attach(s: Session, vol: Volume, allowed: tuple[str, ...]) -> None:
        if vol.status in allowed:
            return
        if vol.multiattach and vol.status == "in-use":
            return
        raise exc.BadRequest(f"Invalid volume: Volume {vol.id} status must be available or "
                             f"reserved to attach, but the current status is {vol.status}.")

    # -- legacy flow ---------------------------------------------------------------------
    def reserve(self, ctx: RequestContext, volume_id: str) -> None:
        with self.db.write() as s:
            vol = access.load_volume(s, ctx, volume_id, lock=True)
            if vol.status != "available" and not (vol.multiattach and vol.status == "in-use"):
                raise exc.BadRequest(f"Invalid volume: Volume status must be available to "
                                     f"reserve, but the current status is {vol.status}.")
            vol.status, vol.updated_at = "attaching", utcnow()

    def unreserve(self, ctx: RequestContext, volume_id: str) -> None:
        with self.db.write() as s:
            vol = access.load_volume(s, ctx, volume_id, lock=True)
            if vol.status == "attaching":
                self._settle_volume(s, vol)

    def begin_detaching(self, ctx: RequestContext, volume_id: str) -> None:
        with self.db.write() as s:
            vol = access.load_volume(s, ctx, volume_id, lock=True)
            if vol.status != "in-use":
                raise exc.BadRequest(f"Invalid volume: Unable to detach volume. Volume status "
                                     f"must be 'in-use' and attach_status must be 'attached' "
                                     f"to detach. (status: {vol.status})")
            vol.status = "detaching"

    def roll_detaching(self, ctx: RequestContext, volume_id: str) -> None:
        with self.db.write() as s:
            vol = access.load_volume(s, ctx, volume_id, lock=True)
            if vol.status == "detaching":
                self._settle_volume(s, vol)

    def initialize_connection(self, ctx: RequestContext, volume_id: str,
                              connector: Any) -> dict[str, Any]:
        if not isinstance(connector, dict):
            raise exc.BadRequest("Must specify 'connector'.")
        with self.db.read() as s:
            vol = access.load_volume(s, ctx, volume_id)
            if not vol.provider_location:
                raise exc.BadRequest(f"Invalid volume: Volume {volume_id} has no data yet "
                                     f"(status {vol.status}).")
            mode = (vol.admin_metadata or {}).get("attached_mode") or (
                "ro" if (vol.admin_metadata or {}).get("readonly") == "True" else "rw")
            info = self.driver.connection_info(vol.provider_location, connector, mode)
        info.setdefault("data", {})["volume_id"] = volume_id
        return info

    def attach(self, ctx: RequestContext, volume_id: str, data: dict[str, Any]) -> None:
        instance, host = data.get("instance_uuid"), data.get("host_name")
        if not instance and not host:
            raise exc.BadRequest("Invalid request to attach volume to an invalid target")
        mountpoint = data.get("mountpoint")
        if not isinstance(mountpoint, str) or not mountpoint:
            raise exc.BadRequest("Invalid input for field/attribute mountpoint.")
        with self.db.write() as s:
            vol = access.load_volume(s, ctx, volume_id, lock=True)
            self._can_attach(s, vol, ("available", "attaching", "reserved"))
            mode = self._mode(vol, data.get("mode"))
            repo = AttachmentRepo(s)
            att = repo.for_instance(vol.id, instance) if instance else None
            now = utcnow()
            if att is None or att.attach_status == "detached":
                att = repo.add(Attachment(id=new_uuid(), volume_id=vol.id,
                                          project_id=vol.project_id, instance_uuid=instance,
                                          created_at=now, attach_status="attaching"))
            att.attached_host, att.mountpoint, att.attach_mode = host, mountpoint, mode
            att.attach_status, att.attach_time, att.updated_at = "attached", now, now
            vol.admin_metadata = {**(vol.admin_metadata or {}), "attached_mode": mode}
            self._settle_volume(s, vol)

    def detach(self, ctx: RequestContext, volume_id: str, attachment_id: str | None, *,
               force: bool = False) -> None:
        with self.db.write() as s:
            vol = access.load_volume(s, ctx, volume_id, lock=True)
            live = self._live(s, vol.id)
            if attachment_id:
                live = [a for a in live if a.id == attachment_id]
                if not live and not force:
                    raise exc.NotFound(f"Volume attachment {attachment_id} could not be found.")
            elif len(live) > 1 and not force:
                raise exc.BadRequest("Invalid volume: Volume has more than one attachment: "
                                     "name the attachment_id to detach.")
            if not live and vol.status not in ("in-use", "detaching"):
                return  # nothing attached: detaching again is harmless (Cinder answers 202)
            for att in live:
                s.delete(att)
            s.flush()
            admin_meta = dict(vol.admin_metadata or {})
            admin_meta.pop("attached_mode", None)
            vol.admin_metadata = admin_meta
            self._settle_volume(s, vol)

    # -- attachment API (3.27+) ------------------------------------------------------------
    def create(self, ctx: RequestContext, data: dict[str, Any]) -> dict[str, Any]:
        volume_id, instance = data.get("volume_uuid"), data.get("instance_uuid")
        if not volume_id:
            raise exc.BadRequest("Invalid input: 'volume_uuid' is required.")
        connector = data.get("connector")
        with self.db.write() as s:
            vol = access.load_volume(s, ctx, str(volume_id), lock=True)
            self._can_attach(s, vol, ("available", "reserved", "attaching", "downloading"))
            mode = self._mode(vol, data.get("mode"))
            now = utcnow()
            att = AttachmentRepo(s).add(Attachment(
                id=new_uuid(), volume_id=vol.id, project_id=vol.project_id,
                instance_uuid=instance, attach_status="reserved", attach_mode=mode,
                created_at=now, updated_at=now))
            if connector:
                self._connect(vol, att, connector)
            self._settle_volume(s, vol)
            return records.attachment_record(att)

    def _connect(self, vol: Volume, att: Attachment, connector: Any) -> None:
        if not isinstance(connector, dict):
            raise exc.BadRequest("Invalid input: 'connector' must be an object.")
        if not vol.provider_location:
            raise exc.BadRequest(f"Invalid volume: Volume {vol.id} has no data yet.")
        info = self.driver.connection_info(vol.provider_location, connector, att.attach_mode)
        info.setdefault("data", {})["volume_id"] = vol.id
        info["attachment_id"] = att.id
        att.connector, att.connection_info = connector, info
        att.attached_host = connector.get("host")
        att.mountpoint = connector.get("mountpoint") or att.mountpoint
        att.attach_status, att.updated_at = "attaching", utcnow()

    def _load(self, s: Session, ctx: RequestContext, attachment_id: str) -> Attachment:
        att = AttachmentRepo(s).get(attachment_id)
        if att is None or not access.visible(ctx, att.project_id or ""):
            raise exc.NotFound(f"Volume attachment {attachment_id} could not be found.")
        return att

    def update(self, ctx: RequestContext, attachment_id: str,
               data: dict[str, Any]) -> dict[str, Any]:
        with self.db.write() as s:
            att = self._load(s, ctx, attachment_id)
            vol = access.load_volume(s, ctx, att.volume_id, lock=True)
            self._connect(vol, att, data.get("connector"))
            self._settle_volume(s, vol)
            return records.attachment_record(att)

    def complete(self, ctx: RequestContext, attachment_id: str) -> None:
        with self.db.write() as s:
            att = self._load(s, ctx, attachment_id)
            vol = access.load_volume(s, ctx, att.volume_id, lock=True)
            now = utcnow()
            att.attach_status, att.attach_time, att.updated_at = "attached", now, now
            vol.admin_metadata = {**(vol.admin_metadata or {}), "attached_mode": att.attach_mode}
            self._settle_volume(s, vol)

    def delete(self, ctx: RequestContext, attachment_id: str) -> None:
        with self.db.write() as s:
            att = self._load(s, ctx, attachment_id)
            vol = access.load_volume(s, ctx, att.volume_id, lock=True)
            s.delete(att)
            s.flush()
            self._settle_volume(s, vol)

    def get(self, ctx: RequestContext, attachment_id: str) -> dict[str, Any]:
        with self.db.read() as s:
            return records.attachment_record(self._load(s, ctx, attachment_id))

    def list(self, ctx: RequestContext, params: dict[str, str]) -> list[dict[str, Any]]:
        where: list[Any] = []
        if not (ctx.is_admin and access.truthy(params.get("all_tenants"))):
            where.append(Attachment.project_id == ctx.project_id)
        for key, col in (("volume_id", Attachment.volume_id),
                         ("instance_id", Attachment.instance_uuid),
                         ("status", Attachment.attach_status)):
            if params.get(key):
                where.append(col == params[key])
        limit, offset = access.parse_limit(params)
        sort = access.parse_sort(params, {"created_at": Attachment.created_at,
                                          "id": Attachment.id})
        with self.db.read() as s:
            repo = AttachmentRepo(s)
            marker = repo.get(params["marker"]) if params.get("marker") else None
            rows = repo.page(Page(where=where, sort=sort, marker=marker, limit=limit,
                                  offset=offset))
            return [records.attachment_record(a) for a in rows]
