"""What every compute route uses: the service, the microversion, query strings, bodies."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from pocketstack.api.compute import validation
from pocketstack.api.compute.links import endpoint
from pocketstack.api.compute.microversion import mv
from pocketstack.common import exceptions as exc
from pocketstack.services.compute import Compute

V = "/v2.1"


def compute(request: Request) -> Compute:
    return request.app.state.cloud.compute  # type: ignore[no-any-return]


def base(request: Request) -> str:
    return endpoint(request)


def params(request: Request) -> dict[str, str]:
    """Query string, last value of each key."""
    return {k: v for k, v in request.query_params.items()}


def multi(request: Request) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        out.setdefault(key, []).append(value)
    return out


def strict_query(request: Request, allowed: tuple[str, ...], since: int = 75) -> None:
    """Unknown query parameters are a 400 from microversion ``since`` (2.75 / 2.102)."""
    if mv(request) < since:
        return
    unknown = sorted(set(request.query_params) - set(allowed))
    if unknown:
        raise exc.BadRequest(f"Invalid input for query parameters {unknown[0]}. Value: "
                             f"{request.query_params[unknown[0]]}. Additional properties are "
                             f"not allowed ('{unknown[0]}' was unexpected)")


def body(payload: Any, schema: dict[str, Any]) -> Any:
    return validation.validate(schema, payload)


def ok(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(data, status_code=status, headers=headers)


def accepted() -> Response:
    return Response(status_code=202)


def no_content() -> Response:
    return Response(status_code=204)


def int_param(raw: str | None, name: str, minimum: int = 0) -> int | None:
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise exc.BadRequest(f"Invalid input for query parameters {name}. Value: {raw}. "
                             f"'{raw}' is not an integer") from None
    if value < minimum:
        raise exc.BadRequest(f"Invalid input for query parameters {name}. Value: {raw}. "
                             f"{raw} is less than the minimum of {minimum}")
    return value
