"""Wire format of metadata definitions (Glance v2 metadefs JSON)."""

from __future__ import annotations

from typing import Any

from pocketstack.api.image.views import when
from pocketstack.db.models.image import (
    MetadefAssociation,
    MetadefObject,
    MetadefProperty,
    MetadefResourceType,
    MetadefTag,
)
from pocketstack.services.image.metadefs import Namespace

BASE = "/v2/metadefs/namespaces"


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def association(assoc: MetadefAssociation, name: str) -> dict[str, Any]:
    return _clean({"name": name, "prefix": assoc.prefix,
                   "properties_target": assoc.properties_target,
                   "created_at": when(assoc.created_at), "updated_at": when(assoc.updated_at)})


def associations(items: list[tuple[MetadefAssociation, str]]) -> dict[str, Any]:
    return {"resource_type_associations": [association(a, n) for a, n in items]}


def resource_types(items: list[MetadefResourceType]) -> dict[str, Any]:
    return {"resource_types": [{"name": rt.name, "created_at": when(rt.created_at),
                                "updated_at": when(rt.updated_at)} for rt in items]}


def prop(p: MetadefProperty) -> dict[str, Any]:
    return {"name": p.name, **(p.json_schema or {})}


def properties(items: list[MetadefProperty]) -> dict[str, Any]:
    return {"properties": {p.name: {k: v for k, v in prop(p).items() if k != "name"}
                           for p in items},
            "schema": "/v2/schemas/metadefs/properties"}


def obj(o: MetadefObject, ns: str) -> dict[str, Any]:
    return _clean({"name": o.name, "description": o.description, "required": o.required or [],
                   "properties": o.properties or {}, "created_at": when(o.created_at),
                   "updated_at": when(o.updated_at), "schema": "/v2/schemas/metadefs/object",
                   "self": f"{BASE}/{ns}/objects/{o.name}"})


def objects(items: list[MetadefObject], ns: str) -> dict[str, Any]:
    return {"objects": [obj(o, ns) for o in items], "schema": "/v2/schemas/metadefs/objects"}


def tag(t: MetadefTag) -> dict[str, Any]:
    return {"name": t.name, "created_at": when(t.created_at), "updated_at": when(t.updated_at)}


def tags(items: list[MetadefTag]) -> dict[str, Any]:
    return {"tags": [tag(t) for t in items]}


def namespace(rec: Namespace, *, detail: bool = True) -> dict[str, Any]:
    ns = rec.ns
    out = _clean({"namespace": ns.namespace, "display_name": ns.display_name,
                  "description": ns.description, "visibility": ns.visibility,
                  "protected": ns.protected, "owner": ns.owner,
                  "created_at": when(ns.created_at), "updated_at": when(ns.updated_at),
                  "schema": "/v2/schemas/metadefs/namespace",
                  "self": f"{BASE}/{ns.namespace}"})
    if rec.associations:
        out["resource_type_associations"] = [association(a, n) for a, n in rec.associations]
    if detail:
        if rec.properties:
            out["properties"] = properties(rec.properties)["properties"]
        if rec.objects:
            out["objects"] = [obj(o, ns.namespace) for o in rec.objects]
        if rec.tags:
            out["tags"] = [{"name": t.name} for t in rec.tags]
    return out


def namespaces(items: list[Namespace], query: str, next_marker: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"namespaces": [namespace(n, detail=False) for n in items],
                            "first": f"{BASE}{'?' + query if query else ''}",
                            "schema": "/v2/schemas/metadefs/namespaces"}
    if next_marker:
        body["next"] = f"{BASE}?marker={next_marker}" + (f"&{query}" if query else "")
    return body
