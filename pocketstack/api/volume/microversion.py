"""Cinder microversions (3.0 .. 3.71) and the URL forms Cinder accepts.

``VolumeRouting`` is a small ASGI wrapper in front of the volume sub-app. It

- drops the project id from /v3/{project_id}/... (Cinder takes URLs with and without it;
  the catalog publishes the form without, which every client follows since 3.67),
- reads ``OpenStack-API-Version: volume 3.x`` (absent: 3.0; 'latest': the maximum) and
  answers 400 / 406 for a malformed or unsupported one, as Cinder does,
- adds ``OpenStack-API-Version`` and ``Vary`` to every response.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request

from pocketstack.api.common.errors import nova_body
from pocketstack.common import exceptions as exc

MIN = (3, 0)
MAX = (3, 71)
MIN_STR, MAX_STR = "3.0", "3.71"
HEADER = "openstack-api-version"
VERSION_RE = re.compile(r"^([1-9]\d*)\.([1-9]\d*|0)$")

# First path segments under /v3 that are resources, not a project id.
RESOURCES = {
    "volumes", "snapshots", "backups", "types", "qos-specs", "os-quota-sets",
    "os-quota-class-sets", "limits", "os-availability-zone", "os-services", "attachments",
    "os-volume-transfer", "volume-transfers", "extensions", "os-hosts", "scheduler-stats",
    "capabilities", "messages", "groups", "group_types", "group_snapshots", "resource_filters",
    "workers", "manageable_volumes", "manageable_snapshots", "os-snapshot-manage",
    "os-volume-manage", "default-types", "clusters", "consistencygroups", "cgsnapshots",
    "os-backup-record", "os-volume-type-access", "os-snapshot-actions",
}

Scope = dict[str, Any]
ASGI = Callable[[Scope, Any, Any], Awaitable[None]]


def parse(text: str) -> tuple[int, int]:
    m = VERSION_RE.match(text.strip())
    if not m:
        raise ValueError(text)
    return int(m.group(1)), int(m.group(2))


def requested(headers: list[tuple[bytes, bytes]]) -> tuple[int, int]:
    """The version asked for; raises BadRequest / NotAcceptable like Cinder."""
    for name, value in headers:
        if name.lower() != HEADER.encode():
            continue
        for part in value.decode("latin-1").split(","):
            service, _, ver = part.strip().partition(" ")
            if service.lower() not in ("volume", "block-storage"):
                continue
            ver = ver.strip()
            if ver.lower() == "latest":
                return MAX
            try:
                version = parse(ver)
            except ValueError:
                raise exc.BadRequest(f"API Version String {ver} is of invalid format. Must be "
                                     "of format MajorNum.MinorNum.") from None
            if not MIN <= version <= MAX:
                raise exc.NotAcceptable(f"Version {ver} is not supported by the API. Minimum "
                                        f"is {MIN_STR} and maximum is {MAX_STR}.")
            return version
    return MIN


def of(request: Request) -> tuple[int, int]:
    return request.scope.get("state", {}).get("volume_version", MIN)  # type: ignore[no-any-return]


def at_least(request: Request, version: str) -> bool:
    return of(request) >= parse(version)


def require(request: Request, version: str) -> None:
    """404 below ``version``, as Cinder answers for a method a version does not have."""
    if not at_least(request, version):
        v = of(request)
        raise exc.NotFound(f"API version {v[0]}.{v[1]} is not supported on this method.")


def _strip_project(path: str) -> tuple[str, str | None]:
    parts = path.split("/")
    # ['', 'v3', '<project or resource>', ...]
    if len(parts) >= 4 and parts[1] == "v3" and parts[2] not in RESOURCES and parts[2]:
        return "/".join(parts[:2] + parts[3:]), parts[2]
    if len(parts) == 3 and parts[1] == "v3" and parts[2] and parts[2] not in RESOURCES:
        return "/v3/", parts[2]
    return path, None


class VolumeRouting:
    def __init__(self, app: ASGI) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        root = scope.get("root_path", "")
        path = scope["path"]
        inner = path[len(root):] if root and path.startswith(root) else path
        inner, project = _strip_project(inner)
        # Cinder: '/volumes/' (an empty id) is a 404, not the collection. The shared
        # middleware may have trimmed the slash already; it keeps the original path then.
        original = scope.get("state", {}).get("original_path") or path
        if original.endswith("/") and not original.endswith(("/volume/", "/v3/")) \
                and original.rstrip("/").count("/") > 1:
            await _error(send, exc.NotFound("The resource could not be found."))
            return
        scope = dict(scope, path=root + inner if root and path.startswith(root) else inner)
        state = scope.setdefault("state", {})
        state["url_project_id"] = project
        try:
            version = requested(scope.get("headers", []))
        except exc.PocketstackError as e:
            await _error(send, e)
            return
        state["volume_version"] = version
        header = f"volume {version[0]}.{version[1]}".encode()

        async def send_wrapper(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []),
                                      (b"openstack-api-version", header),
                                      (b"vary", b"OpenStack-API-Version")]
            await send(message)

        await self.app(scope, receive, send_wrapper)


async def _error(send: Any, e: exc.PocketstackError) -> None:
    body = json.dumps(nova_body(e.code, e.title, e.message)).encode()
    await send({"type": "http.response.start", "status": e.code,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
