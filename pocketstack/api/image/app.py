"""The Image API (Glance v2) as an ASGI sub-application mounted at /image."""

from __future__ import annotations

from fastapi import FastAPI

from pocketstack.api.common.appfactory import service_app
from pocketstack.api.common.errors import glance_body, install_error_handlers
from pocketstack.api.image.routes import all_routers
from pocketstack.services.cloud import Cloud

PREFIX = "/image"
CATALOG = ("image", "glance", "/image", "Image Service")
# Image data is streamed: no JSON body limit on upload and staging.
STREAMING = [("/image/v2/images/", "/file"), ("/image/v2/images/", "/stage")]


def create_app(cloud: Cloud) -> FastAPI:
    app = service_app("pocketstack image", "v2.15", redirect_slashes=True)
    # '/v2/images/' (an empty id) is a 404 as in Glance, never a redirect to the list.
    app.router.redirect_slashes = False
    app.state.cloud = cloud
    identity_url = cloud.settings.identity_url
    install_error_handlers(app, glance_body,
                           www_authenticate=lambda _r: f'Keystone uri="{identity_url}"')
    for router in all_routers():
        app.include_router(router)
    return app
