"""/os-keypairs: import or generate (until 2.92), list (paginated 2.35+), show, delete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse, Response

from pocketstack.api.common.auth import authenticated
from pocketstack.api.compute import schemas, views
from pocketstack.api.compute.links import next_link
from pocketstack.api.compute.microversion import mv
from pocketstack.api.compute.routes._common import (
    V,
    accepted,
    base,
    body,
    compute,
    no_content,
    ok,
    params,
    strict_query,
)
from pocketstack.common.context import RequestContext
from pocketstack.services.compute.paging import parse_limit

router = APIRouter(prefix=f"{V}/os-keypairs")


def _user(request: Request) -> str | None:
    return params(request).get("user_id") if mv(request) >= 10 else None


@router.get("")
def list_(request: Request, ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    version = mv(request)
    strict_query(request, ("user_id", "limit", "marker"), since=75)
    query = params(request)
    limit = parse_limit(query.get("limit")) if version >= 35 else None
    marker = query.get("marker") if version >= 35 else None
    found = compute(request).keypairs.list(ctx, _user(request), limit, marker)
    out: dict[str, Any] = {"keypairs": [{"keypair": views.keypair(k, version)} for k in found]}
    if version >= 35 and limit is not None and len(found) == limit and found:
        out["keypairs_links"] = next_link(base(request), "os-keypairs", query, found[-1].name)
    return ok(out)


@router.post("")
def create(request: Request, payload: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    version = mv(request)
    data = body(payload, schemas.keypair_create(version))["keypair"]
    kp, private = compute(request).keypairs.create(
        ctx, data["name"], data.get("public_key"), data.get("type", "ssh"),
        data.get("user_id"), extended_names=version >= 92)
    return ok({"keypair": views.keypair(kp, version, private=private, created=True)},
              status=201 if version >= 2 else 200)


@router.get("/{name}")
def show(request: Request, name: str,
         ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    kp = compute(request).keypairs.get(ctx, name, _user(request))
    return ok({"keypair": views.keypair(kp, mv(request), detail=True)})


@router.delete("/{name}")
def delete(request: Request, name: str,
           ctx: RequestContext = Depends(authenticated)) -> Response:
    compute(request).keypairs.delete(ctx, name, _user(request))
    return no_content() if mv(request) >= 2 else accepted()
