"""Tenant isolation: a project sees and touches only its own servers; admins see all with
all_tenants."""

from __future__ import annotations

from typing import Any


def test_projects_are_isolated(admin_raw: Any, demo_raw: Any, boot: Any) -> None:
    mine = boot(demo_raw)["id"]
    theirs = boot(admin_raw)["id"]
    demo_ids = {s["id"] for s in demo_raw.ok("GET", "/v2.1/servers")["servers"]}
    assert mine in demo_ids and theirs not in demo_ids
    demo_raw.error("GET", f"/v2.1/servers/{theirs}", expect=404)
    demo_raw.error("POST", f"/v2.1/servers/{theirs}/action", {"os-stop": None}, 404)
    demo_raw.error("DELETE", f"/v2.1/servers/{theirs}", expect=404)
    everything = {s["id"] for s in admin_raw.ok("GET", "/v2.1/servers?all_tenants=1")
                  ["servers"]}
    assert {mine, theirs} <= everything
    assert mine not in {s["id"] for s in admin_raw.ok("GET", "/v2.1/servers")["servers"]}
    detail = admin_raw.ok("GET", f"/v2.1/servers/{mine}")["server"]
    assert "OS-EXT-SRV-ATTR:host" in detail
    assert "OS-EXT-SRV-ATTR:host" not in demo_raw.ok("GET", f"/v2.1/servers/{mine}")["server"]
    demo_raw.error("GET", "/v2.1/os-hypervisors", expect=403)
    demo_raw.error("POST", "/v2.1/flavors", {"flavor": {"name": "x", "ram": 1, "vcpus": 1,
                                                        "disk": 0}}, 403)
    for raw, sid in ((demo_raw, mine), (admin_raw, theirs)):
        raw.ok("DELETE", f"/v2.1/servers/{sid}", expect=204)
