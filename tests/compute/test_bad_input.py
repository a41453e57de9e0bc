"""Bad input never half-creates anything: unknown image / flavor / network, a flavor too
small for the image, quota exceeded, malformed bodies, microversions out of range."""

from __future__ import annotations

from typing import Any

from tests.compute.conftest import make_image


def _count(raw: Any) -> int:
    return len(raw.ok("GET", "/v2.1/servers?all_tenants=1&name=^bad$")["servers"])


def _server(image: str, flavor: str, nets: Any, **extra: Any) -> dict[str, Any]:
    return {"server": {"name": "bad", "imageRef": image, "flavorRef": flavor,
                       "networks": nets, **extra}}


def test_unknown_references(admin_raw: Any, admin_conn: Any, image: Any, network: Any) -> None:
    before = _count(admin_raw)
    ports = {p.id for p in admin_conn.network.ports()}
    nets = [{"uuid": network.id}]
    missing = "11111111-2222-3333-4444-555555555555"
    cases = [(_server(missing, "1", nets), "Image"), (_server(image.id, "nope", nets),
                                                        "Flavor"),
             (_server(image.id, "1", [{"uuid": missing}]), "Network"),
             (_server(image.id, "1", [{"port": missing}]), "Port"),
             (_server(image.id, "1", nets, key_name="no-such-key"), "key_name"),
             (_server(image.id, "1", nets, availability_zone="nowhere"), "availability")]
    for body, word in cases:
        msg = admin_raw.error("POST", "/v2.1/servers", body, 400)
        assert word in msg, msg
    assert _count(admin_raw) == before
    assert {p.id for p in admin_conn.network.ports()} <= ports  # nothing new was left


def test_flavor_too_small_for_image(admin_raw: Any, admin_conn: Any, network: Any) -> None:
    big = make_image(admin_conn, "big-min-ram", min_ram=4096)
    msg = admin_raw.error("POST", "/v2.1/servers", _server(big.id, "1",
                                                           [{"uuid": network.id}]), 400)
    assert "memory is too small" in msg
    admin_conn.image.delete_image(big.id)


def test_schema_errors(admin_raw: Any, image: Any, network: Any) -> None:
    nets = [{"uuid": network.id}]
    admin_raw.error("POST", "/v2.1/servers", {"server": {"name": "x"}}, 400)
    admin_raw.error("POST", "/v2.1/servers", _server(image.id, "1", nets, bogus=1), 400)
    admin_raw.error("POST", "/v2.1/servers", _server(image.id, "1", nets, min_count=0), 400)
    admin_raw.error("POST", "/v2.1/servers", _server(image.id, "1", nets,
                                                     user_data="***"), 400)
    admin_raw.error("POST", "/v2.1/servers", {"server": {"name": "x", "imageRef": image.id,
                                                         "flavorRef": "1"}}, 400,
                    version="2.37")
    admin_raw.error("POST", "/v2.1/servers/xyz/action", {"nosuch": None}, 400)


def test_quota_exceeded(admin_raw: Any, demo_raw: Any, demo_conn: Any, image: Any,
                        network: Any) -> None:
    project = demo_conn.current_project_id
    admin_raw.ok("PUT", f"/v2.1/os-quota-sets/{project}", {"quota_set": {"instances": 0}})
    try:
        msg = demo_raw.error("POST", "/v2.1/servers", _server(image.id, "1", [
            {"uuid": network.id}]), 403)
        assert "Quota exceeded" in msg
    finally:
        admin_raw.ok("PUT", f"/v2.1/os-quota-sets/{project}", {"quota_set": {
            "instances": -1}})


def test_microversions(admin_raw: Any) -> None:
    resp = admin_raw("GET", "/v2.1/flavors", version="2.60")
    assert resp.status_code == 200
    assert resp.headers["OpenStack-API-Version"] == "compute 2.60"
    assert resp.headers["X-OpenStack-Nova-API-Version"] == "2.60"
    latest = admin_raw("GET", "/v2.1/flavors", version="latest")
    assert latest.headers["OpenStack-API-Version"] == "compute 2.104"
    admin_raw.error("GET", "/v2.1/flavors", expect=406, version="2.999")
    admin_raw.error("GET", "/v2.1/flavors", expect=406, version="3.0")
    admin_raw.error("GET", "/v2.1/flavors", expect=400, version="two")
    legacy = admin_raw("GET", "/v2.1/flavors", headers={"X-OpenStack-Nova-API-Version":
                                                        "2.11"})
    assert legacy.headers["X-OpenStack-Nova-API-Version"] == "2.11"
    doc = admin_raw.ok("GET", "/v2.1/")["version"]
    assert doc["min_version"] == "2.1" and doc["version"] == "2.104"
    assert [v["id"] for v in admin_raw.ok("GET", "/")["versions"]] == ["v2.0", "v2.1"]
