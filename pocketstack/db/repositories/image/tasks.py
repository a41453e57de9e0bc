"""Image tasks (imports)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from pocketstack.db.models.image import ImageTask
from pocketstack.db.repositories.base import Repository


class TaskRepo(Repository[ImageTask]):
    model = ImageTask

    def for_image(self, image_id: str) -> Sequence[ImageTask]:
        return self.find(ImageTask.image_id == image_id, order_by=ImageTask.created_at)

    def search(self, *, owner: str | None, equal: dict[str, Any], sort_key: str,
               sort_dir: str, limit: int, marker: ImageTask | None) -> Sequence[ImageTask]:
        stmt = select(ImageTask)
        if owner is not None:
            stmt = stmt.where(ImageTask.owner == owner)
        for key, value in equal.items():
            stmt = stmt.where(getattr(ImageTask, key) == value)
        col = getattr(ImageTask, sort_key)
        if marker is not None:
            mval = getattr(marker, sort_key)
            if sort_dir == "asc":
                stmt = stmt.where((col > mval) | ((col == mval) & (ImageTask.id > marker.id)))
            else:
                stmt = stmt.where((col < mval) | ((col == mval) & (ImageTask.id < marker.id)))
        order = (col.asc(), ImageTask.id.asc()) if sort_dir == "asc" else (
            col.desc(), ImageTask.id.desc())
        return self.session.scalars(stmt.order_by(*order).limit(limit)).all()

    def unfinished(self) -> Sequence[ImageTask]:
        return self.find(ImageTask.status.in_(("pending", "processing")))
