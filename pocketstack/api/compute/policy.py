"""Nova's default policy, simplified: admin-only APIs (hosts, hypervisors, services,
aggregates, flavor management, migrations, quotas of other projects...) and the project
member rules for servers (a project's servers are its own; others' are invisible)."""

from __future__ import annotations

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext


def denied(rule: str) -> exc.Forbidden:
    return exc.Forbidden(f"Policy doesn't allow {rule} to be performed.")


def admin(ctx: RequestContext, rule: str) -> None:
    if not ctx.is_admin:
        raise denied(rule)


def service(ctx: RequestContext, rule: str) -> None:
    """Nova's ``service_api`` rule: a service user (e.g. Cinder's) or an admin."""
    if not (ctx.is_admin or "service" in ctx.roles):
        raise denied(rule)


def admin_or_project(ctx: RequestContext, project_id: str | None, rule: str) -> None:
    if not (ctx.is_admin or (project_id and project_id == ctx.project_id)):
        raise denied(rule)


def member(ctx: RequestContext, rule: str) -> None:
    """Writes need a role on the project (a reader-only token may only look)."""
    if ctx.is_admin:
        return
    if ctx.roles and all(r == "reader" for r in ctx.roles):
        raise denied(rule)
