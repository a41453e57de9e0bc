"""Interoperable image import (POST /v2/images/{id}/import) and its tasks.

The call validates and records desired state at once (a task 'processing', the image
'importing', the import lock os_glance_import_task, os_glance_importing_to_stores) and
answers 202; a worker thread does the transfer and moves the image to active, or back to
queued with os_glance_failed_import set. Tasks are visible at /v2/images/{id}/tasks.
"""

from __future__ import annotations

import logging
import uuid
from concurrent.futures import Executor
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.ids import new_uuid
from pocketstack.common.timeutils import utcnow
from pocketstack.db.engine import Database
from pocketstack.db.models.image import Image, ImageTask
from pocketstack.db.repositories.image.images import ImageRepo
from pocketstack.db.repositories.image.tasks import TaskRepo
from pocketstack.services.image import formats, importers
from pocketstack.services.image.importers import Imported, ImportFailed
from pocketstack.services.image.options import ImageOptions
from pocketstack.services.image.quotas import Quotas
from pocketstack.services.image.records import load_visible, load_writable
from pocketstack.services.image.stores import Stores

log = logging.getLogger("pocketstack.image")

TASK_TTL = timedelta(hours=48)
LOCK = "os_glance_import_task"
IMPORTING = "os_glance_importing_to_stores"
FAILED = "os_glance_failed_import"


