"""The Networking API (Neutron v2.0) as an ASGI sub-application mounted at /networking."""

from __future__ import annotations

from fastapi import FastAPI

from pocketstack.api.common.appfactory import service_app
from pocketstack.api.common.errors import install_error_handlers, neutron_body
from pocketstack.api.network.routes import all_routers
from pocketstack.services.cloud import Cloud

PREFIX = "/networking"
CATALOG = ("network", "neutron", "/networking", "Networking Service")


def create_app(cloud: Cloud) -> FastAPI:
    app = service_app("pocketstack networking", "v2.0")
    app.state.cloud = cloud
    install_error_handlers(app, neutron_body)
    for router in all_routers():
        app.include_router(router)
    return app
