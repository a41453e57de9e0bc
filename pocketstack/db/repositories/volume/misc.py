"""Quotas, quota classes, per-project locks, transfers, services and user messages."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from pocketstack.db.models.volume import (
    Message,
    ProjectLock,
    Quota,
    QuotaClass,
    Service,
    Transfer,
)
from pocketstack.db.repositories.base import Repository
from pocketstack.db.repositories.volume.listing import Page, fetch


class QuotaRepo(Repository[Quota]):
    model = Quota

    def limits(self, project_id: str) -> dict[str, int]:
        rows = self.session.execute(select(Quota.resource, Quota.hard_limit)
                                    .where(Quota.project_id == project_id))
        return {r: int(v) for r, v in rows}

    def put(self, project_id: str, resource: str, value: int) -> None:
        row = self.session.get(Quota, (project_id, resource))
        if row is None:
            self.session.add(Quota(project_id=project_id, resource=resource, hard_limit=value))
        else:
            row.hard_limit = value
        self.session.flush()

    def clear(self, project_id: str) -> None:
        self.delete_where(Quota.project_id == project_id)

    def lock(self, project_id: str) -> None:
        """Serialise quota checks for one project (row lock on PostgreSQL)."""
        if self.session.get(ProjectLock, project_id, with_for_update=True) is None:
            self.session.add(ProjectLock(project_id=project_id))
            self.session.flush()
            self.session.get(ProjectLock, project_id, with_for_update=True)


class QuotaClassRepo(Repository[QuotaClass]):
    model = QuotaClass

    def limits(self, class_name: str) -> dict[str, int]:
        rows = self.session.execute(select(QuotaClass.resource, QuotaClass.hard_limit)
                                    .where(QuotaClass.class_name == class_name))
        return {r: int(v) for r, v in rows}

    def put(self, class_name: str, resource: str, value: int) -> None:
        row = self.session.get(QuotaClass, (class_name, resource))
        if row is None:
            self.session.add(QuotaClass(class_name=class_name, resource=resource,
                                        hard_limit=value))
        else:
            row.hard_limit = value
        self.session.flush()


class TransferRepo(Repository[Transfer]):
    model = Transfer

    def page(self, page: Page) -> Sequence[Transfer]:
        return fetch(self.session, Transfer, page)

    def of_volume(self, volume_id: str) -> Transfer | None:
        return self.first(Transfer.volume_id == volume_id, Transfer.accepted.is_(False))


class ServiceRepo(Repository[Service]):
    model = Service

    def all(self) -> Sequence[Service]:
        return self.find(order_by=Service.id)

    def by_host_binary(self, host: str, binary: str) -> Service | None:
        return self.first(Service.host == host, Service.binary == binary)


class MessageRepo(Repository[Message]):
    model = Message

    def page(self, page: Page) -> Sequence[Message]:
        return fetch(self.session, Message, page)
