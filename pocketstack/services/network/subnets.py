"""Subnets: IPv4 and IPv6 (with address modes), pools, gateways, DNS servers, host routes,
subnet pools; each network with DHCP-enabled subnets gets its DHCP port reserved."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.ids import new_uuid
from pocketstack.db.models.network import Network, Subnet
from pocketstack.db.repositories.network.misc import TagRepo
from pocketstack.db.repositories.network.ports import PortRepo
from pocketstack.db.repositories.network.subnets import (
    AllocationRepo,
    SubnetPoolRepo,
    SubnetRepo,
)
from pocketstack.services.network import addresses as A
from pocketstack.services.network import subnet_checks as check
from pocketstack.services.network.base import (
    DHCP_OWNER,
    ROUTER_OWNERS,
    ServiceBase,
    bool_filter,
    bump,
    not_found,
    nullable_str,
    stamp_new,
    std_columns,
)
from pocketstack.services.network.query import ListQuery


@dataclass
class SubnetView:
    subnet: Subnet
    tags: list[str] = field(default_factory=list)


class SubnetService(ServiceBase):
    resource = "subnet"

    @staticmethod
    def columns() -> dict[str, tuple[Any, Any]]:
        cols = std_columns(Subnet)
        cols.update({"network_id": (Subnet.network_id, str), "ip_version": (Subnet.ip_version, int),
                     "cidr": (Subnet.cidr, str), "gateway_ip": (Subnet.gateway_ip, nullable_str),
                     "enable_dhcp": (Subnet.enable_dhcp, bool_filter),
                     "ipv6_ra_mode": (Subnet.ipv6_ra_mode, nullable_str),
                     "ipv6_address_mode": (Subnet.ipv6_address_mode, nullable_str),
                     "subnetpool_id": (Subnet.subnetpool_id, nullable_str),
                     "segment_id": (Subnet.segment_id, nullable_str)})
        return cols

    # -- reads ----------------------------------------------------------------------------
    def list(self, ctx: RequestContext, q: ListQuery) -> list[SubnetView]:
        def work(s: Session) -> list[SubnetView]:
            where = [] if ctx.is_admin else [SubnetRepo.visible(ctx.project_id)]
            for drop in ("allocation_pools", "dns_nameservers", "host_routes", "service_types"):
                q.pop(drop)
            subnets = list(SubnetRepo(s).list(self.listing(q, Subnet, self.columns(), where)))
            tags = self.tags_of(s, [x.id for x in subnets])
            return [SubnetView(x, tags.get(x.id, [])) for x in subnets]
        return self.tx.read(work)

    def get(self, ctx: RequestContext, subnet_id: str) -> SubnetView:
        def work(s: Session) -> SubnetView:
            subnet = self.visible_one(s, ctx, subnet_id)
            return SubnetView(subnet, self.tags_of(s, [subnet.id]).get(subnet.id, []))
        return self.tx.read(work)

    def visible_one(self, s: Session, ctx: RequestContext, subnet_id: str) -> Subnet:
        subnet = SubnetRepo(s).get(subnet_id)
        if subnet is None:
            raise not_found("subnet", subnet_id)
        if ctx.is_admin or subnet.project_id == ctx.project_id:
            return subnet
        net = s.get(Network, subnet.network_id)
        if net is not None and self.net.networks.is_shared_with(s, net, ctx.project_id or ""):
            return subnet
        raise not_found("subnet", subnet_id)

    # -- create ---------------------------------------------------------------------------
    def create(self, ctx: RequestContext, items: list[dict[str, Any]]) -> list[SubnetView]:
        def work(s: Session) -> list[SubnetView]:
            subnets = [self._create_one(s, ctx, dict(data)) for data in items]
            return [SubnetView(x, list(items[i].get("tags") or []))
                    for i, x in enumerate(subnets)]
        return self.tx.write(work)

    def _create_one(self, s: Session, ctx: RequestContext, data: dict[str, Any]) -> Subnet:
        net = self.net.networks.usable(s, ctx, data["network_id"])
        if not ctx.is_admin and net.project_id != ctx.project_id:
            raise exc.Forbidden("(rule:create_subnet) is disallowed by policy",
                                error_type="PolicyNotAuthorized")
        project = self.project_for(ctx, data)
        self.net.quotas.check(s, project, "subnet", 1)
        version = check.ip_version(data["ip_version"])
        cidr = self._cidr(s, ctx, data, version)
        existing = list(SubnetRepo(s).on_network(net.id))
        check.overlap(cidr, existing, net.id)
        gw = check.gateway(data["gateway_ip"], cidr) if "gateway_ip" in data \
            else A.default_gateway(cidr)
        pools = check.pools(data.get("allocation_pools"), cidr, gw)
        dhcp = data.get("enable_dhcp", True)
        ra, mode = data.get("ipv6_ra_mode"), data.get("ipv6_address_mode")
        check.ipv6_modes(version, ra, mode, dhcp, cidr)
        label = "subnet"
        subnet = Subnet(
            id=new_uuid(), network_id=net.id, project_id=project, name=data.get("name", ""),
            ip_version=version, cidr=str(cidr), gateway_ip=str(gw) if gw else None,
            enable_dhcp=dhcp, ipv6_ra_mode=ra, ipv6_address_mode=mode,
            subnetpool_id=data.get("_pool_id"), segment_id=data.get("segment_id"),
            allocation_pools=pools,
            dns_nameservers=check.nameservers(data.get("dns_nameservers"),
                                              self.settings.network_max_dns_nameservers, label),
            host_routes=check.host_routes(data.get("host_routes"), version,
                                          self.settings.network_max_host_routes, label),
            service_types=data.get("service_types") or [])
        stamp_new(subnet, data.get("description", ""))
        s.add(subnet)
        s.flush()
        if data.get("tags"):
            TagRepo(s).replace("subnets", subnet.id, data["tags"])
        bump(net)
        self.net.ports.sync_dhcp_port(s, net, existing + [subnet])
        return subnet

    def _cidr(self, s: Session, ctx: RequestContext, data: dict[str, Any],
              version: int) -> A.IPNetwork:
        pool_id = data.get("subnetpool_id")
        if pool_id is None and data.get("use_default_subnetpool"):
            default = SubnetPoolRepo(s).default_for(version)
            if default is None:
                raise A.bad(f"No default subnetpool found for IPv{version}", "BadRequest")
            pool_id = default.id
        if pool_id is None:
            if not data.get("cidr"):
                raise A.bad("Bad subnets request: a subnetpool must be specified in the "
                            "absence of a cidr.", "BadRequest")
            return check.cidr_for(data["cidr"], version)
        pool = self.net.subnetpools.visible_one(s, ctx, pool_id)
        if pool.ip_version != version:
            raise A.bad(f"Cannot allocate IPv{version} subnet from IPv{pool.ip_version} subnet "
                        "pool", "BadRequest")
        data["_pool_id"] = pool.id
        return self.net.subnetpools.allocate(s, ctx, pool, data.get("cidr"),
                                             data.get("prefixlen"))

    # -- update ---------------------------------------------------------------------------
    def update(self, ctx: RequestContext, subnet_id: str, data: dict[str, Any]) -> SubnetView:
        def work(s: Session) -> SubnetView:
            subnet = self.visible_one(s, ctx, subnet_id)
            self.check_owner(ctx, subnet, "subnet")
            self._apply(s, subnet, data)
            bump(subnet)
            s.flush()
            if "enable_dhcp" in data:
                net = s.get(Network, subnet.network_id)
                self.net.ports.sync_dhcp_port(s, net, list(SubnetRepo(s).on_network(net.id)))
            return SubnetView(subnet, self.tags_of(s, [subnet.id]).get(subnet.id, []))
        return self.tx.write(work)

    def _apply(self, s: Session, subnet: Subnet, data: dict[str, Any]) -> None:
        cidr = ipaddress.ip_network(subnet.cidr)
        gw = A.parse_ip(subnet.gateway_ip) if subnet.gateway_ip else None
        if "gateway_ip" in data:
            gw = check.gateway(data["gateway_ip"], cidr)
            self._gateway_unused(s, subnet, gw)
            subnet.gateway_ip = str(gw) if gw else None
        if "allocation_pools" in data:
            subnet.allocation_pools = check.pools(data["allocation_pools"], cidr, gw)
        elif gw is not None:
            check.check_gateway_outside(gw, A.pool_pairs(subnet.allocation_pools))
        if "enable_dhcp" in data:
            subnet.enable_dhcp = data["enable_dhcp"]
            check.ipv6_modes(subnet.ip_version, subnet.ipv6_ra_mode, subnet.ipv6_address_mode,
                             subnet.enable_dhcp, None)
        if "dns_nameservers" in data:
            subnet.dns_nameservers = check.nameservers(
                data["dns_nameservers"], self.settings.network_max_dns_nameservers, subnet.id)
        if "host_routes" in data:
            subnet.host_routes = check.host_routes(
                data["host_routes"], subnet.ip_version, self.settings.network_max_host_routes,
                subnet.id)
        for key in ("name", "description", "service_types", "segment_id"):
            if key in data:
                setattr(subnet, key, data[key] if data[key] is not None or key == "segment_id"
                        else [])

    @staticmethod
    def _gateway_unused(s: Session, subnet: Subnet, gw: A.IPAddr | None) -> None:
        if gw is None:
            return
        alloc = AllocationRepo(s).owner_of(subnet.network_id, str(gw))
        if alloc is None:
            return
        port = PortRepo(s).get(alloc.port_id)
        if port is not None and port.device_owner not in ROUTER_OWNERS:
            raise exc.Conflict(f"Gateway ip {gw} is already in use by port {port.id}. Unable to "
                               "update.", error_type="GatewayIpInUse")

    # -- delete ---------------------------------------------------------------------------
    def delete(self, ctx: RequestContext, subnet_id: str) -> None:
        def work(s: Session) -> None:
            subnet = self.visible_one(s, ctx, subnet_id)
            self.check_owner(ctx, subnet, "subnet")
            self.delete_subnet(s, subnet)
        self.tx.write(work)

    def delete_subnet(self, s: Session, subnet: Subnet) -> None:
        auto = A.is_auto_address(subnet.ip_version, subnet.ipv6_address_mode)
        holders = SubnetRepo(s).used_by_ports(subnet.id, (DHCP_OWNER,))
        if auto and holders:
            holders = [p.id for p in PortRepo(s).by_ids(holders)
                       if p.device_owner in ROUTER_OWNERS]
        if holders:
            raise exc.Conflict(f"Unable to complete operation on subnet {subnet.id}: One or "
                               "more ports have an IP allocation from this subnet.",
                               error_type="SubnetInUse")
        AllocationRepo(s).delete_in_subnet(subnet.id)
        net = s.get(Network, subnet.network_id)
        TagRepo(s).purge([subnet.id])
        s.delete(subnet)
        s.flush()
        if net is not None:
            bump(net)
            self.net.ports.sync_dhcp_port(s, net, list(SubnetRepo(s).on_network(net.id)))
