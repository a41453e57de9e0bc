"""/v3/regions, /v3/services, /v3/endpoints."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from pocketstack.api.common.auth import authenticated, cloud
from pocketstack.api.common.http import base_url, created, no_content
from pocketstack.api.identity import policy, schemas, views
from pocketstack.common.context import RequestContext

router = APIRouter(prefix="/v3")


# -- regions ----------------------------------------------------------------------------
@router.post("/regions", status_code=201)
def create_region(request: Request, body: schemas.RegionCreateBody,
                  ctx: RequestContext = Depends(authenticated)) -> Any:
    policy.admin(ctx, "identity:create_region")
    region = cloud(request).identity.catalog.create_region(body.region.data())
    return created({"region": views.region(region, base_url(request))})


@router.put("/regions/{region_id}", status_code=201)
def put_region(request: Request, region_id: str, body: schemas.RegionCreateBody,
               ctx: RequestContext = Depends(authenticated)) -> Any:
    policy.admin(ctx, "identity:create_region")
    region = cloud(request).identity.catalog.create_region(body.region.data(), region_id)
    return created({"region": views.region(region, base_url(request))})


@router.api_route("/regions", methods=["GET", "HEAD"])
def list_regions(request: Request, parent_region_id: str | None = None,
                 ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    found = cloud(request).identity.catalog.list_regions(parent_region_id)
    base = base_url(request)
    return views.collection(base, "regions", "regions", [views.region(r, base) for r in found])


@router.api_route("/regions/{region_id}", methods=["GET", "HEAD"])
def show_region(request: Request, region_id: str,
                ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    region = cloud(request).identity.catalog.get_region(region_id)
    return {"region": views.region(region, base_url(request))}


@router.patch("/regions/{region_id}")
def update_region(request: Request, region_id: str, body: schemas.RegionUpdateBody,
                  ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:update_region")
    region = cloud(request).identity.catalog.update_region(region_id, body.region.data())
    return {"region": views.region(region, base_url(request))}


@router.delete("/regions/{region_id}", status_code=204)
def delete_region(request: Request, region_id: str,
                  ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "identity:delete_region")
    cloud(request).identity.catalog.delete_region(region_id)
    return no_content()


# -- services ---------------------------------------------------------------------------
@router.post("/services", status_code=201)
def create_service(request: Request, body: schemas.ServiceCreateBody,
                   ctx: RequestContext = Depends(authenticated)) -> Any:
    policy.admin(ctx, "identity:create_service")
    service = cloud(request).identity.catalog.create_service(body.service.data())
    return created({"service": views.service(service, base_url(request))})


@router.api_route("/services", methods=["GET", "HEAD"])
def list_services(request: Request, type: str | None = None, name: str | None = None,
                  ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:list_services")
    found = cloud(request).identity.catalog.list_services(type, name)
    base = base_url(request)
    return views.collection(base, "services", "services",
                            [views.service(s, base) for s in found])


@router.api_route("/services/{service_id}", methods=["GET", "HEAD"])
def show_service(request: Request, service_id: str,
                 ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:get_service")
    service = cloud(request).identity.catalog.get_service(service_id)
    return {"service": views.service(service, base_url(request))}


@router.patch("/services/{service_id}")
def update_service(request: Request, service_id: str, body: schemas.ServiceUpdateBody,
                   ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:update_service")
    service = cloud(request).identity.catalog.update_service(service_id, body.service.data())
    return {"service": views.service(service, base_url(request))}


@router.delete("/services/{service_id}", status_code=204)
def delete_service(request: Request, service_id: str,
                   ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "identity:delete_service")
    cloud(request).identity.catalog.delete_service(service_id)
    return no_content()


# -- endpoints --------------------------------------------------------------------------
@router.post("/endpoints", status_code=201)
def create_endpoint(request: Request, body: schemas.EndpointCreateBody,
                    ctx: RequestContext = Depends(authenticated)) -> Any:
    policy.admin(ctx, "identity:create_endpoint")
    endpoint = cloud(request).identity.catalog.create_endpoint(body.endpoint.data())
    return created({"endpoint": views.endpoint(endpoint, base_url(request))})


@router.api_route("/endpoints", methods=["GET", "HEAD"])
def list_endpoints(request: Request, service_id: str | None = None,
                   interface: str | None = None, region_id: str | None = None,
                   ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:list_endpoints")
    found = cloud(request).identity.catalog.list_endpoints(
        {"service_id": service_id, "interface": interface, "region_id": region_id})
    base = base_url(request)
    return views.collection(base, "endpoints", "endpoints",
                            [views.endpoint(e, base) for e in found])


@router.api_route("/endpoints/{endpoint_id}", methods=["GET", "HEAD"])
def show_endpoint(request: Request, endpoint_id: str,
                  ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:get_endpoint")
    endpoint = cloud(request).identity.catalog.get_endpoint(endpoint_id)
    return {"endpoint": views.endpoint(endpoint, base_url(request))}


@router.patch("/endpoints/{endpoint_id}")
def update_endpoint(request: Request, endpoint_id: str, body: schemas.EndpointUpdateBody,
                    ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:update_endpoint")
    endpoint = cloud(request).identity.catalog.update_endpoint(endpoint_id,
                                                              body.endpoint.data())
    return {"endpoint": views.endpoint(endpoint, base_url(request))}


@router.delete("/endpoints/{endpoint_id}", status_code=204)
def delete_endpoint(request: Request, endpoint_id: str,
                    ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "identity:delete_endpoint")
    cloud(request).identity.catalog.delete_endpoint(endpoint_id)
    return no_content()
