"""Pure-ASGI middleware: request ids, one structured log line per request, body limits."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
ErrorBody = Callable[[str, int, str], dict[str, Any]]

log = logging.getLogger("pocketstack.access")


class _BodyTooLarge(Exception):
    pass


class RequestMiddleware:
    """Adds X-OpenStack-Request-Id, logs each request, and refuses over-large bodies.

    ``unlimited(path, method)`` names the requests that stream data (image upload...), which
    the body limit does not apply to. ``error_body(path, code, message)`` renders an error in
    the format of the service that owns the path.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body: int,
        error_body: ErrorBody,
        unlimited: Callable[[str, str], bool] = lambda _p, _m: False,
        log_requests: bool = True,
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.error_body = error_body
        self.unlimited = unlimited
        self.log_requests = log_requests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        request_id = "req-" + str(uuid.uuid4())
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        status = [500]
        rid_header = (b"x-openstack-request-id", request_id.encode())

        async def send_wrapper(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                message["headers"] = [*message.get("headers", []), rid_header]
            await send(message)

        path, method = scope["path"], scope["method"]
        if len(path) > 1 and path.endswith("/") and not path.endswith("//"):
            # OpenStack services treat /v3/users/ as /v3/users (no redirect).
            path = path.rstrip("/") or "/"
            scope = {**scope, "path": path, "raw_path": path.encode()}
            scope["state"] = state
        limited = not self.unlimited(path, method)
        try:
            if limited:
                length = _content_length(scope)
                if length is not None and length > self.max_body:
                    raise _BodyTooLarge
                receive = self._counting(receive)
            await self.app(scope, receive, send_wrapper)
        except _BodyTooLarge:
            await self._reject(path, send_wrapper)
        finally:
            if self.log_requests:
                ms = (time.perf_counter() - start) * 1000
                log.info(
                    "%s %s %s %.1fms %s user=%s project=%s",
                    method,
                    path,
                    status[0],
                    ms,
                    request_id,
                    state.get("user_id", "-"),
                    state.get("project_id", "-"),
                )

    def _counting(self, receive: Receive) -> Receive:
        seen = 0
        limit = self.max_body

        async def wrapped() -> dict[str, Any]:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _BodyTooLarge
            return message

        return wrapped

    async def _reject(self, path: str, send: Send) -> None:
        msg = f"Request body is larger than the limit of {self.max_body} bytes."
        body = json.dumps(self.error_body(path, 413, msg)).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
