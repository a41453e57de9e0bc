"""Regions, services and endpoints, and the catalog carried in tokens."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.ids import new_id
from pocketstack.db import revisions
from pocketstack.db.engine import Database
from pocketstack.db.models.identity import Endpoint, Region, Service
from pocketstack.db.repositories.identity.catalog import EndpointRepo, RegionRepo, ServiceRepo
from pocketstack.services.identity.validation import fresh_id, keep_id

INTERFACES = ("public", "internal", "admin")


class CatalogService:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._cached: tuple[int, list[dict[str, Any]]] | None = None

    # -- regions ----------------------------------------------------------------------
    def create_region(self, data: dict[str, Any], region_id: str | None = None) -> Region:
        with self.db.write() as s:
            rid = region_id or data.pop("id", None) or new_id()
            data.pop("id", None)
            parent = data.pop("parent_region_id", None)
            if parent:
                self._region(s, parent)
            region = Region(id=rid, description=data.pop("description", None) or "",
                            parent_region_id=parent, extra=data)
            return RegionRepo(s).add(
                region, conflict=f"Conflict occurred attempting to store region - Duplicate "
                f"ID, {rid}."
            )

    @staticmethod
    def _region(s: Session, region_id: str, *, lock: bool = False) -> Region:
        repo = RegionRepo(s)
        region = repo.get_for_update(region_id) if lock else repo.get(region_id)
        if region is None:
            raise exc.NotFound(f"Could not find region: {region_id}.")
        return region

    def get_region(self, region_id: str) -> Region:
        with self.db.read() as s:
            return self._region(s, region_id)

    def list_regions(self, parent_region_id: str | None = None) -> list[Region]:
        with self.db.read() as s:
            where = []
            if parent_region_id is not None:
                where.append(Region.parent_region_id == parent_region_id)
            return list(RegionRepo(s).find(*where, order_by=Region.id))

    def update_region(self, region_id: str, data: dict[str, Any]) -> Region:
        with self.db.write() as s:
            region = self._region(s, region_id)
            keep_id(data, region.id)
            if "parent_region_id" in data:
                parent = data.pop("parent_region_id")
                if parent:
                    self._region(s, parent)
                    if self._ancestry_has(s, parent, region_id):
                        raise exc.ValidationError("Region hierarchy would contain a cycle.")
                region.parent_region_id = parent
            if "description" in data:
                region.description = data.pop("description") or ""
            region.extra = {**(region.extra or {}), **data}
            return region

    def _ancestry_has(self, s: Session, start: str, target: str) -> bool:
        seen: set[str] = set()
        current: str | None = start
        while current and current not in seen:
            if current == target:
                return True
            seen.add(current)
            region = RegionRepo(s).get(current)
            current = region.parent_region_id if region else None
        return False

    def delete_region(self, region_id: str) -> None:
        with self.db.write() as s:
            region = self._region(s, region_id, lock=True)
            repo = RegionRepo(s)
            if repo.first(Region.parent_region_id == region_id) is not None:
                raise exc.Forbidden("Cannot delete a region that has child regions.")
            repo.delete(region)

    # -- services ---------------------------------------------------------------------
    def create_service(self, data: dict[str, Any]) -> Service:
        with self.db.write() as s:
            service = Service(id=fresh_id(data), type=data.pop("type"),
                              enabled=data.pop("enabled", True), extra=data)
            return ServiceRepo(s).add(service)

    def _service(self, s: Session, service_id: str, *, lock: bool = False) -> Service:
        repo = ServiceRepo(s)
        service = repo.get_for_update(service_id) if lock else repo.get(service_id)
        if service is None:
            raise exc.NotFound(f"Could not find service: {service_id}.")
        return service

    def get_service(self, service_id: str) -> Service:
        with self.db.read() as s:
            return self._service(s, service_id)

    def list_services(self, type_: str | None = None, name: str | None = None) -> list[Service]:
        with self.db.read() as s:
            where = [] if type_ is None else [Service.type == type_]
            found = list(ServiceRepo(s).find(*where))
            if name is not None:
                found = [x for x in found if (x.extra or {}).get("name") == name]
            return found

    def update_service(self, service_id: str, data: dict[str, Any]) -> Service:
        with self.db.write() as s:
            service = self._service(s, service_id)
            keep_id(data, service.id)
            if "type" in data:
                service.type = data.pop("type")
            if "enabled" in data:
                service.enabled = data.pop("enabled")
            service.extra = {**(service.extra or {}), **data}
            return service

    def delete_service(self, service_id: str) -> None:
        with self.db.write() as s:
            service = self._service(s, service_id, lock=True)
            EndpointRepo(s).delete_where(Endpoint.service_id == service_id)
            ServiceRepo(s).delete(service)

    # -- endpoints --------------------------------------------------------------------
    def create_endpoint(self, data: dict[str, Any]) -> Endpoint:
        with self.db.write() as s:
            self._service(s, data["service_id"])
            region_id = data.pop("region_id", None) or data.pop("region", None)
            data.pop("region", None)
            if region_id and RegionRepo(s).get(region_id) is None:
                # Keystone creates a region an endpoint names but that does not exist yet.
                RegionRepo(s).add(Region(id=region_id, description="", extra={}))
            self._check_interface(data.get("interface"))
            endpoint = Endpoint(
                id=fresh_id(data),
                service_id=data.pop("service_id"),
                interface=data.pop("interface"),
                url=data.pop("url"),
                region_id=region_id,
                enabled=data.pop("enabled", True),
                extra=data,
            )
            return EndpointRepo(s).add(endpoint)

    @staticmethod
    def _check_interface(value: Any) -> None:
        if value not in INTERFACES:
            raise exc.ValidationError(
                f"Invalid input for field 'interface': {value!r} is not one of "
                f"{list(INTERFACES)}"
            )

    def _endpoint(self, s: Session, endpoint_id: str, *, lock: bool = False) -> Endpoint:
        repo = EndpointRepo(s)
        endpoint = repo.get_for_update(endpoint_id) if lock else repo.get(endpoint_id)
        if endpoint is None:
            raise exc.NotFound(f"Could not find endpoint: {endpoint_id}.")
        return endpoint

    def get_endpoint(self, endpoint_id: str) -> Endpoint:
        with self.db.read() as s:
            return self._endpoint(s, endpoint_id)

    def list_endpoints(self, filters: dict[str, Any]) -> list[Endpoint]:
        with self.db.read() as s:
            where = []
            for key in ("service_id", "interface", "region_id"):
                if filters.get(key) is not None:
                    where.append(getattr(Endpoint, key) == filters[key])
            return list(EndpointRepo(s).find(*where))

    def update_endpoint(self, endpoint_id: str, data: dict[str, Any]) -> Endpoint:
        with self.db.write() as s:
            endpoint = self._endpoint(s, endpoint_id)
            keep_id(data, endpoint.id)
            if "region" in data and "region_id" not in data:
                data["region_id"] = data.pop("region")
            data.pop("region", None)
            if data.get("region_id") and RegionRepo(s).get(data["region_id"]) is None:
                RegionRepo(s).add(Region(id=data["region_id"], description="", extra={}))
            if "service_id" in data:
                self._service(s, data["service_id"])
            if "interface" in data:
                self._check_interface(data["interface"])
            for key in ("service_id", "interface", "url", "region_id", "enabled"):
                if key in data:
                    setattr(endpoint, key, data.pop(key))
            endpoint.extra = {**(endpoint.extra or {}), **data}
            return endpoint

    def delete_endpoint(self, endpoint_id: str) -> None:
        with self.db.write() as s:
            EndpointRepo(s).delete(self._endpoint(s, endpoint_id, lock=True))

    # -- the catalog in tokens ----------------------------------------------------------
    def token_catalog(self) -> list[dict[str, Any]]:
        """The catalog carried in tokens, cached while the identity revision is unchanged."""
        rev = revisions.read(self.db, "identity")
        if self._cached is not None and self._cached[0] == rev:
            return self._cached[1]
        with self.db.read() as s:
            services = ServiceRepo(s).find(Service.enabled.is_(True))
            endpoints = EndpointRepo(s).find(Endpoint.enabled.is_(True))
        by_service: dict[str, list[dict[str, Any]]] = {}
        for e in endpoints:
            by_service.setdefault(e.service_id, []).append(
                {"id": e.id, "interface": e.interface, "region": e.region_id,
                 "region_id": e.region_id, "url": e.url}
            )
        catalog = [
            {"endpoints": by_service.get(svc.id, []), "id": svc.id, "type": svc.type,
             "name": (svc.extra or {}).get("name", "")}
            for svc in services
        ]
        self._cached = (rev, catalog)
        return catalog
