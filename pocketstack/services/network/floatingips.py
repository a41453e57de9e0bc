"""Floating IPs: an address (a port owned by the floating IP) on an external network,
associated with a port's fixed IP when a router joins that port's subnet to the network."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.ids import new_uuid
from pocketstack.db.models.network import FloatingIP, IPAllocation, Network, Port
from pocketstack.db.repositories.network.l3 import FloatingIPRepo, RouterRepo
from pocketstack.db.repositories.network.misc import TagRepo
from pocketstack.db.repositories.network.ports import PortRepo
from pocketstack.db.repositories.network.subnets import AllocationRepo, SubnetRepo
from pocketstack.services.network import addresses as A
from pocketstack.services.network.base import (
    FLOATINGIP_OWNER,
    ROUTER_INTERFACE,
    ServiceBase,
    bump,
    not_found,
    nullable_str,
    stamp_new,
)
from pocketstack.services.network.query import ListQuery


@dataclass
class FloatingIPView:
    fip: FloatingIP
    port: Port | None
    tags: list[str] = field(default_factory=list)


class FloatingIPService(ServiceBase):
    resource = "floatingip"

    @staticmethod
    def columns() -> dict[str, tuple[Any, Any]]:
        m = FloatingIP
        return {"id": (m.id, str), "project_id": (m.project_id, str),
                "tenant_id": (m.project_id, str), "description": (m.description, str),
                "revision_number": (m.revision_number, int),
                "floating_network_id": (m.floating_network_id, str),
                "floating_ip_address": (m.floating_ip_address, str),
                "fixed_ip_address": (m.fixed_ip_address, nullable_str),
                "port_id": (m.fixed_port_id, nullable_str),
                "router_id": (m.router_id, nullable_str), "status": (m.status, str),
                "created_at": (m.created_at, str), "updated_at": (m.updated_at, str)}

    def list(self, ctx: RequestContext, q: ListQuery) -> list[FloatingIPView]:
        def work(s: Session) -> list[FloatingIPView]:
            where = [] if ctx.is_admin else [FloatingIPRepo.visible(ctx.project_id)]
            fips = list(FloatingIPRepo(s).list(self.listing(q, FloatingIP, self.columns(),
                                                            where)))
            return self.views(s, fips)
        return self.tx.read(work)

    def views(self, s: Session, fips: list[FloatingIP]) -> list[FloatingIPView]:
        ports = {p.id: p for p in PortRepo(s).by_ids([f.fixed_port_id for f in fips
                                                      if f.fixed_port_id])}
        tags = self.tags_of(s, [f.id for f in fips])
        return [FloatingIPView(f, ports.get(f.fixed_port_id or ""), tags.get(f.id, []))
                for f in fips]

    def get(self, ctx: RequestContext, fip_id: str) -> FloatingIPView:
        return self.tx.read(lambda s: self.views(s, [self.own(s, ctx, fip_id)])[0])

    @staticmethod
    def own(s: Session, ctx: RequestContext, fip_id: str) -> FloatingIP:
        fip = FloatingIPRepo(s).get(fip_id)
        if fip is None or not (ctx.is_admin or fip.project_id == ctx.project_id):
            raise not_found("floatingip", fip_id)
        return fip

    # -- create ---------------------------------------------------------------------------
    def create(self, ctx: RequestContext, data: dict[str, Any]) -> FloatingIPView:
        def work(s: Session) -> FloatingIPView:
            project = self.project_for(ctx, dict(data))
            net = self.net.networks.visible_one(s, ctx, data["floating_network_id"])
            if not net.router_external:
                raise A.bad(f"Bad floatingip request: Network {net.id} is not a valid external "
                            "network.", "BadRequest")
            self.net.quotas.check(s, project, "floatingip", 1)
            fip = FloatingIP(id=new_uuid(), project_id=project, floating_network_id=net.id,
                             status="DOWN")
            stamp_new(fip, data.get("description", ""))
            port = self._address_port(s, fip, net, data)
            alloc = AllocationRepo(s).for_ports([port.id])[port.id][0]
            fip.floating_port_id, fip.floating_ip_address = port.id, alloc.ip_address
            s.add(fip)
            s.flush()
            if data.get("port_id"):
                self._associate(s, ctx, fip, data["port_id"], data.get("fixed_ip_address"))
            elif data.get("fixed_ip_address"):
                raise A.bad("Bad floatingip request: fixed_ip_address cannot be specified "
                            "without a port_id.", "BadRequest")
            if data.get("tags"):
                TagRepo(s).replace("floatingips", fip.id, data["tags"])
            s.flush()
            return self.views(s, [fip])[0]
        return self.tx.write(work)

    def _address_port(self, s: Session, fip: FloatingIP, net: Network,
                      data: dict[str, Any]) -> Port:
        subnets = [x for x in SubnetRepo(s).on_network(net.id) if x.ip_version == 4]
        wanted: dict[str, Any] = {}
        if data.get("subnet_id"):
            if data["subnet_id"] not in {x.id for x in subnets}:
                raise A.bad(f"Bad floatingip request: Subnet {data['subnet_id']} is not an IPv4 "
                            f"subnet of network {net.id}.", "BadRequest")
            wanted["subnet_id"] = data["subnet_id"]
        if data.get("floating_ip_address"):
            wanted["ip_address"] = str(A.parse_ip(data["floating_ip_address"],
                                                  "floating_ip_address"))
        if not subnets:
            raise A.bad(f"Bad floatingip request: Network {net.id} does not contain any IPv4 "
                        "subnet.", "BadRequest")
        admin = RequestContext(project_id="", roles=("admin",))
        base = {"network_id": net.id, "device_owner": FLOATINGIP_OWNER, "device_id": fip.id,
                "project_id": "", "security_groups": [], "name": ""}
        if wanted:
            return self.net.ports.create_port(s, admin, {**base, "fixed_ips": [wanted]},
                                              system=True)
        last: exc.PocketstackError | None = None
        for subnet in subnets:
            try:
                with s.begin_nested():
                    return self.net.ports.create_port(
                        s, admin, {**base, "fixed_ips": [{"subnet_id": subnet.id}]},
                        system=True)
            except exc.Conflict as e:
                last = e
        raise last or exc.Conflict(f"No more IP addresses available on network {net.id}.",
                                   error_type="IpAddressGenerationFailure")

    # -- association ----------------------------------------------------------------------
    def update(self, ctx: RequestContext, fip_id: str, data: dict[str, Any]) -> FloatingIPView:
        def work(s: Session) -> FloatingIPView:
            fip = self.own(s, ctx, fip_id)
            if "description" in data:
                fip.description = data["description"]
            if "port_id" in data:
                if data["port_id"] is None:
                    fip.fixed_port_id = fip.fixed_ip_address = fip.router_id = None
                else:
                    self._associate(s, ctx, fip, data["port_id"], data.get("fixed_ip_address"))
            elif data.get("fixed_ip_address"):
                if not fip.fixed_port_id:
                    raise A.bad("Bad floatingip request: fixed_ip_address cannot be specified "
                                "without a port_id.", "BadRequest")
                self._associate(s, ctx, fip, fip.fixed_port_id, data["fixed_ip_address"])
            bump(fip)
            s.flush()
            return self.views(s, [fip])[0]
        return self.tx.write(work)

    def _associate(self, s: Session, ctx: RequestContext, fip: FloatingIP, port_id: str,
                   fixed_ip: str | None) -> None:
        port = PortRepo(s).get(port_id)
        if port is None or not (ctx.is_admin or port.project_id in (ctx.project_id,
                                                                    fip.project_id)):
            raise not_found("port", port_id)
        allocs = [a for a in AllocationRepo(s).for_ports([port.id]).get(port.id, [])
                  if ipaddress.ip_address(a.ip_address).version == 4]
        alloc = self._pick_fixed(port, allocs, fixed_ip)
        router_id = self._router_for(s, fip, port, alloc)
        other = FloatingIPRepo(s).by_fixed(fip.floating_network_id, port.id, alloc.ip_address)
        if other is not None and other.id != fip.id:
            raise exc.Conflict(f"Cannot associate floating IP {fip.floating_ip_address} "
                               f"({fip.id}) with port {port.id} using fixed IP "
                               f"{alloc.ip_address}, as that fixed IP already has a floating IP "
                               f"on external network {fip.floating_network_id}.",
                               error_type="FloatingIPPortAlreadyAssociated")
        fip.fixed_port_id, fip.fixed_ip_address, fip.router_id = (
            port.id, alloc.ip_address, router_id)

    @staticmethod
    def _pick_fixed(port: Port, allocs: list[IPAllocation], fixed_ip: str | None
                    ) -> IPAllocation:
        if fixed_ip is not None:
            for a in allocs:
                if a.ip_address == str(A.parse_ip(fixed_ip, "fixed_ip_address")):
                    return a
            raise A.bad(f"Bad floatingip request: Port {port.id} does not have fixed ip "
                        f"{fixed_ip}.", "BadRequest")
        if not allocs:
            raise A.bad(f"Bad floatingip request: Port {port.id} does not have any IPv4 "
                        "address.", "BadRequest")
        if len(allocs) > 1:
            raise A.bad(f"Bad floatingip request: Port {port.id} has multiple fixed IPv4 "
                        "addresses. Must provide a specific IPv4 address when assigning a "
                        "floating IP.", "BadRequest")
        return allocs[0]

    @staticmethod
    def _router_for(s: Session, fip: FloatingIP, port: Port, alloc: IPAllocation) -> str:
        """A router with an interface on the port's subnet and its gateway on the floating
        IP's network; else the external network is unreachable (404, as Neutron)."""
        gw_routers = {r.id for r in RouterRepo(s).with_gateway_on(fip.floating_network_id)}
        if gw_routers:
            for rport in PortRepo(s).on_network(port.network_id, [ROUTER_INTERFACE]):
                if rport.device_id not in gw_routers:
                    continue
                ips = AllocationRepo(s).for_ports([rport.id]).get(rport.id, [])
                if any(a.subnet_id == alloc.subnet_id for a in ips):
                    return rport.device_id
        raise exc.NotFound(f"External network {fip.floating_network_id} is not reachable from "
                           f"subnet {alloc.subnet_id}.  Therefore, cannot associate Port "
                           f"{port.id} with a Floating IP.",
                           error_type="ExternalGatewayForFloatingIPNotFound")

    def delete(self, ctx: RequestContext, fip_id: str) -> None:
        def work(s: Session) -> None:
            fip = self.own(s, ctx, fip_id)
            port = PortRepo(s).get(fip.floating_port_id)
            TagRepo(s).purge([fip.id])
            s.delete(fip)
            s.flush()
            if port is not None:
                self.net.ports.delete_port(s, port)
        self.tx.write(work)
