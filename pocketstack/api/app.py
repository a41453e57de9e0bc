"""One ASGI application serves every API on one port: each service is a sub-application
under its path prefix (identity at the root), wrapped in the shared request middleware."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.routing import Mount, Router

from pocketstack.api.common.errors import keystone_body
from pocketstack.api.common.middleware import RequestMiddleware
from pocketstack.services.cloud import Cloud
from pocketstack.services.identity.bootstrap import PublishedService


@dataclass(frozen=True)
class ServiceAPI:
    module: str  # python module with create_app(cloud), PREFIX, CATALOG
    error_body: Any = keystone_body

    def load(self) -> Any:
        import importlib

        return importlib.import_module(self.module)


# Order matters: identity is mounted at "/" and so must come last.
SERVICE_APIS: list[ServiceAPI] = [
    ServiceAPI("pocketstack.api.identity.app", keystone_body),
]


def published_services(public_url: str) -> list[PublishedService]:
    out = []
    for api in SERVICE_APIS:
        mod = api.load()
        type_, name, path, description = mod.CATALOG
        out.append(PublishedService(type_, name, public_url + path, description))
    return out


def create_app(cloud: Cloud) -> RequestMiddleware:
    mounts = []
    owners: list[tuple[str, Any]] = []
    unlimited_prefixes: list[tuple[str, str]] = []
    for api in SERVICE_APIS:
        mod = api.load()
        mounts.append(Mount(mod.PREFIX or "", app=mod.create_app(cloud)))
        owners.append((mod.PREFIX, api.error_body))
        unlimited_prefixes.extend(getattr(mod, "STREAMING", []))
    router = Router(routes=mounts)

    def error_body(path: str, code: int, message: str) -> dict[str, Any]:
        for prefix, fmt in owners:
            if prefix and path.startswith(prefix):
                return fmt(code, "Request Entity Too Large", message)  # type: ignore[no-any-return]
        return keystone_body(code, "Request Entity Too Large", message)

    def unlimited(path: str, method: str) -> bool:
        return any(path.startswith(p) and path.endswith(s) for p, s in unlimited_prefixes)

    return RequestMiddleware(router, max_body=cloud.settings.max_request_body,
                             error_body=error_body, unlimited=unlimited,
                             log_requests=cloud.settings.log_requests)
