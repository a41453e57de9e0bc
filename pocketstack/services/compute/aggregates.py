"""Host aggregates and availability zones.

A host's availability zone is the ``availability_zone`` metadata of an aggregate it is in,
else the default zone. The scheduler reads the host -> zone and host -> metadata maps from
``topology()``, cached briefly and dropped at once when this process changes an aggregate.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.ids import new_uuid
from pocketstack.common.timeutils import utcnow
from pocketstack.db.models.compute import Aggregate
from pocketstack.db.repositories.compute.aggregates import AggregateRepo
from pocketstack.db.repositories.compute.hosts import ServiceRepo
from pocketstack.services.compute.options import ComputeOptions
from pocketstack.services.compute.tx import Transactions

AZ_KEY = "availability_zone"
CACHE_SECONDS = 5.0


@dataclass
class AggregateRecord:
    aggregate: Aggregate
    hosts: list[str] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def availability_zone(self) -> str | None:
        return self.metadata.get(AZ_KEY)


@dataclass
class Topology:
    zones: dict[str, str]                      # host -> zone (hosts in a zone aggregate)
    metadata: dict[str, dict[str, set[str]]]   # host -> key -> values of its aggregates
    default_zone: str

    def zone_of(self, host: str | None) -> str:
        return self.zones.get(host or "", self.default_zone)


def not_found(agg_id: Any) -> exc.NotFound:
    return exc.NotFound(f"Aggregate {agg_id} could not be found.")


class AggregateService:
    def __init__(self, tx: Transactions, options: ComputeOptions) -> None:
        self.tx = tx
        self.options = options
        self._cache: tuple[float, Topology] | None = None
        self._lock = threading.Lock()

    # -- topology -------------------------------------------------------------------------
    def topology(self) -> Topology:
        cached = self._cache
        if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
        with self._lock:
            topo = self.tx.read(self._load_topology)
            self._cache = (time.monotonic(), topo)
            return topo

    def _load_topology(self, s: Session) -> Topology:
        zones: dict[str, str] = {}
        meta: dict[str, dict[str, set[str]]] = {}
        for host, key, value, _ in AggregateRepo(s).host_metadata():
            meta.setdefault(host, {}).setdefault(key, set()).update(value.split(","))
            if key == AZ_KEY:
                zones[host] = value
        return Topology(zones, meta, self.options.default_az)

    def _changed(self) -> None:
        self._cache = None

    # -- aggregates -----------------------------------------------------------------------
    @staticmethod
    def _record(s: Session, agg: Aggregate) -> AggregateRecord:
        repo = AggregateRepo(s)
        return AggregateRecord(agg, repo.hosts_for([agg.id])[agg.id],
                               repo.metadata_for([agg.id])[agg.id])

    @staticmethod
    def _load(s: Session, agg_id: str) -> Aggregate:
        agg = AggregateRepo(s).get(int(agg_id)) if str(agg_id).isdigit() else None
        if agg is None:
            raise not_found(agg_id)
        return agg

    def list(self) -> list[AggregateRecord]:
        def work(s: Session) -> list[AggregateRecord]:
            repo = AggregateRepo(s)
            aggs = list(repo.all())
            ids = [a.id for a in aggs]
            hosts, meta = repo.hosts_for(ids), repo.metadata_for(ids)
            return [AggregateRecord(a, hosts[a.id], meta[a.id]) for a in aggs]
        return self.tx.read(work)

    def get(self, agg_id: str) -> AggregateRecord:
        return self.tx.read(lambda s: self._record(s, self._load(s, agg_id)))

    def create(self, name: str, zone: str | None) -> AggregateRecord:
        def work(s: Session) -> AggregateRecord:
            repo = AggregateRepo(s)
            if repo.by_name(name) is not None:
                raise exc.Conflict(f"Aggregate {name} already exists.")
            now = utcnow()
            agg = repo.add(Aggregate(uuid=new_uuid(), name=name, created_at=now),
                           conflict=f"Aggregate {name} already exists.")
            if zone:
                repo.set_metadata(agg.id, {AZ_KEY: zone})
            return self._record(s, agg)
        out = self.tx.write(work)
        self._changed()
        return out

    def update(self, agg_id: str, name: str | None, zone: str | None, has_zone: bool
               ) -> AggregateRecord:
        def work(s: Session) -> AggregateRecord:
            agg = self._load(s, agg_id)
            repo = AggregateRepo(s)
            if name is not None and name != agg.name:
                if repo.by_name(name) is not None:
                    raise exc.Conflict(f"Aggregate {name} already exists.")
                agg.name = name
            if has_zone:
                self._check_zone_change(s, agg, zone)
                repo.set_metadata(agg.id, {AZ_KEY: zone})
            agg.updated_at = utcnow()
            return self._record(s, agg)
        out = self.tx.write(work)
        self._changed()
        return out

    def delete(self, agg_id: str) -> None:
        def work(s: Session) -> None:
            agg = self._load(s, agg_id)
            if AggregateRepo(s).hosts_for([agg.id])[agg.id]:
                raise exc.BadRequest(f"Cannot remove aggregate {agg_id}. Reason: Host "
                                     "aggregate is not empty.")
            AggregateRepo(s).delete(agg)
        self.tx.write(work)
        self._changed()

    def add_host(self, agg_id: str, host: str) -> AggregateRecord:
        def work(s: Session) -> AggregateRecord:
            agg = self._load(s, agg_id)
            if ServiceRepo(s).by_host_binary(host, "nova-compute") is None:
                raise exc.NotFound(f"Compute host {host} could not be found.")
            repo = AggregateRepo(s)
            zone = repo.metadata_for([agg.id])[agg.id].get(AZ_KEY)
            if zone:
                self._check_host_zone(s, host, zone, agg.id)
            if not repo.add_host(agg.id, host):
                raise exc.Conflict(f"Aggregate {agg_id} already has host {host}.")
            agg.updated_at = utcnow()
            return self._record(s, agg)
        out = self.tx.write(work)
        self._changed()
        return out

    def remove_host(self, agg_id: str, host: str) -> AggregateRecord:
        def work(s: Session) -> AggregateRecord:
            agg = self._load(s, agg_id)
            if not AggregateRepo(s).remove_host(agg.id, host):
                if ServiceRepo(s).by_host_binary(host, "nova-compute") is None:
                    raise exc.NotFound(f"Compute host {host} could not be found.")
                raise exc.NotFound(f"Aggregate {agg_id} has no host {host}.")
            agg.updated_at = utcnow()
            return self._record(s, agg)
        out = self.tx.write(work)
        self._changed()
        return out

    def set_metadata(self, agg_id: str, items: dict[str, str | None]) -> AggregateRecord:
        def work(s: Session) -> AggregateRecord:
            agg = self._load(s, agg_id)
            if AZ_KEY in items:
                self._check_zone_change(s, agg, items[AZ_KEY])
            AggregateRepo(s).set_metadata(agg.id, items)
            agg.updated_at = utcnow()
            return self._record(s, agg)
        out = self.tx.write(work)
        self._changed()
        return out

    def _check_host_zone(self, s: Session, host: str, zone: str, agg_id: int) -> None:
        repo = AggregateRepo(s)
        for other in repo.aggregates_of(host):
            if other == agg_id:
                continue
            their = repo.metadata_for([other])[other].get(AZ_KEY)
            if their and their != zone:
                raise exc.Conflict(f"Cannot add host to aggregate {agg_id}. Reason: One or "
                                   f"more hosts already in availability zone(s) [{their!r}].")

    def _check_zone_change(self, s: Session, agg: Aggregate, zone: str | None) -> None:
        if zone is None:
            return
        if zone == self.options.internal_az:
            raise exc.BadRequest(f"Invalid availability zone name: {zone}")
        for host in AggregateRepo(s).hosts_for([agg.id])[agg.id]:
            self._check_host_zone(s, host, zone, agg.id)
