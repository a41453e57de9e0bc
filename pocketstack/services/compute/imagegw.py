"""The compute service's door into the Image service (in-process, never HTTP): images a
server boots from, snapshots it writes (createImage, createBackup, shelve), and the
image proxy of the old compute API (/images, image metadata)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext

# Image properties Nova copies from a server into its snapshot.
INHERITED = ("architecture", "os_distro", "os_type", "hw_disk_bus", "hw_vif_model",
             "hypervisor_type", "hw_machine_type", "os_version")


@dataclass
class ImageInfo:
    id: str
    name: str | None
    status: str
    min_ram: int
    min_disk: int
    size: int | None
    disk_format: str | None
    container_format: str | None
    visibility: str
    owner: str | None
    created_at: Any = None
    updated_at: Any = None
    properties: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)


def _info(rec: Any) -> ImageInfo:
    img = rec.image
    return ImageInfo(id=img.id, name=img.name, status=img.status, min_ram=img.min_ram or 0,
                     min_disk=img.min_disk or 0, size=img.size, disk_format=img.disk_format,
                     container_format=img.container_format, visibility=img.visibility,
                     owner=img.owner, created_at=img.created_at, updated_at=img.updated_at,
                     properties=dict(rec.properties), tags=list(rec.tags))


def _ctx(project_id: str) -> RequestContext:
    return RequestContext(project_id=project_id, roles=("admin",))


class ImageGateway:
    def __init__(self, image: Any) -> None:
        self.image = image  # pocketstack.services.image.Image

    def get(self, ctx: RequestContext, image_id: str) -> ImageInfo:
        return _info(self.image.images.get(ctx, image_id))

    def get_or_none(self, ctx: RequestContext, image_id: str) -> ImageInfo | None:
        try:
            return self.get(ctx, image_id)
        except exc.NotFound:
            return None

    def list(self, ctx: RequestContext, params: list[tuple[str, str]]
             ) -> tuple[list[ImageInfo], str | None]:
        found, nxt = self.image.images.list(ctx, params)
        return [_info(r) for r in found], nxt

    def create_snapshot(self, ctx: RequestContext, name: str, base: ImageInfo | None,
                        extra: dict[str, str]) -> ImageInfo:
        body: dict[str, Any] = {"name": name, "disk_format": "raw", "container_format": "bare",
                                "visibility": "private"}
        if base is not None:
            body["disk_format"] = base.disk_format or "raw"
            body["container_format"] = base.container_format or "bare"
            body["min_ram"], body["min_disk"] = base.min_ram, base.min_disk
            for key in INHERITED:
                if key in base.properties:
                    body[key] = base.properties[key]
        for key, value in extra.items():
            body[key] = str(value)
        return _info(self.image.images.create(ctx, body))

    def upload(self, project_id: str, image_id: str, data: bytes) -> None:
        """Write a snapshot's data (from an agent thread, with no event loop running)."""
        async def chunks() -> AsyncIterator[bytes]:
            yield data

        async def run() -> None:
            await self.image.data.upload(_ctx(project_id), image_id, chunks(), size=len(data),
                                         store_id=None, staging=False)
        asyncio.run(run())

    def delete(self, project_id: str, image_id: str) -> None:
        try:
            self.image.images.delete(_ctx(project_id), image_id)
        except (exc.NotFound, exc.Conflict, exc.Forbidden):
            pass

    def delete_as(self, ctx: RequestContext, image_id: str) -> None:
        self.image.images.delete(ctx, image_id)

    def set_properties(self, ctx: RequestContext, image_id: str, props: dict[str, Any],
                       remove: list[str]) -> ImageInfo:
        from pocketstack.services.image.patch import Change

        current = self.get(ctx, image_id)
        changes = [Change("replace" if k in current.properties else "add", k, str(v))
                   for k, v in props.items()]
        changes += [Change("remove", k) for k in remove]
        return _info(self.image.images.update(ctx, image_id, changes))
