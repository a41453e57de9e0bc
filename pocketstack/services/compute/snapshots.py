"""Actions that make images: createImage (a snapshot that lands in the Image service),
createBackup (with rotation), and shelving (shelve, shelveOffload, unshelve)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.db.models.compute_servers import Instance
from pocketstack.db.repositories.compute.instances import InstanceRepo
from pocketstack.services.compute import lifecycle as L
from pocketstack.services.compute import states as S
from pocketstack.services.compute.history import History
from pocketstack.services.compute.imagegw import ImageInfo

if TYPE_CHECKING:
    from pocketstack.services.compute import Compute

SNAPSHOT_STATES = (S.ACTIVE, S.STOPPED, S.PAUSED, S.SUSPENDED)
MAX_IMAGE_META = 128


class SnapshotService:
    def __init__(self, compute: Compute) -> None:
        self.c = compute

    def _server(self, ctx: RequestContext, server_id: str) -> Instance:
        return self.c.tx.read(lambda s: self.c.servers.load(s, ctx, server_id))

    def _props(self, inst: Instance, kind: str, metadata: dict[str, Any]) -> dict[str, str]:
        if len(metadata) > MAX_IMAGE_META:
            raise exc.Forbidden(f"Quota exceeded for metadata_items: Maximum number of "
                                f"metadata items exceeds {MAX_IMAGE_META}")
        props = {"instance_uuid": inst.id, "user_id": inst.user_id, "image_type": kind,
                 "owner_project_name": inst.project_id, "base_image_ref": inst.image_ref or ""}
        props.update({str(k): str(v) for k, v in metadata.items()})
        return props

    def create_image(self, ctx: RequestContext, server_id: str, name: str,
                     metadata: dict[str, Any], *, kind: str = "snapshot",
                     extra: dict[str, str] | None = None) -> ImageInfo:
        inst = self._server(ctx, server_id)
        S.require(inst, "createImage" if kind == "snapshot" else "createBackup",
                  SNAPSHOT_STATES)
        base = self.c.images.get_or_none(ctx, inst.image_ref) if inst.image_ref else None
        props = {**self._props(inst, kind, metadata), **(extra or {})}
        if not inst.image_ref:
            return self._volume_snapshot(ctx, inst, name, props)
        image = self.c.images.create_snapshot(ctx, name, base, props)

        def work(s: Session) -> None:
            fresh = self.c.servers.load(s, ctx, server_id, lock=True)
            self.c.actions.check_lock(ctx, fresh)
            S.require(fresh, "createImage", SNAPSHOT_STATES)
            rid = History.record(s, fresh.id, "createImage" if kind == "snapshot"
                                 else "createBackup", ctx)
            L.begin(fresh, "snapshot", S.IMAGE_SNAPSHOT, rid, image_id=image.id,
                    vm_state=fresh.vm_state)
        try:
            self.c.tx.write(work)
        except exc.PocketstackError:
            self.c.images.delete_as(ctx, image.id)
            raise
        self.c.kick(server_id)
        return image

    def _volume_snapshot(self, ctx: RequestContext, inst: Instance, name: str,
                         props: dict[str, str]) -> ImageInfo:
        """A volume-backed server's snapshot, as Nova makes it: a snapshot of each of its
        volumes in the Block Storage service (forced: they are in use), and an image with no
        data whose ``block_device_mapping`` boots a new server from those snapshots."""
        bdms = [b for b in self.c.tx.read(lambda s: InstanceRepo(s).bdms(inst.id))
                if b.volume_id and b.destination_type == "volume"]
        mapping: list[dict[str, Any]] = []
        taken: list[str] = []
        try:
            for b in bdms:
                snap = self.c.volumes.snapshot(inst.project_id, str(b.volume_id),
                                               f"snapshot for {name}", "")
                taken.append(str(snap["id"]))
                mapping.append({
                    "source_type": "snapshot", "destination_type": "volume",
                    "snapshot_id": snap["id"], "volume_id": None, "image_id": None,
                    "volume_size": snap.get("size") or b.volume_size,
                    "boot_index": b.boot_index, "device_name": b.device_name,
                    "delete_on_termination": bool(b.delete_on_termination),
                    "disk_bus": b.disk_bus, "device_type": b.device_type,
                    "guest_format": b.guest_format, "volume_type": b.volume_type,
                    "tag": b.tag, "no_device": None})
            props = {**props, "bdm_v2": "True", "root_device_name": "/dev/vda",
                     "block_device_mapping": json.dumps(mapping)}
            image = self.c.images.create_snapshot(ctx, name, None, props)
        except exc.PocketstackError:
            for snap_id in taken:  # nothing half-made is left behind
                self.c.volumes.delete_snapshot(inst.project_id, snap_id)
            raise
        self.c.images.upload(inst.project_id, image.id, b"")
        self.c.tx.write(lambda s: History.record(s, inst.id, "createImage", ctx))
        return image

    def create_backup(self, ctx: RequestContext, server_id: str, name: str,
                      backup_type: str, rotation: int, metadata: dict[str, Any]
                      ) -> ImageInfo | None:
        image = None
        if rotation > 0:
            image = self.create_image(ctx, server_id, name, metadata, kind="backup",
                                      extra={"backup_type": backup_type})
        self._rotate(ctx, server_id, backup_type, rotation, keep=image.id if image else None)
        return image

    def _rotate(self, ctx: RequestContext, server_id: str, backup_type: str, rotation: int,
                keep: str | None) -> None:
        found, _ = self.c.images.list(ctx, [("limit", "1000")])
        backups = [i for i in found if i.properties.get("instance_uuid") == server_id
                   and i.properties.get("image_type") == "backup"
                   and i.properties.get("backup_type") == backup_type]
        backups.sort(key=lambda i: (i.id != keep, -(i.created_at.timestamp()
                                                    if i.created_at else 0)))
        for old in backups[max(rotation, 0):]:
            self.c.images.delete(ctx.project_id or "", old.id)

    # -- shelving -----------------------------------------------------------------------------
    def shelve(self, ctx: RequestContext, server_id: str) -> None:
        inst = self._server(ctx, server_id)
        S.require(inst, "shelve", SNAPSHOT_STATES)
        image = None
        if inst.image_ref:
            base = self.c.images.get_or_none(ctx, inst.image_ref)
            image = self.c.images.create_snapshot(ctx, f"{inst.name}-shelved", base,
                                                  self._props(inst, "snapshot", {}))

        def work(s: Session) -> None:
            fresh = self.c.servers.load(s, ctx, server_id, lock=True)
            self.c.actions.check_lock(ctx, fresh)
            S.require(fresh, "shelve", SNAPSHOT_STATES)
            rid = History.record(s, fresh.id, "shelve", ctx)
            if image is not None:
                fresh.system_metadata = {**(fresh.system_metadata or {}),
                                         "shelved_image_id": image.id}
            L.begin(fresh, "shelve", S.SHELVING, rid, image_id=image.id if image else None,
                    vm_state=fresh.vm_state)
        try:
            self.c.tx.write(work)
        except exc.PocketstackError:
            if image is not None:
                self.c.images.delete_as(ctx, image.id)
            raise
        self.c.kick(server_id)

    def shelve_offload(self, ctx: RequestContext, server_id: str) -> None:
        def fn(s: Session, inst: Instance) -> None:
            S.require(inst, "shelveOffload", (S.SHELVED,))
            rid = History.record(s, inst.id, "shelveOffload", ctx)
            L.begin(inst, "shelve_offload", S.SHELVING_OFFLOADING, rid)
        self.c.actions._act(ctx, server_id, fn)

    def unshelve(self, ctx: RequestContext, server_id: str, zone: str | None,
                 host: str | None, unpin: bool = False) -> None:
        if zone and zone not in self.c.zones.names():
            raise exc.BadRequest("The requested availability zone is not available")

        def fn(s: Session, inst: Instance) -> None:
            S.require(inst, "unshelve", (S.SHELVED, S.SHELVED_OFFLOADED))
            if (zone or host) and inst.vm_state != S.SHELVED_OFFLOADED:
                raise exc.Conflict(f"The unshelve action with an availability zone or host "
                                   f"needs a SHELVED_OFFLOADED server, not {inst.vm_state}.")
            rid = History.record(s, inst.id, "unshelve", ctx)
            if zone:
                inst.pinned_availability_zone = zone
            elif unpin:
                inst.pinned_availability_zone = None
            L.begin(inst, "unshelve", S.UNSHELVING, rid, az=zone, host=host)
        self.c.actions._act(ctx, server_id, fn)
