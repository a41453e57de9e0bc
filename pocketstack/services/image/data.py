"""Image data: upload (PUT /file), staging (PUT /stage) and download (GET /file).

Uploads stream: the event loop receives the body and hands it, in blocks of about BLOCK
bytes, to the HashingSink, whose three threads (md5, sha512, file writer) each work through
the blocks at their own pace; the loop only waits when the sink holds its maximum (16 MiB),
so memory stays flat whatever the image size. Downloads send READ_CHUNK blocks, read on the
event loop when the page cache holds them, else in a worker thread.

The image moves queued -> saving -> active (or queued -> uploading when staging) in short
transactions around the transfer; any failure (client gone, size mismatch, quota, full disk)
stops the sink's threads, discards the temporary file and puts the image back to queued, so
nothing half-written is ever visible.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from anyio import CancelScope, to_thread

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.timeutils import utcnow
from pocketstack.db.engine import Database
from pocketstack.db.repositories.image.images import ImageRepo
from pocketstack.drivers.image.base import (
    DataNotFound,
    ImageStore,
    StoreError,
    StoreFull,
    StoreWriter,
)
from pocketstack.drivers.image.hashing import Digest, HashingSink
from pocketstack.services.image import formats, rules
from pocketstack.services.image.options import ImageOptions
from pocketstack.services.image.quotas import Quotas
from pocketstack.services.image.records import load_visible, load_writable
from pocketstack.services.image.stores import Stores

log = logging.getLogger("pocketstack.image")

BLOCK = 4 << 20
READ_CHUNK = 1 << 20
IDLE_TIMEOUT = 300.0


class ClientGone(Exception):
    """The client stopped sending before the body was complete (raised by the API layer)."""


@dataclass
class Upload:
    image_id: str
    owner: str | None
    store: ImageStore
    staging: bool
    limit: int
    expected: int | None
    disk_format: str | None
    lease: dict[str, Any]

    @property
    def status(self) -> str:
        return "uploading" if self.staging else "saving"


@dataclass(frozen=True)
class RangeSpec:
    start: int | None     # None: suffix range (the last ``end`` bytes)
    end: int | None       # inclusive; None: to the end


@dataclass
class Download:
    store: ImageStore
    location: str
    size: int
    offset: int
    length: int
    checksum: str | None
    partial: bool


def lease() -> dict[str, Any]:
    return {"host": socket.gethostname(), "pid": os.getpid(), "since": utcnow().isoformat()}


class DataService:
    def __init__(self, db: Database, options: ImageOptions, quotas: Quotas,
                 stores: Stores) -> None:
        self.db = db
        self.options = options
        self.quotas = quotas
        self.stores = stores

    # -- upload / stage -------------------------------------------------------------------
    async def upload(self, ctx: RequestContext, image_id: str, chunks: AsyncIterator[bytes],
                     *, size: int | None, store_id: str | None, staging: bool) -> None:
        up = await to_thread.run_sync(self._begin, ctx, image_id, size, store_id, staging)
        writer: StoreWriter | None = None
        sink: HashingSink | None = None
        try:
            store = self.stores.staging if staging else up.store
            writer = await to_thread.run_sync(store.open_writer, image_id)
            sink = HashingSink(writer, hash_algo=self.options.hashing_algorithm)
            await self._pump(chunks, sink, up)
            digest = await to_thread.run_sync(sink.finish)
            if up.expected is not None and digest.size != up.expected:
                raise exc.BadRequest(f"Size of uploaded data ({digest.size} bytes) does not "
                                     f"match the expected size ({up.expected} bytes).")
            location = await to_thread.run_sync(self._commit, writer)
        except BaseException as e:
            with CancelScope(shield=True):
                await to_thread.run_sync(_discard, sink, writer)
                await to_thread.run_sync(self._restore, up)
            mapped = _mapped(e)
            if mapped is e:
                raise
            raise mapped from e
        with CancelScope(shield=True):
            await to_thread.run_sync(self._finish, up, store, location, digest)

    async def _pump(self, chunks: AsyncIterator[bytes], sink: HashingSink, up: Upload) -> None:
        """Receive the body on the event loop and hand it to the sink's threads in blocks of
        about BLOCK bytes (lists of the chunks as received: no joining, no copy); wait only
        when the sink holds its maximum."""
        loop = asyncio.get_running_loop()
        batch: list[bytes] = []
        batched = received = 0
        active, step = loop.time(), min(1.0, IDLE_TIMEOUT / 100)
        async with asyncio.timeout(IDLE_TIMEOUT) as idle:
            async for chunk in chunks:
                if not chunk:
                    continue
                received += len(chunk)
                if received > up.limit:
                    raise exc.PayloadTooLarge(_too_large(up))
                if (now := loop.time()) - active >= step:  # the timeout counts idle time
                    active = now
                    idle.reschedule(now + IDLE_TIMEOUT)
                batch.append(chunk)
                batched += len(chunk)
                if batched >= BLOCK:
                    sink.put(batch)
                    batch, batched = [], 0
                    if sink.full:
                        await asyncio.wrap_future(sink.room())
            if batch:
                sink.put(batch)

    def _begin(self, ctx: RequestContext, image_id: str, size: int | None,
               store_id: str | None, staging: bool) -> Upload:
        store = self.stores.get(store_id)
        with self.db.write() as s:
            image = load_writable(s, ctx, image_id, "upload image data")
            target = "uploading" if staging else "saving"
            if image.status == "uploading" and staging:
                raise exc.Conflict(f"The image {image_id} has data on staging")
            rules.check_transition(image.status, target)
            if not staging:
                _require_formats(image.disk_format, image.container_format)
            self.quotas.check_uploading(s, image.owner)
            limit = self.quotas.bytes_left(s, image.owner, image_id, staging=staging)
            up = Upload(image_id, image.owner, store, staging, limit, size, image.disk_format,
                        lease())
            if size is not None and size > limit:
                raise exc.PayloadTooLarge(_too_large(up))
            image.status, image.upload_lease, image.updated_at = target, up.lease, utcnow()
            return up

    @staticmethod
    def _commit(writer: StoreWriter) -> str:
        return writer.commit()

    def _restore(self, up: Upload) -> None:
        """Back to queued after a failed transfer (only if this upload still owns the image)."""
        with self.db.write() as s:
            repo = ImageRepo(s)
            image = repo.live(up.image_id, for_update=True)
            if image is None or image.status != up.status or image.upload_lease != up.lease:
                return
            image.status, image.upload_lease, image.updated_at = "queued", None, utcnow()
            image.size = image.virtual_size = None

    def _finish(self, up: Upload, store: ImageStore, location: str, digest: Digest) -> None:
        try:
            with self.db.write() as s:
                image = ImageRepo(s).live(up.image_id, for_update=True)
                if image is None or image.status != up.status or image.upload_lease != up.lease:
                    raise exc.Gone(f"Image {up.image_id} could not be found after upload. The "
                                   "image may have been deleted during the upload, cleaning "
                                   "up the chunks uploaded.")
                left = self.quotas.bytes_left(s, image.owner, image.id, staging=up.staging)
                if digest.size > left:
                    raise exc.OverQuota(_too_large(up))
                vsize = formats.virtual_size(image.disk_format, digest.head, digest.tail,
                                             digest.size)
                _record_data(image, up, store, location, digest, vsize)
        except BaseException:
            store.delete(location)
            self._restore(up)
            raise

    # -- download -------------------------------------------------------------------------
    def open_download(self, ctx: RequestContext, image_id: str,
                      spec: RangeSpec | None) -> Download | None:
        """What to send for GET /file; None when the image has no data (204)."""
        with self.db.read() as s:
            image, _ = load_visible(s, ctx, image_id)
            if image.status == "deactivated" and not ctx.is_admin:
                raise exc.Forbidden("The requested image has been deactivated. Image data "
                                    "download is forbidden.")
            if image.status not in ("active", "deactivated") or not image.location:
                return None
            store, location, size = self.stores.get(image.store), image.location, image.size
            checksum = image.checksum
        try:
            size = store.size(location) if size is None else size
        except DataNotFound:
            return None
        offset, length, partial = _resolve(spec, size)
        return Download(store, location, size, offset, length, checksum, partial)

    async def chunks(self, dl: Download) -> AsyncIterator[bytes | memoryview]:
        """The bytes of a download, READ_CHUNK at a time: what the page cache holds is read
        on the event loop without a thread switch (the kernel's read-ahead keeps it ahead of
        us), the rest in a worker thread."""
        reader = await to_thread.run_sync(dl.store.open_reader, dl.location)
        try:
            pos, end = dl.offset, dl.offset + dl.length
            while pos < end:
                n = min(READ_CHUNK, end - pos)
                data = reader.read_cached(pos, n)
                if data is None:
                    data = await to_thread.run_sync(reader.read, pos, n)
                if not data:
                    return
                pos += len(data)
                yield data
        finally:
            reader.close()


def _discard(sink: HashingSink | None, writer: StoreWriter | None) -> None:
    """After a failed upload: stop the sink's threads first, then drop the partial file."""
    if sink is not None:
        sink.cancel()
    if writer is not None:
        writer.abort()


