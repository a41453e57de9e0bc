"""Version discovery: GET / and GET /v3."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from pocketstack.api.common.http import base_url

router = APIRouter()

MEDIA = [{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}]


def v3_entry(base: str) -> dict[str, Any]:
    return {"id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
            "links": [{"rel": "self", "href": f"{base}/v3/"}], "media-types": MEDIA}


@router.api_route("/", methods=["GET", "HEAD"])
def versions(request: Request) -> JSONResponse:
    return JSONResponse({"versions": {"values": [v3_entry(base_url(request))]}}, status_code=300)


@router.api_route("/v3", methods=["GET", "HEAD"])
@router.api_route("/v3/", methods=["GET", "HEAD"], include_in_schema=False)
def v3(request: Request) -> dict[str, Any]:
    return {"version": v3_entry(base_url(request))}
