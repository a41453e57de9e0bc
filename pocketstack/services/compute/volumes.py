"""Volume attachments of servers (os-volume_attachments) through the Block Storage service:
a Cinder attachment is created and completed with the host's connector, the host's agent
attaches the disk, and a block device mapping records it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.ids import new_uuid
from pocketstack.common.timeutils import utcnow
from pocketstack.db.models.compute_servers import BlockDeviceMapping, Instance
from pocketstack.db.repositories.compute.instances import InstanceRepo
from pocketstack.services.compute import states as S
from pocketstack.services.compute.history import History

if TYPE_CHECKING:
    from pocketstack.services.compute import Compute

ATTACH_STATES = (S.ACTIVE, S.PAUSED, S.STOPPED, S.RESIZED, S.SOFT_DELETED, S.SHELVED,
                 S.SHELVED_OFFLOADED)


def not_attached(volume_id: str) -> exc.NotFound:
    return exc.NotFound(f"No volume Block Device Mapping with id {volume_id}.")


class AttachmentService:
    def __init__(self, compute: Compute) -> None:
        self.c = compute

    def list(self, ctx: RequestContext, server_id: str) -> list[BlockDeviceMapping]:
        def work(s: Session) -> list[BlockDeviceMapping]:
            inst = self.c.servers.load(s, ctx, server_id)
            return [b for b in InstanceRepo(s).bdms(inst.id)
                    if b.volume_id and b.destination_type == "volume"]
        return self.c.tx.read(work)

    def get(self, ctx: RequestContext, server_id: str, volume_id: str) -> BlockDeviceMapping:
        for bdm in self.list(ctx, server_id):
            if bdm.volume_id == volume_id:
                return bdm
        raise not_attached(volume_id)

    def attach(self, ctx: RequestContext, server_id: str, volume_id: str,
               device: str | None, tag: str | None, delete_on_termination: bool, *,
               multiattach_ok: bool = True) -> BlockDeviceMapping:
        """Attach a volume; a multiattach one only from microversion 2.60
        (``multiattach_ok``), as Nova."""
        inst = self.c.tx.read(lambda s: self.c.servers.load(s, ctx, server_id))
        self._check(ctx, inst, volume_id)
        vol = self.c.volumes.check_attachable(ctx, volume_id)
        if vol.get("multiattach") and not multiattach_ok:
            raise exc.BadRequest("Multiattach volumes are only supported starting with "
                                 "compute API version 2.60.")
        if vol.get("status") == "in-use" and not vol.get("multiattach"):
            raise exc.BadRequest(f"Invalid volume: volume {volume_id} is already attached")
        device = device or self._next_device(inst.id)
        attachment = self.c.volumes.attach(inst.project_id, volume_id, inst.id, inst.host,
                                           device)
        if inst.host:
            self.c.call_host(inst.host, "attach_volume", inst.id,
                             {"volume_id": volume_id, "attachment_id": attachment}, device)

        def work(s: Session) -> BlockDeviceMapping:
            fresh = self.c.servers.load(s, ctx, server_id, lock=True)
            bdm = BlockDeviceMapping(
                uuid=new_uuid(), instance_uuid=fresh.id, source_type="volume",
                destination_type="volume", volume_id=volume_id, device_name=device,
                delete_on_termination=delete_on_termination, tag=tag,
                attachment_id=attachment, created_at=utcnow())
            s.add(bdm)
            s.flush()
            History.record(s, fresh.id, "attach_volume", ctx)
            fresh.updated_at = utcnow()
            return bdm
        try:
            return self.c.tx.write(work)
        except Exception:
            self.c.volumes.detach(inst.project_id, attachment, volume_id)
            raise

    def _check(self, ctx: RequestContext, inst: Instance, volume_id: str) -> None:
        self.c.actions.check_lock(ctx, inst)
        S.require(inst, "attach_volume", ATTACH_STATES)
        existing = self.c.tx.read(lambda s: InstanceRepo(s).bdm_for_volume(inst.id,
                                                                           volume_id))
        if existing is not None:
            raise exc.BadRequest(f"Invalid volume: volume {volume_id} already attached to "
                                 f"instance {inst.id}")

    def _next_device(self, instance_id: str) -> str:
        used = {b.device_name for b in self.c.tx.read(
            lambda s: InstanceRepo(s).bdms(instance_id))}
        for letter in "bcdefghijklmnopqrstuvwxyz":
            name = f"/dev/vd{letter}"
            if name not in used:
                return name
        raise exc.BadRequest("No free disk device names for prefix 'vd'")

    def update(self, ctx: RequestContext, server_id: str, volume_id: str,
               new_volume: str, delete_on_termination: bool | None) -> None:
        def work(s: Session) -> None:
            inst = self.c.servers.load(s, ctx, server_id, lock=True)
            bdm = InstanceRepo(s).bdm_for_volume(inst.id, volume_id)
            if bdm is None:
                raise not_attached(volume_id)
            if new_volume != volume_id:
                raise exc.Conflict("Swapping volumes is not supported by this cloud's "
                                   "compute driver.")
            if delete_on_termination is not None:
                bdm.delete_on_termination = delete_on_termination
                bdm.updated_at = utcnow()
        self.c.tx.write(work)

    def detach(self, ctx: RequestContext, server_id: str, volume_id: str) -> None:
        def find(s: Session) -> tuple[Instance, BlockDeviceMapping]:
            inst = self.c.servers.load(s, ctx, server_id)
            bdm = InstanceRepo(s).bdm_for_volume(inst.id, volume_id)
            if bdm is None:
                raise not_attached(volume_id)
            return inst, bdm
        inst, bdm = self.c.tx.read(find)
        self.c.actions.check_lock(ctx, inst)
        S.require(inst, "detach_volume", ATTACH_STATES)
        if bdm.boot_index == 0:
            raise exc.BadRequest("Cannot detach a root device volume")
        if inst.host:
            self.c.call_host(inst.host, "detach_volume", inst.id, volume_id)
        self.c.volumes.detach(inst.project_id, bdm.attachment_id, volume_id)

        def work(s: Session) -> None:
            row = InstanceRepo(s).bdm_for_volume(inst.id, volume_id)
            if row is not None:
                s.delete(row)
            History.record(s, inst.id, "detach_volume", ctx)
        self.c.tx.write(work)

    # -- assisted volume snapshots (os-assisted-volume-snapshots) ---------------------------
    def assisted_snapshot(self, volume_id: str) -> None:
        """Cinder asks the hypervisor of the server a file-backed volume is attached to for
        a snapshot (create) or a block commit (delete). The fake driver keeps no volume
        files, so there is nothing for its host to do; the request is checked as Nova
        checks it: the volume must be attached to a server, and only once."""
        def work(s: Session) -> None:
            bdms = InstanceRepo(s).live_bdms_of_volume(volume_id)
            if not bdms:
                raise not_attached(volume_id)
            if len(bdms) > 1:
                raise exc.BadRequest(f"Volume {volume_id} is attached to more than one "
                                     f"server; assisted snapshots need a single attachment.")
        self.c.tx.read(work)

