"""Flavors, key pairs, hypervisors and services, aggregates and zones, quotas and
limits, usage — through openstacksdk and the raw API."""

from __future__ import annotations

from typing import Any

import openstack.exceptions as oe
import pytest


def test_flavor_lifecycle(admin_conn: Any, demo_conn: Any, unique: str) -> None:
    c = admin_conn.compute
    assert {"m1.tiny", "m1.small", "m1.medium", "m1.large", "m1.xlarge"} <= {
        f.name for f in c.flavors()}
    flavor = c.create_flavor(name=unique, ram=256, vcpus=1, disk=1, is_public=False)
    c.create_flavor_extra_specs(flavor, {"hw:cpu_policy": "shared"})
    assert c.get_flavor_extra_specs_property(flavor, "hw:cpu_policy") == "shared"
    assert unique not in {f.name for f in demo_conn.compute.flavors()}
    c.flavor_add_tenant_access(flavor, demo_conn.current_project_id)
    assert unique in {f.name for f in demo_conn.compute.flavors()}
    with pytest.raises(oe.ConflictException):
        c.create_flavor(name=unique, ram=256, vcpus=1, disk=1)
    with pytest.raises(oe.ForbiddenException):
        demo_conn.compute.delete_flavor(flavor)
    c.delete_flavor(flavor)
    assert c.find_flavor(unique) is None


def test_keypairs(demo_conn: Any, demo_raw: Any, unique: str) -> None:
    c = demo_conn.compute
    made = demo_raw.ok("POST", "/v2.1/os-keypairs", {"keypair": {"name": unique}},
                       expect=200)["keypair"]
    assert made["private_key"].startswith("-----BEGIN") and made["fingerprint"].count(":") == 15
    imported = c.create_keypair(name=unique + "i", public_key=made["public_key"])
    assert imported.fingerprint == made["fingerprint"]
    with pytest.raises(oe.ConflictException):
        c.create_keypair(name=unique + "i", public_key=made["public_key"])
    demo_raw.error("POST", "/v2.1/os-keypairs", {"keypair": {"name": unique + "g"}}, 400,
                   version="2.92")
    demo_raw.error("POST", "/v2.1/os-keypairs", {"keypair": {
        "name": "x", "public_key": "ssh-rsa not-a-key"}}, 400)
    names = {k.name for k in c.keypairs()}
    assert {unique, unique + "i"} <= names
    c.delete_keypair(unique)
    c.delete_keypair(unique + "i")


def test_hypervisors_and_services(admin_conn: Any, admin_raw: Any) -> None:
    hvs = list(admin_conn.compute.hypervisors(details=True))
    assert hvs and all(h.state == "up" for h in hvs)
    stats = admin_raw.ok("GET", "/v2.1/os-hypervisors/statistics")["hypervisor_statistics"]
    assert stats["count"] == len(hvs) and stats["vcpus"] > 0
    services = list(admin_conn.compute.services())
    assert {"nova-compute", "nova-scheduler", "nova-conductor"} <= {s.binary for s in services}
    svc = next(s for s in services if s.binary == "nova-compute")
    admin_conn.compute.disable_service(svc, svc.host, svc.binary, disabled_reason="test")
    status = {s.id: s.status for s in admin_conn.compute.services()}
    assert status[svc.id] == "disabled"
    admin_conn.compute.enable_service(svc, svc.host, svc.binary)
    status = {s.id: s.status for s in admin_conn.compute.services()}
    assert status[svc.id] == "enabled"


def test_aggregates_and_zones(admin_conn: Any, admin_raw: Any, boot: Any, unique: str) -> None:
    c = admin_conn.compute
    host = next(s.host for s in c.services() if s.binary == "nova-compute")
    agg = c.create_aggregate(name=unique, availability_zone=unique + "-az")
    c.add_host_to_aggregate(agg, host)
    c.set_aggregate_metadata(agg, {"ssd": "true"})
    zones = {z.name for z in c.availability_zones()}
    assert unique + "-az" in zones
    s = boot(availability_zone=unique + "-az")
    assert s["OS-EXT-AZ:availability_zone"] == unique + "-az"
    admin_raw.ok("DELETE", f"/v2.1/servers/{s['id']}", expect=204)
    admin_raw.wait(s["id"], "DELETED")
    c.remove_host_from_aggregate(agg, host)
    c.delete_aggregate(agg)


def test_quotas_limits_usage(admin_raw: Any, demo_raw: Any, demo_conn: Any, boot: Any) -> None:
    project = demo_conn.current_project_id
    sid = boot(demo_raw)["id"]
    detail = admin_raw.ok("GET", f"/v2.1/os-quota-sets/{project}/detail")["quota_set"]
    assert detail["instances"]["in_use"] >= 1
    limits = demo_raw.ok("GET", "/v2.1/limits")["limits"]["absolute"]
    assert limits["totalInstancesUsed"] >= 1
    usage = demo_raw.ok("GET", f"/v2.1/os-simple-tenant-usage/{project}")["tenant_usage"]
    assert any(u["instance_id"] == sid for u in usage["server_usages"])
    demo_raw.error("GET", f"/v2.1/os-quota-sets/{project}x", expect=403)
    demo_raw.ok("DELETE", f"/v2.1/servers/{sid}", expect=204)
