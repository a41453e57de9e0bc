"""Glance's default policy for the calls that do not depend on a particular image.

Rules that depend on the image (owner, visibility, membership, member role) are domain
rules and live in services/image/access.py; these are the coarse, per-call ones.
"""

from __future__ import annotations

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext


def _admin(ctx: RequestContext, action: str) -> None:
    if not ctx.is_admin:
        raise exc.Forbidden(f"You are not authorized to complete {action} action.")


def tasks_api_access(ctx: RequestContext) -> None:
    """The tasks API is admin-only by default (since Mitaka)."""
    _admin(ctx, "tasks_api_access")


def stores_detail(ctx: RequestContext) -> None:
    _admin(ctx, "stores_info_detail")


def metadef_admin(ctx: RequestContext, action: str) -> None:
    """Metadata definitions are written by admins; everyone may read public ones."""
    _admin(ctx, action)
