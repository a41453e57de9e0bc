"""Small HTTP helpers shared by every API."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse


def base_url(request: Request) -> str:
    """Scheme://host:port the client used, without a trailing slash."""
    return str(request.base_url).rstrip("/")


def truthy(value: str | None) -> bool | None:
    """Keystone's query-flag rule: absent is None, '0' and 'false' are False, anything else
    (including an empty value, as in '?nocatalog') is True."""
    if value is None:
        return None
    return value.strip().lower() not in ("0", "false", "no", "off")


def no_content() -> Response:
    return Response(status_code=204)


def created(body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=201, headers=headers)
