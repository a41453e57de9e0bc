"""Host aggregates: their hosts and metadata (availability zones live in the metadata)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select

from pocketstack.db.models.compute import Aggregate, AggregateHost, AggregateMetadata
from pocketstack.db.repositories.base import Repository


class AggregateRepo(Repository[Aggregate]):
    model = Aggregate

    def by_name(self, name: str) -> Aggregate | None:
        return self.first(Aggregate.name == name)

    def all(self) -> Sequence[Aggregate]:
        return self.find(order_by=Aggregate.id)

    def hosts_for(self, ids: list[int]) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {i: [] for i in ids}
        if ids:
            rows = self.session.execute(select(AggregateHost.aggregate_id, AggregateHost.host)
                                        .where(AggregateHost.aggregate_id.in_(ids))
                                        .order_by(AggregateHost.host))
            for agg_id, host in rows:
                out[agg_id].append(host)
        return out

    def metadata_for(self, ids: list[int]) -> dict[int, dict[str, str]]:
        out: dict[int, dict[str, str]] = {i: {} for i in ids}
        if ids:
            rows = self.session.execute(select(AggregateMetadata.aggregate_id,
                                               AggregateMetadata.key, AggregateMetadata.value)
                                        .where(AggregateMetadata.aggregate_id.in_(ids)))
            for agg_id, k, v in rows:
                out[agg_id][k] = v
        return out

    def add_host(self, agg_id: int, host: str) -> bool:
        if self.session.get(AggregateHost, (agg_id, host)) is not None:
            return False
        self.session.add(AggregateHost(aggregate_id=agg_id, host=host))
        self.session.flush()
        return True

    def remove_host(self, agg_id: int, host: str) -> bool:
        result = self.session.execute(delete(AggregateHost).where(
            AggregateHost.aggregate_id == agg_id, AggregateHost.host == host))
        return bool(result.rowcount)

    def set_metadata(self, agg_id: int, items: dict[str, str | None]) -> None:
        for key, value in items.items():
            row = self.session.get(AggregateMetadata, (agg_id, key))
            if value is None:
                if row is not None:
                    self.session.delete(row)
            elif row is None:
                self.session.add(AggregateMetadata(aggregate_id=agg_id, key=key, value=value))
            else:
                row.value = value
        self.session.flush()

    def host_metadata(self) -> list[tuple[str, str, str, int]]:
        """(host, key, value, aggregate id) for every host in an aggregate with metadata."""
        rows = self.session.execute(select(AggregateHost.host, AggregateMetadata.key,
                                           AggregateMetadata.value,
                                           AggregateHost.aggregate_id).join(
            AggregateMetadata, AggregateMetadata.aggregate_id == AggregateHost.aggregate_id))
        return [(h, k, v, a) for h, k, v, a in rows]

    def aggregates_of(self, host: str) -> list[int]:
        return list(self.session.scalars(select(AggregateHost.aggregate_id)
                                         .where(AggregateHost.host == host)))
