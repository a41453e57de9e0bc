"""The Identity API (Keystone v3) as an ASGI sub-application mounted at the root."""

from __future__ import annotations

from fastapi import FastAPI

from pocketstack.api.common.appfactory import service_app
from pocketstack.api.common.errors import install_error_handlers, keystone_body
from pocketstack.api.common.http import base_url
from pocketstack.api.identity.routes import all_routers
from pocketstack.services.cloud import Cloud

PREFIX = ""
CATALOG = ("identity", "keystone", "/v3", "Identity Service")


def create_app(cloud: Cloud) -> FastAPI:
    app = service_app("pocketstack identity", "v3.14", openapi_url="/identity/openapi.json",
                      redirect_slashes=True)
    app.state.cloud = cloud
    install_error_handlers(app, keystone_body,
                           www_authenticate=lambda r: f'Keystone uri="{base_url(r)}/v3"')
    for router in all_routers():
        app.include_router(router)
    return app
