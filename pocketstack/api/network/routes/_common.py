"""Helpers shared by the Networking routes: the service, bodies, responses."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from pocketstack.api.common.auth import cloud
from pocketstack.api.network import query, schemas
from pocketstack.services.network import Networking

V2 = "/v2.0"


def net(request: Request) -> Networking:
    return cloud(request).network  # type: ignore[no-any-return]


def ok(body: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status)


def no_content() -> Response:
    return Response(status_code=204)


def created(payload: Any, resource: str, items: list[dict[str, Any]]) -> JSONResponse:
    """One resource, or the collection for a bulk request, with 201."""
    plural = schemas.PLURALS[resource]
    if isinstance(payload, dict) and plural in payload and resource not in payload:
        return JSONResponse({plural: items}, status_code=201)
    return JSONResponse({resource: items[0]}, status_code=201)


def shown(request: Request, resource: str, item: dict[str, Any]) -> JSONResponse:
    return JSONResponse({resource: query.select_fields(item, query.fields_of(request))})


def listed(request: Request, collection: str, items: list[dict[str, Any]],
           q: Any) -> JSONResponse:
    return JSONResponse(query.page(request, collection, items, q))
