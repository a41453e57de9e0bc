"""/v3/credentials and /v3/users/{user_id}/credentials/OS-EC2. Users manage their own
credentials; the admin manages everyone's."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from pocketstack.api.common.auth import authenticated, cloud
from pocketstack.api.common.http import base_url, created, no_content
from pocketstack.api.identity import policy, views
from pocketstack.api.identity import schemas_extras as schemas
from pocketstack.api.identity import views_extras as xviews
from pocketstack.common.context import RequestContext

router = APIRouter(prefix="/v3")


def _owner_check(request: Request, ctx: RequestContext, credential_id: str, action: str) -> None:
    owner = cloud(request).identity.credentials.owner_of(credential_id)
    if owner is not None:
        policy.admin_or_self(ctx, owner, action)


# -- /v3/credentials ------------------------------------------------------------------------
@router.post("/credentials", status_code=201)
def create(request: Request, body: schemas.CredentialCreateBody,
           ctx: RequestContext = Depends(authenticated)) -> Any:
    policy.admin_or_self(ctx, body.credential.user_id, "identity:create_credential")
    cred = cloud(request).identity.credentials.create(
        body.credential.data(), trust_id=ctx.trust_id,
        app_cred_id=ctx.application_credential_id)
    return created({"credential": xviews.credential(cred, base_url(request))})


@router.api_route("/credentials", methods=["GET", "HEAD"])
def list_(request: Request, user_id: str | None = None, type: str | None = None,
          ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    credentials = cloud(request).identity.credentials
    if ctx.is_admin:
        found = credentials.list(user_id=user_id, type_=type)
    elif user_id is not None and user_id != ctx.user_id:
        found = []
    else:
        found = credentials.list(user_id=ctx.user_id, type_=type)
    base = base_url(request)
    return views.collection(base, "credentials", "credentials",
                            [xviews.credential(c, base) for c in found])


@router.api_route("/credentials/{credential_id}", methods=["GET", "HEAD"])
def show(request: Request, credential_id: str,
         ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    _owner_check(request, ctx, credential_id, "identity:get_credential")
    cred = cloud(request).identity.credentials.get(credential_id)
    return {"credential": xviews.credential(cred, base_url(request))}


@router.patch("/credentials/{credential_id}")
def update(request: Request, credential_id: str, body: schemas.CredentialUpdateBody,
           ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    _owner_check(request, ctx, credential_id, "identity:update_credential")
    data = body.credential.data()
    if "user_id" in data:
        policy.admin_or_self(ctx, data["user_id"], "identity:update_credential")
    cred = cloud(request).identity.credentials.update(credential_id, data)
    return {"credential": xviews.credential(cred, base_url(request))}


@router.delete("/credentials/{credential_id}", status_code=204)
def delete(request: Request, credential_id: str,
           ctx: RequestContext = Depends(authenticated)) -> Response:
    _owner_check(request, ctx, credential_id, "identity:delete_credential")
    cloud(request).identity.credentials.delete(credential_id)
    return no_content()


# -- OS-EC2 ---------------------------------------------------------------------------------
@router.post("/users/{user_id}/credentials/OS-EC2", status_code=201)
def ec2_create(request: Request, user_id: str, body: schemas.Ec2CreateBody,
               ctx: RequestContext = Depends(authenticated)) -> Any:
    policy.admin_or_self(ctx, user_id, "identity:ec2_create_credential")
    cred = cloud(request).identity.credentials.create_ec2(
        user_id, body.tenant_id, trust_id=ctx.trust_id,
        app_cred_id=ctx.application_credential_id)
    return created({"credential": xviews.ec2(cred, base_url(request))})


@router.api_route("/users/{user_id}/credentials/OS-EC2", methods=["GET", "HEAD"])
def ec2_list(request: Request, user_id: str,
             ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin_or_self(ctx, user_id, "identity:ec2_list_credentials")
    found = cloud(request).identity.credentials.list_ec2(user_id)
    base = base_url(request)
    return views.collection(base, f"users/{user_id}/credentials/OS-EC2", "credentials",
                            [xviews.ec2(c, base) for c in found])


def _ec2_owner_check(request: Request, ctx: RequestContext, user_id: str, access: str,
                     action: str) -> None:
    policy.admin_or_self(ctx, user_id, action)
    owner = cloud(request).identity.credentials.ec2_owner(access)
    if owner is not None:
        policy.admin_or_self(ctx, owner, action)


@router.api_route("/users/{user_id}/credentials/OS-EC2/{access}", methods=["GET", "HEAD"])
def ec2_show(request: Request, user_id: str, access: str,
             ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    _ec2_owner_check(request, ctx, user_id, access, "identity:ec2_get_credential")
    cred = cloud(request).identity.credentials.get_ec2(user_id, access)
    return {"credential": xviews.ec2(cred, base_url(request))}


@router.delete("/users/{user_id}/credentials/OS-EC2/{access}", status_code=204)
def ec2_delete(request: Request, user_id: str, access: str,
               ctx: RequestContext = Depends(authenticated)) -> Response:
    _ec2_owner_check(request, ctx, user_id, access, "identity:ec2_delete_credential")
    cloud(request).identity.credentials.delete_ec2(user_id, access)
    return no_content()
