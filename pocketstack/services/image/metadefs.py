"""Metadata definitions (Glance 'metadefs'): namespaces of property definitions, objects and
tags, associated with resource types (OS::Glance::Image, OS::Nova::Flavor, ...).

Reads follow the namespace's visibility (public, or private to its owner; admins see all);
writes are admin-only (checked by the API policy). A protected namespace cannot be deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.timeutils import utcnow
from pocketstack.db.engine import Database
from pocketstack.db.models.image import (
    MetadefAssociation,
    MetadefNamespace,
    MetadefObject,
    MetadefProperty,
    MetadefResourceType,
    MetadefTag,
)
from pocketstack.db.repositories.image.metadefs import (
    AssociationRepo,
    NamespaceRepo,
    ObjectRepo,
    PropertyRepo,
    ResourceTypeRepo,
    TagRepo,
)

# Resource types Glance knows out of the box (created by its metadefs loader).
BUILTIN_TYPES = ("OS::Cinder::Volume", "OS::Glance::Image", "OS::Nova::Aggregate",
                 "OS::Nova::Flavor", "OS::Nova::Server", "OS::Trove::Instance",
                 "OS::Cinder::Snapshot")
PROPERTY_TYPES = ("array", "boolean", "integer", "number", "object", "string", "null")
SORT_KEYS = ("created_at", "updated_at", "namespace", "display_name", "id")


@dataclass
class Namespace:
    ns: MetadefNamespace
    associations: list[tuple[MetadefAssociation, str]] = field(default_factory=list)
    properties: list[MetadefProperty] = field(default_factory=list)
    objects: list[MetadefObject] = field(default_factory=list)
    tags: list[MetadefTag] = field(default_factory=list)


def _text(body: dict[str, Any], key: str, limit: int, *, required: bool = False) -> Any:
    value = body.get(key)
    if value is None:
        if required:
            raise exc.BadRequest(f"Provided object does not match schema: '{key}' is a "
                                 "required property")
        return None
    if not isinstance(value, str) or (required and not value) or len(value) > limit:
        raise exc.BadRequest(f"Provided object does not match schema: invalid '{key}'.")
    return value


def _body(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise exc.BadRequest("Body expected in request.")
    return body


class MetadefService:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- namespaces ------------------------------------------------------------------------
    def _visible(self, s: Session, ctx: RequestContext, name: str) -> MetadefNamespace:
        ns = NamespaceRepo(s).by_name(name)
        if ns is None or not (ctx.is_admin or ns.visibility == "public"
                              or (ctx.project_id and ns.owner == ctx.project_id)):
            raise exc.NotFound(f"Metadata definition namespace={name} was not found.")
        return ns

    def _full(self, s: Session, ns: MetadefNamespace) -> Namespace:
        return Namespace(ns, AssociationRepo(s).for_namespaces([ns.id])[ns.id],
                         list(PropertyRepo(s).of(ns.id)), list(ObjectRepo(s).of(ns.id)),
                         list(TagRepo(s).of(ns.id)))

    def list_namespaces(self, ctx: RequestContext, params: dict[str, str]) -> list[Namespace]:
        sort_key = params.get("sort_key", "created_at")
        sort_dir = params.get("sort_dir", "desc")
        if sort_key not in SORT_KEYS or sort_dir not in ("asc", "desc"):
            raise exc.BadRequest(f"Invalid sort: {sort_key} {sort_dir}")
        try:
            limit = min(int(params.get("limit", 1000)), 1000)
        except ValueError:
            raise exc.BadRequest("limit param must be an integer") from None
        types = [t for t in params.get("resource_types", "").split(",") if t]
        with self.db.read() as s:
            marker = None
            if params.get("marker"):
                marker = self._visible(s, ctx, params["marker"])
            found = NamespaceRepo(s).search(
                owner=ctx.project_id, is_admin=ctx.is_admin,
                visibility=params.get("visibility"), resource_types=types, sort_key=sort_key,
                sort_dir=sort_dir, limit=limit, marker=marker)
            assocs = AssociationRepo(s).for_namespaces([n.id for n in found])
            return [Namespace(n, assocs[n.id]) for n in found]

    def create_namespace(self, ctx: RequestContext, body: Any) -> Namespace:
        body = _body(body)
        now = utcnow()
        ns = MetadefNamespace(namespace=_text(body, "namespace", 80, required=True),
                              display_name=_text(body, "display_name", 80),
                              description=_text(body, "description", 500),
                              visibility=self._visibility(body.get("visibility", "private")),
                              protected=self._flag(body.get("protected", False)),
                              owner=body.get("owner") or ctx.project_id,
                              created_at=now, updated_at=now)
        with self.db.write() as s:
            NamespaceRepo(s).add(ns, conflict=f"A metadata definition namespace with name="
                                              f"{ns.namespace} already exists.")
            for assoc in body.get("resource_type_associations") or []:
                self._associate(s, ns, _body(assoc))
            for name, schema in (body.get("properties") or {}).items():
                self._add_property(s, ns, {**_body(schema), "name": name})
            for obj in body.get("objects") or []:
                self._add_object(s, ns, _body(obj))
            for tag in body.get("tags") or []:
                self._add_tag(s, ns, _text(_body(tag), "name", 255, required=True))
            return self._full(s, ns)

    @staticmethod
    def _visibility(value: Any) -> str:
        if value not in ("public", "private"):
            raise exc.BadRequest(f"Invalid visibility: {value}")
        return str(value)

    @staticmethod
    def _flag(value: Any) -> bool:
        if not isinstance(value, bool):
            raise exc.BadRequest(f"Invalid boolean: {value}")
        return value

    def get_namespace(self, ctx: RequestContext, name: str) -> Namespace:
        with self.db.read() as s:
            return self._full(s, self._visible(s, ctx, name))

    def update_namespace(self, ctx: RequestContext, name: str, body: Any) -> Namespace:
        body = _body(body)
        with self.db.write() as s:
            ns = self._visible(s, ctx, name)
            ns.namespace = _text(body, "namespace", 80) or ns.namespace
            for key, limit in (("display_name", 80), ("description", 500)):
                if key in body:
                    setattr(ns, key, _text(body, key, limit))
            if "visibility" in body:
                ns.visibility = self._visibility(body["visibility"])
            if "protected" in body:
                ns.protected = self._flag(body["protected"])
            ns.updated_at = utcnow()
            NamespaceRepo(s).flush(conflict=f"A metadata definition namespace with name="
                                            f"{ns.namespace} already exists.")
            return self._full(s, ns)

    def delete_namespace(self, ctx: RequestContext, name: str) -> None:
        with self.db.write() as s:
            ns = self._visible(s, ctx, name)
            if ns.protected:
                raise exc.Forbidden(f"Namespace {name} is protected and cannot be deleted.")
            NamespaceRepo(s).delete(ns)

    # -- resource types ---------------------------------------------------------------------
    def resource_types(self) -> list[MetadefResourceType]:
        with self.db.read() as s:
            found = list(ResourceTypeRepo(s).all())
        if set(BUILTIN_TYPES) <= {rt.name for rt in found}:
            return found
        with self.db.write() as s:  # first use: the built-in types
            for name in BUILTIN_TYPES:
                self._resource_type(s, name, protected=True)
            return list(ResourceTypeRepo(s).all())

    @staticmethod
    def _resource_type(s: Session, name: str, protected: bool = False) -> MetadefResourceType:
        repo = ResourceTypeRepo(s)
        found = repo.by_name(name)
        if found is None:
            now = utcnow()
            found = repo.add(MetadefResourceType(name=name, protected=protected,
                                                 created_at=now, updated_at=now))
        return found

    def _associate(self, s: Session, ns: MetadefNamespace,
                   body: dict[str, Any]) -> tuple[MetadefAssociation, str]:
        name = _text(body, "name", 80, required=True)
        rt = self._resource_type(s, name, protected=name in BUILTIN_TYPES)
        now = utcnow()
        assoc = MetadefAssociation(namespace_id=ns.id, resource_type_id=rt.id,
                                   prefix=_text(body, "prefix", 80),
                                   properties_target=_text(body, "properties_target", 80),
                                   created_at=now, updated_at=now)
        AssociationRepo(s).add(assoc, conflict=f"The metadata definition resource-type "
                                               f"association of resource-type={name} to "
                                               f"namespace={ns.namespace}, already exists.")
        return assoc, name

    def associations(self, ctx: RequestContext, ns_name: str) -> list[tuple[Any, str]]:
        with self.db.read() as s:
            ns = self._visible(s, ctx, ns_name)
            return AssociationRepo(s).for_namespaces([ns.id])[ns.id]

    def associate(self, ctx: RequestContext, ns_name: str, body: Any) -> tuple[Any, str]:
        with self.db.write() as s:
            return self._associate(s, self._visible(s, ctx, ns_name), _body(body))

    def dissociate(self, ctx: RequestContext, ns_name: str, rt_name: str) -> None:
        with self.db.write() as s:
            ns = self._visible(s, ctx, ns_name)
            rt = ResourceTypeRepo(s).by_name(rt_name)
            assoc = AssociationRepo(s).get((ns.id, rt.id)) if rt else None
            if assoc is None:
                raise exc.NotFound(f"The metadata definition resource-type association of "
                                   f"resource-type={rt_name} to namespace={ns_name}, was not "
                                   "found.")
            AssociationRepo(s).delete(assoc)

    # -- objects, properties, tags ------------------------------------------------------------
    def _add_object(self, s: Session, ns: MetadefNamespace, body: dict[str, Any]) -> Any:
        now = utcnow()
        obj = MetadefObject(namespace_id=ns.id, name=_text(body, "name", 80, required=True),
                            description=_text(body, "description", 500),
                            required=body.get("required") or [],
                            properties=body.get("properties") or {},
                            created_at=now, updated_at=now)
        return ObjectRepo(s).add(obj, conflict=f"A metadata definition object with name="
                                               f"{obj.name} already exists in namespace="
                                               f"{ns.namespace}.")

    def _add_property(self, s: Session, ns: MetadefNamespace, body: dict[str, Any]) -> Any:
        name = _text(body, "name", 255, required=True)
        _text(body, "title", 255, required=True)
        if body.get("type") not in PROPERTY_TYPES:
            raise exc.BadRequest(f"Invalid property type: {body.get('type')}")
        now = utcnow()
        prop = MetadefProperty(namespace_id=ns.id, name=name,
                               json_schema={k: v for k, v in body.items() if k != "name"},
                               created_at=now, updated_at=now)
        return PropertyRepo(s).add(prop, conflict=f"A metadata definition property with name="
                                                   f"{name} already exists in namespace="
                                                   f"{ns.namespace}.")

    def _add_tag(self, s: Session, ns: MetadefNamespace, name: str) -> Any:
        now = utcnow()
        return TagRepo(s).add(MetadefTag(namespace_id=ns.id, name=name, created_at=now,
                                         updated_at=now),
                              conflict=f"A metadata tag with name={name} already exists in "
                                       f"namespace={ns.namespace}.")

    _ADDERS = {"objects": "_add_object", "properties": "_add_property"}
    _REPOS: dict[str, Any] = {"objects": ObjectRepo, "properties": PropertyRepo,
                              "tags": TagRepo}

    def members(self, ctx: RequestContext, ns_name: str, kind: str) -> list[Any]:
        with self.db.read() as s:
            return list(self._REPOS[kind](s).of(self._visible(s, ctx, ns_name).id))

    def member(self, ctx: RequestContext, ns_name: str, kind: str, name: str) -> Any:
        with self.db.read() as s:
            return self._member(s, self._visible(s, ctx, ns_name), kind, name)

    def _member(self, s: Session, ns: MetadefNamespace, kind: str, name: str) -> Any:
        found = self._REPOS[kind](s).named(ns.id, name)
        if found is None:
            singular = {"objects": "object", "properties": "property", "tags": "tag"}[kind]
            raise exc.NotFound(f"Metadata definition {singular} not found for namespace="
                               f"{ns.namespace}: {name}")
        return found

    def add_member(self, ctx: RequestContext, ns_name: str, kind: str, body: Any) -> Any:
        with self.db.write() as s:
            ns = self._visible(s, ctx, ns_name)
            return getattr(self, self._ADDERS[kind])(s, ns, _body(body))

    def update_member(self, ctx: RequestContext, ns_name: str, kind: str, name: str,
                      body: Any) -> Any:
        body = _body(body)
        with self.db.write() as s:
            ns = self._visible(s, ctx, ns_name)
            row = self._member(s, ns, kind, name)
            row.name = _text(body, "name", 255, required=True)
            if kind == "objects":
                row.description = _text(body, "description", 500)
                row.required = body.get("required") or []
                row.properties = body.get("properties") or {}
            elif kind == "properties":
                _text(body, "title", 255, required=True)
                if body.get("type") not in PROPERTY_TYPES:
                    raise exc.BadRequest(f"Invalid property type: {body.get('type')}")
                row.json_schema = {k: v for k, v in body.items() if k != "name"}
            row.updated_at = utcnow()
            self._REPOS[kind](s).flush(conflict=f"A metadata definition with name={row.name} "
                                                f"already exists in namespace={ns_name}.")
            return row

    def delete_member(self, ctx: RequestContext, ns_name: str, kind: str,
                      name: str | None) -> None:
        with self.db.write() as s:
            ns = self._visible(s, ctx, ns_name)
            if ns.protected:
                raise exc.Forbidden(f"Namespace {ns_name} is protected: its {kind} cannot be "
                                    "deleted.")
            repo = self._REPOS[kind](s)
            if name is None:
                repo.delete_all(ns.id)
            else:
                repo.delete(self._member(s, ns, kind, name))

    def add_tag(self, ctx: RequestContext, ns_name: str, name: str) -> MetadefTag:
        with self.db.write() as s:
            return self._add_tag(s, self._visible(s, ctx, ns_name), name)

    def replace_tags(self, ctx: RequestContext, ns_name: str, body: Any,
                     append: bool) -> list[MetadefTag]:
        tags = _body(body).get("tags")
        if not isinstance(tags, list):
            raise exc.BadRequest("Body must have a list of 'tags'.")
        names = [_text(_body(t), "name", 255, required=True) for t in tags]
        if len(set(names)) != len(names):
            raise exc.Conflict("Duplicate tag names in the request.")
        with self.db.write() as s:
            ns = self._visible(s, ctx, ns_name)
            if not append:
                TagRepo(s).delete_all(ns.id)
            return [self._add_tag(s, ns, name) for name in names]
