"""GET /v2.0/extensions and /v2.0/extensions/{alias}; /v2.0/service-providers."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from pocketstack.api.common.auth import authenticated
from pocketstack.api.network import extensions
from pocketstack.api.network.routes._common import V2
from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext

router = APIRouter(prefix=V2)


@router.get("/extensions")
def list_(ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    return JSONResponse({"extensions": extensions.all_extensions()})


@router.get("/extensions/{alias}")
def show(alias: str, ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    ext = extensions.find(alias)
    if ext is None:
        raise exc.NotFound(f"Extension with alias {alias} does not exist",
                           error_type="HTTPNotFound")
    return JSONResponse({"extension": ext})


@router.get("/service-providers")
def service_providers(ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    return JSONResponse({"service_providers": []})
