"""/v3/domains/{domain_id}/config: domain-specific configuration (groups 'identity' and
'ldap'; admin only), its defaults, and the readable security_compliance group."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from pocketstack.api.common.auth import authenticated, cloud
from pocketstack.api.common.http import no_content
from pocketstack.api.identity import policy
from pocketstack.api.identity import schemas_extras as schemas
from pocketstack.common.context import RequestContext

router = APIRouter(prefix="/v3/domains")

SECURITY = "security_compliance"


# -- defaults (declared first: 'config' is not a domain id here) --------------------------
@router.api_route("/config/default", methods=["GET", "HEAD"])
def default(request: Request, ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:get_domain_config_default")
    return {"config": cloud(request).identity.domain_configs.default()}


@router.api_route("/config/{group}/default", methods=["GET", "HEAD"])
def default_group(request: Request, group: str,
                  ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:get_domain_config_default")
    return {"config": cloud(request).identity.domain_configs.default(group)}


@router.api_route("/config/{group}/{option}/default", methods=["GET", "HEAD"])
def default_option(request: Request, group: str, option: str,
                   ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:get_domain_config_default")
    return {"config": cloud(request).identity.domain_configs.default(group, option)}


# -- a domain's configuration --------------------------------------------------------------
@router.put("/{domain_id}/config")
def create(request: Request, domain_id: str, body: schemas.DomainConfigBody,
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.admin(ctx, "identity:create_domain_config")
    config, is_new = cloud(request).identity.domain_configs.create(domain_id, body.config)
    return JSONResponse({"config": config}, status_code=201 if is_new else 200)


def _show(request: Request, ctx: RequestContext, domain_id: str, group: str | None = None,
          option: str | None = None) -> dict[str, Any]:
    configs = cloud(request).identity.domain_configs
    if group == SECURITY:
        return {"config": configs.security_compliance(domain_id, option)}
    policy.admin(ctx, "identity:get_domain_config")
    return {"config": configs.get(domain_id, group, option)}


@router.api_route("/{domain_id}/config", methods=["GET", "HEAD"])
def show(request: Request, domain_id: str,
         ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    return _show(request, ctx, domain_id)


@router.api_route("/{domain_id}/config/{group}", methods=["GET", "HEAD"])
def show_group(request: Request, domain_id: str, group: str,
               ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    return _show(request, ctx, domain_id, group)


@router.api_route("/{domain_id}/config/{group}/{option}", methods=["GET", "HEAD"])
def show_option(request: Request, domain_id: str, group: str, option: str,
                ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    return _show(request, ctx, domain_id, group, option)


@router.patch("/{domain_id}/config")
def update(request: Request, domain_id: str, body: schemas.DomainConfigBody,
           ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:update_domain_config")
    return {"config": cloud(request).identity.domain_configs.update(domain_id, body.config)}


@router.patch("/{domain_id}/config/{group}")
def update_group(request: Request, domain_id: str, group: str, body: schemas.DomainConfigBody,
                 ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:update_domain_config")
    return {"config": cloud(request).identity.domain_configs.update(domain_id, body.config,
                                                                      group)}


@router.patch("/{domain_id}/config/{group}/{option}")
def update_option(request: Request, domain_id: str, group: str, option: str,
                  body: schemas.DomainConfigBody,
                  ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "identity:update_domain_config")
    return {"config": cloud(request).identity.domain_configs.update(domain_id, body.config,
                                                                      group, option)}


@router.delete("/{domain_id}/config", status_code=204)
def delete(request: Request, domain_id: str,
           ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "identity:delete_domain_config")
    cloud(request).identity.domain_configs.delete(domain_id)
    return no_content()


@router.delete("/{domain_id}/config/{group}", status_code=204)
def delete_group(request: Request, domain_id: str, group: str,
                 ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "identity:delete_domain_config")
    cloud(request).identity.domain_configs.delete(domain_id, group)
    return no_content()


@router.delete("/{domain_id}/config/{group}/{option}", status_code=204)
def delete_option(request: Request, domain_id: str, group: str, option: str,
                  ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "identity:delete_domain_config")
    cloud(request).identity.domain_configs.delete(domain_id, group, option)
    return no_content()
