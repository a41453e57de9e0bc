"""The Networking API (Neutron v2.0) as an ASGI sub-application mounted at /networking."""

from __future__ import annotations

from fastapi import FastAPI

from pocketstack.api.common.errors import install_error_handlers, neutron_body
from pocketstack.api.network.routes import all_routers
from pocketstack.services.cloud import Cloud

PREFIX = "/networking"
CATALOG = ("network", "neutron", "/networking", "Networking Service")


def create_app(cloud: Cloud) -> FastAPI:
    app = FastAPI(title="pocketstack networking", version="v2.0", docs_url=None,
                  redoc_url=None, openapi_url=None, redirect_slashes=False)
    app.state.cloud = cloud
    install_error_handlers(app, neutron_body)
    for router in all_routers():
        app.include_router(router)
    return app
