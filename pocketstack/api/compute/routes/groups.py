"""/os-server-groups: affinity, anti-affinity and (2.15+) their soft variants; policy and
rules instead of policies from 2.64."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse, Response

from pocketstack.api.common.auth import authenticated
from pocketstack.api.compute import schemas, validation
from pocketstack.api.compute.microversion import mv
from pocketstack.api.compute.routes._common import (
    V,
    compute,
    int_param,
    no_content,
    ok,
    params,
    strict_query,
)
from pocketstack.common.context import RequestContext
from pocketstack.services.compute.groups import GroupRecord

router = APIRouter(prefix=f"{V}/os-server-groups")


def _schema(version: int) -> dict[str, Any]:
    policies = ["anti-affinity", "affinity"]
    if version >= 15:
        policies += ["soft-anti-affinity", "soft-affinity"]
    if version >= 64:
        inner = schemas.obj({"name": schemas.NAME,
                             "policy": {"type": "string", "enum": policies},
                             "rules": schemas.obj({"max_server_per_host": {
                                 **schemas.POS_INT}})}, ("name", "policy"))
    else:
        inner = schemas.obj({"name": schemas.NAME, "policies": {
            "type": "array", "minItems": 1, "maxItems": 1, "uniqueItems": True,
            "items": {"type": "string", "enum": policies}}}, ("name", "policies"))
    return schemas.wrap("server_group", inner)


def _group(rec: GroupRecord, version: int) -> dict[str, Any]:
    g = rec.group
    out: dict[str, Any] = {"id": g.uuid, "name": g.name, "members": list(rec.members)}
    if version >= 64:
        out["policy"] = g.policy
        out["rules"] = {k: int(v) for k, v in (g.rules or {}).items()}
    else:
        out["policies"] = [g.policy]
        out["metadata"] = {}
    if version >= 13:
        out["project_id"], out["user_id"] = g.project_id, g.user_id
    return out


@router.get("")
def list_(request: Request, ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    strict_query(request, ("all_projects", "limit", "offset"), since=75)
    q = params(request)
    all_projects = "all_projects" in q and (q["all_projects"] or "true").lower() not in (
        "false", "0", "no")
    found = compute(request).groups.list(ctx, all_projects, int_param(q.get("limit"), "limit",
                                                                      1),
                                         int_param(q.get("offset"), "offset", 0))
    return ok({"server_groups": [_group(r, mv(request)) for r in found]})


@router.post("")
def create(request: Request, payload: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    version = mv(request)
    data = validation.validate(_schema(version), payload)["server_group"]
    policy = data["policy"] if version >= 64 else data["policies"][0]
    rules = {k: int(v) for k, v in (data.get("rules") or {}).items()}
    rec = compute(request).groups.create(ctx, data["name"], policy, rules)
    return ok({"server_group": _group(rec, version)})


@router.get("/{group_id}")
def show(request: Request, group_id: str,
         ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    return ok({"server_group": _group(compute(request).groups.get(ctx, group_id),
                                      mv(request))})


@router.delete("/{group_id}")
def delete(request: Request, group_id: str,
           ctx: RequestContext = Depends(authenticated)) -> Response:
    compute(request).groups.delete(ctx, group_id)
    return no_content()
