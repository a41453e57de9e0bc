"""Quotas, agents and tags."""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import bindparam, delete, func, insert, select, text

from pocketstack.db.models.network import Agent, Quota, Tag
from pocketstack.db.repositories.base import Repository
from pocketstack.db.repositories.network.listing import IDS, Listing, by_ids, fetch

# Built once (building a statement costs more than running it): checked on every create.
_LIMITS = select(Quota.resource, Quota.limit).where(Quota.project_id == bindparam("project"))


class QuotaRepo(Repository[Quota]):
    model = Quota

    def limits(self, project_id: str) -> dict[str, int]:
        return {r: v for r, v in self.session.execute(_LIMITS, {"project": project_id})}

    def lock(self, project_id: str, resource: str) -> None:
        """On PostgreSQL, serialise one project's creates of one resource until the
        transaction ends, so count-then-insert cannot overshoot the limit (SQLite writers
        are serialised already)."""
        if self.session.get_bind().dialect.name == "postgresql":
            key = zlib.crc32(f"pocketstack-quota:{project_id}:{resource}".encode())
            self.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})

    def projects(self) -> list[str]:
        return list(self.session.scalars(select(Quota.project_id).distinct()))

    def set(self, project_id: str, resource: str, limit: int) -> None:
        row = self.session.get(Quota, (project_id, resource))
        if row is None:
            self.session.add(Quota(project_id=project_id, resource=resource, limit=limit))
        else:
            row.limit = limit
        self.session.flush()

    def clear(self, project_id: str) -> None:
        self.session.execute(delete(Quota).where(Quota.project_id == project_id))

    def usage(self, model: type, project_id: str) -> int:
        return int(self.session.scalar(select(func.count()).select_from(model).where(
            model.project_id == project_id)) or 0)  # type: ignore[attr-defined]


class AgentRepo(Repository[Agent]):
    model = Agent

    def list(self, listing: Listing) -> Sequence[Agent]:
        return fetch(self.session, Agent, listing)

    def by_type_host(self, agent_type: str, host: str) -> Agent | None:
        return self.first(Agent.agent_type == agent_type, Agent.host == host)

    def zones(self) -> Sequence[Agent]:
        return self.find(Agent.availability_zone.is_not(None))


class TagRepo(Repository[Tag]):
    model = Tag

    def for_ids(self, ids: Iterable[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        stmt = select(Tag.resource_id, Tag.tag).where(Tag.resource_id.in_(IDS)).order_by(Tag.tag)
        for rid, tag in by_ids(self.session, stmt, list(ids)):
            out[rid].append(tag)
        return out

    def replace(self, resource_type: str, resource_id: str, tags: Sequence[str]) -> None:
        self.session.execute(delete(Tag).where(Tag.resource_id == resource_id))
        if tags:
            self.session.execute(insert(Tag), [
                {"resource_id": resource_id, "tag": t, "resource_type": resource_type}
                for t in dict.fromkeys(tags)])

    def add(self, resource_type: str, resource_id: str, tag: str) -> None:  # type: ignore[override]
        if self.session.get(Tag, (resource_id, tag)) is None:
            self.session.add(Tag(resource_id=resource_id, tag=tag, resource_type=resource_type))
            self.session.flush()

    def remove(self, resource_id: str, tag: str) -> bool:
        result = self.session.execute(delete(Tag).where(Tag.resource_id == resource_id,
                                                        Tag.tag == tag))
        return bool(result.rowcount)

    def purge(self, resource_ids: Iterable[str]) -> None:
        ids = list(resource_ids)
        if ids:
            self.session.execute(delete(Tag).where(Tag.resource_id.in_(ids)))
