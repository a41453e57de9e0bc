"""/v3/group_types (3.11+), /v3/groups (3.13+) and /v3/group_snapshots (3.14+)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import Response

from pocketstack.api.common.auth import authenticated
from pocketstack.api.volume import microversion as mv
from pocketstack.api.volume import policy, schemas
from pocketstack.api.volume.routes.common import accepted, bs, query
from pocketstack.api.volume.views import ts
from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext

router = APIRouter(prefix="/v3")


def _group(g: dict[str, Any], detail: bool = True) -> dict[str, Any]:
    out = {"id": g["id"], "name": g["name"] or ""}
    if detail:
        out.update({k: g[k] for k in ("description", "status", "availability_zone",
                                      "group_type", "group_snapshot_id", "source_group_id",
                                      "volume_types", "volumes", "replication_status")})
        out["created_at"] = ts(g["created_at"])
    return out


def _gsnap(x: dict[str, Any], detail: bool = True) -> dict[str, Any]:
    out = {"id": x["id"], "name": x["name"] or ""}
    if detail:
        out.update({"description": x["description"], "status": x["status"],
                    "group_id": x["group_id"], "group_type_id": x["group_type_id"],
                    "created_at": ts(x["created_at"])})
    return out


# -- group types ------------------------------------------------------------------------------
@router.post("/group_types")
def create_type(request: Request, body: Any = Body(None),
                ctx: RequestContext = Depends(authenticated)) -> Response:
    mv.require(request, "3.11")
    policy.admin(ctx, "group:group_types_manage")
    return accepted({"group_type": bs(request).group_types.create(
        schemas.wrapped(body, "group_type"))})


@router.get("/group_types")
def list_types(request: Request, ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    mv.require(request, "3.11")
    return {"group_types": bs(request).group_types.list(ctx, query(request))}


@router.get("/group_types/default")
def default_type(request: Request, ctx: RequestContext = Depends(authenticated)) -> Any:
    mv.require(request, "3.11")
    raise exc.NotFound("Default group type could not be found.")


@router.get("/group_types/{type_id}")
def show_type(request: Request, type_id: str,
              ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    mv.require(request, "3.11")
    return {"group_type": bs(request).group_types.get(ctx, type_id)}


@router.put("/group_types/{type_id}")
def update_type(request: Request, type_id: str, body: Any = Body(None),
                ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    mv.require(request, "3.11")
    policy.admin(ctx, "group:group_types_manage")
    return {"group_type": bs(request).group_types.update(type_id,
                                                         schemas.wrapped(body, "group_type"))}


@router.delete("/group_types/{type_id}")
def delete_type(request: Request, type_id: str,
                ctx: RequestContext = Depends(authenticated)) -> Response:
    mv.require(request, "3.11")
    policy.admin(ctx, "group:group_types_manage")
    bs(request).group_types.delete(type_id)
    return accepted()


@router.post("/group_types/{type_id}/group_specs")
def set_specs(request: Request, type_id: str, body: Any = Body(None),
              ctx: RequestContext = Depends(authenticated)) -> Response:
    mv.require(request, "3.11")
    policy.admin(ctx, "group:group_types_specs")
    specs = bs(request).group_types.set_specs(type_id, schemas.wrapped(body, "group_specs"))
    return accepted({"group_specs": specs})


@router.get("/group_types/{type_id}/group_specs")
def list_specs(request: Request, type_id: str,
               ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    mv.require(request, "3.11")
    return {"group_specs": bs(request).group_types.get(ctx, type_id)["group_specs"]}


@router.get("/group_types/{type_id}/group_specs/{key}")
def show_spec(request: Request, type_id: str, key: str,
              ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    mv.require(request, "3.11")
    specs = bs(request).group_types.get(ctx, type_id)["group_specs"]
    if key not in specs:
        raise exc.NotFound(f"Group Type {type_id} has no specs with key {key}.")
    return {key: specs[key]}


@router.put("/group_types/{type_id}/group_specs/{key}")
def update_spec(request: Request, type_id: str, key: str, body: Any = Body(None),
                ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    mv.require(request, "3.11")
    policy.admin(ctx, "group:group_types_specs")
    if not isinstance(body, dict) or len(body) != 1 or key not in body:
        raise exc.BadRequest("Request body and URI mismatch.")
    return bs(request).group_types.set_specs(type_id, body)


@router.delete("/group_types/{type_id}/group_specs/{key}")
def delete_spec(request: Request, type_id: str, key: str,
                ctx: RequestContext = Depends(authenticated)) -> Response:
    mv.require(request, "3.11")
    policy.admin(ctx, "group:group_types_specs")
    bs(request).group_types.delete_spec(type_id, key)
    return accepted()


# -- groups -----------------------------------------------------------------------------------
@router.post("/groups")
def create_group(request: Request, body: Any = Body(None),
                 ctx: RequestContext = Depends(authenticated)) -> Response:
    mv.require(request, "3.13")
    policy.member(ctx, "group:create")
    g = bs(request).groups.create(ctx, schemas.wrapped(body, "group"))
    return accepted({"group": _group(g, detail=False)})


@router.post("/groups/action")
def create_from_source(request: Request, body: Any = Body(None),
                       ctx: RequestContext = Depends(authenticated)) -> Response:
    mv.require(request, "3.14")
    policy.member(ctx, "group:create")
    g = bs(request).groups.create_from_source(ctx, schemas.wrapped(body, "create-from-src"))
    return accepted({"group": _group(g, detail=False)})


@router.get("/groups")
def list_groups(request: Request, ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    mv.require(request, "3.13")
    return {"groups": [_group(g, False) for g in bs(request).groups.list(ctx, query(request))]}


@router.get("/groups/detail")
def detail_groups(request: Request,
                  ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    mv.require(request, "3.13")
    return {"groups": [_group(g) for g in bs(request).groups.list(ctx, query(request))]}


@router.get("/groups/{group_id}")
def show_group(request: Request, group_id: str,
               ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    mv.require(request, "3.13")
    return {"group": _group(bs(request).groups.get(ctx, group_id))}


@router.put("/groups/{group_id}")
def update_group(request: Request, group_id: str, body: Any = Body(None),
                 ctx: RequestContext = Depends(authenticated)) -> Response:
    mv.require(request, "3.13")
    policy.member(ctx, "group:update")
    bs(request).groups.update(ctx, group_id, schemas.wrapped(body, "group"))
    return accepted()


@router.post("/groups/{group_id}/action")
def group_action(request: Request, group_id: str, body: Any = Body(None),
                 ctx: RequestContext = Depends(authenticated)) -> Response:
    mv.require(request, "3.13")
    name, arg = schemas.action(body)
    arg = arg if isinstance(arg, dict) else {}
    if name == "delete":
        policy.member(ctx, "group:delete")
        flag = arg.get("delete-volumes", False)
        bs(request).groups.delete(ctx, group_id, flag is True or str(flag).lower() == "true")
    elif name == "reset_status":
        mv.require(request, "3.20")
        policy.admin(ctx, "group:reset_status")
        bs(request).groups.reset_status(ctx, group_id, arg.get("status"))
    else:
        raise exc.BadRequest(f"There is no such action: {name}")
    return accepted()


# -- group snapshots ------------------------------------------------------------------------
@router.post("/group_snapshots")
def create_gsnap(request: Request, body: Any = Body(None),
                 ctx: RequestContext = Depends(authenticated)) -> Response:
    mv.require(request, "3.14")
    policy.member(ctx, "group:create_group_snapshot")
    x = bs(request).groups.create_snapshot(ctx, schemas.wrapped(body, "group_snapshot"))
    return accepted({"group_snapshot": {**_gsnap(x, False), "group_type_id":
                                        x["group_type_id"]}})


@router.get("/group_snapshots")
def list_gsnaps(request: Request, ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    mv.require(request, "3.14")
    found = bs(request).groups.list_snapshots(ctx, query(request))
    return {"group_snapshots": [_gsnap(x, False) for x in found]}


@router.get("/group_snapshots/detail")
def detail_gsnaps(request: Request,
                  ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    mv.require(request, "3.14")
    found = bs(request).groups.list_snapshots(ctx, query(request))
    return {"group_snapshots": [_gsnap(x) for x in found]}


@router.get("/group_snapshots/{gs_id}")
def show_gsnap(request: Request, gs_id: str,
               ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    mv.require(request, "3.14")
    return {"group_snapshot": _gsnap(bs(request).groups.get_snapshot(ctx, gs_id))}


@router.delete("/group_snapshots/{gs_id}")
def delete_gsnap(request: Request, gs_id: str,
                 ctx: RequestContext = Depends(authenticated)) -> Response:
    mv.require(request, "3.14")
    policy.member(ctx, "group:delete_group_snapshot")
    bs(request).groups.delete_snapshot(ctx, gs_id)
    return accepted()


@router.post("/group_snapshots/{gs_id}/action")
def gsnap_action(request: Request, gs_id: str, body: Any = Body(None),
                 ctx: RequestContext = Depends(authenticated)) -> Response:
    mv.require(request, "3.19")
    name, arg = schemas.action(body)
    if name != "reset_status":
        raise exc.BadRequest(f"There is no such action: {name}")
    policy.admin(ctx, "group:reset_group_snapshot_status")
    bs(request).groups.reset_snapshot_status(ctx, gs_id, (arg or {}).get("status"))
    return accepted()
