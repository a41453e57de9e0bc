"""Pure logic of the Networking service: address arithmetic, prefix allocation, rules."""

from __future__ import annotations

import ipaddress

import pytest

from pocketstack.common import exceptions as exc
from pocketstack.services.network import addresses as A
from pocketstack.services.network import rule_checks as rc
from pocketstack.services.network.subnetpools import SubnetPoolService


def test_default_pools_skip_gateway_and_broadcast() -> None:
    net = ipaddress.ip_network("10.0.0.0/29")
    assert A.default_pools(net, A.default_gateway(net)) == [{"start": "10.0.0.2",
                                                             "end": "10.0.0.6"}]
    assert A.default_pools(net, ipaddress.ip_address("10.0.0.4")) == [
        {"start": "10.0.0.1", "end": "10.0.0.3"}, {"start": "10.0.0.5", "end": "10.0.0.6"}]
    v6 = ipaddress.ip_network("2001:db8::/64")
    assert A.default_pools(v6, None)[0]["start"] == "2001:db8::1"


def test_keys_round_trip_over_a_whole_slash_64() -> None:
    net = ipaddress.ip_network("2001:db8::/64")
    for addr in ("2001:db8::", "2001:db8::1", "2001:db8::ffff:ffff:ffff:ffff"):
        ip = ipaddress.ip_address(addr)
        key = A.ip_key(net, ip)
        assert key is not None and -(2**63) <= key < 2**63
        assert A.key_ip(net, key) == ip


def test_eui64_and_macs() -> None:
    net = ipaddress.ip_network("2001:db8::/64")
    assert str(A.eui64(net, "fa:16:3e:11:22:33")) == "2001:db8::f816:3eff:fe11:2233"
    assert A.random_mac("fa:16:3e:00:00:00").startswith("fa:16:3e:")
    assert A.normalize_mac("FA-16-3E-AA-BB-CC") == "fa:16:3e:aa:bb:cc"
    for bad in ("01:00:00:00:00:01", "00:00:00:00:00:00", "zz:16:3e:aa:bb:cc", 5):
        with pytest.raises(exc.BadRequest):
            A.normalize_mac(bad)


def test_pool_validation() -> None:
    net = ipaddress.ip_network("10.1.0.0/24")
    with pytest.raises(exc.BadRequest) as e:
        A.parse_pools([{"start": "10.1.0.10", "end": "10.1.0.20"},
                       {"start": "10.1.0.20", "end": "10.1.0.30"}], net)
    assert e.value.error_type == "OverlappingAllocationPools"
    with pytest.raises(exc.BadRequest):
        A.parse_pools([{"start": "10.1.0.10"}], net)


def test_first_free_prefix() -> None:
    prefix = ipaddress.ip_network("10.50.0.0/16")
    used = [ipaddress.ip_network("10.50.0.0/24"), ipaddress.ip_network("10.50.2.0/23")]
    assert str(SubnetPoolService._first_free(prefix, 24, used)) == "10.50.1.0/24"
    assert str(SubnetPoolService._first_free(prefix, 23, used)) == "10.50.4.0/23"
    assert SubnetPoolService._first_free(prefix, 15, used) is None


def test_rule_normalisation() -> None:
    assert rc.protocol("TCP") == "tcp" and rc.protocol(17) == "17" and rc.protocol("any") is None
    base = {"direction": "ingress", "ethertype": "IPv4", "protocol": "tcp",
            "port_range_min": 22, "port_range_max": 22, "remote_group_id": None}
    open_world = rc.fingerprint({**base, "normalized_cidr": "0.0.0.0/0"})
    assert open_world == rc.fingerprint({**base, "normalized_cidr": None})
    assert rc.fingerprint({**base, "protocol": "6"}) == rc.fingerprint(base)
    with pytest.raises(exc.BadRequest) as e:
        rc.ports("icmp", None, 6)
    assert "ICMP type (port-range-min) is missing" in e.value.message
    with pytest.raises(exc.BadRequest) as e:
        rc.remote_prefix("10.0.0.0/8", "IPv6")
    assert "Conflicting value ethertype" in e.value.message
