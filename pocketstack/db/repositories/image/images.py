"""Images, their custom properties and tags."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import bindparam, false, func, select, update

from pocketstack.db.models.image import Image, ImageMember, ImageProperty, ImageTag
from pocketstack.db.repositories.base import Repository
from pocketstack.db.repositories.image.query import ImageQuery, build

UPLOADING = ("saving", "uploading", "importing")
STAGED = ("uploading", "importing")


# Built once (building a statement costs more than running it).
_PROPERTIES_OF = select(ImageProperty.image_id, ImageProperty.name, ImageProperty.value).where(
    ImageProperty.image_id.in_(bindparam("ids", expanding=True)))
_LIVE = select(Image).where(Image.id == bindparam("id"), Image.deleted == false())
_LIVE_LOCKED = _LIVE.with_for_update()
_TAGS_OF = select(ImageTag.image_id, ImageTag.value).where(
    ImageTag.image_id.in_(bindparam("ids", expanding=True))).order_by(ImageTag.value)


class ImageRepo(Repository[Image]):
    model = Image

    def live(self, image_id: str, *, for_update: bool = False) -> Image | None:
        return self.session.scalars(_LIVE_LOCKED if for_update else _LIVE,
                                    {"id": image_id}).first()

    def search(self, query: ImageQuery) -> Sequence[Image]:
        return self.session.scalars(build(query)).all()

    def in_status(self, statuses: Iterable[str]) -> Sequence[Image]:
        return self.find(Image.deleted == false(), Image.status.in_(list(statuses)))

    # -- quota usage --------------------------------------------------------------------
    def lock_owner(self, owner: str) -> None:
        """Serialise quota checks of one project until the transaction ends. SQLite write
        transactions are serialised already; PostgreSQL takes an advisory lock."""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(select(func.pg_advisory_xact_lock(func.hashtext(owner))))

    def count_owned(self, owner: str) -> int:
        return self.count(Image.owner == owner, Image.deleted == false())

    def stored_bytes(self, owner: str, exclude: str | None = None) -> int:
        where = [Image.owner == owner, Image.deleted == false(), Image.location.is_not(None),
                 Image.status.not_in(("killed", "deleted", "pending_delete"))]
        if exclude:
            where.append(Image.id != exclude)
        total = self.session.scalar(select(func.coalesce(func.sum(Image.size), 0)).where(*where))
        return int(total or 0)

    def staged_images(self, owner: str) -> Sequence[Image]:
        return self.find(Image.owner == owner, Image.deleted == false(),
                         Image.staged.is_not(None))

    def count_uploading(self, owner: str) -> int:
        return self.count(Image.owner == owner, Image.deleted == false(),
                          Image.status.in_(UPLOADING))

    # -- properties ---------------------------------------------------------------------
    def properties(self, image_id: str) -> dict[str, str]:
        return self.properties_for([image_id])[image_id]

    def properties_for(self, image_ids: list[str]) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {i: {} for i in image_ids}
        if image_ids:
            rows = self.session.execute(_PROPERTIES_OF, {"ids": image_ids})
            for image_id, name, value in rows:
                out[image_id][name] = value
        return out

    def set_properties(self, image_id: str, changes: dict[str, str | None]) -> None:
        """Upsert (value) or delete (None) custom properties."""
        current = self.properties(image_id)
        for name, value in changes.items():
            if value is None:
                if name in current:
                    self.session.execute(ImageProperty.__table__.delete().where(
                        ImageProperty.image_id == image_id, ImageProperty.name == name))
            elif name in current:
                if current[name] != value:
                    self.session.execute(
                        update(ImageProperty)
                        .where(ImageProperty.image_id == image_id, ImageProperty.name == name)
                        .values(value=value).execution_options(synchronize_session=False))
            else:
                self.session.add(ImageProperty(image_id=image_id, name=name, value=value))
        self.session.flush()

    # -- tags ---------------------------------------------------------------------------
    def tags(self, image_id: str) -> list[str]:
        return self.tags_for([image_id])[image_id]

    def tags_for(self, image_ids: list[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {i: [] for i in image_ids}
        if image_ids:
            rows = self.session.execute(_TAGS_OF, {"ids": image_ids})
            for image_id, value in rows:
                out[image_id].append(value)
        return out

    def replace_tags(self, image_id: str, tags: list[str]) -> None:
        current = set(self.tags(image_id))
        wanted = list(dict.fromkeys(tags))
        for gone in current - set(wanted):
            self.remove_tag(image_id, gone)
        for tag in wanted:
            if tag not in current:
                self.session.add(ImageTag(image_id=image_id, value=tag))
        self.session.flush()

    def add_tag(self, image_id: str, tag: str) -> bool:
        if self.session.get(ImageTag, (image_id, tag)) is not None:
            return False
        self.session.add(ImageTag(image_id=image_id, value=tag))
        self.session.flush()
        return True

    def remove_tag(self, image_id: str, tag: str) -> bool:
        result = self.session.execute(ImageTag.__table__.delete().where(
            ImageTag.image_id == image_id, ImageTag.value == tag))
        return bool(result.rowcount)

    def purge_children(self, image_id: str) -> None:
        """What a deleted image leaves behind: nothing but its tombstone row."""
        for model in (ImageProperty, ImageTag, ImageMember):
            self.session.execute(model.__table__.delete().where(model.image_id == image_id))
