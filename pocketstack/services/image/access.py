"""Who may see and change an image: Glance's default policy (secure RBAC defaults, scope
enforcement off). Admins may do everything. Project members own their project's images;
readers only read. Public and community images are readable by all, shared images by their
members (whatever their member status), private images by their owner only."""

from __future__ import annotations

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.db.models.image import Image, ImageMember


def not_found(image_id: str) -> exc.NotFound:
    return exc.NotFound(f"No image found with ID {image_id}")


def is_owner(ctx: RequestContext, image: Image) -> bool:
    return bool(ctx.project_id) and image.owner == ctx.project_id


def can_see(ctx: RequestContext, image: Image, member: ImageMember | None) -> bool:
    if ctx.is_admin or is_owner(ctx, image):
        return True
    if image.visibility in ("public", "community"):
        return True
    return image.visibility == "shared" and member is not None


def writer(ctx: RequestContext) -> bool:
    """The member role (or admin): readers may not change anything."""
    return ctx.is_admin or ctx.has_role("member")


def require_modify(ctx: RequestContext, image: Image, what: str = "modify this image") -> None:
    if ctx.is_admin:
        return
    if not (is_owner(ctx, image) and writer(ctx)):
        raise exc.Forbidden(f"You are not permitted to {what}.")


def require_writer(ctx: RequestContext, what: str) -> None:
    if not writer(ctx):
        raise exc.Forbidden(f"You are not permitted to {what}.")


def check_visibility_change(ctx: RequestContext, visibility: str) -> None:
    """Only admins publicize (publicize_image defaults to admin)."""
    if visibility == "public" and not ctx.is_admin:
        raise exc.Forbidden("You are not authorized to complete publicize_image action.")


def check_owner(ctx: RequestContext, owner: str | None) -> None:
    if owner is not None and owner != ctx.project_id and not ctx.is_admin:
        raise exc.Forbidden(f"You are not permitted to create images owned by '{owner}'.")
