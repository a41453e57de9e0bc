"""What the image services hand to the API: an image row with its properties and tags, and
the loaders every operation starts with (live image, visible to the caller, or 404)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from pocketstack.common.context import RequestContext
from pocketstack.db.models.image import Image, ImageMember
from pocketstack.db.repositories.image.images import ImageRepo
from pocketstack.db.repositories.image.members import MemberRepo
from pocketstack.services.image import access

# Properties Glance keeps to itself: never shown.
HIDDEN_PROPERTIES = ("os_glance_stage_host", "os_glance_hash_op_host")


@dataclass
class ImageRecord:
    image: Image
    properties: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)


def load_visible(s: Session, ctx: RequestContext, image_id: str, *,
                 for_update: bool = False) -> tuple[Image, ImageMember | None]:
    """The image if the caller may see it, and the caller's membership when that is what
    lets them (a shared image they neither own nor administer; None otherwise)."""
    image = ImageRepo(s).live(image_id, for_update=for_update)
    if image is None:
        raise access.not_found(image_id)
    member = None
    if image.visibility == "shared" and ctx.project_id and not (
            ctx.is_admin or access.is_owner(ctx, image)):
        member = MemberRepo(s).of(image_id, ctx.project_id)
    if not access.can_see(ctx, image, member):
        raise access.not_found(image_id)
    return image, member


def load_writable(s: Session, ctx: RequestContext, image_id: str,
                  what: str = "modify this image") -> Image:
    image, _ = load_visible(s, ctx, image_id, for_update=True)
    access.require_modify(ctx, image, what)
    return image


def record(s: Session, image: Image) -> ImageRecord:
    repo = ImageRepo(s)
    return ImageRecord(image, repo.properties(image.id), repo.tags(image.id))


def records(s: Session, images: list[Image]) -> list[ImageRecord]:
    repo = ImageRepo(s)
    ids = [i.id for i in images]
    props, tags = repo.properties_for(ids), repo.tags_for(ids)
    return [ImageRecord(i, props[i.id], tags[i.id]) for i in images]
