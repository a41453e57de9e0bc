"""The tasks API (/v2/tasks, admin-only by default): 'import' tasks that create an image from
a URL, and listing/showing tasks (interoperable-import tasks included)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.ids import new_uuid
from pocketstack.common.timeutils import utcnow
from pocketstack.db.engine import Database
from pocketstack.db.models.image import ImageTask
from pocketstack.db.repositories.image.images import ImageRepo
from pocketstack.db.repositories.image.tasks import TaskRepo
from pocketstack.services.image import formats, importers
from pocketstack.services.image.imports import TASK_TTL
from pocketstack.services.image.options import ImageOptions
from pocketstack.services.image.records import ImageRecord
from pocketstack.services.image.stores import Stores

log = logging.getLogger("pocketstack.image")

TASK_TYPES = ("import",)
SORT_KEYS = ("created_at", "updated_at", "status", "type", "id")

# (ctx, body) -> the new image record: the image service's create().
ImageCreator = Callable[[RequestContext, Any], ImageRecord]


class TaskService:
    def __init__(self, db: Database, options: ImageOptions, stores: Stores,
                 task_pool: Executor, create_image: ImageCreator) -> None:
        self.db = db
        self.options = options
        self.stores = stores
        self.task_pool = task_pool
        self.create_image = create_image

    def create(self, ctx: RequestContext, body: Any) -> ImageTask:
        if not isinstance(body, dict):
            raise exc.BadRequest("Body expected in request.")
        task_type = body.get("type")
        if task_type not in TASK_TYPES:
            raise exc.BadRequest(f"Task type '{task_type}' is not supported; supported: "
                                 f"{', '.join(TASK_TYPES)}.")
        task_input = body.get("input")
        if not isinstance(task_input, dict):
            raise exc.BadRequest("Invalid JSON: 'input' must be an object.")
        for key in ("import_from", "import_from_format", "image_properties"):
            if key not in task_input:
                raise exc.BadRequest(f"Input does not contain '{key}' field")
        uri = task_input["import_from"]
        if not isinstance(uri, str) or not importers.uri_allowed(uri, self.options):
            raise exc.BadRequest(f"URI for import does not pass filtering: {uri}")
        now = utcnow()
        task = ImageTask(id=new_uuid(), type=task_type, status="pending", owner=ctx.project_id,
                         request_id=ctx.request_id, user_id=ctx.user_id, input=task_input,
                         message="", created_at=now, updated_at=now)
        with self.db.write() as s:
            TaskRepo(s).add(task)
        self.task_pool.submit(self._run, ctx, task.id)
        return task

    def get(self, ctx: RequestContext, task_id: str) -> ImageTask:
        with self.db.read() as s:
            task = TaskRepo(s).get(task_id)
            if task is None:
                raise exc.NotFound(f"Task with the given id {task_id} was not found")
            return task

    def list(self, ctx: RequestContext, params: dict[str, str]) -> list[ImageTask]:
        sort_key = params.get("sort_key", "created_at")
        sort_dir = params.get("sort_dir", "desc")
        if sort_key not in SORT_KEYS:
            raise exc.BadRequest(f"Invalid sort key: {sort_key}")
        if sort_dir not in ("asc", "desc"):
            raise exc.BadRequest(f"Invalid sort direction: {sort_dir}")
        try:
            limit = min(int(params.get("limit", self.options.limit_param_default)),
                        self.options.api_limit_max)
        except ValueError:
            raise exc.BadRequest("limit param must be an integer") from None
        if limit < 0:
            raise exc.BadRequest("limit param must be positive")
        equal = {k: params[k] for k in ("type", "status") if k in params}
        with self.db.read() as s:
            repo = TaskRepo(s)
            marker = None
            if "marker" in params:
                marker = repo.get(params["marker"])
                if marker is None:
                    raise exc.BadRequest(f"Invalid marker. Task {params['marker']} could not "
                                         "be found.")
            return list(repo.search(owner=None, equal=equal, sort_key=sort_key,
                                    sort_dir=sort_dir, limit=limit, marker=marker))

    # -- the worker -------------------------------------------------------------------------
    def _run(self, ctx: RequestContext, task_id: str) -> None:
        image_id = None
        try:
            task = self._set(task_id, "processing")
            props = dict(task.input.get("image_properties") or {})
            rec = self.create_image(ctx, props)
            image_id = rec.image.id
            imported = importers.fetch(task.input["import_from"], self.stores.default,
                                       image_id, limit=self.options.image_size_cap,
                                       options=self.options)
            self._activate(image_id, imported)
            self._set(task_id, "success", result={"image_id": image_id})
        except (importers.ImportFailed, exc.PocketstackError) as e:
            self._set(task_id, "failure", message=str(e), result=None)
        except Exception as e:  # noqa: BLE001 - a task must end, whatever happened
            log.exception("image task %s failed", task_id)
            self._set(task_id, "failure", message=f"{type(e).__name__}: {e}")

    def _activate(self, image_id: str, imported: importers.Imported) -> None:
        d = imported.digest
        with self.db.write() as s:
            image = ImageRepo(s).live(image_id, for_update=True)
            if image is None or image.status != "queued":
                self.stores.default.delete(imported.location)
                raise importers.ImportFailed("The image was deleted during the import.")
            image.status, image.size, image.checksum = "active", d.size, d.checksum
            image.os_hash_algo, image.os_hash_value = d.hash_algo, d.hash_value
            image.virtual_size = formats.virtual_size(image.disk_format, d.head, d.tail, d.size)
            image.store, image.location = self.stores.default.id, imported.location
            image.updated_at = utcnow()

    def _set(self, task_id: str, status: str, *, message: str = "",
             result: dict[str, Any] | None = None) -> ImageTask:
        with self.db.write() as s:
            task = TaskRepo(s).get(task_id)
            if task is None:
                raise importers.ImportFailed("task vanished")
            now = utcnow()
            task.status, task.message, task.updated_at = status, message, now
            if status in ("success", "failure"):
                task.result, task.expires_at = result, now + TASK_TTL
            return task
