"""Subnets, subnet pools and IP allocations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import bindparam, delete, exists, func, or_, select
from sqlalchemy.orm import aliased

from pocketstack.db.models.network import (
    IPAllocation,
    Network,
    Port,
    RBACPolicy,
    Subnet,
    SubnetPool,
)
from pocketstack.db.repositories.base import Repository
from pocketstack.db.repositories.network.listing import IDS, Listing, by_ids, fetch

# Built once (building a statement costs more than running it): the hot IPAM reads.
_ALLOCATIONS_OF_PORTS = select(IPAllocation).where(
    IPAllocation.port_id.in_(bindparam("ports", expanding=True)))
_SUBNETS_ON_NETWORK = select(Subnet).where(Subnet.network_id == bindparam("network")).order_by(
    Subnet.created_at)
_TAKEN_KEYS = select(IPAllocation.ip_key).where(
    IPAllocation.subnet_id == bindparam("subnet"),
    IPAllocation.ip_key.in_(bindparam("keys", expanding=True)))


class SubnetRepo(Repository[Subnet]):
    model = Subnet

    @staticmethod
    def visible(project_id: str | None) -> Any:
        """Own subnets and the subnets of networks shared with the project."""
        shared = select(RBACPolicy.object_id).where(
            RBACPolicy.object_type == "network", RBACPolicy.action == "access_as_shared",
            RBACPolicy.target_project.in_([project_id or "", "*"]))
        return or_(Subnet.project_id == project_id, Subnet.network_id.in_(shared))

    def list(self, listing: Listing) -> Sequence[Subnet]:
        return fetch(self.session, Subnet, listing)

    def on_network(self, network_id: str) -> Sequence[Subnet]:
        return self.session.scalars(_SUBNETS_ON_NETWORK, {"network": network_id}).all()

    def on_networks(self, network_ids: Iterable[str]) -> dict[str, list[Subnet]]:
        out: dict[str, list[Subnet]] = defaultdict(list)
        ids = list(network_ids)
        if ids:
            for s in self.session.scalars(select(Subnet).where(Subnet.network_id.in_(ids))
                                          .order_by(Subnet.created_at, Subnet.id)):
                out[s.network_id].append(s)
        return out

    def in_pool(self, pool_id: str) -> Sequence[Subnet]:
        return self.find(Subnet.subnetpool_id == pool_id)

    def used_by_ports(self, subnet_id: str, exclude_owners: Sequence[str]) -> list[str]:
        """Ids of ports (not auto-deletable) holding an address from the subnet."""
        rows = self.session.scalars(select(IPAllocation.port_id).join(
            Port, Port.id == IPAllocation.port_id).where(
            IPAllocation.subnet_id == subnet_id, Port.device_owner.not_in(exclude_owners)))
        return list(rows)

    def network_project(self, network_id: str) -> str | None:
        return self.session.scalar(select(Network.project_id).where(Network.id == network_id))


class SubnetPoolRepo(Repository[SubnetPool]):
    model = SubnetPool

    @staticmethod
    def visible(project_id: str | None) -> Any:
        return or_(SubnetPool.project_id == project_id, SubnetPool.shared.is_(True))

    def list(self, listing: Listing) -> Sequence[SubnetPool]:
        return fetch(self.session, SubnetPool, listing)

    def default_for(self, ip_version: int) -> SubnetPool | None:
        return self.first(SubnetPool.ip_version == ip_version, SubnetPool.is_default.is_(True))


class AllocationRepo(Repository[IPAllocation]):
    model = IPAllocation

    def for_ports(self, port_ids: Iterable[str]) -> dict[str, list[IPAllocation]]:
        out: dict[str, list[IPAllocation]] = defaultdict(list)
        ids = list(port_ids)
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            for a in self.session.scalars(_ALLOCATIONS_OF_PORTS, {"ports": chunk}):
                out[a.port_id].append(a)
        return out

    def rows_for_ports(self, port_ids: Iterable[str]) -> dict[str, list[Any]]:
        """(port_id, subnet_id, ip_address) rows, for views of long lists."""
        out: dict[str, list[Any]] = defaultdict(list)
        stmt = select(IPAllocation.port_id, IPAllocation.subnet_id,
                      IPAllocation.ip_address).where(IPAllocation.port_id.in_(IDS))
        for row in by_ids(self.session, stmt, list(port_ids)):
            out[row.port_id].append(row)
        return out

    def taken_keys(self, subnet_id: str, keys: Sequence[int]) -> set[int]:
        rows = self.session.scalars(_TAKEN_KEYS, {"subnet": subnet_id, "keys": list(keys)})
        return {int(k) for k in rows if k is not None}

    def first_gap(self, subnet_id: str, lo: int, hi: int) -> int | None:
        """Lowest key in [lo, hi] that is not allocated, found by an index walk."""
        if not self.session.scalar(select(exists().where(
                IPAllocation.subnet_id == subnet_id, IPAllocation.ip_key == lo))):
            return lo
        nxt = aliased(IPAllocation)
        value = self.session.scalar(
            select(IPAllocation.ip_key + 1).where(
                IPAllocation.subnet_id == subnet_id, IPAllocation.ip_key >= lo,
                IPAllocation.ip_key < hi,
                ~exists().where(nxt.subnet_id == subnet_id,
                                nxt.ip_key == IPAllocation.ip_key + 1))
            .order_by(IPAllocation.ip_key).limit(1))
        return int(value) if value is not None else None

    def owner_of(self, network_id: str, ip_address: str) -> IPAllocation | None:
        return self.session.get(IPAllocation, (network_id, ip_address))

    def count_in(self, subnet_id: str) -> int:
        return int(self.session.scalar(select(func.count()).select_from(IPAllocation).where(
            IPAllocation.subnet_id == subnet_id)) or 0)

    def counts_by_subnet(self, subnet_ids: Iterable[str]) -> dict[str, int]:
        ids = list(subnet_ids)
        if not ids:
            return {}
        rows = self.session.execute(select(IPAllocation.subnet_id, func.count()).where(
            IPAllocation.subnet_id.in_(ids)).group_by(IPAllocation.subnet_id))
        return {sid: int(n) for sid, n in rows}

    def delete_for_port(self, port_id: str, subnet_ids: Iterable[str] | None = None) -> None:
        stmt = delete(IPAllocation).where(IPAllocation.port_id == port_id)
        if subnet_ids is not None:
            stmt = stmt.where(IPAllocation.subnet_id.in_(list(subnet_ids)))
        self.session.execute(stmt)

    def delete_in_subnet(self, subnet_id: str) -> None:
        self.session.execute(delete(IPAllocation).where(IPAllocation.subnet_id == subnet_id))

    def ports_on_subnet(self, subnet_id: str) -> list[str]:
        return list(self.session.scalars(select(IPAllocation.port_id).where(
            IPAllocation.subnet_id == subnet_id)))

