"""Helpers for the volume routes."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from pocketstack.api.common.auth import cloud
from pocketstack.services.volume import BlockStorage


def bs(request: Request) -> BlockStorage:
    return cloud(request).volume


def query(request: Request) -> dict[str, str]:
    return dict(request.query_params)


async def json_body(request: Request) -> Any:
    """The JSON body (None when empty); malformed JSON is a 400."""
    import json

    from pocketstack.common import exceptions as exc

    raw = await request.body()
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise exc.BadRequest("Malformed request body") from None


def accepted(body: Any = None) -> Response:
    if body is None:
        return Response(status_code=202)
    return JSONResponse(body, status_code=202)


def ok(body: Any = None) -> Response:
    if body is None:
        return Response(status_code=200)
    return JSONResponse(body, status_code=200)
