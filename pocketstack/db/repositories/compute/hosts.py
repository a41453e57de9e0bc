"""Compute services, compute nodes (hypervisors) and the allocations claimed on them.

``claim`` is the one place capacity is taken: a conditional UPDATE that adds the request to
the node's counters only if the result still fits the node's capacity (times its allocation
ratio), in the same statement. Two schedulers racing for the last slot cannot both win, on
SQLite or on PostgreSQL, without any lock held across the scheduling decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update

from pocketstack.db.models.compute import Allocation, ComputeNode, ComputeService
from pocketstack.db.repositories.base import Repository

N = ComputeNode
_T = ComputeNode.__table__.c

# The claim and its release, built once on the table (no ORM bookkeeping: nothing in the
# session holds node counters), with the request as parameters.
_CLAIM = update(ComputeNode.__table__).where(
    _T.id == bindparam("b_node"),
    _T.vcpus_used + bindparam("b_vcpus") <= _T.vcpus * _T.cpu_allocation_ratio,
    _T.memory_mb_used + bindparam("b_ram")
    <= (_T.memory_mb - _T.reserved_host_memory_mb) * _T.ram_allocation_ratio,
    _T.local_gb_used + bindparam("b_disk") <= _T.local_gb * _T.disk_allocation_ratio,
).values(vcpus_used=_T.vcpus_used + bindparam("b_vcpus"),
         memory_mb_used=_T.memory_mb_used + bindparam("b_ram"),
         local_gb_used=_T.local_gb_used + bindparam("b_disk"), running_vms=_T.running_vms + 1)
_GIVE_BACK = update(ComputeNode.__table__).where(_T.id == bindparam("b_node")).values(
    vcpus_used=_T.vcpus_used - bindparam("b_vcpus"),
    memory_mb_used=_T.memory_mb_used - bindparam("b_ram"),
    local_gb_used=_T.local_gb_used - bindparam("b_disk"), running_vms=_T.running_vms - 1)
_ADD_ALLOCATION = insert(Allocation.__table__)


class ServiceRepo(Repository[ComputeService]):
    model = ComputeService

    def by_host_binary(self, host: str, binary: str) -> ComputeService | None:
        return self.first(ComputeService.host == host, ComputeService.binary == binary)

    def by_uuid(self, uuid: str) -> ComputeService | None:
        return self.first(ComputeService.uuid == uuid)

    def listing(self, host: str | None = None, binary: str | None = None
                ) -> Sequence[ComputeService]:
        where = []
        if host is not None:
            where.append(ComputeService.host == host)
        if binary is not None:
            where.append(ComputeService.binary == binary)
        return self.find(*where, order_by=ComputeService.id)

    def touch(self, hosts: list[str], binary: str, now: datetime) -> None:
        if hosts:
            self.session.execute(update(ComputeService).where(
                ComputeService.binary == binary, ComputeService.host.in_(hosts))
                .values(last_seen_up=now))


class NodeRepo(Repository[ComputeNode]):
    model = ComputeNode

    def by_uuid(self, uuid: str) -> ComputeNode | None:
        return self.first(N.uuid == uuid)

    def by_hostname(self, name: str) -> ComputeNode | None:
        return self.first(N.hypervisor_hostname == name)

    def on_host(self, host: str) -> Sequence[ComputeNode]:
        return self.find(N.host == host, order_by=N.id)

    def all(self) -> Sequence[ComputeNode]:
        return self.find(order_by=N.id)

    def page(self, pattern: str | None, limit: int | None, marker_id: int | None
             ) -> Sequence[ComputeNode]:
        stmt = select(N)
        if pattern:
            stmt = stmt.where(N.hypervisor_hostname.like(f"%{pattern}%"))
        if marker_id is not None:
            stmt = stmt.where(N.id > marker_id)
        stmt = stmt.order_by(N.id)
        if limit is not None:
            stmt = stmt.limit(limit)
        return self.session.scalars(stmt).all()

    @staticmethod
    def _candidate_select() -> Any:
        S = ComputeService
        return select(N.id, N.host, N.hypervisor_hostname, N.vcpus, N.memory_mb, N.local_gb,
                      N.vcpus_used, N.memory_mb_used, N.local_gb_used, N.running_vms,
                      N.cpu_allocation_ratio, N.ram_allocation_ratio,
                      N.disk_allocation_ratio, N.reserved_host_memory_mb, N.hypervisor_type,
                      S.disabled, S.forced_down, S.last_seen_up).join(S, S.id == N.service_id)

    def candidates(self) -> list[Any]:
        """Every node with its service's state: the scheduler's view (one query)."""
        return list(self.session.execute(self._candidate_select().order_by(N.id)).all())

    def fitting(self, alive_since: datetime, vcpus: int, memory_mb: int, disk_gb: int, *,
                most_free_first: bool, limit: int) -> list[Any]:
        """The first ``limit`` nodes, best first, that are up and enabled and have room for
        the request: the filtering and weighing of a plain boot done by the database (the
        same arithmetic as the scheduler's Candidate, ties broken by node id)."""
        return list(self.session.execute(_FITTING[most_free_first], {
            "alive_since": alive_since, "vcpus": vcpus, "ram": memory_mb, "disk": disk_gb,
            "limit": limit}).all())

    def claim(self, node_id: int, vcpus: int, memory_mb: int, disk_gb: int) -> bool:
        return bool(self.session.connection().execute(_CLAIM, {
            "b_node": node_id, "b_vcpus": vcpus, "b_ram": memory_mb, "b_disk": disk_gb}).rowcount)

    def give_back(self, node_id: int, vcpus: int, memory_mb: int, disk_gb: int) -> None:
        self.session.connection().execute(_GIVE_BACK, {
            "b_node": node_id, "b_vcpus": vcpus, "b_ram": memory_mb, "b_disk": disk_gb})

    def totals(self) -> dict[str, int]:
        row = self.session.execute(select(
            func.count(N.id), func.coalesce(func.sum(N.vcpus), 0),
            func.coalesce(func.sum(N.vcpus_used), 0), func.coalesce(func.sum(N.memory_mb), 0),
            func.coalesce(func.sum(N.memory_mb_used), 0), func.coalesce(func.sum(N.local_gb), 0),
            func.coalesce(func.sum(N.local_gb_used), 0),
            func.coalesce(func.sum(N.running_vms), 0))).one()
        keys = ("count", "vcpus", "vcpus_used", "memory_mb", "memory_mb_used", "local_gb",
                "local_gb_used", "running_vms")
        return {k: int(v) for k, v in zip(keys, row, strict=True)}

    def recount(self, usage: dict[int, tuple[int, int, int, int]]) -> None:
        """Set every node's counters from the allocations (heals drift after a crash)."""
        for node in self.all():
            v, m, d, n = usage.get(node.id, (0, 0, 0, 0))
            node.vcpus_used, node.memory_mb_used, node.local_gb_used, node.running_vms = \
                v, m, d, n
        self.session.flush()


def _fitting(most_free_first: bool) -> Any:
    """NodeRepo.fitting's statement (built once for each weigher direction)."""
    S = ComputeService
    free_ram = (N.memory_mb - N.reserved_host_memory_mb) * N.ram_allocation_ratio \
        - N.memory_mb_used
    return NodeRepo._candidate_select().where(
        S.disabled.is_(False), S.forced_down.is_(False),
        S.last_seen_up >= bindparam("alive_since", type_=S.last_seen_up.type),
        free_ram >= bindparam("ram"),
        N.vcpus * N.cpu_allocation_ratio - N.vcpus_used >= bindparam("vcpus"),
        N.local_gb * N.disk_allocation_ratio - N.local_gb_used >= bindparam("disk"),
    ).order_by(free_ram.desc() if most_free_first else free_ram.asc(), N.id).limit(
        bindparam("limit"))


_FITTING = {True: _fitting(True), False: _fitting(False)}


class AllocationRepo(Repository[Allocation]):
    model = Allocation

    def of(self, consumer_id: str) -> Sequence[Allocation]:
        return self.find(Allocation.consumer_id == consumer_id)

    def record(self, consumer_id: str, node_id: int, vcpus: int, memory_mb: int,
               disk_gb: int, now: datetime) -> None:
        """Record what a claim took (straight to the table: nothing in the session reads it)."""
        self.session.connection().execute(_ADD_ALLOCATION, {
            "consumer_id": consumer_id, "node_id": node_id, "vcpus": vcpus,
            "memory_mb": memory_mb, "disk_gb": disk_gb, "created_at": now})

    def remove(self, consumer_id: str, node_id: int) -> bool:
        result = self.session.execute(delete(Allocation).where(
            Allocation.consumer_id == consumer_id, Allocation.node_id == node_id))
        return bool(result.rowcount)

    def rename(self, old: str, new: str) -> None:
        self.session.execute(update(Allocation).where(Allocation.consumer_id == old)
                             .values(consumer_id=new))

    def usage_by_node(self) -> dict[int, tuple[int, int, int, int]]:
        rows = self.session.execute(select(
            Allocation.node_id, func.sum(Allocation.vcpus), func.sum(Allocation.memory_mb),
            func.sum(Allocation.disk_gb), func.count()).group_by(Allocation.node_id))
        return {r[0]: (int(r[1]), int(r[2]), int(r[3]), int(r[4])) for r in rows}