def _record_data(image: Any, up: Upload, store: ImageStore, location: str, digest: Digest,
                 vsize: int | None) -> None:
    now = utcnow()
    if up.staging:
        image.staged = {"location": location, "size": digest.size, "checksum": digest.checksum,
                        "hash_algo": digest.hash_algo, "hash_value": digest.hash_value,
                        "virtual_size": vsize}
    else:
        image.status, image.size, image.virtual_size = "active", digest.size, vsize
        image.checksum, image.os_hash_algo = digest.checksum, digest.hash_algo
        image.os_hash_value, image.store, image.location = digest.hash_value, store.id, location
    image.upload_lease, image.updated_at = None, now


def _require_formats(disk_format: str | None, container_format: str | None) -> None:
    missing = [k for k, v in (("disk_format", disk_format),
                              ("container_format", container_format)) if not v]
    if len(missing) == 1:
        raise exc.BadRequest(f"Property {missing[0]} must be set prior to saving data.")
    if missing:
        raise exc.BadRequest(f"Properties {', '.join(missing)} must be set prior to saving data.")


def _too_large(up: Upload) -> str:
    return (f"Denying attempt to upload image because it exceeds the quota or the size cap: "
            f"at most {up.limit} bytes may be written.")


def _mapped(e: BaseException) -> BaseException:
    if isinstance(e, exc.PocketstackError):
        return e
    if isinstance(e, StoreFull):
        return exc.PayloadTooLarge(f"Image storage media is full: {e}")
    if isinstance(e, StoreError):
        return exc.ServiceUnavailable(f"Image data could not be stored: {e}")
    if isinstance(e, TimeoutError):
        return exc.BadRequest("The upload stalled: no data received for "
                              f"{int(IDLE_TIMEOUT)} seconds.")
    if isinstance(e, ClientGone):
        return exc.BadRequest("The upload was interrupted: the client disconnected before "
                              "sending all the data.")
    if isinstance(e, OSError):
        return exc.ServiceUnavailable(f"Image data could not be stored: {e}")
    return e


def _resolve(spec: RangeSpec | None, size: int) -> tuple[int, int, bool]:
    """(offset, length, partial) for a Range request, as RFC 7233 and Glance do it."""
    if spec is None:
        return 0, size, False
    if spec.start is None:
        n = spec.end or 0
        if n <= 0 or size == 0:
            raise exc.RangeNotSatisfiable(f"Requested range not satisfiable (size {size}).")
        n = min(n, size)
        return size - n, n, True
    if spec.start >= size or (spec.end is not None and spec.end < spec.start):
        raise exc.RangeNotSatisfiable(f"Requested range not satisfiable (size {size}).")
    end = size - 1 if spec.end is None else min(spec.end, size - 1)
    return spec.start, end - spec.start + 1, True
