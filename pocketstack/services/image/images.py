"""Image records: create, show, list, update (JSON Patch), delete, deactivate/reactivate,
tags. Data (upload, download, staging) is in data.py, imports in imports.py."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.ids import new_uuid
from pocketstack.common.timeutils import utcnow
from pocketstack.db.engine import Database
from pocketstack.db.models.image import Image
from pocketstack.db.repositories.image.images import ImageRepo
from pocketstack.services.image import access, listing, patch, rules
from pocketstack.services.image.options import ImageOptions
from pocketstack.services.image.quotas import Quotas
from pocketstack.services.image.records import (
    ImageRecord,
    load_visible,
    load_writable,
    record,
    records,
)

log = logging.getLogger("pocketstack.image")

# Called with (store id, location) after an image's data is no longer referenced.
DataReleaser = Callable[[str | None, str | None, dict[str, Any] | None], None]


class ImageService:
    def __init__(self, db: Database, options: ImageOptions, quotas: Quotas,
                 release_data: DataReleaser) -> None:
        self.db = db
        self.options = options
        self.quotas = quotas
        self.release_data = release_data

    # -- create / read -------------------------------------------------------------------
    def create(self, ctx: RequestContext, body: Any) -> ImageRecord:
        access.require_writer(ctx, "create images")
        base, props, tags = rules.split_create(body, self.options)
        owner = base.pop("owner", None)
        access.check_owner(ctx, owner)
        owner = owner or ctx.project_id
        visibility = base.get("visibility", "shared")
        access.check_visibility_change(ctx, visibility)
        self._check_limits(len(props), len(tags))
        now = utcnow()
        image = Image(id=base.pop("id", None) or new_uuid(), status="queued", owner=owner,
                      visibility=visibility, name=base.get("name"),
                      disk_format=base.get("disk_format"),
                      container_format=base.get("container_format"),
                      min_disk=base.get("min_disk", 0), min_ram=base.get("min_ram", 0),
                      protected=base.get("protected", False),
                      os_hidden=base.get("os_hidden", False), created_at=now, updated_at=now,
                      deleted=False)
        with self.db.write() as s:
            self.quotas.check_count(s, owner)
            repo = ImageRepo(s)
            repo.add(image, conflict=f"Image with identifier {image.id} already exists!")
            repo.set_properties(image.id, dict(props))
            repo.replace_tags(image.id, tags)
            return ImageRecord(image, props, sorted(tags))

    def get(self, ctx: RequestContext, image_id: str) -> ImageRecord:
        with self.db.read() as s:
            image, _ = load_visible(s, ctx, image_id)
            return record(s, image)

    def list(self, ctx: RequestContext,
             params: list[tuple[str, str]]) -> tuple[list[ImageRecord], str | None]:
        """A page of images and the marker of the next page (None when this is the last)."""
        query, marker_id = listing.parse(ctx, params, self.options)
        with self.db.read() as s:
            if marker_id is not None:
                try:
                    query.marker, _ = load_visible(s, ctx, marker_id)
                except exc.NotFound:
                    raise exc.BadRequest(f"Invalid marker. Image {marker_id} could not be "
                                         "found.") from None
            found = list(ImageRepo(s).search(query))
            nxt = found[-1].id if found and query.limit and len(found) == query.limit else None
            return records(s, found), nxt

    # -- update ---------------------------------------------------------------------------
    def update(self, ctx: RequestContext, image_id: str,
               changes: list[patch.Change]) -> ImageRecord:
        with self.db.write() as s:
            image = load_writable(s, ctx, image_id)
            repo = ImageRepo(s)
            props = repo.properties(image_id)
            draft = patch.Draft(base={k: getattr(image, k) for k in rules.WRITABLE},
                                properties=dict(props), tags=repo.tags(image_id),
                                status=image.status)
            patch.apply(ctx, draft, changes, self.options)
            self._check_limits(len(draft.properties), len(draft.tags))
            for key in draft.changed_base:
                setattr(image, key, draft.base[key])
            if draft.changed_properties:
                repo.set_properties(image_id, draft.changed_properties)
            if draft.tags_changed:
                repo.replace_tags(image_id, draft.tags)
            if changes:
                image.updated_at = utcnow()
            repo.flush()
            return ImageRecord(image, draft.properties, sorted(draft.tags))

    def _check_limits(self, n_props: int, n_tags: int) -> None:
        if n_props > self.options.property_quota:
            raise exc.OverQuota(f"Maximum number of image properties exceeded: "
                                f"{self.options.property_quota}")
        if n_tags > self.options.tag_quota:
            raise exc.OverQuota(f"Maximum number of tags exceeded: {self.options.tag_quota}")

    # -- delete / lifecycle ---------------------------------------------------------------
    def delete(self, ctx: RequestContext, image_id: str) -> None:
        with self.db.write() as s:
            image = load_writable(s, ctx, image_id, "delete this image")
            if image.protected:
                raise exc.Forbidden(f"Image {image_id} is protected and cannot be deleted.")
            store, location, staged = image.store, image.location, image.staged
            now = utcnow()
            image.status, image.deleted, image.deleted_at, image.updated_at = (
                "deleted", True, now, now)
            image.location, image.staged, image.upload_lease = None, None, None
            ImageRepo(s).purge_children(image_id)
        self.release_data(store, location, staged)

    def deactivate(self, ctx: RequestContext, image_id: str) -> None:
        self._toggle(ctx, image_id, "deactivate", "active", "deactivated")

    def reactivate(self, ctx: RequestContext, image_id: str) -> None:
        self._toggle(ctx, image_id, "reactivate", "deactivated", "active")

    def _toggle(self, ctx: RequestContext, image_id: str, action: str, source: str,
                target: str) -> None:
        with self.db.write() as s:
            image = load_writable(s, ctx, image_id, f"{action} this image")
            if image.status == target:
                return
            if image.status != source:
                raise exc.Forbidden(f"Not allowed to {action} image in status "
                                    f"'{image.status}'")
            image.status, image.updated_at = target, utcnow()

    # -- tags -----------------------------------------------------------------------------
    def add_tag(self, ctx: RequestContext, image_id: str, tag: str) -> None:
        rules.check_tag(tag)
        with self.db.write() as s:
            load_writable(s, ctx, image_id)
            repo = ImageRepo(s)
            if tag in repo.tags(image_id):
                return
            if len(repo.tags(image_id)) + 1 > self.options.tag_quota:
                raise exc.OverQuota(f"Maximum number of tags exceeded: "
                                    f"{self.options.tag_quota}")
            repo.add_tag(image_id, tag)
            image = repo.live(image_id)
            if image is not None:
                image.updated_at = utcnow()

    def remove_tag(self, ctx: RequestContext, image_id: str, tag: str) -> None:
        with self.db.write() as s:
            image = load_writable(s, ctx, image_id)
            if not ImageRepo(s).remove_tag(image_id, tag):
                raise exc.NotFound(f"Tag {tag} not found")
            image.updated_at = utcnow()
