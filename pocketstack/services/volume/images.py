"""The Image service as the volume service sees it: look an image up, read its data, and
create an image from a volume (os-volume_upload_image). Calls go in-process to the image
service layer, never over HTTP; ``ImageGateway`` is the seam (tests may hand in another)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext

BLOCK = 4 << 20
# Image properties that are the image's own fields, copied into volume_image_metadata too.
BASE_KEYS = ("checksum", "container_format", "disk_format", "min_disk", "min_ram", "size")


@dataclass
class ImageInfo:
    id: str
    name: str | None
    status: str
    size: int | None
    virtual_size: int | None
    min_disk: int
    min_ram: int
    disk_format: str | None
    container_format: str | None
    checksum: str | None
    properties: dict[str, str] = field(default_factory=dict)

    def volume_metadata(self) -> dict[str, str]:
        """volume_image_metadata as Cinder records it."""
        out = {k: str(v) for k, v in self.properties.items()}
        out.update({"image_id": self.id, "image_name": self.name or ""})
        for key in BASE_KEYS:
            value = getattr(self, key)
            if value is not None:
                out[key] = str(value)
        return out


def context_dict(ctx: RequestContext) -> dict[str, Any]:
    return {"user_id": ctx.user_id, "project_id": ctx.project_id, "roles": list(ctx.roles)}


def context_from(data: dict[str, Any] | None) -> RequestContext:
    data = data or {}
    return RequestContext(user_id=data.get("user_id"), project_id=data.get("project_id"),
                          roles=tuple(data.get("roles") or ()))


class ImageGateway(Protocol):
    def get(self, ctx: RequestContext, image_id: str) -> ImageInfo: ...

    def local_file(self, ctx: RequestContext, image_id: str) -> str | None: ...

    def extents(self, ctx: RequestContext, image_id: str) -> Iterator[tuple[int, bytes]]: ...

    def create(self, ctx: RequestContext, body: dict[str, Any]) -> str: ...

    def upload(self, ctx: RequestContext, image_id: str,
               extents: Iterator[tuple[int, bytes]], size: int) -> None: ...

    def abandon(self, ctx: RequestContext, image_id: str) -> None: ...


class LocalImageGateway:
    """Adapter over pocketstack.services.image.Image (in this process)."""

    def __init__(self, image: Any) -> None:
        self.image = image

    def get(self, ctx: RequestContext, image_id: str) -> ImageInfo:
        rec = self.image.images.get(ctx, image_id)
        img = rec.image
        return ImageInfo(id=img.id, name=img.name, status=img.status, size=img.size,
                         virtual_size=img.virtual_size, min_disk=img.min_disk or 0,
                         min_ram=img.min_ram or 0, disk_format=img.disk_format,
                         container_format=img.container_format, checksum=img.checksum,
                         properties=dict(rec.properties))

    def _download(self, ctx: RequestContext, image_id: str) -> Any:
        dl = self.image.data.open_download(ctx, image_id, None)
        if dl is None:
            raise exc.BadRequest(f"Image {image_id} has no data.")
        return dl

    def local_file(self, ctx: RequestContext, image_id: str) -> str | None:
        dl = self._download(ctx, image_id)
        path = getattr(dl.store, "path", None)
        return str(path(dl.location)) if callable(path) else None

    def extents(self, ctx: RequestContext, image_id: str) -> Iterator[tuple[int, bytes]]:
        dl = self._download(ctx, image_id)
        pos = 0
        for block in dl.store.iter_range(dl.location, 0, dl.size, chunk_size=BLOCK):
            yield pos, block
            pos += len(block)

    def create(self, ctx: RequestContext, body: dict[str, Any]) -> str:
        return str(self.image.images.create(ctx, body).image.id)

    def upload(self, ctx: RequestContext, image_id: str,
               extents: Iterator[tuple[int, bytes]], size: int) -> None:
        try:
            asyncio.run(self.image.data.upload(ctx, image_id, _contiguous(extents, size),
                                               size=size, store_id=None, staging=False))
        except BaseException:
            self.abandon(ctx, image_id)
            raise

    def abandon(self, ctx: RequestContext, image_id: str) -> None:
        try:
            self.image.images.delete(ctx, image_id)
        except exc.PocketstackError:
            pass


async def _contiguous(extents: Iterator[tuple[int, bytes]], size: int) -> AsyncIterator[bytes]:
    """The whole byte stream of a sparse volume: holes become zeros."""
    pos = 0
    zero = bytes(BLOCK)
    for offset, block in extents:
        while pos < offset:
            n = min(BLOCK, offset - pos)
            yield zero[:n]
            pos += n
        yield block
        pos += len(block)
    while pos < size:
        n = min(BLOCK, size - pos)
        yield zero[:n]
        pos += n
