"""Compute API microversions (2.1 ... MAX): the request's version from `OpenStack-API-Version:
compute X` or the legacy `X-OpenStack-Nova-API-Version: X`, 'latest' meaning the newest;
406 outside the range, 400 for a malformed value; the version used is echoed in the response
headers. Versions are handled as their minor number (2.47 -> 47), major being always 2.

The middleware also normalises URLs: `/v2.1/{project_id}/servers` (the legacy form with a
project id) becomes `/v2.1/servers`, and the v2.0 endpoint `/v2/...` is served by the v2.1
code at version 2.1, as Nova's v2 compatibility mode does.
"""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import Request

from pocketstack.api.common.errors import nova_body

MIN_VERSION = 1
MAX_VERSION = 104
VERSION_RE = re.compile(r"^([1-9]\d*)\.([1-9]\d*|0)$")
PROJECT_SEGMENT = re.compile(r"^/(v2(?:\.1)?)/([0-9a-fA-F]{32}|[0-9a-fA-F-]{36})(/.*)?$")
STATE_KEY = "compute_mv"


def text(minor: int) -> str:
    return f"2.{minor}"


def mv(request: Request) -> int:
    """The microversion of this request, as its minor number."""
    return int(request.scope.get("state", {}).get(STATE_KEY, MIN_VERSION))


def at_least(request: Request, minor: int) -> bool:
    return mv(request) >= minor


class VersionError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def parse(headers: list[tuple[bytes, bytes]]) -> int:
    """The requested minor version, MIN_VERSION when none is asked for."""
    value = None
    legacy = None
    for name, raw in headers:
        if name == b"openstack-api-version":
            for part in raw.decode("latin-1").split(","):
                service, _, ver = part.strip().partition(" ")
                if service.lower() == "compute":
                    value = ver.strip()
        elif name == b"x-openstack-nova-api-version":
            legacy = raw.decode("latin-1").strip()
    value = value if value is not None else legacy
    if value is None:
        return MIN_VERSION
    if value.lower() == "latest":
        return MAX_VERSION
    match = VERSION_RE.match(value)
    if not match:
        raise VersionError(400, f"API Version String {value} is of invalid format. Must be of "
                                "format MajorNum.MinorNum.")
    major, minor = int(match.group(1)), int(match.group(2))
    if major != 2 or not MIN_VERSION <= minor <= MAX_VERSION:
        raise VersionError(406, f"Version {value} is not supported by the API. Minimum is "
                                f"{text(MIN_VERSION)} and maximum is {text(MAX_VERSION)}.")
    return minor


class MicroversionMiddleware:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        root = scope.get("root_path", "")
        path = scope["path"]
        rel = path[len(root):] if root and path.startswith(root) else path
        legacy = rel == "/v2" or rel.startswith("/v2/")
        if not (legacy or rel == "/v2.1" or rel.startswith("/v2.1/")):
            await self.app(scope, receive, send)
            return
        if rel in ("/v2/", "/v2.1/"):  # version documents; other trailing slashes are 404s
            rel = rel[:-1]
        match = PROJECT_SEGMENT.match(rel)
        if match and match.group(3):
            rel = f"/{match.group(1)}{match.group(3)}"
        if legacy:
            minor = MIN_VERSION
            rel = "/v2.1" + rel[3:] if rel.startswith("/v2/") else rel
        else:
            try:
                minor = parse(scope.get("headers", []))
            except VersionError as e:
                await _reject(send, e.code, e.message)
                return
        new_path = root + rel
        scope = {**scope, "path": new_path, "raw_path": new_path.encode()}
        state = scope.setdefault("state", {})
        state[STATE_KEY] = minor
        rid = [(b"x-compute-request-id", str(state.get("request_id", "")).encode())]
        extra = rid if legacy else [*_headers(minor), *rid]

        async def send_with_version(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_version)


def _headers(minor: int) -> list[tuple[bytes, bytes]]:
    ver = text(minor).encode()
    return [(b"openstack-api-version", b"compute " + ver),
            (b"x-openstack-nova-api-version", ver),
            (b"vary", b"OpenStack-API-Version, X-OpenStack-Nova-API-Version")]


async def _reject(send: Any, code: int, message: str) -> None:
    title = "Not Acceptable" if code == 406 else "Bad Request"
    body = json.dumps(nova_body(code, title, message)).encode()
    await send({"type": "http.response.start", "status": code,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
