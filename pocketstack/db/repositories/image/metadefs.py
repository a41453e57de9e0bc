"""Metadata definitions: namespaces, resource types and associations, objects, properties,
tags."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import exists, or_, select

from pocketstack.db.models.image import (
    MetadefAssociation,
    MetadefNamespace,
    MetadefObject,
    MetadefProperty,
    MetadefResourceType,
    MetadefTag,
)
from pocketstack.db.repositories.base import Repository


class NamespaceRepo(Repository[MetadefNamespace]):
    model = MetadefNamespace

    def by_name(self, name: str) -> MetadefNamespace | None:
        return self.first(MetadefNamespace.namespace == name)

    def search(self, *, owner: str | None, is_admin: bool, visibility: str | None,
               resource_types: list[str], sort_key: str, sort_dir: str, limit: int,
               marker: MetadefNamespace | None) -> Sequence[MetadefNamespace]:
        stmt = select(MetadefNamespace)
        if not is_admin:
            stmt = stmt.where(or_(MetadefNamespace.visibility == "public",
                                  MetadefNamespace.owner == (owner or "")))
        if visibility:
            stmt = stmt.where(MetadefNamespace.visibility == visibility)
        for name in resource_types:
            stmt = stmt.where(exists().where(
                MetadefAssociation.namespace_id == MetadefNamespace.id,
                MetadefAssociation.resource_type_id == MetadefResourceType.id,
                MetadefResourceType.name == name))
        col = getattr(MetadefNamespace, sort_key)
        if marker is not None:
            value = getattr(marker, sort_key)
            after = (col > value) | ((col == value) & (MetadefNamespace.id > marker.id))
            before = (col < value) | ((col == value) & (MetadefNamespace.id < marker.id))
            stmt = stmt.where(after if sort_dir == "asc" else before)
        order = (col.asc(), MetadefNamespace.id.asc()) if sort_dir == "asc" else (
            col.desc(), MetadefNamespace.id.desc())
        return self.session.scalars(stmt.order_by(*order).limit(limit)).all()


class ResourceTypeRepo(Repository[MetadefResourceType]):
    model = MetadefResourceType

    def by_name(self, name: str) -> MetadefResourceType | None:
        return self.first(MetadefResourceType.name == name)

    def all(self) -> Sequence[MetadefResourceType]:
        return self.find(order_by=MetadefResourceType.name)


class AssociationRepo(Repository[MetadefAssociation]):
    model = MetadefAssociation

    def for_namespaces(self, ids: list[int]) -> dict[int, list[tuple[MetadefAssociation, str]]]:
        out: dict[int, list[tuple[MetadefAssociation, str]]] = {i: [] for i in ids}
        if ids:
            rows = self.session.execute(
                select(MetadefAssociation, MetadefResourceType.name)
                .join(MetadefResourceType,
                      MetadefResourceType.id == MetadefAssociation.resource_type_id)
                .where(MetadefAssociation.namespace_id.in_(ids))
                .order_by(MetadefResourceType.name))
            for assoc, name in rows:
                out[assoc.namespace_id].append((assoc, name))
        return out


class _Member(Repository[Any]):
    """Objects, properties and tags: rows of a namespace, unique by name within it."""

    def of(self, namespace_id: int) -> Sequence[Any]:
        return self.find(self.model.namespace_id == namespace_id, order_by=self.model.name)

    def named(self, namespace_id: int, name: str) -> Any:
        return self.first(self.model.namespace_id == namespace_id, self.model.name == name)

    def delete_all(self, namespace_id: int) -> int:
        return self.delete_where(self.model.namespace_id == namespace_id)


class ObjectRepo(_Member):
    model = MetadefObject


class PropertyRepo(_Member):
    model = MetadefProperty


class TagRepo(_Member):
    model = MetadefTag
