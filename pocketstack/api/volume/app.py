"""The Block Storage API (Cinder v3) as an ASGI sub-application mounted at /volume."""

from __future__ import annotations

from pocketstack.api.common.appfactory import service_app
from pocketstack.api.common.errors import install_error_handlers, nova_body
from pocketstack.api.volume.microversion import VolumeRouting
from pocketstack.api.volume.routes import all_routers
from pocketstack.services.cloud import Cloud

PREFIX = "/volume"
CATALOG = ("block-storage", "cinderv3", "/volume/v3", "Block Storage")


def create_app(cloud: Cloud) -> VolumeRouting:
    app = service_app("pocketstack block storage", "v3")
    app.state.cloud = cloud
    install_error_handlers(app, nova_body)
    for router in all_routers():
        app.include_router(router)
    cloud.volume.start()
    return VolumeRouting(app)
