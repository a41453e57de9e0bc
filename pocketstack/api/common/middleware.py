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


class _Reject(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


BODY_METHODS = ("POST", "PUT", "PATCH")


def json_problem(body: bytes) -> str | None:
    """Why a JSON body must be refused before any service sees it, or None. Python's parser
    accepts NaN and Infinity, which are not JSON and cannot be answered back; NUL characters
    are refused by PostgreSQL and by every OpenStack service."""
    if not body.strip():
        return None

    def no_constants(name: str) -> Any:
        raise ValueError(f"{name} is not valid JSON")

    try:
        doc = json.loads(body, parse_constant=no_constants)
    except ValueError as e:
        return f"Malformed request body: {e}"
    except RecursionError:
        return "Malformed request body: nested too deeply."
    stack = [doc]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return "Invalid input: strings may not contain NUL characters."
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


class RequestMiddleware:
    """Adds X-OpenStack-Request-Id, logs each request, refuses over-large or non-JSON-safe
    bodies, and (for services that do so) treats a trailing slash as absent.

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
        strips_slash: Callable[[str], bool] = lambda _p: True,
        log_requests: bool = True,
    ) -> None:
        self.strips_slash = strips_slash
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
        if any(ord(ch) < 32 for ch in path):
            await self._reply(path, send_wrapper, 404, "The resource could not be found.")
            return
        if b"%00" in scope.get("query_string", b"") or b"\x00" in scope.get("query_string", b""):
            await self._reply(path, send_wrapper, 400,
                              "Invalid query: NUL characters are not allowed.")
            return
        if (len(path) > 1 and path.endswith("/") and not path.endswith("//")
                and self.strips_slash(path)):
            # Keystone treats /v3/users/ as /v3/users (no redirect); Glance and Cinder do
            # not (their /v2/images/ is a 404), so this is the owning service's choice.
            path = path.rstrip("/") or "/"
            scope = {**scope, "path": path, "raw_path": path.encode()}
            scope["state"] = state
        limited = not self.unlimited(path, method)
        try:
            if limited:
                length = _content_length(scope)
                if length is not None and length > self.max_body:
                    raise _BodyTooLarge
                if method in BODY_METHODS and _is_json(scope):
                    receive = await self._checked_json(receive)
                else:
                    receive = self._counting(receive)
            await self.app(scope, receive, send_wrapper)
        except _BodyTooLarge:
            await self._reply(path, send_wrapper, 413, f"Request body is larger than the "
                              f"limit of {self.max_body} bytes.")
        except _Reject as e:
            await self._reply(path, send_wrapper, e.code, e.message)
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

    async def _checked_json(self, receive: Receive) -> Receive:
        """Read the whole (bounded) body, refuse what no service may store, replay it."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise _BodyTooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        problem = json_problem(body)
        if problem:
            raise _Reject(400, problem)
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return replay

    async def _reply(self, path: str, send: Send, code: int, message: str) -> None:
        body = json.dumps(self.error_body(path, code, message)).encode()
        await send(
            {
                "type": "http.response.start",
                "status": code,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return b"json" in value.lower()
    return True  # OpenStack clients often omit it; the services read JSON anyway


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
