"""Version discovery: GET /networking/ and GET /networking/v2.0/."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from pocketstack.api.common.http import base_url

router = APIRouter()

RESOURCES = [("subnet", "subnets"), ("network", "networks"), ("port", "ports"),
             ("subnetpool", "subnetpools"), ("router", "routers"),
             ("floatingip", "floatingips"), ("security_group", "security-groups"),
             ("security_group_rule", "security-group-rules"), ("agent", "agents"),
             ("rbac_policy", "rbac-policies"), ("quota", "quotas")]


def _root(request: Request) -> str:
    return f"{base_url(request)}/networking"


@router.api_route("/", methods=["GET", "HEAD"])
def versions(request: Request) -> JSONResponse:
    href = f"{_root(request)}/v2.0/"
    return JSONResponse({"versions": [{"id": "v2.0", "status": "CURRENT",
                                       "links": [{"href": href, "rel": "self"}]}]})


@router.api_route("/v2.0", methods=["GET", "HEAD"])
@router.api_route("/v2.0/", methods=["GET", "HEAD"], include_in_schema=False)
def v2(request: Request) -> JSONResponse:
    root = _root(request)
    return JSONResponse({"resources": [
        {"name": name, "collection": coll,
         "links": [{"href": f"{root}/v2.0/{coll}", "rel": "self"}]}
        for name, coll in RESOURCES]})
