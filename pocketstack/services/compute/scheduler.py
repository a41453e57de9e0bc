"""The scheduler: filters hosts, weighs those left, and claims resources on the best one.

Filters (each says how many hosts it let through, for the "No valid host" fault): enabled
and live compute service, availability zone, forced / requested / ignored hosts, RAM, vCPU
and disk capacity with allocation ratios, image properties (hypervisor type, architecture),
server-group affinity and anti-affinity (with max_server_per_host), same_host /
different_host hints, and aggregate metadata against the flavor's
``aggregate_instance_extra_specs:*``. Weighers: free memory (spread, the default) or its
opposite (stack), and soft (anti-)affinity.

``place`` runs inside the caller's write transaction: it reads the hosts, ranks them and
claims on the first that still fits with a conditional UPDATE (see NodeRepo.claim), so
concurrent boots never overcommit a host and anti-affinity holds under concurrency.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.timeutils import aware, utcnow
from pocketstack.db.repositories.compute.hosts import AllocationRepo, NodeRepo
from pocketstack.services.compute.aggregates import Topology
from pocketstack.services.compute.options import ComputeOptions

NO_VALID_HOST = "No valid host was found. There are not enough hosts available."
AGG_SPEC = "aggregate_instance_extra_specs:"
# How many hosts a plain boot's ranking reads, best first: enough for the claims that race
# with it (place() ranks again from the write transaction's view if all of them filled up).
FAST_RANK = 8


class NoValidHost(exc.PocketstackError):
    code = 400
    title = "No valid host"


@dataclass
class RequestSpec:
    vcpus: int
    memory_mb: int
    disk_gb: int
    availability_zone: str | None = None
    image_props: dict[str, Any] = field(default_factory=dict)
    extra_specs: dict[str, str] = field(default_factory=dict)
    group_policy: str | None = None
    group_hosts: list[str] = field(default_factory=list)
    max_per_host: int | None = None
    force_host: str | None = None
    force_node: str | None = None
    requested_host: str | None = None
    ignore_hosts: list[str] = field(default_factory=list)
    same_hosts: list[str] | None = None
    different_hosts: list[str] = field(default_factory=list)


class Candidate:
    """A host as the scheduler sees it: its row and what is free on it (computed once)."""

    __slots__ = ("row", "alive", "free_ram", "free_cpu", "free_disk")

    def __init__(self, row: Any, alive_since: datetime) -> None:
        self.row = row
        # enabled, not forced down, and heard from since ``alive_since`` (the ComputeFilter)
        self.alive = not (row.disabled or row.forced_down or row.last_seen_up is None) \
            and aware(row.last_seen_up) >= alive_since
        self.free_ram = (row.memory_mb - row.reserved_host_memory_mb) \
            * row.ram_allocation_ratio - row.memory_mb_used
        self.free_cpu = row.vcpus * row.cpu_allocation_ratio - row.vcpus_used
        self.free_disk = row.local_gb * row.disk_allocation_ratio - row.local_gb_used

    @property
    def host(self) -> str:
        return str(self.row.host)

    @property
    def node(self) -> str:
        return str(self.row.hypervisor_hostname)


@dataclass
class Placement:
    node_id: int
    host: str
    node: str
    zone: str


Filter = Callable[[Candidate, RequestSpec, Topology], bool]
Applies = Callable[[RequestSpec], bool]


def _always(spec: RequestSpec) -> bool:
    return True


class Scheduler:
    def __init__(self, options: ComputeOptions) -> None:
        self.options = options
        # (name, filter, whether the request needs it): filters a request does not need
        # are not run at all, so a plain boot costs four cheap checks per host.
        self.filters: list[tuple[str, Filter, Applies]] = [
            ("ComputeFilter", self._compute, _always),
            ("AvailabilityZoneFilter", self._zone, lambda s: s.availability_zone is not None),
            ("HostFilter", self._hosts, lambda s: bool(
                s.force_host or s.force_node or s.requested_host or s.ignore_hosts)),
            ("RamFilter", lambda c, s, t: c.free_ram >= s.memory_mb, _always),
            ("CoreFilter", lambda c, s, t: c.free_cpu >= s.vcpus, _always),
            ("DiskFilter", lambda c, s, t: c.free_disk >= s.disk_gb, _always),
            ("ImagePropertiesFilter", self._image, lambda s: any(
                k in s.image_props for k in ("hypervisor_type", "img_hv_type", "architecture",
                                             "hw_architecture"))),
            ("ServerGroupAffinityFilter", self._affinity,
             lambda s: s.group_policy == "affinity"),
            ("ServerGroupAntiAffinityFilter", self._anti_affinity,
             lambda s: s.group_policy == "anti-affinity"),
            ("SameHostFilter", lambda c, s, t: s.same_hosts is None or c.host in s.same_hosts,
             lambda s: s.same_hosts is not None),
            ("DifferentHostFilter", lambda c, s, t: c.host not in s.different_hosts,
             lambda s: bool(s.different_hosts)),
            ("AggregateInstanceExtraSpecsFilter", self._aggregate_specs,
             lambda s: any(k.startswith(AGG_SPEC) for k in s.extra_specs)),
        ]

    # -- filters ----------------------------------------------------------------------------
    @staticmethod
    def _compute(c: Candidate, spec: RequestSpec, topo: Topology) -> bool:
        return c.alive

    @staticmethod
    def _zone(c: Candidate, spec: RequestSpec, topo: Topology) -> bool:
        return spec.availability_zone is None or topo.zone_of(c.host) == spec.availability_zone

    @staticmethod
    def _hosts(c: Candidate, spec: RequestSpec, topo: Topology) -> bool:
        if spec.force_host and c.host != spec.force_host:
            return False
        if spec.force_node and c.node != spec.force_node:
            return False
        if spec.requested_host and c.host != spec.requested_host:
            return False
        return c.host not in spec.ignore_hosts

    @staticmethod
    def _image(c: Candidate, spec: RequestSpec, topo: Topology) -> bool:
        props = spec.image_props
        hv = props.get("hypervisor_type") or props.get("img_hv_type")
        if hv and str(hv).lower() not in (str(c.row.hypervisor_type).lower(), "qemu", "kvm"):
            return False
        arch = props.get("architecture") or props.get("hw_architecture")
        return not arch or str(arch).lower() in ("x86_64", "i686", "amd64")

    @staticmethod
    def _affinity(c: Candidate, spec: RequestSpec, topo: Topology) -> bool:
        if spec.group_policy != "affinity" or not spec.group_hosts:
            return True
        return c.host in spec.group_hosts

    @staticmethod
    def _anti_affinity(c: Candidate, spec: RequestSpec, topo: Topology) -> bool:
        if spec.group_policy != "anti-affinity":
            return True
        limit = spec.max_per_host or 1
        return spec.group_hosts.count(c.host) < limit

    @staticmethod
    def _aggregate_specs(c: Candidate, spec: RequestSpec, topo: Topology) -> bool:
        wanted = {k[len(AGG_SPEC):]: v for k, v in spec.extra_specs.items()
                  if k.startswith(AGG_SPEC)}
        if not wanted:
            return True
        meta = topo.metadata.get(c.host, {})
        return all(str(v) in meta.get(k, set()) for k, v in wanted.items())

    # -- ranking ------------------------------------------------------------------------------
    def rank(self, rows: list[Any], spec: RequestSpec, topo: Topology) -> list[Candidate]:
        alive_since = self.alive_since()
        hosts = [Candidate(r, alive_since) for r in rows]
        counts: list[str] = []
        for name, check, applies in self.filters:
            if not applies(spec):
                continue
            hosts = [h for h in hosts if check(h, spec, topo)]
            counts.append(f"{name}: {len(hosts)}")
            if not hosts:
                raise NoValidHost(f"{NO_VALID_HOST} (hosts left after each filter: "
                                  f"{', '.join(counts)})")
        sign = 1.0 if self.options.weigher == "spread" else -1.0

        soft = {"soft-affinity": 1e9, "soft-anti-affinity": -1e9}.get(spec.group_policy or "")

        def weight(h: Candidate) -> float:
            if soft is None:
                return sign * h.free_ram
            return sign * h.free_ram + soft * spec.group_hosts.count(h.host)

        hosts.sort(key=weight, reverse=True)
        return self._shuffle_subset(hosts)

    def _shuffle_subset(self, hosts: list[Candidate]) -> list[Candidate]:
        subset = min(self.options.host_subset_size, len(hosts))
        if subset > 1:
            first = hosts[:subset]
            random.shuffle(first)
            hosts[:subset] = first
        return hosts

    def plain(self, spec: RequestSpec) -> bool:
        """Whether only the capacity and liveness filters and the free-RAM weigher apply."""
        return spec.group_policy is None and all(
            applies is _always or not applies(spec) for _, _, applies in self.filters)

    def alive_since(self) -> datetime:
        """A host heard from before this is down (service_down_time ago)."""
        return utcnow() - timedelta(seconds=self.options.service_down_time)

    # -- placing ------------------------------------------------------------------------------
    def ranked(self, s: Session, spec: RequestSpec, topo: Topology) -> list[Candidate]:
        """The hosts that fit, best first (from the session's view of the nodes).

        A plain boot asks the database for the best few hosts (FAST_RANK) instead of
        reading and ranking every host in Python; when none fits, the full ranking runs
        so that the fault says which filter left no host."""
        if self.plain(spec):
            alive_since = self.alive_since()
            rows = NodeRepo(s).fitting(
                alive_since, spec.vcpus, spec.memory_mb, spec.disk_gb,
                most_free_first=self.options.weigher == "spread",
                limit=max(FAST_RANK, self.options.host_subset_size))
            if rows:
                return self._shuffle_subset([Candidate(r, alive_since) for r in rows])
        return self.rank(NodeRepo(s).candidates(), spec, topo)

    def place(self, s: Session, consumer_id: str, spec: RequestSpec, topo: Topology
              ) -> Placement:
        """Rank the hosts from this transaction's view and claim on the best one that still
        fits (a host that a concurrent claim filled meanwhile fails its conditional claim,
        and the next one is tried; when all the ranked ones filled up, rank again)."""
        for _ in range(2):
            for cand in self.ranked(s, spec, topo):
                if self.claim(s, consumer_id, cand.row.id, spec.vcpus, spec.memory_mb,
                              spec.disk_gb):
                    return Placement(cand.row.id, cand.host, cand.node,
                                     topo.zone_of(cand.host))
        raise NoValidHost(f"{NO_VALID_HOST} (every host that fit was filled by concurrent "
                          "requests)")

    @staticmethod
    def claim(s: Session, consumer_id: str, node_id: int, vcpus: int, memory_mb: int,
              disk_gb: int) -> bool:
        """Take the resources on this node for this consumer; False if they do not fit.
        (The claim and the allocation row are written in the caller's transaction, with the
        step that needs them: a step is never half done, so never claimed twice.)"""
        if not NodeRepo(s).claim(node_id, vcpus, memory_mb, disk_gb):
            return False
        AllocationRepo(s).record(consumer_id, node_id, vcpus, memory_mb, disk_gb, utcnow())
        return True

    @staticmethod
    def release(s: Session, consumer_id: str, node_id: int | None = None) -> None:
        """Give back what this consumer holds (on one node, or everywhere). Idempotent."""
        allocs = AllocationRepo(s)
        nodes = NodeRepo(s)
        for alloc in list(allocs.of(consumer_id)):
            if node_id is not None and alloc.node_id != node_id:
                continue
            if allocs.remove(consumer_id, alloc.node_id):
                nodes.give_back(alloc.node_id, alloc.vcpus, alloc.memory_mb, alloc.disk_gb)
