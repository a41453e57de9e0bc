"""The compute service's door into the Block Storage service (in-process, never HTTP):
volumes a server boots from or has attached, through Cinder's attachment flow (create an
attachment with the host's connector, complete it, delete it to detach). When the cloud
has no Block Storage service, volume requests are refused with a clear 400."""

from __future__ import annotations

import time
from typing import Any

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext

WAIT_SECONDS = 60.0


def system_ctx(project_id: str) -> RequestContext:
    return RequestContext(project_id=project_id, roles=("admin",))


class VolumeGateway:
    def __init__(self, cloud: Any) -> None:
        self.cloud = cloud

    @property
    def service(self) -> Any:
        svc = getattr(self.cloud, "volume", None)
        if svc is None:
            raise exc.BadRequest("This cloud has no Block Storage service: volumes cannot be "
                                 "attached.")
        return svc

    @property
    def available(self) -> bool:
        try:
            return getattr(self.cloud, "volume", None) is not None
        except Exception:  # noqa: BLE001 - a volume service that cannot start
            return False

    def get(self, ctx: RequestContext, volume_id: str) -> dict[str, Any]:
        try:
            return dict(self.service.volumes.get(ctx, volume_id))
        except exc.NotFound:
            raise exc.NotFound(f"Volume {volume_id} could not be found.") from None

    def check_attachable(self, ctx: RequestContext, volume_id: str) -> dict[str, Any]:
        vol = self.get(ctx, volume_id)
        if vol.get("status") != "available" and not (
                vol.get("multiattach") and vol.get("status") == "in-use"):
            raise exc.BadRequest(f"Invalid volume: volume {volume_id} status must be "
                                 f"'available'; it is '{vol.get('status')}'")
        return vol

    def attach(self, project_id: str, volume_id: str, instance_id: str, host: str | None,
               mountpoint: str) -> str:
        """Create and complete an attachment (without a connector for a server that has
        no host: a shelved-offloaded one); returns its id."""
        ctx = system_ctx(project_id)
        data: dict[str, Any] = {"volume_uuid": volume_id, "instance_uuid": instance_id,
                                "mode": "rw"}
        if host:
            data["connector"] = {"host": host, "mountpoint": mountpoint,
                                 "initiator": "pocketstack", "platform": "x86_64",
                                 "os_type": "linux", "multipath": False}
        att = self.service.attachments.create(ctx, data)
        self.service.attachments.complete(ctx, att["id"])
        return str(att["id"])

    def detach(self, project_id: str, attachment_id: str | None, volume_id: str) -> None:
        ctx = system_ctx(project_id)
        try:
            if attachment_id:
                self.service.attachments.delete(ctx, attachment_id)
            else:
                self.service.attachments.detach(ctx, volume_id, None, force=True)
        except (exc.NotFound, exc.BadRequest):
            pass

    def create_from_image(self, project_id: str, image_id: str | None, size: int,
                          name: str, volume_type: str | None) -> str:
        data: dict[str, Any] = {"size": size, "name": name}
        if image_id:
            data["imageRef"] = image_id
        if volume_type:
            data["volume_type"] = volume_type
        return str(self.service.volumes.create(system_ctx(project_id), data)["id"])

    def wait_available(self, project_id: str, volume_id: str) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            status = self.get(system_ctx(project_id), volume_id).get("status")
            if status == "available":
                return
            if status in ("error", "error_deleting"):
                raise exc.Conflict(f"Volume {volume_id} did not become available: {status}")
            time.sleep(0.05)
        raise exc.Conflict(f"Volume {volume_id} did not become available in time.")

    def snapshot(self, project_id: str, volume_id: str, name: str, description: str
                 ) -> dict[str, Any]:
        """A snapshot of a volume that may be attached (Nova's create_snapshot_force); it
        becomes available asynchronously. Returns the snapshot as Cinder shows it."""
        return dict(self.service.snapshots.create(
            system_ctx(project_id), {"volume_id": volume_id, "force": True, "name": name,
                                     "description": description}, in_use_ok=True))

    def delete_snapshot(self, project_id: str, snapshot_id: str) -> None:
        try:
            self.service.snapshots.delete(system_ctx(project_id), snapshot_id, force=True)
        except (exc.NotFound, exc.BadRequest):
            pass

    def delete(self, project_id: str, volume_id: str) -> None:
        try:
            self.service.volumes.delete(system_ctx(project_id), volume_id)
        except (exc.NotFound, exc.BadRequest, exc.Conflict):
            pass
