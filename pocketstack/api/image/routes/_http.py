"""HTTP details of the Image API shared by its routes: JSON bodies, octet-stream uploads,
the image-size header, Range headers."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request
from starlette.requests import ClientDisconnect

from pocketstack.common import exceptions as exc
from pocketstack.services.image.data import ClientGone, RangeSpec

_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


def service_url(request: Request) -> str:
    """scheme://host:port/image as the client reached this API (the mount included)."""
    root = request.scope.get("root_path", "")
    app_root = request.scope.get("app_root_path", "")
    if app_root and root.startswith(app_root):
        root = root[len(app_root):]
    return str(request.base_url).rstrip("/") + root


async def json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        raise exc.BadRequest("Body expected in request.")
    try:
        return json.loads(raw)
    except ValueError:
        raise exc.BadRequest("Malformed JSON in request body.") from None


def require_octet_stream(request: Request) -> None:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/octet-stream":
        raise exc.UnsupportedMediaType(f"Unsupported Content-Type {ctype or '(none)'}: image "
                                       "data must be sent as application/octet-stream.")


def image_size(request: Request) -> int | None:
    """x-openstack-image-size, else Content-Length, else unknown (chunked)."""
    raw = request.headers.get("x-openstack-image-size") or request.headers.get("content-length")
    if raw is None:
        return None
    try:
        size = int(raw)
    except ValueError:
        raise exc.BadRequest("Invalid or missing image size in request headers.") from None
    if size < 0:
        raise exc.BadRequest("Invalid or missing image size in request headers.")
    return size


def byte_range(request: Request) -> RangeSpec | None:
    header = request.headers.get("range")
    if not header:
        return None
    if "," in header:
        return None  # several ranges: answered with the whole image, as Glance does
    m = _RANGE.match(header)
    if m is None or (not m.group(1) and not m.group(2)):
        raise exc.RangeNotSatisfiable(f"Invalid Range header: {header}")
    start = int(m.group(1)) if m.group(1) else None
    end = int(m.group(2)) if m.group(2) else None
    return RangeSpec(start, end)


async def body_stream(request: Request) -> AsyncIterator[bytes]:
    """The request body as it arrives; a client that goes away becomes ClientGone."""
    try:
        async for chunk in request.stream():
            yield chunk
    except ClientDisconnect:
        raise ClientGone() from None
