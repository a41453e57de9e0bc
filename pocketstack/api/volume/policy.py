"""Cinder's default policy, simplified to the classic model: the admin role may do
everything; other users manage what belongs to their project (the service loads rows
through the caller's project, so a foreign id is a 404, not a 403)."""

from __future__ import annotations

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext

DENIED = "Policy doesn't allow {} to be performed."


def admin(ctx: RequestContext, action: str) -> None:
    if not ctx.is_admin:
        raise exc.Forbidden(DENIED.format(action))


def member(ctx: RequestContext, action: str) -> None:
    """Changes need a project-scoped token (any role but a pure reader)."""
    if ctx.project_id is None and not ctx.is_admin:
        raise exc.Forbidden(DENIED.format(action))
    if ctx.roles and set(ctx.roles) <= {"reader"}:
        raise exc.Forbidden(DENIED.format(action))


def admin_or_project(ctx: RequestContext, project_id: str, action: str) -> None:
    if not (ctx.is_admin or ctx.project_id == project_id):
        raise exc.Forbidden(DENIED.format(action))
