"""Error bodies, one format per OpenStack service, and the handlers that produce them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from pocketstack.common import exceptions as exc

log = logging.getLogger("pocketstack.api")

Formatter = Callable[[int, str, str, "exc.PocketstackError | None"], dict[str, Any]]


def title_for(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "Error"


def keystone_body(code: int, title: str, message: str, _e: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "title": title, "message": message}}


def neutron_body(code: int, title: str, message: str, e: Any = None) -> dict[str, Any]:
    """{"NeutronError": {"type", "message", "detail"}}; a 401 comes from keystonemiddleware
    in front of Neutron, in Keystone's format."""
    if code == 401:
        return keystone_body(code, title_for(code), message)
    etype = (e.error_type if e is not None else None) or {
        400: "HTTPBadRequest",
        401: "HTTPUnauthorized",
        403: "HTTPForbidden",
        404: "HTTPNotFound",
        405: "HTTPMethodNotAllowed",
        409: "HTTPConflict",
    }.get(code, title.replace(" ", ""))
    return {"NeutronError": {"type": etype, "message": message, "detail": ""}}


_NOVA_KEYS = {
    400: "badRequest",
    401: "unauthorized",
    403: "forbidden",
    404: "itemNotFound",
    405: "badMethod",
    406: "notAcceptable",
    409: "conflictingRequest",
    413: "overLimit",
    415: "badMediaType",
    501: "notImplemented",
}


def nova_body(code: int, title: str, message: str, _e: Any = None) -> dict[str, Any]:
    key = _NOVA_KEYS.get(code, "computeFault")
    return {key: {"message": message, "code": code}}


def glance_body(code: int, title: str, message: str, _e: Any = None) -> dict[str, Any]:
    """Glance's errors are webob's JSON documents: {"message", "code": "404 Not Found",
    "title"}; openstacksdk reads 'message'. A 401 comes from keystonemiddleware in front of
    Glance, in Keystone's format."""
    phrase = title_for(code)
    if code == 401:
        return keystone_body(code, phrase, message)
    return {"message": message, "code": f"{code} {phrase}", "title": phrase}


def install_error_handlers(
    app: FastAPI, fmt: Formatter, *, www_authenticate: Callable[[Request], str] | None = None
) -> None:
    """Every error raised under ``app`` becomes the service's error body; never a bare 500."""

    def respond(request: Request, code: int, message: str, e: Any = None) -> JSONResponse:
        headers: dict[str, str] = {}
        if code == 401 and www_authenticate is not None:
            headers["WWW-Authenticate"] = www_authenticate(request)
        title = getattr(e, "title", None) or title_for(code)
        return JSONResponse(fmt(code, title, message, e), status_code=code, headers=headers)

    @app.exception_handler(exc.PocketstackError)
    async def _domain_error(request: Request, e: exc.PocketstackError) -> JSONResponse:
        if e.code >= 500:
            log.error("service error %s: %s", type(e).__name__, e.message)
        return respond(request, e.code, e.message, e)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, e: RequestValidationError) -> JSONResponse:
        return respond(request, 400, describe_validation(e.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, e: StarletteHTTPException) -> JSONResponse:
        message = e.detail if isinstance(e.detail, str) else title_for(e.status_code)
        if e.status_code == 404 and message == "Not Found":
            message = "The resource could not be found."
        return respond(request, e.status_code, message)

    @app.exception_handler(Exception)
    async def _bug(request: Request, e: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return respond(request, 500, "An unexpected error prevented the server from "
                       "fulfilling your request.")


def describe_validation(errors: Any) -> str:
    """One readable sentence from pydantic's error list."""
    parts = []
    for err in list(errors)[:3]:
        loc = [str(x) for x in err.get("loc", ()) if x not in ("body",)]
        where = ".".join(loc) if loc else "request body"
        msg = err.get("msg", "is invalid")
        if err.get("type") == "json_invalid":
            return "Malformed request body: the body is not valid JSON."
        parts.append(f"Invalid input for field '{where}': {msg}")
    return "; ".join(parts) or "Invalid input."
