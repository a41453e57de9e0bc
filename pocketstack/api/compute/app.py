"""The Compute API (Nova v2.1) as an ASGI sub-application mounted at /compute.

The FastAPI app is wrapped in the microversion middleware (version negotiation, 406 out
of range, version headers, legacy URL forms). Building the app starts the compute service:
its agents resume any server a previous run left half-done."""

from __future__ import annotations

from typing import Any

from pocketstack.api.common.appfactory import service_app
from pocketstack.api.common.errors import install_error_handlers, nova_body
from pocketstack.api.compute.microversion import MicroversionMiddleware
from pocketstack.api.compute.routes import all_routers
from pocketstack.services.cloud import Cloud

PREFIX = "/compute"
CATALOG = ("compute", "nova", "/compute/v2.1", "Compute Service")


def create_app(cloud: Cloud) -> Any:
    app = service_app("pocketstack compute", "v2.1")
    app.state.cloud = cloud
    install_error_handlers(app, nova_body)
    for router in all_routers():
        app.include_router(router)
    cloud.compute.start()
    return MicroversionMiddleware(app)
