"""Image sharing: members of a shared image, with the rules Glance enforces.

Only shared images have members (403 otherwise). The owner adds and removes members; a
member (a project) sets its own status (pending, accepted, rejected), which decides whether
the image appears in its default image list; the owner cannot. The owner sees every member,
a member sees only itself, anyone else gets 404.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.timeutils import utcnow
from pocketstack.db.engine import Database
from pocketstack.db.models.image import Image, ImageMember
from pocketstack.db.repositories.image.members import MemberRepo
from pocketstack.services.image import access
from pocketstack.services.image.options import ImageOptions
from pocketstack.services.image.records import load_visible

STATUSES = ("pending", "accepted", "rejected")


def _shared(image: Image) -> None:
    if image.visibility != "shared":
        raise exc.Forbidden(f"Only shared images have members. Image {image.id} has "
                            f"visibility '{image.visibility}'.")


def _member_not_found(image_id: str, member_id: str) -> exc.NotFound:
    return exc.NotFound(f"{member_id} is not a member of image {image_id}.")


class MemberService:
    def __init__(self, db: Database, options: ImageOptions) -> None:
        self.db = db
        self.options = options

    def _owned(self, s: Session, ctx: RequestContext, image_id: str, what: str) -> Image:
        image, _ = load_visible(s, ctx, image_id, for_update=True)
        if not (ctx.is_admin or (access.is_owner(ctx, image) and access.writer(ctx))):
            raise exc.Forbidden(f"You are not permitted to {what} on image {image_id}.")
        return image

    def add(self, ctx: RequestContext, image_id: str, member_id: object) -> ImageMember:
        if not isinstance(member_id, str) or not member_id or len(member_id) > 255:
            raise exc.BadRequest("Member to be added not specified")
        with self.db.write() as s:
            image = self._owned(s, ctx, image_id, "add members")
            _shared(image)
            repo = MemberRepo(s)
            if repo.of(image_id, member_id) is not None:
                raise exc.Conflict(f"The target member {member_id} is already associated with "
                                   f"image {image_id}.")
            if repo.count_for(image_id) + 1 > self.options.member_quota:
                raise exc.OverQuota(f"Maximum number of image members exceeded: "
                                    f"{self.options.member_quota}")
            now = utcnow()
            return repo.add(ImageMember(image_id=image_id, member=member_id, status="pending",
                                        created_at=now, updated_at=now))

    def list(self, ctx: RequestContext, image_id: str) -> list[ImageMember]:
        with self.db.read() as s:
            image, mine = load_visible(s, ctx, image_id)
            _shared(image)
            if ctx.is_admin or access.is_owner(ctx, image):
                return list(MemberRepo(s).for_image(image_id))
            return [mine] if mine is not None else []

    def get(self, ctx: RequestContext, image_id: str, member_id: str) -> ImageMember:
        with self.db.read() as s:
            image, _ = load_visible(s, ctx, image_id)
            _shared(image)
            if not (ctx.is_admin or access.is_owner(ctx, image) or ctx.project_id == member_id):
                raise _member_not_found(image_id, member_id)
            member = MemberRepo(s).of(image_id, member_id)
            if member is None:
                raise _member_not_found(image_id, member_id)
            return member

    def update(self, ctx: RequestContext, image_id: str, member_id: str,
               status: object) -> ImageMember:
        if status not in STATUSES:
            raise exc.BadRequest(f"Provided object does not match schema 'member': "
                                 f"'{status}' is not one of {list(STATUSES)}")
        with self.db.write() as s:
            image, _ = load_visible(s, ctx, image_id, for_update=True)
            _shared(image)
            member = MemberRepo(s).of(image_id, member_id)
            if member is None:
                raise _member_not_found(image_id, member_id)
            if not (ctx.is_admin or ctx.project_id == member_id):
                raise exc.Forbidden("You are not permitted to modify the status of this "
                                    "image member: only the member itself may.")
            access.require_writer(ctx, "modify image members")
            member.status, member.updated_at = str(status), utcnow()
            return member

    def delete(self, ctx: RequestContext, image_id: str, member_id: str) -> None:
        with self.db.write() as s:
            image = self._owned(s, ctx, image_id, "delete members")
            _shared(image)
            repo = MemberRepo(s)
            member = repo.of(image_id, member_id)
            if member is None:
                raise _member_not_found(image_id, member_id)
            repo.delete(member)