class ImportService:
    def __init__(self, db: Database, options: ImageOptions, quotas: Quotas, stores: Stores,
                 task_pool: Executor, identity_url: str) -> None:
        self.db = db
        self.options = options
        self.quotas = quotas
        self.stores = stores
        self.task_pool = task_pool
        self.identity_url = identity_url

    def info(self) -> dict[str, Any]:
        return {"import-methods": {"description": "Import methods available.",
                                   "type": "array", "value": list(self.options.import_methods)}}

    def image_tasks(self, ctx: RequestContext, image_id: str) -> list[ImageTask]:
        with self.db.read() as s:
            load_visible(s, ctx, image_id)
            return list(TaskRepo(s).for_image(image_id))

    # -- POST /v2/images/{id}/import -----------------------------------------------------
    def start(self, ctx: RequestContext, image_id: str, body: Any, token: str | None) -> str:
        method, params = self._validate_body(body)
        if method == "web-download" and not importers.uri_allowed(params.get("uri", ""),
                                                                  self.options):
            raise exc.BadRequest(f"URI for web-download does not pass filtering: "
                                 f"{params.get('uri')}")
        with self.db.write() as s:
            image = load_writable(s, ctx, image_id, "import image data")
            stores = self._target_stores(image, method, body)
            self._check_status(image, method)
            repo = ImageRepo(s)
            props = repo.properties(image_id)
            self._take_lock(s, props, image_id)
            if method != "copy-image":
                self.quotas.check_uploading(s, image.owner)
            task = self._new_task(s, ctx, image, body, stores)
            repo.set_properties(image_id, {LOCK: task.id, IMPORTING: ",".join(stores),
                                           FAILED: ""})
            if method != "copy-image":
                image.status = "importing"
            image.updated_at = utcnow()
        self.task_pool.submit(self._run, task.id, method, params, token)
        return task.id

    def _validate_body(self, body: Any) -> tuple[str, dict[str, Any]]:
        if not isinstance(body, dict):
            raise exc.BadRequest("Body expected in request.")
        method = body.get("method")
        if not isinstance(method, dict):
            raise exc.BadRequest("Import request requires a 'method' field.")
        name = method.get("name")
        if name is None:
            raise exc.BadRequest("Import request requires a 'name' field.")
        if name not in self.options.import_methods:
            raise exc.BadRequest(f"Unknown import method name '{name}'.")
        for key in ("all_stores_must_succeed", "all_stores"):
            if key in body and not isinstance(body[key], bool):
                raise exc.BadRequest(f"'{key}' must be boolean value only")
        if name == "web-download" and not isinstance(method.get("uri"), str):
            raise exc.BadRequest("Import method web-download requires a 'uri'.")
        if name == "glance-download":
            self._validate_glance_download(method)
        return name, dict(method)

    @staticmethod
    def _validate_glance_download(method: dict[str, Any]) -> None:
        for key in ("glance_region", "glance_image_id"):
            if key not in method:
                raise exc.BadRequest(f"'{key}' needs to be set for glance-download import "
                                     "method")
        try:
            uuid.UUID(str(method["glance_image_id"]))
        except ValueError:
            raise exc.BadRequest(f"Remote image id does not look like a UUID: "
                                 f"{method['glance_image_id']}") from None
        method.setdefault("glance_service_interface", "public")

    def _target_stores(self, image: Image, method: str, body: dict[str, Any]) -> list[str]:
        known = self.stores.writable_ids()
        stores = body.get("stores")
        if stores is not None:
            if body.get("all_stores"):
                raise exc.BadRequest("all_stores is mutually exclusive with stores")
            if not isinstance(stores, list) or not stores:
                raise exc.BadRequest("'stores' must be a non-empty list of store ids.")
            unknown = [x for x in stores if x not in known]
            if unknown:
                raise exc.Conflict(f"Store for identifier {unknown[0]} not found")
        else:
            stores = known if body.get("all_stores") else [self.stores.default.id]
        if method == "copy-image":
            present = {image.store} if image.location else set()
            if not body.get("all_stores"):
                for store_id in stores:
                    if store_id in present:
                        raise exc.BadRequest(f"Image is already present at store "
                                             f"'{store_id}'")
            stores = [x for x in stores if x not in present]
        return list(stores)

    @staticmethod
    def _check_status(image: Image, method: str) -> None:
        if image.status == "active" and method != "copy-image":
            raise exc.Conflict("Image with status active cannot be target for import")
        if image.status != "active" and method == "copy-image":
            raise exc.Conflict("Only images with status active can be targeted for copying")
        if image.status != "queued" and method in ("web-download", "glance-download"):
            raise exc.Conflict(f"Image needs to be in 'queued' state to use '{method}' "
                               "method")
        if image.status != "uploading" and method == "glance-direct":
            raise exc.Conflict("Image needs to be staged before 'glance-direct' method can "
                               "be used")
        if not image.container_format:
            raise exc.Conflict("'container_format' needs to be set before import")
        if not image.disk_format:
            raise exc.Conflict("'disk_format' needs to be set before import")

    @staticmethod
    def _take_lock(s: Session, props: dict[str, str], image_id: str) -> None:
        holder = props.get(LOCK)
        if not holder:
            return
        task = TaskRepo(s).get(holder)
        if task is not None and task.status in ("pending", "processing"):
            raise exc.Conflict(f"New operation on image '{image_id}' is not permitted as "
                               "prior operation is still in progress")

    @staticmethod
    def _new_task(s: Session, ctx: RequestContext, image: Image, body: dict[str, Any],
                  stores: list[str]) -> ImageTask:
        now = utcnow()
        task = ImageTask(id=new_uuid(), type="api_image_import", status="processing",
                         owner=image.owner, image_id=image.id, request_id=ctx.request_id,
                         user_id=ctx.user_id, message="", created_at=now, updated_at=now,
                         input={"image_id": image.id, "import_req": body, "backend": stores})
        TaskRepo(s).add(task)
        return task

    # -- the worker -------------------------------------------------------------------------
    def _run(self, task_id: str, method: str, params: dict[str, Any], token: str | None) -> None:
        try:
            with self.db.read() as s:
                task = TaskRepo(s).get(task_id)
                image = ImageRepo(s).live(task.image_id or "") if task else None
                if task is None or image is None:
                    return
                owner, staged = image.owner, dict(image.staged or {})
            if method == "copy-image":
                self._complete(task_id, None, None)
                return
            limit = self._limit(owner, image.id)
            store = self.stores.default
            imported = self._transfer(method, params, token, image.id, store, staged, limit)
            self._complete(task_id, imported, params if method == "glance-download" else None)
        except ImportFailed as e:
            self._fail(task_id, str(e))
        except Exception as e:  # noqa: BLE001 - a task must end, whatever happened
            log.exception("image import task %s failed", task_id)
            self._fail(task_id, f"Import failed: {type(e).__name__}: {e}")

    def _limit(self, owner: str | None, image_id: str) -> int:
        with self.db.read() as s:
            try:
                return self.quotas.bytes_left(s, owner, image_id, staging=False)
            except exc.OverQuota as e:
                raise ImportFailed(e.message) from e

    def _transfer(self, method: str, params: dict[str, Any], token: str | None, image_id: str,
                  store: Any, staged: dict[str, Any], limit: int) -> Imported:
        if method == "glance-direct":
            if not staged:
                raise ImportFailed("No staged data found for this image.")
            if int(staged["size"]) > limit:
                raise ImportFailed("The staged data exceeds the image_size_total quota.")
            return importers.from_staging(self.stores.staging, store, staged, image_id)
        if method == "web-download":
            return importers.fetch(params["uri"], store, image_id, limit=limit,
                                   options=self.options)
        return self._glance_download(params, token, store, image_id, limit)

    def _glance_download(self, params: dict[str, Any], token: str | None, store: Any,
                         image_id: str, limit: int) -> Imported:
        if not token:
            raise ImportFailed("glance-download needs the caller's token.")
        timeout = self.options.download_timeout
        endpoint = importers.remote_image_endpoint(
            self.identity_url, token, params["glance_region"],
            params["glance_service_interface"], timeout)
        remote_id = params["glance_image_id"]
        remote = importers.get_json(f"{endpoint}/v2/images/{remote_id}", token, timeout)
        if not isinstance(remote, dict) or remote.get("status") != "active":
            raise ImportFailed(f"Remote image {remote_id} is not active.")
        params["_remote"] = remote
        return importers.fetch(f"{endpoint}/v2/images/{remote_id}/file", store, image_id,
                               limit=limit, options=self.options,
                               headers={"X-Auth-Token": token})

    def _complete(self, task_id: str, imported: Imported | None,
                  download: dict[str, Any] | None) -> None:
        with self.db.write() as s:
            task = TaskRepo(s).get(task_id)
            repo = ImageRepo(s)
            image = repo.live(task.image_id or "", for_update=True) if task else None
            if task is None or image is None or (imported and image.status != "importing"):
                if imported is not None:
                    self.stores.default.delete(imported.location)
                if task is not None:
                    _finish_task(task, "failure", "The image was deleted during the import.")
                return
            if imported is not None:
                self._activate(s, image, imported, download)
            repo.set_properties(image.id, {IMPORTING: "", FAILED: ""})
            _finish_task(task, "success", "")

    def _activate(self, s: Session, image: Image, imported: Imported,
                  download: dict[str, Any] | None) -> None:
        digest = imported.digest
        if download is not None:
            self._copy_remote(s, image, download.get("_remote") or {})
        staged = image.staged or {}
        vsize = staged.get("virtual_size") if staged else None
        if vsize is None and digest.head:
            vsize = formats.virtual_size(image.disk_format, digest.head, digest.tail,
                                         digest.size)
        elif image.disk_format in ("raw", "iso"):
            vsize = digest.size
        image.status, image.size, image.virtual_size = "active", digest.size, vsize
        image.checksum, image.os_hash_algo = digest.checksum, digest.hash_algo
        image.os_hash_value = digest.hash_value
        image.store, image.location = self.stores.default.id, imported.location
        image.staged, image.updated_at = None, utcnow()

    def _copy_remote(self, s: Session, image: Image, remote: dict[str, Any]) -> None:
        """glance-download: take formats and the configured properties from the source."""
        image.disk_format = remote.get("disk_format") or image.disk_format
        image.container_format = remote.get("container_format") or image.container_format
        wanted = self.options.glance_download_properties
        copy = {k: v for k, v in remote.items() if isinstance(v, str)
                and any(k == w or (w.endswith(("_", ":")) and k.startswith(w)) for w in wanted)}
        ImageRepo(s).set_properties(image.id, copy)

    def _fail(self, task_id: str, message: str) -> None:
        staged_location = None
        with self.db.write() as s:
            task = TaskRepo(s).get(task_id)
            if task is None:
                return
            _finish_task(task, "failure", message)
            repo = ImageRepo(s)
            image = repo.live(task.image_id or "", for_update=True)
            if image is None:
                return
            failed = ",".join((task.input or {}).get("backend") or [])
            repo.set_properties(image.id, {IMPORTING: "", FAILED: failed})
            if image.status == "importing":
                staged_location = (image.staged or {}).get("location")
                image.status, image.staged, image.updated_at = "queued", None, utcnow()
        if staged_location:
            self.stores.staging.delete(staged_location)

    # -- crash recovery ---------------------------------------------------------------------
    def recover(self) -> None:
        """Tasks left running by a stopped server fail; their images go back to queued."""
        with self.db.read() as s:
            stale = [t.id for t in TaskRepo(s).unfinished()]
        for task_id in stale:
            self._fail(task_id, "The server stopped while this task was running.")


def _finish_task(task: ImageTask, status: str, message: str) -> None:
    now = utcnow()
    task.status, task.message, task.updated_at = status, message, now
    task.expires_at = now + TASK_TTL
    if status == "success" and task.image_id:
        task.result = {"image_id": task.image_id}
