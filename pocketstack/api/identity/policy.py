"""Keystone's default policy, simplified to the classic cloud-admin model: the admin role
(in any scope) may do everything; other users may read and manage what is their own."""

from __future__ import annotations

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext

DENIED = "You are not authorized to perform the requested action: {}."


def admin(ctx: RequestContext, action: str) -> None:
    if not ctx.is_admin:
        raise exc.Forbidden(DENIED.format(action))


def admin_or_self(ctx: RequestContext, user_id: str, action: str) -> None:
    if not (ctx.is_admin or ctx.user_id == user_id):
        raise exc.Forbidden(DENIED.format(action))


def admin_or_project(ctx: RequestContext, project_id: str, action: str) -> None:
    if not (ctx.is_admin or ctx.project_id == project_id):
        raise exc.Forbidden(DENIED.format(action))


def admin_or_domain(ctx: RequestContext, domain_id: str, action: str) -> None:
    if not (ctx.is_admin or domain_id in (ctx.domain_id, ctx.project_domain_id,
                                           ctx.user_domain_id)):
        raise exc.Forbidden(DENIED.format(action))


def default_domain(ctx: RequestContext) -> str:
    """Where new users, groups and projects go when the body names no domain."""
    return ctx.domain_id or ctx.project_domain_id or "default"
