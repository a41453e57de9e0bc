"""Version discovery: GET / (300 Multiple Choices) and GET /versions (200)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from pocketstack.api.image.routes._http import service_url

router = APIRouter()

# What pocketstack implements: v2.15 without the cache API (2.14, 2.16) and without the
# v2.17 location API; multiple-store discovery (2.8-2.13) is on.
CURRENT = "2.15"
SUPPORTED = ("2.13", "2.12", "2.11", "2.10", "2.9", "2.8", "2.7", "2.6", "2.5", "2.4", "2.3",
             "2.2", "2.1", "2.0")


def versions_doc(request: Request) -> dict[str, Any]:
    href = f"{service_url(request)}/v2/"
    entries = [(CURRENT, "CURRENT")] + [(v, "SUPPORTED") for v in SUPPORTED]
    return {"versions": [{"id": f"v{v}", "status": status,
                          "links": [{"rel": "self", "href": href}]}
                         for v, status in entries]}


@router.get("/")
def root(request: Request) -> JSONResponse:
    return JSONResponse(versions_doc(request), status_code=300)


@router.get("/versions")
def versions(request: Request) -> dict[str, Any]:
    return versions_doc(request)
