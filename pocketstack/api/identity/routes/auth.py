"""/v3/auth: tokens (issue, validate, revoke), and what a token can reach."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request, Response
from fastapi.responses import JSONResponse

from pocketstack.api.common.auth import authenticated, cloud
from pocketstack.api.common.http import base_url, no_content, truthy
from pocketstack.api.identity import policy, views
from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext

router = APIRouter(prefix="/v3/auth")


@router.post("/tokens", status_code=201)
def issue(request: Request, body: dict[str, Any] = Body(...),
          nocatalog: str | None = None) -> JSONResponse:
    identity = cloud(request).identity
    info = identity.tokens.authenticate(body.get("auth"))
    catalog = None if truthy(nocatalog) else identity.catalog.token_catalog()
    return JSONResponse(views.token(info, catalog), status_code=201,
                        headers={"X-Subject-Token": info.id})


def _subject(request: Request, ctx: RequestContext, allow_expired: str | None) -> Any:
    subject = request.headers.get("x-subject-token")
    if not subject:
        raise exc.NotFound("Could not find token: no X-Subject-Token given.")
    info = cloud(request).identity.tokens.validate(subject,
                                                   allow_expired=bool(truthy(allow_expired)))
    if not ctx.is_admin and info.user.id != ctx.user_id and "service" not in ctx.roles:
        raise exc.Forbidden(policy.DENIED.format("identity:validate_token"))
    return info


@router.get("/tokens")
async def validate(request: Request, ctx: RequestContext = Depends(authenticated),
             nocatalog: str | None = None, allow_expired: str | None = None) -> JSONResponse:
    info = _subject(request, ctx, allow_expired)
    catalog = None if truthy(nocatalog) else cloud(request).identity.catalog.token_catalog()
    return JSONResponse(views.token(info, catalog), headers={"X-Subject-Token": info.id})


@router.head("/tokens")
async def check(request: Request, ctx: RequestContext = Depends(authenticated),
          allow_expired: str | None = None) -> Response:
    info = _subject(request, ctx, allow_expired)
    return Response(status_code=200, headers={"X-Subject-Token": info.id})


@router.delete("/tokens", status_code=204)
def revoke(request: Request, ctx: RequestContext = Depends(authenticated)) -> Response:
    info = _subject(request, ctx, None)
    cloud(request).identity.tokens.revoke(info.id)
    return no_content()


@router.api_route("/catalog", methods=["GET", "HEAD"])
def catalog(request: Request, ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    if not (ctx.project_id or ctx.domain_id or ctx.system_scope):
        raise exc.Forbidden("A scoped token is required to read the catalog.")
    return {"catalog": cloud(request).identity.catalog.token_catalog(),
            "links": {"self": f"{base_url(request)}/v3/auth/catalog"}}


@router.api_route("/projects", methods=["GET", "HEAD"])
def projects(request: Request, ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    identity = cloud(request).identity
    ids = identity.roles.user_project_ids(ctx.user_id or "")
    found = identity.resources.list_projects(filters={"enabled": True}, ids=ids)
    base = base_url(request)
    return views.collection(base, "auth/projects", "projects",
                            [views.project(p, tags, base) for p, tags in found])


@router.api_route("/domains", methods=["GET", "HEAD"])
def domains(request: Request, ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    identity = cloud(request).identity
    ids = identity.roles.user_domain_ids(ctx.user_id or "")
    found = identity.resources.list_domains(enabled=True, ids=ids)
    base = base_url(request)
    return views.collection(base, "auth/domains", "domains",
                            [views.domain(d, base) for d in found])


@router.api_route("/system", methods=["GET", "HEAD"])
def system(request: Request, ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    roles = cloud(request).identity.roles.list_assignments(
        {"effective": True, "user_id": ctx.user_id, "system": True})
    return {"system": [{"all": True}] if roles else [],
            "links": {"self": f"{base_url(request)}/v3/auth/system"}}
