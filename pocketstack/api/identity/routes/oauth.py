"""/v3/OS-OAUTH1/consumers (admin only). A consumer's secret is returned once, at creation."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from pocketstack.api.common.auth import authenticated, cloud
from pocketstack.api.common.http import base_url, created, no_content
from pocketstack.api.identity import policy, views
from pocketstack.api.identity import schemas_extras as schemas
from pocketstack.api.identity import views_extras as xviews
from pocketstack.common.context import RequestContext

router = APIRouter(prefix="/v3/OS-OAUTH1/consumers")


@router.post("", status_code=201)
def create(request: Request, body: schemas.ConsumerCreateBody,
           ctx: RequestContext = Depends(authenticated)) -> Any:
    policy.admin(ctx, "identity:create_consumer")
    consumer, secret = cloud(request).identity.consumers.create(body.consumer.data())
    return created({"consumer": xviews.consumer(consumer, base_url(request), secret)})


@router.api_route("", methods=["GET", "HEAD"])
def list_(request: Request, ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:list_consumers")
    base = base_url(request)
    return views.collection(base, "OS-OAUTH1/consumers", "consumers",
                            [xviews.consumer(c, base)
                             for c in cloud(request).identity.consumers.list()])


@router.api_route("/{consumer_id}", methods=["GET", "HEAD"])
def show(request: Request, consumer_id: str,
         ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:get_consumer")
    consumer = cloud(request).identity.consumers.get(consumer_id)
    return {"consumer": xviews.consumer(consumer, base_url(request))}


@router.patch("/{consumer_id}")
def update(request: Request, consumer_id: str, body: schemas.ConsumerUpdateBody,
           ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:update_consumer")
    consumer = cloud(request).identity.consumers.update(consumer_id, body.consumer.data())
    return {"consumer": xviews.consumer(consumer, base_url(request))}


@router.delete("/{consumer_id}", status_code=204)
def delete(request: Request, consumer_id: str,
           ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "identity:delete_consumer")
    cloud(request).identity.consumers.delete(consumer_id)
    return no_content()
