"""Security groups and rules; agents and availability zones; quotas."""

from __future__ import annotations

from typing import Any

import pytest

from tests.network.conftest import name


def test_default_group_and_rules(demo_conn: Any, demo_raw: Any) -> None:
    groups = [g for g in demo_conn.network.security_groups() if g.name == "default"]
    assert len(groups) == 1
    rules = {(r["direction"], r["ethertype"], r["remote_group_id"])
             for r in groups[0].security_group_rules}
    sg = groups[0].id
    assert {("ingress", "IPv4", sg), ("ingress", "IPv6", sg),
            ("egress", "IPv4", None), ("egress", "IPv6", None)} <= rules
    demo_raw.error("POST", "/security-groups", {"security_group": {"name": "default"}}, 409)
    demo_raw.error("PUT", f"/security-groups/{sg}", {"security_group": {"name": "x"}}, 409)
    demo_raw.error("DELETE", f"/security-groups/{sg}", None, 409)


def test_rules(demo_conn: Any, demo_raw: Any) -> None:
    sg = demo_conn.network.create_security_group(name=name())
    assert len(sg.security_group_rules) == 2  # egress IPv4 + IPv6
    ssh = demo_conn.network.create_security_group_rule(
        security_group_id=sg.id, direction="ingress", protocol="tcp", port_range_min=22,
        port_range_max=22, remote_ip_prefix="0.0.0.0/0")
    assert (ssh.protocol, ssh.port_range_min, ssh.ether_type) == ("tcp", 22, "IPv4")
    err = demo_raw.error("POST", "/security-group-rules", {"security_group_rule": {
        "security_group_id": sg.id, "direction": "ingress", "protocol": "tcp",
        "port_range_min": 22, "port_range_max": 22, "remote_ip_prefix": "0.0.0.0/0"}},
        409, "SecurityGroupRuleExists")
    assert ssh.id in err["message"]
    by_number = demo_conn.network.create_security_group_rule(
        security_group_id=sg.id, direction="ingress", protocol="17")
    assert by_number.protocol == "17"
    other = demo_conn.network.create_security_group(name=name())
    remote = demo_conn.network.create_security_group_rule(
        security_group_id=sg.id, direction="ingress", remote_group_id=other.id,
        ethertype="IPv6", protocol="ipv6-icmp")
    assert remote.remote_group_id == other.id
    demo_conn.network.delete_security_group(other)  # its referencing rules go too
    assert remote.id not in {r.id for r in demo_conn.network.security_group_rules()}


@pytest.mark.parametrize("rule, code", [
    ({"protocol": "bogus"}, 400),
    ({"protocol": "tcp", "port_range_min": 80, "port_range_max": 79}, 400),
    ({"protocol": "tcp", "port_range_min": -1, "port_range_max": 80}, 400),
    ({"protocol": "tcp", "port_range_min": 1, "port_range_max": 65536}, 400),
    ({"protocol": "icmp", "port_range_min": 300, "port_range_max": 0}, 400),
    ({"protocol": "icmp", "port_range_max": 3}, 400),
    ({"ethertype": "IPv5"}, 400),
    ({"remote_ip_prefix": "10.0.0.0/33"}, 400),
    ({"ethertype": "IPv6", "remote_ip_prefix": "10.0.0.0/8"}, 400),
    ({"direction": "sideways"}, 400),
    ({"remote_group_id": "6b2d6f8b-9a55-4c1f-9b55-000000000000"}, 404),
])
def test_bad_rules(demo_conn: Any, demo_raw: Any, rule: dict[str, Any], code: int) -> None:
    sg = demo_conn.network.create_security_group(name=name())
    body = {"security_group_id": sg.id, "direction": "ingress", **rule}
    demo_raw.error("POST", "/security-group-rules", {"security_group_rule": body}, code)
    assert len(demo_conn.network.get_security_group(sg.id).security_group_rules) == 2


def test_group_in_use(demo_conn: Any, demo_raw: Any) -> None:
    net = demo_conn.network.create_network(name=name())
    sg = demo_conn.network.create_security_group(name=name())
    port = demo_conn.network.create_port(network_id=net.id, security_group_ids=[sg.id])
    demo_raw.error("DELETE", f"/security-groups/{sg.id}", None, 409, "SecurityGroupInUse")
    demo_conn.network.delete_port(port)
    demo_conn.network.delete_security_group(sg)


def test_other_projects_groups_are_invisible(admin_conn: Any, demo_raw: Any) -> None:
    sg = admin_conn.network.create_security_group(name=name())
    demo_raw.error("GET", f"/security-groups/{sg.id}", None, 404, "SecurityGroupNotFound")
    demo_raw.error("POST", "/security-group-rules", {"security_group_rule": {
        "security_group_id": sg.id, "direction": "ingress"}}, 404)


def test_agents_and_zones(admin_conn: Any, demo_raw: Any, admin_raw: Any) -> None:
    assert list(admin_conn.network.agents()) == []
    assert demo_raw.ok("GET", "/agents")["agents"] == []
    assert admin_raw.ok("GET", "/availability_zones")["availability_zones"] == []
    admin_raw.error("GET", "/agents/6b2d6f8b-9a55-4c1f-9b55-000000000000", None, 404)


def test_quota_api(admin_conn: Any, demo_conn: Any, demo_raw: Any, admin_raw: Any) -> None:
    project = demo_conn.current_project_id
    own = demo_raw.ok("GET", f"/quotas/{project}")["quota"]
    assert own["network"] >= 1 and "security_group_rule" in own
    demo_raw.error("PUT", f"/quotas/{project}", {"quota": {"network": 5}}, 403)
    admin_raw.error("PUT", f"/quotas/{project}", {"quota": {"network": -5}}, 400)
    admin_raw.error("PUT", f"/quotas/{project}", {"quota": {"bogus": 5}}, 400)
    details = admin_raw.ok("GET", f"/quotas/{project}/details")["quota"]
    assert set(details["port"]) == {"limit", "used", "reserved"}
