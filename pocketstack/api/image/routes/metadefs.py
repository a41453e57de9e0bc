"""/v2/metadefs: namespaces, resource types and associations, objects, properties, tags.
Reads follow each namespace's visibility; writes are admin-only."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Body, Depends, Request, Response
from fastapi.responses import JSONResponse

from pocketstack.api.common.auth import authenticated, cloud
from pocketstack.api.common.http import no_content
from pocketstack.api.image import policy
from pocketstack.api.image import views_metadefs as views
from pocketstack.common.context import RequestContext
from pocketstack.services.image.metadefs import MetadefService

router = APIRouter(prefix="/v2/metadefs")
NS = "/namespaces/{namespace}"


def _svc(request: Request) -> MetadefService:
    return cloud(request).image.metadefs  # type: ignore[no-any-return]


def _created(body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, status_code=201)


@router.get("/resource_types")
def list_resource_types(request: Request,
                        ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    return views.resource_types(_svc(request).resource_types())


@router.get("/namespaces")
def list_namespaces(request: Request,
                    ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    params = dict(request.query_params)
    found = _svc(request).list_namespaces(ctx, params)
    query = urlencode([(k, v) for k, v in params.items() if k != "marker"])
    limit = params.get("limit", "")
    full = found and limit.isdigit() and len(found) == int(limit)
    return views.namespaces(found, query, found[-1].ns.namespace if full else None)


@router.post("/namespaces", status_code=201)
def create_namespace(request: Request, body: Any = Body(None),
                     ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.metadef_admin(ctx, "add_metadef_namespace")
    return _created(views.namespace(_svc(request).create_namespace(ctx, body)))


@router.get(NS)
def show_namespace(request: Request, namespace: str,
                   ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    return views.namespace(_svc(request).get_namespace(ctx, namespace))


@router.put(NS)
def update_namespace(request: Request, namespace: str, body: Any = Body(None),
                     ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    policy.metadef_admin(ctx, "modify_metadef_namespace")
    return views.namespace(_svc(request).update_namespace(ctx, namespace, body))


@router.delete(NS, status_code=204)
def delete_namespace(request: Request, namespace: str,
                     ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.metadef_admin(ctx, "delete_metadef_namespace")
    _svc(request).delete_namespace(ctx, namespace)
    return no_content()


@router.get(NS + "/resource_types")
def list_associations(request: Request, namespace: str,
                      ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
    return views.associations(_svc(request).associations(ctx, namespace))


@router.post(NS + "/resource_types", status_code=201)
def associate(request: Request, namespace: str, body: Any = Body(None),
              ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.metadef_admin(ctx, "add_metadef_resource_type_association")
    assoc, name = _svc(request).associate(ctx, namespace, body)
    return _created(views.association(assoc, name))


@router.delete(NS + "/resource_types/{name}", status_code=204)
def dissociate(request: Request, namespace: str, name: str,
               ctx: RequestContext = Depends(authenticated)) -> Response:
    policy.metadef_admin(ctx, "remove_metadef_resource_type_association")
    _svc(request).dissociate(ctx, namespace, name)
    return no_content()


def _render(kind: str, row: Any, namespace: str) -> dict[str, Any]:
    if kind == "objects":
        return views.obj(row, namespace)
    return views.prop(row) if kind == "properties" else views.tag(row)


def _listing(kind: str, rows: list[Any], namespace: str) -> dict[str, Any]:
    if kind == "objects":
        return views.objects(rows, namespace)
    return views.properties(rows) if kind == "properties" else views.tags(rows)


for _kind in ("objects", "properties", "tags"):
    def _routes(kind: str) -> None:
        path = NS + "/" + kind

        @router.get(path, name=f"list_{kind}")
        def list_members(request: Request, namespace: str,
                         ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
            return _listing(kind, _svc(request).members(ctx, namespace, kind), namespace)

        @router.get(path + "/{name}", name=f"show_{kind}")
        def show_member(request: Request, namespace: str, name: str,
                        ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
            return _render(kind, _svc(request).member(ctx, namespace, kind, name), namespace)

        @router.put(path + "/{name}", name=f"update_{kind}")
        def update_member(request: Request, namespace: str, name: str, body: Any = Body(None),
                          ctx: RequestContext = Depends(authenticated)) -> dict[str, Any]:
            policy.metadef_admin(ctx, f"modify_metadef_{kind}")
            row = _svc(request).update_member(ctx, namespace, kind, name, body)
            return _render(kind, row, namespace)

        @router.delete(path + "/{name}", status_code=204, name=f"delete_{kind}")
        def delete_member(request: Request, namespace: str, name: str,
                          ctx: RequestContext = Depends(authenticated)) -> Response:
            policy.metadef_admin(ctx, f"delete_metadef_{kind}")
            _svc(request).delete_member(ctx, namespace, kind, name)
            return no_content()

        @router.delete(path, status_code=204, name=f"delete_all_{kind}")
        def delete_all(request: Request, namespace: str,
                       ctx: RequestContext = Depends(authenticated)) -> Response:
            policy.metadef_admin(ctx, f"delete_metadef_{kind}")
            _svc(request).delete_member(ctx, namespace, kind, None)
            return no_content()

    _routes(_kind)


@router.post(NS + "/objects", status_code=201)
def create_object(request: Request, namespace: str, body: Any = Body(None),
                  ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.metadef_admin(ctx, "add_metadef_object")
    row = _svc(request).add_member(ctx, namespace, "objects", body)
    return _created(views.obj(row, namespace))


@router.post(NS + "/properties", status_code=201)
def create_property(request: Request, namespace: str, body: Any = Body(None),
                    ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.metadef_admin(ctx, "add_metadef_property")
    return _created(views.prop(_svc(request).add_member(ctx, namespace, "properties", body)))


@router.post(NS + "/tags", status_code=201)
def create_tags(request: Request, namespace: str, body: Any = Body(None),
                ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.metadef_admin(ctx, "add_metadef_tags")
    append = request.headers.get("x-openstack-append", "").lower() == "true"
    return _created(views.tags(_svc(request).replace_tags(ctx, namespace, body, append)))


@router.post(NS + "/tags/{name}", status_code=201)
def create_tag(request: Request, namespace: str, name: str,
               ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    policy.metadef_admin(ctx, "add_metadef_tag")
    return _created(views.tag(_svc(request).add_tag(ctx, namespace, name)))
