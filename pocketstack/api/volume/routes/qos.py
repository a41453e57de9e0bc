"""/v3/qos-specs: QoS specs and their association with volume types."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import Response

from pocketstack.api.common.auth import authenticated
from pocketstack.api.volume import policy, schemas, views
from pocketstack.api.volume.routes.common import accepted, bs
from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.services.volume.access import truthy

router = APIRouter(prefix="/v3/qos-specs")


def _links(request: Request, qos_id: str) -> list[dict[str, str]]:
    base = views.root(request)
    return [{"href": f"{base}/v3/qos-specs/{qos_id}", "rel": "self"},
            {"href": f"{base}/qos-specs/{qos_id}", "rel": "bookmark"}]


@router.post("")
def create(request: Request, body: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "volume_extension:qos_specs_manage:create")
    q = bs(request).qos.create(schemas.wrapped(body, "qos_specs"))
    return {"qos_specs": q, "links": _links(request, q["id"])}


@router.get("")
def list_(request: Request, ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "volume_extension:qos_specs_manage:get_all")
    return {"qos_specs": bs(request).qos.list()}


@router.get("/{qos_id}")
def show(request: Request, qos_id: str,
         ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "volume_extension:qos_specs_manage:get")
    return {"qos_specs": bs(request).qos.get(qos_id), "links": _links(request, qos_id)}


@router.put("/{qos_id}")
def set_keys(request: Request, qos_id: str, body: Any = Body(None),
             ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "volume_extension:qos_specs_manage:update")
    return {"qos_specs": bs(request).qos.set_keys(qos_id, schemas.wrapped(body, "qos_specs"))}


@router.put("/{qos_id}/delete_keys")
def delete_keys(request: Request, qos_id: str, body: Any = Body(None),
                ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "volume_extension:qos_specs_manage:delete_keys")
    if not isinstance(body, dict) or "keys" not in body:
        raise exc.BadRequest("Missing required element 'keys' in request body.")
    bs(request).qos.delete_keys(qos_id, body["keys"])
    return accepted()


@router.delete("/{qos_id}")
def delete(request: Request, qos_id: str, force: str | None = None,
           ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "volume_extension:qos_specs_manage:delete")
    bs(request).qos.delete(qos_id, bool(truthy(force)))
    return accepted()


@router.get("/{qos_id}/associations")
def associations(request: Request, qos_id: str,
                 ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "volume_extension:qos_specs_manage:get")
    return {"qos_associations": bs(request).qos.associations(qos_id)}


@router.get("/{qos_id}/associate")
def associate(request: Request, qos_id: str, vol_type_id: str | None = None,
              ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "volume_extension:qos_specs_manage:update")
    if not vol_type_id:
        raise exc.BadRequest("Volume Type id must not be None.")
    bs(request).qos.associate(qos_id, vol_type_id)
    return accepted()


@router.get("/{qos_id}/disassociate")
def disassociate(request: Request, qos_id: str, vol_type_id: str | None = None,
                 ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "volume_extension:qos_specs_manage:update")
    if not vol_type_id:
        raise exc.BadRequest("Volume Type id must not be None.")
    bs(request).qos.disassociate(qos_id, vol_type_id)
    return accepted()


@router.get("/{qos_id}/disassociate_all")
def disassociate_all(request: Request, qos_id: str,
                     ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "volume_extension:qos_specs_manage:update")
    bs(request).qos.disassociate_all(qos_id)
    return accepted()
