"""Pure logic of the compute service: request validation, microversion parsing, the state
map, the scheduler's filters and weighers, the server state machine."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from pocketstack.api.compute import schemas, validation
from pocketstack.api.compute.microversion import MAX_VERSION, VersionError, parse
from pocketstack.common import exceptions as exc
from pocketstack.common.timeutils import utcnow
from pocketstack.services.compute import lifecycle as L
from pocketstack.services.compute import states as S
from pocketstack.services.compute.aggregates import Topology
from pocketstack.services.compute.options import ComputeOptions
from pocketstack.services.compute.scheduler import NoValidHost, RequestSpec, Scheduler


def test_validation_messages() -> None:
    schema = schemas.server_create(1)
    ok = {"server": {"name": "a", "flavorRef": "1", "imageRef": "", "min_count": "2"}}
    assert validation.validate(schema, ok) is ok
    for bad in ({"server": {"name": " a", "flavorRef": "1"}},
                {"server": {"name": "a", "flavorRef": "1", "min_count": 0}},
                {"server": {"name": "a", "flavorRef": "1", "bogus": 1}},
                {"server": {"name": "a"}}, {"server": []}):
        with pytest.raises(exc.BadRequest) as e:
            validation.validate(schema, bad)
        assert e.value.message.startswith("Invalid input for field/attribute")
    nets = {"server": {"name": "a", "flavorRef": "1", "networks": "auto"}}
    validation.validate(schemas.server_create(37), nets)
    with pytest.raises(exc.BadRequest):
        validation.validate(schemas.server_create(36), nets)


def test_microversion_parse() -> None:
    assert parse([]) == 1
    assert parse([(b"openstack-api-version", b"compute 2.60")]) == 60
    assert parse([(b"x-openstack-nova-api-version", b"latest")]) == MAX_VERSION
    assert parse([(b"openstack-api-version", b"volume 3.5, compute 2.3")]) == 3
    for value, code in ((b"compute 2.999", 406), (b"compute 3.0", 406), (b"compute x", 400)):
        with pytest.raises(VersionError) as e:
            parse([(b"openstack-api-version", value)])
        assert e.value.code == code


def test_status_map() -> None:
    assert S.status(S.ACTIVE, None) == "ACTIVE"
    assert S.status(S.ACTIVE, S.REBOOTING_HARD) == "HARD_REBOOT"
    assert S.status(S.RESIZED, S.RESIZE_REVERTING) == "REVERT_RESIZE"
    assert S.status(S.STOPPED, S.RESIZE_MIGRATING) == "RESIZE"
    assert S.states_for_status("shutoff") == ([S.STOPPED], None)
    assert S.states_for_status("nope") is None


def _row(i: int, *, used_cpu: int = 0, disabled: bool = False) -> Any:
    return SimpleNamespace(id=i, host=f"h{i}", hypervisor_hostname=f"h{i}", vcpus=4,
                           memory_mb=4096, local_gb=100, vcpus_used=used_cpu,
                           memory_mb_used=used_cpu * 512, local_gb_used=0, running_vms=0,
                           cpu_allocation_ratio=1.0, ram_allocation_ratio=1.0,
                           disk_allocation_ratio=1.0, reserved_host_memory_mb=0,
                           hypervisor_type="fake", disabled=disabled, forced_down=False,
                           last_seen_up=utcnow() - timedelta(seconds=1))


def test_scheduler_filters_and_weighers() -> None:
    sched = Scheduler(ComputeOptions(weigher="spread"))
    topo = Topology({"h2": "az2"}, {}, "nova")
    rows = [_row(1, used_cpu=3), _row(2), _row(3, used_cpu=1), _row(4, disabled=True)]
    spec = RequestSpec(vcpus=1, memory_mb=512, disk_gb=1)
    assert [c.host for c in sched.rank(rows, spec, topo)] == ["h2", "h3", "h1"]
    stack = Scheduler(ComputeOptions(weigher="stack"))
    assert [c.host for c in stack.rank(rows, spec, topo)][0] == "h1"
    zoned = RequestSpec(vcpus=1, memory_mb=512, disk_gb=1, availability_zone="az2")
    assert [c.host for c in sched.rank(rows, zoned, topo)] == ["h2"]
    anti = RequestSpec(vcpus=1, memory_mb=512, disk_gb=1, group_policy="anti-affinity",
                       group_hosts=["h2", "h3"])
    assert [c.host for c in sched.rank(rows, anti, topo)] == ["h1"]
    with pytest.raises(NoValidHost) as e:
        sched.rank(rows, RequestSpec(vcpus=5, memory_mb=512, disk_gb=1), topo)
    assert "CoreFilter: 0" in e.value.message


def test_lifecycle_plans() -> None:
    inst = SimpleNamespace(id="x", host="h1", vm_state=S.ACTIVE, task_state=None, task=None,
                           power_state=1, progress=0, updated_at=None, fault=None)
    L.begin(inst, "stop", S.POWERING_OFF, "req-1", vm_state=S.ACTIVE)
    assert L.current(inst.task) == "@power_off" and L.target_host(inst, "@power_off") == "h1"
    L.advance(inst)
    assert inst.vm_state == S.STOPPED and inst.task is None and inst.power_state == S.SHUTDOWN
    inst.host = None
    L.begin(inst, "delete", S.DELETING, "req-2")
    assert L.current(inst.task) == "finish_delete"  # no host: nothing to destroy there
    L.begin(inst, "build", S.SCHEDULING, "req-3", volumes=False)
    assert L.current(inst.task) == "schedule"
    L.fail(inst, "No valid host was found.")
    assert inst.vm_state == S.ERROR and inst.fault["code"] == 500
