"""The scheduler's database ranking of a plain boot (NodeRepo.fitting) must pick the same
hosts, in the same order, as the full ranking in Python (Scheduler.rank) that it replaces."""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from pocketstack.common.timeutils import utcnow
from pocketstack.db import migrate
from pocketstack.db.engine import Database
from pocketstack.db.models.compute import ComputeNode, ComputeService
from pocketstack.db.repositories.compute.hosts import NodeRepo
from pocketstack.services.compute.aggregates import Topology
from pocketstack.services.compute.options import ComputeOptions
from pocketstack.services.compute.scheduler import NoValidHost, RequestSpec, Scheduler
from tests.conftest import _pg_database, _pg_drop


@pytest.fixture()
def nodes_db(tmp_path: Path) -> Iterator[Database]:
    """40 hosts of random sizes and loads, some disabled, forced down or not heard from,
    on SQLite or (with POCKETSTACK_TEST_PG_URL) on a new PostgreSQL database."""
    pg_admin = os.environ.get("POCKETSTACK_TEST_PG_URL")
    pg = _pg_database(pg_admin) if pg_admin else None
    db = Database(pg[0] if pg else f"sqlite:///{tmp_path / 'rank.db'}")
    migrate.upgrade(db)
    rng = random.Random(7)
    now = utcnow()
    with db.write() as s:
        for i in range(40):
            up = now - timedelta(seconds=rng.choice([0, 0, 0, 0, 30, 600]))
            svc = ComputeService(uuid=str(uuid.uuid4()), host=f"h{i:02d}", binary="nova-compute",
                                 disabled=rng.random() < 0.1, forced_down=rng.random() < 0.05,
                                 created_at=now, last_seen_up=None if i == 3 else up)
            s.add(svc)
            s.flush()
            mem = rng.choice([4096, 8192, 16384])
            s.add(ComputeNode(
                uuid=str(uuid.uuid4()), service_id=svc.id, host=svc.host,
                hypervisor_hostname=svc.host, vcpus=rng.choice([2, 4, 8]), memory_mb=mem,
                local_gb=rng.choice([20, 40, 100]), vcpus_used=rng.randint(0, 8),
                memory_mb_used=rng.choice([0, 512, 1024, 2048, mem // 2, mem]),
                local_gb_used=rng.randint(0, 40), cpu_allocation_ratio=rng.choice([1.0, 4.0]),
                ram_allocation_ratio=rng.choice([1.0, 1.5]), disk_allocation_ratio=1.0,
                reserved_host_memory_mb=rng.choice([0, 512]), created_at=now))
    try:
        yield db
    finally:
        db.dispose()
        if pg_admin and pg:
            _pg_drop(pg_admin, pg[1])


@pytest.mark.parametrize("weigher", ["spread", "stack"])
@pytest.mark.parametrize("size", [(1, 512, 1), (2, 2048, 10), (4, 8192, 40), (8, 30000, 1)])
def test_database_ranking_matches_python_ranking(nodes_db: Database, weigher: str,
                                                 size: tuple[int, int, int]) -> None:
    sched = Scheduler(ComputeOptions(weigher=weigher, service_down_time=60))
    spec = RequestSpec(vcpus=size[0], memory_mb=size[1], disk_gb=size[2])
    topo = Topology({}, {}, "nova")
    assert sched.plain(spec)
    with nodes_db.read() as s:
        try:
            full = [c.node for c in sched.rank(NodeRepo(s).candidates(), spec, topo)]
        except NoValidHost:
            full = []
        fast = [c.node for c in sched.ranked(s, spec, topo)] if full else None
    if not full:  # nothing fits: ranked() falls back to the full ranking and its fault
        with nodes_db.read() as s, pytest.raises(NoValidHost, match="RamFilter|CoreFilter"):
            sched.ranked(s, spec, topo)
        return
    assert fast == full[:len(fast)]
    assert len(fast) == min(len(full), 8)


def test_requests_with_other_filters_are_not_plain() -> None:
    sched = Scheduler(ComputeOptions())
    assert not sched.plain(RequestSpec(1, 512, 1, availability_zone="nova"))
    assert not sched.plain(RequestSpec(1, 512, 1, group_policy="soft-affinity"))
    assert not sched.plain(RequestSpec(1, 512, 1, force_host="h01"))
    assert not sched.plain(RequestSpec(1, 512, 1, image_props={"architecture": "x86_64"}))
