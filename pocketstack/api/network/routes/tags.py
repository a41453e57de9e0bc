"""/v2.0/{resources}/{id}/tags[/{tag}]"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse, Response

from pocketstack.api.common.auth import authenticated
from pocketstack.api.network import policy
from pocketstack.api.network.routes._common import V2, net, no_content
from pocketstack.common.context import RequestContext

router = APIRouter(prefix=V2)
RESOURCES = {"security-groups": "security_groups"}


def _kind(resource: str) -> str:
    return RESOURCES.get(resource, resource)


@router.get("/{resource}/{rid}/tags")
def list_(request: Request, resource: str, rid: str,
          ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    return JSONResponse({"tags": net(request).tags.get(ctx, _kind(resource), rid)})


@router.put("/{resource}/{rid}/tags")
def replace(request: Request, resource: str, rid: str, payload: Any = Body(None),
            ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.writer(ctx, "update_tags")
    return JSONResponse({"tags": net(request).tags.replace(ctx, _kind(resource), rid, payload)})


@router.delete("/{resource}/{rid}/tags")
def clear(request: Request, resource: str, rid: str,
          ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.writer(ctx, "delete_tags")
    net(request).tags.remove(ctx, _kind(resource), rid, None)
    return no_content()


@router.get("/{resource}/{rid}/tags/{tag}")
def check(request: Request, resource: str, rid: str, tag: str,
          ctx: RequestContext = Depends(authenticated)) -> Response:
    net(request).tags.check(ctx, _kind(resource), rid, tag)
    return no_content()


@router.put("/{resource}/{rid}/tags/{tag}")
def add(request: Request, resource: str, rid: str, tag: str,
        ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.writer(ctx, "update_tags")
    net(request).tags.add(ctx, _kind(resource), rid, tag)
    return Response(status_code=201)


@router.delete("/{resource}/{rid}/tags/{tag}")
def remove(request: Request, resource: str, rid: str, tag: str,
           ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.writer(ctx, "delete_tags")
    net(request).tags.remove(ctx, _kind(resource), rid, tag)
    return no_content()
