"""APIs Nova removed for good answer 410 Gone; any other unknown path 404 (mounted last)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pocketstack.api.compute.routes._common import V
from pocketstack.common import exceptions as exc

router = APIRouter(prefix=V)
GONE = ("os-fping", "os-security-group-default-rules", "os-cells", "os-certificates",
        "os-cloudpipe", "os-fixed-ips", "os-floating-ips-bulk", "os-floating-ip-dns",
        "os-agents")


@router.api_route("/{name}", methods=["GET", "POST", "PUT", "DELETE"])
@router.api_route("/{name}/{rest:path}", methods=["GET", "POST", "PUT", "DELETE"])
def gone(request: Request, name: str, rest: str = "") -> Response:
    if name in GONE or (name == "os-networks" and request.method != "GET"):
        raise exc.Gone("This resource is no longer available in the API.")
    raise exc.NotFound("The resource could not be found.")
