"""/v3/OS-TRUST/trusts: delegation of a trustor's roles on a project to a trustee.
The trustor creates and deletes; trustor and trustee read; the admin lists and reads all."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from pocketstack.api.common.auth import authenticated, cloud
from pocketstack.api.common.http import base_url, created, no_content
from pocketstack.api.identity import policy, views
from pocketstack.api.identity import schemas_extras as schemas
from pocketstack.api.identity import views_extras as xviews
from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.db.models.identity import Trust

router = APIRouter(prefix="/v3/OS-TRUST/trusts")


def _trustor_or_trustee(ctx: RequestContext, trust: Trust, action: str) -> None:
    if not (ctx.is_admin or ctx.user_id in (trust.trustor_user_id, trust.trustee_user_id)):
        raise exc.Forbidden(policy.DENIED.format(action))


@router.post("", status_code=201)
def create(request: Request, body: schemas.TrustCreateBody,
           ctx: RequestContext = Depends(authenticated)) -> Any:
    identity = cloud(request).identity
    if not ctx.is_admin:
        identity.app_creds.require_unrestricted(ctx, "trusts")
    view = identity.trusts.create(ctx, body.trust.data())
    return created({"trust": xviews.trust(view.trust, base_url(request), view.roles)})


@router.api_route("", methods=["GET", "HEAD"])
def list_(request: Request, trustor_user_id: str | None = None,
          trustee_user_id: str | None = None,
          ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    if trustor_user_id:
        policy.admin_or_self(ctx, trustor_user_id, "identity:list_trusts_for_trustor")
    elif trustee_user_id:
        policy.admin_or_self(ctx, trustee_user_id, "identity:list_trusts_for_trustee")
    else:
        policy.admin(ctx, "identity:list_trusts")
    found = cloud(request).identity.trusts.list(trustor_user_id=trustor_user_id,
                                                trustee_user_id=trustee_user_id)
    base = base_url(request)
    return views.collection(base, "OS-TRUST/trusts", "trusts",
                            [xviews.trust(t, base) for t in found])


@router.api_route("/{trust_id}", methods=["GET", "HEAD"])
def show(request: Request, trust_id: str,
         ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    view = cloud(request).identity.trusts.get(trust_id)
    _trustor_or_trustee(ctx, view.trust, "identity:get_trust")
    return {"trust": xviews.trust(view.trust, base_url(request), view.roles)}


@router.delete("/{trust_id}", status_code=204)
def delete(request: Request, trust_id: str,
           ctx: RequestContext = Depends(authenticated)) -> Response:
    identity = cloud(request).identity
    view = identity.trusts.get(trust_id)
    if not (ctx.is_admin or ctx.user_id == view.trust.trustor_user_id):
        raise exc.Forbidden(policy.DENIED.format("identity:delete_trust"))
    if not ctx.is_admin:
        identity.app_creds.require_unrestricted(ctx, "trusts")
    identity.trusts.delete(trust_id)
    return no_content()


@router.api_route("/{trust_id}/roles", methods=["GET", "HEAD"])
def roles(request: Request, trust_id: str,
          ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    view = cloud(request).identity.trusts.get(trust_id)
    _trustor_or_trustee(ctx, view.trust, "identity:list_roles_for_trust")
    base = base_url(request)
    return views.collection(base, f"OS-TRUST/trusts/{trust_id}/roles", "roles",
                            [views.role(r, base) for r in view.roles])


@router.api_route("/{trust_id}/roles/{role_id}", methods=["GET", "HEAD"])
def role(request: Request, trust_id: str, role_id: str,
         ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    trusts = cloud(request).identity.trusts
    _trustor_or_trustee(ctx, trusts.get(trust_id).trust, "identity:get_role_for_trust")
    return {"role": views.role(trusts.role(trust_id, role_id), base_url(request))}
