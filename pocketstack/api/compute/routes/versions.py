"""Version discovery: GET / lists v2.0 and v2.1 (with min and max microversion); each
version's root answers with its own document."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from pocketstack.api.compute.microversion import MAX_VERSION, MIN_VERSION, text
from pocketstack.api.compute.routes._common import base

router = APIRouter()

DESCRIBED_BY = {"rel": "describedby", "type": "text/html", "href": "http://docs.openstack.org/"}


def _v20(root: str) -> dict[str, Any]:
    return {"id": "v2.0", "status": "SUPPORTED", "version": "", "min_version": "",
            "updated": "2011-01-21T11:33:21Z", "links": [{"rel": "self", "href": root + "/v2/"}]}


def _v21(root: str) -> dict[str, Any]:
    return {"id": "v2.1", "status": "CURRENT", "version": text(MAX_VERSION),
            "min_version": text(MIN_VERSION), "updated": "2013-07-23T11:33:21Z",
            "links": [{"rel": "self", "href": root + "/v2.1/"}]}


def _document(version: dict[str, Any], media: str) -> dict[str, Any]:
    doc = dict(version)
    doc["links"] = [*version["links"], DESCRIBED_BY]
    doc["media-types"] = [{"base": "application/json",
                           "type": f"application/vnd.openstack.compute+json;version={media}"}]
    return {"version": doc}


@router.get("/")
def versions(request: Request) -> JSONResponse:
    root = base(request)
    return JSONResponse({"versions": [_v20(root), _v21(root)]})


@router.get("/v2.1")
def v21(request: Request) -> JSONResponse:
    return JSONResponse(_document(_v21(base(request)), "2.1"))


@router.get("/v2")
def v20(request: Request) -> JSONResponse:
    return JSONResponse(_document(_v20(base(request)), "2"))
