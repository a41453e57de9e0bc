"""Volumes, their metadata, image metadata and attachments."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, exists, func, select

from pocketstack.db.models.volume import (
    Attachment,
    Volume,
    VolumeImageMetadata,
    VolumeMetadata,
)
from pocketstack.db.repositories.base import Repository
from pocketstack.db.repositories.volume.listing import Page, count, fetch


class VolumeRepo(Repository[Volume]):
    model = Volume

    def page(self, page: Page) -> Sequence[Volume]:
        return fetch(self.session, Volume, page)

    def total(self, where: list[Any]) -> int:
        return count(self.session, Volume, where)

    @staticmethod
    def has_metadata(key: str, value: str) -> Any:
        return exists().where(VolumeMetadata.volume_id == Volume.id,
                              VolumeMetadata.key == key, VolumeMetadata.value == value)

    @staticmethod
    def has_image_metadata(key: str, value: str) -> Any:
        return exists().where(VolumeImageMetadata.volume_id == Volume.id,
                              VolumeImageMetadata.key == key,
                              VolumeImageMetadata.value == value)

    def pending(self) -> Sequence[Volume]:
        """Volumes waiting for the worker."""
        return self.find(Volume.task.is_not(None))

    def usage(self, project_id: str, type_id: str | None = None) -> tuple[int, int]:
        """(count, gigabytes) of the project's volumes (of one type, when given)."""
        where = [Volume.project_id == project_id]
        if type_id is not None:
            where.append(Volume.volume_type_id == type_id)
        row = self.session.execute(
            select(func.count(), func.coalesce(func.sum(Volume.size), 0)).where(*where)).one()
        return int(row[0]), int(row[1])

    def usage_by_type(self, project_id: str) -> dict[str | None, tuple[int, int]]:
        rows = self.session.execute(
            select(Volume.volume_type_id, func.count(), func.coalesce(func.sum(Volume.size), 0))
            .where(Volume.project_id == project_id).group_by(Volume.volume_type_id))
        return {r[0]: (int(r[1]), int(r[2])) for r in rows}

    def totals(self, where: list[Any]) -> tuple[int, int]:
        row = self.session.execute(
            select(func.count(), func.coalesce(func.sum(Volume.size), 0)).where(*where)).one()
        return int(row[0]), int(row[1])

    def locations(self) -> set[str]:
        rows = self.session.scalars(select(Volume.provider_location)
                                    .where(Volume.provider_location.is_not(None)))
        return set(rows)

    # -- metadata -----------------------------------------------------------------------
    def metadata(self, volume_id: str) -> dict[str, str]:
        rows = self.session.execute(select(VolumeMetadata.key, VolumeMetadata.value)
                                    .where(VolumeMetadata.volume_id == volume_id))
        return {k: v for k, v in rows}

    def metadata_for(self, ids: list[str]) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {i: {} for i in ids}
        if ids:
            rows = self.session.execute(
                select(VolumeMetadata.volume_id, VolumeMetadata.key, VolumeMetadata.value)
                .where(VolumeMetadata.volume_id.in_(ids)))
            for vid, k, v in rows:
                out[vid][k] = v
        return out

    def set_metadata(self, volume_id: str, items: dict[str, str], *, replace: bool) -> None:
        if replace:
            self.session.execute(VolumeMetadata.__table__.delete().where(
                VolumeMetadata.volume_id == volume_id))
        for key, value in items.items():
            row = self.session.get(VolumeMetadata, (volume_id, key))
            if row is None:
                self.session.add(VolumeMetadata(volume_id=volume_id, key=key, value=value))
            else:
                row.value = value
        self.session.flush()

    def delete_metadata_key(self, volume_id: str, key: str) -> bool:
        row = self.session.get(VolumeMetadata, (volume_id, key))
        if row is None:
            return False
        self.session.delete(row)
        self.session.flush()
        return True

    # -- image metadata -------------------------------------------------------------------
    def image_metadata_for(self, ids: list[str]) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        if ids:
            rows = self.session.execute(
                select(VolumeImageMetadata.volume_id, VolumeImageMetadata.key,
                       VolumeImageMetadata.value).where(VolumeImageMetadata.volume_id.in_(ids)))
            for vid, k, v in rows:
                out.setdefault(vid, {})[k] = v
        return out

    def set_image_metadata(self, volume_id: str, items: dict[str, str]) -> None:
        for key, value in items.items():
            row = self.session.get(VolumeImageMetadata, (volume_id, key))
            if row is None:
                self.session.add(VolumeImageMetadata(volume_id=volume_id, key=key, value=value))
            else:
                row.value = value
        self.session.flush()

    def delete_image_metadata_key(self, volume_id: str, key: str) -> bool:
        row = self.session.get(VolumeImageMetadata, (volume_id, key))
        if row is None:
            return False
        self.session.delete(row)
        self.session.flush()
        return True


class AttachmentRepo(Repository[Attachment]):
    model = Attachment

    def for_volumes(self, ids: list[str]) -> dict[str, list[Attachment]]:
        out: dict[str, list[Attachment]] = {i: [] for i in ids}
        if ids:
            for a in self.find(Attachment.volume_id.in_(ids), order_by=Attachment.created_at):
                out[a.volume_id].append(a)
        return out

    def of_volume(self, volume_id: str) -> Sequence[Attachment]:
        return self.find(Attachment.volume_id == volume_id, order_by=Attachment.created_at)

    def for_instance(self, volume_id: str, instance: str | None) -> Attachment | None:
        return self.first(Attachment.volume_id == volume_id,
                          Attachment.instance_uuid == instance)

    def page(self, page: Page) -> Sequence[Attachment]:
        return fetch(self.session, Attachment, page)

    @staticmethod
    def live(volume_id: str) -> Any:
        return and_(Attachment.volume_id == volume_id, Attachment.attach_status != "detached")
