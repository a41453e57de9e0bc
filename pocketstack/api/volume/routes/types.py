"""/v3/types: volume types, their extra specs, project access and encryption."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import Response

from pocketstack.api.common.auth import authenticated
from pocketstack.api.volume import policy, schemas, views
from pocketstack.api.volume.routes.common import accepted, bs
from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.services.volume.access import parse_dict, truthy

router = APIRouter(prefix="/v3/types")


def _public_flag(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    flag = data.pop("os-volume-type-access:is_public", None)
    if "is_public" not in data and flag is not None:
        data["is_public"] = flag
    if "is_public" in data and data["is_public"] is not None:
        value = truthy(data["is_public"])
        data["is_public"] = value
    return data


@router.post("")
def create(request: Request, body: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "volume_extension:types_manage")
    data = _public_flag(schemas.wrapped(body, "volume_type"))
    return {"volume_type": views.volume_type(ctx, bs(request).types.create(data), created=True)}


@router.get("")
def list_(request: Request, is_public: str | None = None, extra_specs: str | None = None,
          ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    public = None
    if is_public is not None and is_public.lower() != "none":
        public = truthy(is_public)
    elif not ctx.is_admin:
        public = None
    specs = parse_dict(extra_specs, "extra_specs") if extra_specs else None
    found = bs(request).types.list(ctx, public, specs)
    return {"volume_types": [views.volume_type(ctx, t) for t in found]}


@router.get("/{type_id}")
def show(request: Request, type_id: str,
         ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    return {"volume_type": views.volume_type(ctx, bs(request).types.get(ctx, type_id))}


@router.put("/{type_id}")
def update(request: Request, type_id: str, body: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "volume_extension:types_manage")
    data = _public_flag(schemas.wrapped(body, "volume_type"))
    if not any(k in data for k in ("name", "description", "is_public")):
        raise exc.BadRequest("Specify volume type name, description, is_public or a "
                             "combination thereof.")
    return {"volume_type": views.volume_type(ctx, bs(request).types.update(type_id, data),
                                             updated=True)}


@router.delete("/{type_id}")
def delete(request: Request, type_id: str,
           ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "volume_extension:types_manage")
    bs(request).types.delete(type_id)
    return accepted()


# -- extra specs -------------------------------------------------------------------------------
@router.get("/{type_id}/extra_specs")
def specs(request: Request, type_id: str,
          ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    return {"extra_specs": bs(request).types.specs(ctx, type_id)}


@router.post("/{type_id}/extra_specs")
def set_specs(request: Request, type_id: str, body: Any = Body(None),
              ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "volume_extension:types_extra_specs:create")
    specs = schemas.wrapped(body, "extra_specs")
    return {"extra_specs": bs(request).types.set_specs(type_id, specs)}


@router.get("/{type_id}/extra_specs/{key}")
def spec(request: Request, type_id: str, key: str,
         ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    return bs(request).types.spec(ctx, type_id, key)


@router.put("/{type_id}/extra_specs/{key}")
def set_spec(request: Request, type_id: str, key: str, body: Any = Body(None),
             ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "volume_extension:types_extra_specs:update")
    if not isinstance(body, dict) or not body:
        raise exc.BadRequest("Malformed request body: an extra spec is expected.")
    if len(body) > 1:
        raise exc.BadRequest("Request body contains too many items.")
    if key not in body:
        raise exc.BadRequest("Request body and URI mismatch.")
    bs(request).types.get(ctx, type_id)
    return bs(request).types.set_specs(type_id, body)


@router.delete("/{type_id}/extra_specs/{key}")
def delete_spec(request: Request, type_id: str, key: str,
                ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "volume_extension:types_extra_specs:delete")
    bs(request).types.delete_spec(type_id, key)
    return accepted()


# -- access ---------------------------------------------------------------------------------
@router.get("/{type_id}/os-volume-type-access")
def access(request: Request, type_id: str,
           ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "volume_extension:volume_type_access")
    projects = bs(request).types.access(type_id)
    return {"volume_type_access": [{"volume_type_id": type_id, "project_id": p}
                                   for p in projects]}


@router.post("/{type_id}/action")
def run(request: Request, type_id: str, body: Any = Body(None),
        ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "volume_extension:volume_type_access:addProjectAccess")
    name, arg = schemas.action(body)
    project = arg.get("project") if isinstance(arg, dict) else None
    if not isinstance(project, str) or not project:
        raise exc.BadRequest("Missing required element 'project' in request body.")
    if name == "addProjectAccess":
        bs(request).types.add_access(type_id, project)
    elif name == "removeProjectAccess":
        bs(request).types.remove_access(type_id, project)
    else:
        raise exc.BadRequest(f"There is no such action: {name}")
    return accepted()


# -- encryption --------------------------------------------------------------------------------
def _encryption_view(spec: dict[str, Any]) -> dict[str, Any]:
    return {"volume_type_id": spec["volume_type_id"], "encryption_id": spec["encryption_id"],
            "provider": spec.get("provider"), "cipher": spec.get("cipher"),
            "key_size": spec.get("key_size"), "control_location": spec.get("control_location"),
            "deleted": False, "created_at": spec.get("created_at"), "updated_at": None,
            "deleted_at": None}


@router.get("/{type_id}/encryption")
def encryption(request: Request, type_id: str,
               ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "volume_extension:volume_type_encryption:get")
    spec = bs(request).encryption.get(type_id)
    return _encryption_view(spec) if spec else {}


@router.get("/{type_id}/encryption/{key}")
def encryption_item(request: Request, type_id: str, key: str,
                    ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "volume_extension:volume_type_encryption:get")
    spec = bs(request).encryption.get(type_id) or {}
    if key not in spec:
        raise exc.NotFound(f"Volume type encryption for type {type_id} has no {key}.")
    return {key: spec[key] if isinstance(spec[key], str) else str(spec[key])}


@router.post("/{type_id}/encryption")
def create_encryption(request: Request, type_id: str, body: Any = Body(None),
                      ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "volume_extension:volume_type_encryption:create")
    spec = bs(request).encryption.create(type_id, schemas.wrapped(body, "encryption"))
    out = _encryption_view(spec)
    for key in ("deleted", "created_at", "updated_at", "deleted_at"):
        out.pop(key)
    return {"encryption": out}


@router.put("/{type_id}/encryption/{encryption_id}")
def update_encryption(request: Request, type_id: str, encryption_id: str,
                      body: Any = Body(None),
                      ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.admin(ctx, "volume_extension:volume_type_encryption:update")
    return {"encryption": bs(request).encryption.update(type_id,
                                                        schemas.wrapped(body, "encryption"))}


@router.delete("/{type_id}/encryption/{encryption_id}")
def delete_encryption(request: Request, type_id: str, encryption_id: str,
                      ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "volume_extension:volume_type_encryption:delete")
    bs(request).encryption.delete(type_id)
    return accepted()
