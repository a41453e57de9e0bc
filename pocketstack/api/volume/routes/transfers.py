"""/v3/os-volume-transfer and (3.55+) /v3/volume-transfers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import Response

from pocketstack.api.common.auth import authenticated
from pocketstack.api.volume import microversion as mv
from pocketstack.api.volume import policy, schemas, views
from pocketstack.api.volume.routes.common import accepted, bs, query
from pocketstack.common.context import RequestContext

router = APIRouter(prefix="/v3")
PATHS = ("/os-volume-transfer", "/volume-transfers")


def _check(request: Request) -> None:
    if request.url.path.rstrip("/").split("/v3/")[-1].startswith("volume-transfers"):
        mv.require(request, "3.55")


def create(request: Request, body: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> Response:
    _check(request)
    policy.member(ctx, "volume:create_transfer")
    data = schemas.wrapped(body, "transfer")
    if not mv.at_least(request, "3.55"):
        data.pop("no_snapshots", None)
    t = bs(request).transfers.create(ctx, data)
    return accepted({"transfer": views.transfer(request, t, created=True)})


def list_(request: Request, ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    _check(request)
    found = bs(request).transfers.list(ctx, query(request))
    return {"transfers": [views.transfer(request, t, detail=False) for t in found]}


def detail(request: Request, ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    _check(request)
    found = bs(request).transfers.list(ctx, query(request))
    return {"transfers": [views.transfer(request, t) for t in found]}


def show(request: Request, transfer_id: str,
         ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    _check(request)
    return {"transfer": views.transfer(request, bs(request).transfers.get(ctx, transfer_id))}


def delete(request: Request, transfer_id: str,
           ctx: RequestContext = Depends(authenticated)) -> Response:
    _check(request)
    policy.member(ctx, "volume:delete_transfer")
    bs(request).transfers.delete(ctx, transfer_id)
    return accepted()


def accept(request: Request, transfer_id: str, body: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> Response:
    _check(request)
    policy.member(ctx, "volume:accept_transfer")
    data = schemas.wrapped(body, "accept")
    out = bs(request).transfers.accept(ctx, transfer_id, data.get("auth_key"))
    out["links"] = views.links(request, "os-volume-transfer", out["id"], ctx.project_id)
    return accepted({"transfer": out})


for _path in PATHS:
    router.add_api_route(_path, create, methods=["POST"])
    router.add_api_route(_path, list_, methods=["GET"])
    router.add_api_route(_path + "/detail", detail, methods=["GET"])
    router.add_api_route(_path + "/{transfer_id}", show, methods=["GET"])
    router.add_api_route(_path + "/{transfer_id}", delete, methods=["DELETE"])
    router.add_api_route(_path + "/{transfer_id}/accept", accept, methods=["POST"])
