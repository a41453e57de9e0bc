"""/v2.0/security-group-rules"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse, Response

from pocketstack.api.common.auth import authenticated
from pocketstack.api.network import policy, query, schemas, views
from pocketstack.api.network.routes._common import V2, created, listed, net, no_content, shown
from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext

router = APIRouter(prefix=f"{V2}/security-group-rules")


@router.get("")
def list_(request: Request, ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    q = query.parse(request)
    found = net(request).security_groups.list_rules(ctx, q)
    return listed(request, "security_group_rules",
                  [views.security_group_rule(r) for r in found], q)


@router.get("/{rule_id}")
def show(request: Request, rule_id: str,
         ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    rule = net(request).security_groups.get_rule(ctx, rule_id)
    return shown(request, "security_group_rule", views.security_group_rule(rule))


@router.post("")
def create(request: Request, payload: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    items = schemas.parse("security_group_rule", payload, bulk=True)
    policy.attributes(ctx, "create", "security_group_rule", items)
    made = net(request).security_groups.create_rules(ctx, items)
    return created(payload, "security_group_rule", [views.security_group_rule(r) for r in made])


@router.put("/{rule_id}")
def update(request: Request, rule_id: str, payload: Any = Body(None),
           ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    raise exc.BadRequest("Security group rules cannot be updated; delete and re-create it.",
                         error_type="HTTPBadRequest")


@router.delete("/{rule_id}")
def delete(request: Request, rule_id: str,
           ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.writer(ctx, "delete_security_group_rule")
    net(request).security_groups.delete_rule(ctx, rule_id)
    return no_content()
