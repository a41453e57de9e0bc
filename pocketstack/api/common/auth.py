"""Authentication for every API: X-Auth-Token is validated in-process by the identity
service (as keystonemiddleware would do over HTTP) and becomes a RequestContext."""

from __future__ import annotations

from fastapi import Request

from pocketstack.common.context import RequestContext
from pocketstack.services.cloud import Cloud


def cloud(request: Request) -> Cloud:
    return request.app.state.cloud  # type: ignore[no-any-return]


async def authenticated(request: Request) -> RequestContext:
    """FastAPI dependency: the caller, or 401 with the service's error body.

    It runs in the event loop, not the thread pool: a validation is a cache hit almost always
    (a decrypt and one tiny indexed read), cheaper than the hop to a worker thread."""
    state = request.scope.setdefault("state", {})
    ctx = cloud(request).identity.tokens.context_for(
        request.headers.get("x-auth-token"), state.get("request_id", "")
    )
    state["user_id"] = ctx.user_id
    state["project_id"] = ctx.project_id
    return ctx
