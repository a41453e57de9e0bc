"""/v2/images/{id}/members: image sharing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request, Response

from pocketstack.api.common.auth import authenticated, cloud
from pocketstack.api.common.http import no_content
from pocketstack.api.image import views
from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext

router = APIRouter(prefix="/v2/images/{image_id}/members")


def _field(body: Any, key: str) -> Any:
    if not isinstance(body, dict) or key not in body:
        raise exc.BadRequest(f"Request body must be a JSON object with a '{key}'.")
    return body[key]


@router.post("")
def create(request: Request, image_id: str, body: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    member = cloud(request).image.members.add(ctx, image_id, _field(body, "member"))
    return views.member(member)


@router.get("")
def list_(request: Request, image_id: str,
          ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    return views.members(cloud(request).image.members.list(ctx, image_id))


@router.get("/{member_id}")
def show(request: Request, image_id: str, member_id: str,
         ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    return views.member(cloud(request).image.members.get(ctx, image_id, member_id))


@router.put("/{member_id}")
def update(request: Request, image_id: str, member_id: str, body: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    member = cloud(request).image.members.update(ctx, image_id, member_id,
                                                 _field(body, "status"))
    return views.member(member)


@router.delete("/{member_id}", status_code=204)
def delete(request: Request, image_id: str, member_id: str,
           ctx: RequestContext = Depends(authenticated)) -> Response:
    cloud(request).image.members.delete(ctx, image_id, member_id)
    return no_content()
