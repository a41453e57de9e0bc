"""/flavors: list, detail, show; admin create / update (2.55) / delete; extra specs;
access lists of private flavors."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse, Response

from pocketstack.api.common.auth import authenticated
from pocketstack.api.compute import policy, schemas, views
from pocketstack.api.compute.links import next_link
from pocketstack.api.compute.microversion import mv
from pocketstack.api.compute.routes._common import (
    V,
    accepted,
    base,
    body,
    compute,
    ok,
    params,
    strict_query,
)
from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.services.compute.paging import parse_limit

router = APIRouter(prefix=f"{V}/flavors")
LIST_PARAMS = ("sort_key", "sort_dir", "limit", "marker", "minDisk", "minRam", "is_public",
               "name")


def _list(request: Request, ctx: RequestContext, detail: bool) -> JSONResponse:
    strict_query(request, LIST_PARAMS, since=75)
    version = mv(request)
    query = params(request)
    found = compute(request).flavors.list(ctx, query, name_filter=version >= 102)
    root = base(request)
    items = [views.flavor(r, root, version) if detail else views.flavor_brief(r, root, version)
             for r in found]
    out: dict[str, Any] = {"flavors": items}
    if found and len(found) == parse_limit(query.get("limit")):
        kind = "flavors/detail" if detail else "flavors"
        out["flavors_links"] = next_link(root, kind, query, found[-1].flavor.flavorid)
    return ok(out)


@router.get("")
def list_(request: Request, ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    return _list(request, ctx, False)


@router.get("/detail")
def detail(request: Request, ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    return _list(request, ctx, True)


@router.get("/{flavor_id}")
def show(request: Request, flavor_id: str,
         ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    rec = compute(request).flavors.get(ctx, flavor_id)
    return ok({"flavor": views.flavor(rec, base(request), mv(request))})


@router.post("")
def create(request: Request, payload: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.admin(ctx, "os_compute_api:os-flavor-manage:create")
    data = body(payload, schemas.flavor_create(mv(request)))["flavor"]
    if isinstance(data.get("os-flavor-access:is_public"), str):
        data["os-flavor-access:is_public"] = data["os-flavor-access:is_public"].lower() in (
            "true", "1", "on", "yes", "y", "t")
    rec = compute(request).flavors.create(data)
    return ok({"flavor": views.flavor(rec, base(request), mv(request))})


@router.put("/{flavor_id}")
def update(request: Request, flavor_id: str, payload: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    if mv(request) < 55:
        raise exc.MethodNotAllowed("The method PUT is not allowed on this resource.")
    policy.admin(ctx, "os_compute_api:os-flavor-manage:update")
    data = body(payload, schemas.FLAVOR_UPDATE)["flavor"]
    rec = compute(request).flavors.update(flavor_id, data["description"])
    return ok({"flavor": views.flavor(rec, base(request), mv(request))})


@router.delete("/{flavor_id}")
def delete(request: Request, flavor_id: str,
           ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "os_compute_api:os-flavor-manage:delete")
    compute(request).flavors.delete(flavor_id)
    return accepted()


# -- extra specs ----------------------------------------------------------------------------
def _spec_value(value: Any) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    return str(value)


@router.get("/{flavor_id}/os-extra_specs")
def specs(request: Request, flavor_id: str,
          ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    return ok({"extra_specs": compute(request).flavors.extra_specs(ctx, flavor_id)})


@router.post("/{flavor_id}/os-extra_specs")
def set_specs(request: Request, flavor_id: str, payload: Any = Body(None),
              ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.admin(ctx, "os_compute_api:os-flavor-extra-specs:create")
    items = {k: _spec_value(v) for k, v in body(payload, schemas.EXTRA_SPECS)
             ["extra_specs"].items()}
    return ok({"extra_specs": compute(request).flavors.set_extra_specs(flavor_id, items)})


@router.get("/{flavor_id}/os-extra_specs/{key}")
def spec(request: Request, flavor_id: str, key: str,
         ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    return ok({key: compute(request).flavors.extra_spec(ctx, flavor_id, key)})


@router.put("/{flavor_id}/os-extra_specs/{key}")
def set_spec(request: Request, flavor_id: str, key: str, payload: Any = Body(None),
             ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.admin(ctx, "os_compute_api:os-flavor-extra-specs:update")
    data = body(payload, schemas.EXTRA_SPEC_ONE)
    if key not in data:
        raise exc.BadRequest("Request body and URI mismatch")
    items = {key: _spec_value(data[key])}
    return ok(compute(request).flavors.set_extra_specs(flavor_id, items))


@router.delete("/{flavor_id}/os-extra_specs/{key}")
def delete_spec(request: Request, flavor_id: str, key: str,
                ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.admin(ctx, "os_compute_api:os-flavor-extra-specs:delete")
    compute(request).flavors.delete_extra_spec(flavor_id, key)
    return Response(status_code=200)


# -- access ---------------------------------------------------------------------------------
@router.get("/{flavor_id}/os-flavor-access")
def access(request: Request, flavor_id: str,
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.admin(ctx, "os_compute_api:os-flavor-access")
    return ok(views.flavor_access(flavor_id, compute(request).flavors.access_list(flavor_id)))


@router.post("/{flavor_id}/action")
def action(request: Request, flavor_id: str, payload: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    flavors = compute(request).flavors
    if isinstance(payload, dict) and "addTenantAccess" in payload:
        policy.admin(ctx, "os_compute_api:os-flavor-access:add_tenant_access")
        tenant = body(payload, schemas.FLAVOR_ACCESS_ADD)["addTenantAccess"]["tenant"]
        return ok(views.flavor_access(flavor_id, flavors.add_access(flavor_id, tenant)))
    if isinstance(payload, dict) and "removeTenantAccess" in payload:
        policy.admin(ctx, "os_compute_api:os-flavor-access:remove_tenant_access")
        tenant = body(payload, schemas.FLAVOR_ACCESS_REMOVE)["removeTenantAccess"]["tenant"]
        return ok(views.flavor_access(flavor_id, flavors.remove_access(flavor_id, tenant)))
    raise exc.BadRequest("Invalid request body: the action is not known.")
