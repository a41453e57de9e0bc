"""Volume types (extra specs, project access) and QoS specs."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select

from pocketstack.db.models.volume import QosSpecs, VolumeType, VolumeTypeAccess, VolumeTypeExtraSpec
from pocketstack.db.repositories.base import Repository


class TypeRepo(Repository[VolumeType]):
    model = VolumeType

    def by_name(self, name: str) -> VolumeType | None:
        return self.first(VolumeType.name == name)

    def visible(self, project_id: str | None, *, is_public: bool | None,
                admin: bool) -> Sequence[VolumeType]:
        stmt = select(VolumeType).order_by(VolumeType.created_at, VolumeType.id)
        if is_public is not None:
            stmt = stmt.where(VolumeType.is_public.is_(is_public))
        if not admin:
            shared = select(VolumeTypeAccess.type_id).where(
                VolumeTypeAccess.project_id == project_id)
            stmt = stmt.where(or_(VolumeType.is_public.is_(True), VolumeType.id.in_(shared)))
        return self.session.scalars(stmt).all()

    def with_qos(self, qos_id: str) -> Sequence[VolumeType]:
        return self.find(VolumeType.qos_specs_id == qos_id)

    # -- extra specs ------------------------------------------------------------------------
    def specs(self, type_id: str) -> dict[str, str]:
        rows = self.session.execute(select(VolumeTypeExtraSpec.key, VolumeTypeExtraSpec.value)
                                    .where(VolumeTypeExtraSpec.type_id == type_id))
        return {k: v for k, v in rows}

    def specs_for(self, ids: list[str]) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {i: {} for i in ids}
        if ids:
            rows = self.session.execute(
                select(VolumeTypeExtraSpec.type_id, VolumeTypeExtraSpec.key,
                       VolumeTypeExtraSpec.value).where(VolumeTypeExtraSpec.type_id.in_(ids)))
            for tid, k, v in rows:
                out[tid][k] = v
        return out

    def set_specs(self, type_id: str, items: dict[str, str]) -> None:
        for key, value in items.items():
            row = self.session.get(VolumeTypeExtraSpec, (type_id, key))
            if row is None:
                self.session.add(VolumeTypeExtraSpec(type_id=type_id, key=key, value=value))
            else:
                row.value = value
        self.session.flush()

    def delete_spec(self, type_id: str, key: str) -> bool:
        row = self.session.get(VolumeTypeExtraSpec, (type_id, key))
        if row is None:
            return False
        self.session.delete(row)
        self.session.flush()
        return True

    # -- access ---------------------------------------------------------------------------
    def projects(self, type_id: str) -> list[str]:
        return list(self.session.scalars(select(VolumeTypeAccess.project_id)
                                         .where(VolumeTypeAccess.type_id == type_id)))

    def has_access(self, type_id: str, project_id: str | None) -> bool:
        return self.session.get(VolumeTypeAccess, (type_id, project_id or "")) is not None

    def add_access(self, type_id: str, project_id: str) -> bool:
        if self.has_access(type_id, project_id):
            return False
        self.session.add(VolumeTypeAccess(type_id=type_id, project_id=project_id))
        self.session.flush()
        return True

    def remove_access(self, type_id: str, project_id: str) -> bool:
        row = self.session.get(VolumeTypeAccess, (type_id, project_id))
        if row is None:
            return False
        self.session.delete(row)
        self.session.flush()
        return True


class QosRepo(Repository[QosSpecs]):
    model = QosSpecs

    def by_name(self, name: str) -> QosSpecs | None:
        return self.first(QosSpecs.name == name)

    def all(self) -> Sequence[QosSpecs]:
        return self.find(order_by=QosSpecs.created_at)
