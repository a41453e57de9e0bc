"""One ASGI application serves every API on one port: each service is a sub-application
under its path prefix (identity at the root), wrapped in the shared request middleware."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.routing import Mount, Route, Router

from pocketstack.api.common.errors import (
    glance_body,
    keystone_body,
    neutron_body,
    nova_body,
    title_for,
)
from pocketstack.api.common.lazy import LazyApp, warm_up
from pocketstack.api.common.middleware import RequestMiddleware
from pocketstack.services.cloud import Cloud
from pocketstack.services.identity.bootstrap import PublishedService


@dataclass(frozen=True)
class ServiceAPI:
    """One service's API. ``module`` has create_app(cloud); the metadata is given here (or,
    if omitted, read from the module's PREFIX / CATALOG / STREAMING) so that services other
    than identity are imported only when first used."""

    module: str
    error_body: Any = keystone_body
    prefix: str | None = None
    catalog: tuple[str, str, str, str] | None = None  # type, name, path, description
    streaming: tuple[tuple[str, str], ...] | None = None  # (path prefix, suffix) w/o body limit
    # More catalog types published with the same URL (Cinder: 'volumev3' next to
    # 'block-storage', for clients that still look the old type up).
    aliases: tuple[str, ...] = ()
    # Whether /x/ means /x (Keystone) rather than a 404 or a redirect (the others).
    strip_slash: bool = False

    def load(self) -> Any:
        import importlib

        return importlib.import_module(self.module)

    def meta(self) -> tuple[str, tuple[str, str, str, str], tuple[tuple[str, str], ...]]:
        if self.prefix is not None and self.catalog is not None:
            return self.prefix, self.catalog, self.streaming or ()
        mod = self.load()
        return mod.PREFIX, mod.CATALOG, tuple(getattr(mod, "STREAMING", ()))


# Order matters: identity is mounted at "/" and so must come last.
SERVICE_APIS: list[ServiceAPI] = [
    ServiceAPI("pocketstack.api.image.app", glance_body, "/image", ("image", "glance", "/image", "Image Service"), (("/image/v2/images/", "/file"), ("/image/v2/images/", "/stage"))),
    ServiceAPI("pocketstack.api.network.app", neutron_body, "/networking", ("network", "neutron", "/networking", "Networking Service")),
    ServiceAPI("pocketstack.api.volume.app", nova_body, "/volume",
               ("block-storage", "cinderv3", "/volume/v3", "Block Storage"), streaming=None,
               aliases=("volumev3",)),
    ServiceAPI("pocketstack.api.compute.app", nova_body, "/compute",
               ("compute", "nova", "/compute/v2.1", "Compute Service")),
    ServiceAPI("pocketstack.api.identity.app", keystone_body, "",
               ("identity", "keystone", "/v3", "Identity Service"), strip_slash=True),
]


def published_services(public_url: str) -> list[PublishedService]:
    out = []
    for api in SERVICE_APIS:
        _, (type_, name, path, description), _ = api.meta()
        out.append(PublishedService(type_, name, public_url + path, description))
        out.extend(PublishedService(alias, name, public_url + path, description)
                   for alias in api.aliases)
    return out


def create_app(cloud: Cloud) -> RequestMiddleware:
    mounts = []
    owners: list[tuple[str, Any]] = []
    unlimited_prefixes: list[tuple[str, str]] = []
    lazy: list[LazyApp] = []
    for api in SERVICE_APIS:
        prefix, _, streaming = api.meta()
        if prefix:  # built on first use (and warmed up in the background)
            app = LazyApp(lambda api=api: api.load().create_app(cloud))
            lazy.append(app)
        else:
            app = api.load().create_app(cloud)
        mounts.append(Mount(prefix, app=app))
        owners.append((prefix, api.error_body))
        unlimited_prefixes.extend(streaming)
    mounts[:0] = [Route(m.path, _AtRoot(m.path, m.app)) for m in mounts if m.path]  # GET /image = GET /image/

    def error_body(path: str, code: int, message: str) -> dict[str, Any]:
        for prefix, fmt in owners:
            if prefix and path.startswith(prefix):
                return fmt(code, title_for(code), message)  # type: ignore[no-any-return]
        return keystone_body(code, title_for(code), message)

    router = Router(routes=mounts, default=_NotFound(error_body))
    warm_up(lazy, then=cloud.build_all)

    def unlimited(path: str, method: str) -> bool:
        return any(path.startswith(p) and path.endswith(s) for p, s in unlimited_prefixes)

    def strips_slash(path: str) -> bool:
        owner = max((api for api in SERVICE_APIS if path.startswith(api.meta()[0])),
                    key=lambda api: len(api.meta()[0]))
        return owner.strip_slash

    return RequestMiddleware(router, max_body=cloud.settings.max_request_body,
                             error_body=error_body, unlimited=unlimited,
                             strips_slash=strips_slash,
                             log_requests=cloud.settings.log_requests)


class _AtRoot:
    """A service's bare prefix ('/image', as published in the catalog) answers like its
    root ('/image/'): that is where clients do version discovery."""

    def __init__(self, prefix: str, app: Any) -> None:
        self.prefix, self.app = prefix, app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = self.prefix + "/"
        root = scope.get("root_path", "")
        await self.app({**scope, "path": path, "raw_path": path.encode(),
                        "app_root_path": scope.get("app_root_path", root),
                        "root_path": root + self.prefix}, receive, send)


class _NotFound:
    """What no mount matches still gets a JSON 404 in the owning service's format."""

    def __init__(self, error_body: Any) -> None:
        self.error_body = error_body

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        from starlette.responses import JSONResponse

        body = self.error_body(scope.get("path", ""), 404, "The resource could not be found.")
        await JSONResponse(body, status_code=404)(scope, receive, send)
