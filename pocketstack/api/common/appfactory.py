"""The FastAPI application of one service, configured the same way for all of them."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

# FastAPI's built-in OpenTelemetry (spans, metrics and logs for every request and route) is
# off: pocketstack exports no telemetry, so nothing would receive the spans, metrics and
# logs it records for every request. Request logging is api/common/middleware.py's.
NO_TELEMETRY: dict[str, Any] = {"tracing": False, "metrics": False, "logs": False,
                                "operation_spans": False}


def service_app(title: str, version: str, *, openapi_url: str | None = None,
                redirect_slashes: bool = False) -> FastAPI:
    """A service's app: no interactive docs, no telemetry; an OpenAPI document only where
    ``openapi_url`` is given."""
    return FastAPI(title=title, version=version, docs_url=None, redoc_url=None,
                   openapi_url=openapi_url, redirect_slashes=redirect_slashes,
                   telemetry=NO_TELEMETRY)  # type: ignore[arg-type]
