"""Version discovery: /volume/ (300, every version) and /volume/v3/ (this version)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from pocketstack.api.volume import views

router = APIRouter()


@router.get("/")
def versions(request: Request) -> JSONResponse:
    return JSONResponse({"versions": [views.version_doc(request)]}, status_code=300)


@router.get("/v3/")
@router.get("/v3")
def version(request: Request) -> dict[str, Any]:
    doc = views.version_doc(request)
    return {"versions": [doc], "version": doc}
