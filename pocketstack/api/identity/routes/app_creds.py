"""/v3/users/{user_id}/application_credentials and /v3/users/{user_id}/access_rules.
A user manages their own; the admin may read and delete anyone's."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from pocketstack.api.common.auth import authenticated, cloud
from pocketstack.api.common.http import base_url, created, no_content
from pocketstack.api.identity import policy, views
from pocketstack.api.identity import schemas_extras as schemas
from pocketstack.api.identity import views_extras as xviews
from pocketstack.common.context import RequestContext

router = APIRouter(prefix="/v3/users/{user_id}")


def _owner_check(request: Request, ctx: RequestContext, cred_id: str, action: str) -> None:
    """Policy is decided by the credential's real owner, not by the user id in the path."""
    owner = cloud(request).identity.app_creds.owner_of(cred_id)
    if owner is not None:
        policy.admin_or_self(ctx, owner, action)


# -- application credentials ---------------------------------------------------------------
@router.post("/application_credentials", status_code=201)
def create(request: Request, user_id: str, body: schemas.AppCredCreateBody,
           ctx: RequestContext = Depends(authenticated)) -> Any:
    view = cloud(request).identity.app_creds.create(ctx, user_id,
                                                    body.application_credential.data())
    return created({"application_credential": xviews.app_cred(view, base_url(request))})


@router.api_route("/application_credentials", methods=["GET", "HEAD"])
def list_(request: Request, user_id: str, name: str | None = None,
          ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin_or_self(ctx, user_id, "identity:list_application_credentials")
    found = cloud(request).identity.app_creds.list(user_id, name)
    base = base_url(request)
    return views.collection(base, f"users/{user_id}/application_credentials",
                            "application_credentials", [xviews.app_cred(v, base) for v in found])


@router.api_route("/application_credentials/{cred_id}", methods=["GET", "HEAD"])
def show(request: Request, user_id: str, cred_id: str,
         ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    _owner_check(request, ctx, cred_id, "identity:get_application_credential")
    view = cloud(request).identity.app_creds.get(user_id, cred_id)
    return {"application_credential": xviews.app_cred(view, base_url(request))}


@router.delete("/application_credentials/{cred_id}", status_code=204)
def delete(request: Request, user_id: str, cred_id: str,
           ctx: RequestContext = Depends(authenticated)) -> Response:
    _owner_check(request, ctx, cred_id, "identity:delete_application_credential")
    cloud(request).identity.app_creds.delete(ctx, user_id, cred_id)
    return no_content()


# -- access rules --------------------------------------------------------------------------
@router.api_route("/access_rules", methods=["GET", "HEAD"])
def list_rules(request: Request, user_id: str, service: str | None = None,
               path: str | None = None, method: str | None = None,
               ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin_or_self(ctx, user_id, "identity:list_access_rules")
    found = cloud(request).identity.app_creds.list_rules(
        user_id, {"service": service, "path": path, "method": method})
    base = base_url(request)
    return views.collection(base, f"users/{user_id}/access_rules", "access_rules",
                            [xviews.access_rule(r, base) for r in found])


@router.api_route("/access_rules/{rule_id}", methods=["GET", "HEAD"])
def show_rule(request: Request, user_id: str, rule_id: str,
              ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin_or_self(ctx, user_id, "identity:get_access_rule")
    rule = cloud(request).identity.app_creds.get_rule(user_id, rule_id)
    return {"access_rule": xviews.access_rule(rule, base_url(request))}


@router.delete("/access_rules/{rule_id}", status_code=204)
def delete_rule(request: Request, user_id: str, rule_id: str,
                ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin_or_self(ctx, user_id, "identity:delete_access_rule")
    cloud(request).identity.app_creds.delete_rule(user_id, rule_id)
    return no_content()
