"""Flavors, their extra specs and their project access lists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, delete, or_, select

from pocketstack.db.models.compute import Flavor, FlavorExtraSpec, FlavorProject
from pocketstack.db.repositories.base import Repository

SORT_KEYS = {"created_at": Flavor.created_at, "description": Flavor.description,
             "disabled": Flavor.disabled, "ephemeral_gb": Flavor.ephemeral_gb,
             "flavorid": Flavor.flavorid, "id": Flavor.id, "is_public": Flavor.is_public,
             "memory_mb": Flavor.memory_mb, "name": Flavor.name, "root_gb": Flavor.root_gb,
             "rxtx_factor": Flavor.rxtx_factor, "swap": Flavor.swap,
             "updated_at": Flavor.updated_at, "vcpu_weight": Flavor.id, "vcpus": Flavor.vcpus}


# Built once (building a statement costs more than running it): read on every boot.
_BY_FLAVORID = select(Flavor).where(Flavor.flavorid == bindparam("flavorid")).limit(1)
_SPECS = select(FlavorExtraSpec.key, FlavorExtraSpec.value).where(
    FlavorExtraSpec.flavor_id == bindparam("flavor"))


@dataclass
class FlavorQuery:
    is_public: bool | None = True
    project_id: str | None = None
    include_disabled: bool = True
    min_ram: int | None = None
    min_disk: int | None = None
    name: str | None = None
    sort_key: str = "flavorid"
    sort_dir: str = "asc"
    limit: int | None = None
    marker: Flavor | None = None


class FlavorRepo(Repository[Flavor]):
    model = Flavor

    def by_flavorid(self, flavorid: str) -> Flavor | None:
        return self.session.scalars(_BY_FLAVORID, {"flavorid": flavorid}).first()

    def by_name(self, name: str) -> Flavor | None:
        return self.first(Flavor.name == name)

    def count_all(self) -> int:
        return self.count()

    def search(self, q: FlavorQuery) -> Sequence[Flavor]:
        where: list[Any] = []
        if q.is_public is not None:
            if q.is_public and q.project_id:
                shared = select(FlavorProject.flavor_id).where(
                    FlavorProject.project_id == q.project_id)
                where.append(or_(Flavor.is_public.is_(True), Flavor.id.in_(shared)))
            else:
                where.append(Flavor.is_public.is_(q.is_public))
        if not q.include_disabled:
            where.append(Flavor.disabled.is_(False))
        if q.min_ram is not None:
            where.append(Flavor.memory_mb >= q.min_ram)
        if q.min_disk is not None:
            where.append(Flavor.root_gb >= q.min_disk)
        if q.name is not None:
            where.append(Flavor.name == q.name)
        col = SORT_KEYS[q.sort_key]
        asc = q.sort_dir == "asc"
        if q.marker is not None:
            mval = getattr(q.marker, col.key)
            after = (col > mval) if asc else (col < mval)
            tie = (Flavor.id > q.marker.id) if asc else (Flavor.id < q.marker.id)
            where.append(or_(after, and_(col == mval, tie)))
        order = [col.asc() if asc else col.desc(), Flavor.id.asc() if asc else Flavor.id.desc()]
        stmt = select(Flavor).where(*where).order_by(*order)
        if q.limit is not None:
            stmt = stmt.limit(q.limit)
        return self.session.scalars(stmt).all()

    # -- extra specs ------------------------------------------------------------------------
    def specs(self, flavor_id: int) -> dict[str, str]:
        rows = self.session.execute(_SPECS, {"flavor": flavor_id})
        return {k: v for k, v in rows}

    def specs_for(self, ids: list[int]) -> dict[int, dict[str, str]]:
        out: dict[int, dict[str, str]] = {i: {} for i in ids}
        if ids:
            rows = self.session.execute(
                select(FlavorExtraSpec.flavor_id, FlavorExtraSpec.key, FlavorExtraSpec.value)
                .where(FlavorExtraSpec.flavor_id.in_(ids)))
            for fid, k, v in rows:
                out[fid][k] = v
        return out

    def set_specs(self, flavor_id: int, items: dict[str, str]) -> None:
        for key, value in items.items():
            row = self.session.get(FlavorExtraSpec, (flavor_id, key))
            if row is None:
                self.session.add(FlavorExtraSpec(flavor_id=flavor_id, key=key, value=value))
            else:
                row.value = value
        self.session.flush()

    def delete_spec(self, flavor_id: int, key: str) -> bool:
        result = self.session.execute(delete(FlavorExtraSpec).where(
            FlavorExtraSpec.flavor_id == flavor_id, FlavorExtraSpec.key == key))
        return bool(result.rowcount)

    # -- access ---------------------------------------------------------------------------
    def projects(self, flavor_id: int) -> list[str]:
        return list(self.session.scalars(select(FlavorProject.project_id)
                                         .where(FlavorProject.flavor_id == flavor_id)
                                         .order_by(FlavorProject.project_id)))

    def has_access(self, flavor_id: int, project_id: str | None) -> bool:
        return self.session.get(FlavorProject, (flavor_id, project_id or "")) is not None

    def add_access(self, flavor_id: int, project_id: str) -> bool:
        if self.has_access(flavor_id, project_id):
            return False
        self.session.add(FlavorProject(flavor_id=flavor_id, project_id=project_id))
        self.session.flush()
        return True

    def remove_access(self, flavor_id: int, project_id: str) -> bool:
        result = self.session.execute(delete(FlavorProject).where(
            FlavorProject.flavor_id == flavor_id, FlavorProject.project_id == project_id))
        return bool(result.rowcount)
