"""Ports: MAC generation, fixed IPs through IPAM, security groups, port security, address
pairs, extra DHCP options, bindings; and the reserved DHCP port of each network."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.ids import new_uuid
from pocketstack.db.models.network import IPAllocation, Network, Port, Subnet
from pocketstack.db.repositories.network.l3 import FloatingIPRepo
from pocketstack.db.repositories.network.misc import AgentRepo, TagRepo
from pocketstack.db.repositories.network.ports import PortRepo, PortSecurityGroupRepo
from pocketstack.db.repositories.network.subnets import AllocationRepo, SubnetRepo
from pocketstack.services.network import addresses as A
from pocketstack.services.network import port_attrs as attrs
from pocketstack.services.network.base import (
    DHCP_OWNER,
    FLOATINGIP_OWNER,
    RESERVED_DHCP,
    ROUTER_GATEWAY,
    ROUTER_INTERFACE,
    ServiceBase,
    bool_filter,
    bump,
    not_found,
    stamp_new,
    std_columns,
)
from pocketstack.services.network.ipam import IPAM, Wanted
from pocketstack.services.network.query import ListQuery

MAC_TRIES = 16
PROTECTED_OWNERS = (ROUTER_INTERFACE, ROUTER_GATEWAY, FLOATINGIP_OWNER,
                    "network:router_interface_distributed")


@dataclass
class PortView:
    port: Port
    fixed_ips: list[Any]
    security_groups: list[str]
    tags: list[str] = field(default_factory=list)


class PortService(ServiceBase):
    resource = "port"

    def __init__(self, net: Any) -> None:
        super().__init__(net)
        self.ipam = IPAM()

    @staticmethod
    def columns() -> dict[str, tuple[Any, Any]]:
        cols = std_columns(Port)
        cols.update({"network_id": (Port.network_id, str), "mac_address": (Port.mac_address, str),
                     "admin_state_up": (Port.admin_state_up, bool_filter),
                     "status": (Port.status, str), "device_id": (Port.device_id, str),
                     "device_owner": (Port.device_owner, str),
                     "port_security_enabled": (Port.port_security_enabled, bool_filter),
                     "binding:host_id": (Port.binding_host_id, str),
                     "binding:vnic_type": (Port.binding_vnic_type, str),
                     "binding:vif_type": (Port.binding_vif_type, str)})
        return cols

    # -- reads ----------------------------------------------------------------------------
    def list(self, ctx: RequestContext, q: ListQuery) -> list[PortView]:
        def work(s: Session) -> list[PortView]:
            where = [] if ctx.is_admin else [PortRepo.visible(ctx.project_id)]
            fixed = q.pop("fixed_ips")
            if fixed:
                where.append(self._fixed_ip_filter(fixed))
            sgs = q.pop("security_groups")
            if sgs:
                where.append(PortRepo.in_security_groups(sgs))
            for drop in ("allowed_address_pairs", "extra_dhcp_opts", "binding:profile",
                         "binding:vif_details"):
                q.pop(drop)
            ports = list(PortRepo(s).list(self.listing(q, Port, self.columns(), where),
                                          rows=True))
            return self.views(s, ports)
        return self.tx.read(work)

    @staticmethod
    def _fixed_ip_filter(values: list[str]) -> Any:
        ips, subnets, subs = [], [], []
        for raw in values:
            key, _, val = raw.partition("=")
            {"ip_address": ips, "subnet_id": subnets, "ip_address_substr": subs}.get(
                key.strip(), []).append(val.strip())
        return PortRepo.fixed_ip_clause(ips, subnets, subs)

    def views(self, s: Session, ports: list[Port]) -> list[PortView]:
        ids = [p.id for p in ports]
        allocs = AllocationRepo(s).rows_for_ports(ids)
        sgs = PortSecurityGroupRepo(s).for_ports(ids)
        tags = self.tags_of(s, ids)
        return [PortView(p, allocs.get(p.id, []), sgs.get(p.id, []), tags.get(p.id, []))
                for p in ports]

    def get(self, ctx: RequestContext, port_id: str) -> PortView:
        return self.tx.read(lambda s: self.views(s, [self.visible_one(s, ctx, port_id)])[0])

    def visible_one(self, s: Session, ctx: RequestContext, port_id: str) -> Port:
        port = PortRepo(s).get(port_id)
        if port is None:
            raise not_found("port", port_id)
        if ctx.is_admin or port.project_id == ctx.project_id:
            return port
        net = s.get(Network, port.network_id)
        if net is not None and net.project_id == ctx.project_id:
            return port
        raise not_found("port", port_id)

    # -- create ---------------------------------------------------------------------------
    def create(self, ctx: RequestContext, items: list[dict[str, Any]]) -> list[PortView]:
        def work(s: Session) -> list[PortView]:
            ports = [self.create_port(s, ctx, dict(d)) for d in items]
            return self.views(s, ports)
        return self.tx.write(work)

    def create_port(self, s: Session, ctx: RequestContext, data: dict[str, Any],
                    *, system: bool = False) -> Port:
        net = self.net.networks.usable(s, ctx, data["network_id"]) if not system \
            else s.get(Network, data["network_id"])
        project = data.pop("project_id", None) or ctx.project_id or net.project_id
        if not system:
            self._policy_create(ctx, net, project, data)
            self.net.quotas.check(s, project, "port", 1)
        owner = data.get("device_owner", "")
        port = Port(id=data.get("id") or new_uuid(), project_id=project, network_id=net.id,
                    name=data.get("name", ""), admin_state_up=data.get("admin_state_up", True),
                    status="DOWN", device_id=data.get("device_id", ""), device_owner=owner,
                    port_security_enabled=data.get("port_security_enabled",
                                                   net.port_security_enabled),
                    binding_vnic_type=data.get("binding:vnic_type", "normal"),
                    binding_profile=data.get("binding:profile") or {})
        port.mac_address = self._mac(s, net.id, data.get("mac_address"))
        stamp_new(port, data.get("description", ""))
        self._bind(s, port, data.get("binding:host_id") or "")
        sgs = self._security_groups(s, ctx, port, data.get("security_groups"))
        port.allowed_address_pairs = attrs.address_pairs(data.get("allowed_address_pairs"),
                                                         port.mac_address)
        attrs.require_port_security(port.port_security_enabled, sgs, port.allowed_address_pairs)
        port.extra_dhcp_opts = attrs.dhcp_opts(data.get("extra_dhcp_opts"))
        s.add(port)
        s.flush()
        subnets = list(SubnetRepo(s).on_network(net.id))
        wanted = self.ipam.resolve(net.id, subnets, data.get("fixed_ips"), owner)
        self.ipam.allocate(s, net.id, port.id, port.mac_address, wanted, owner)
        PortSecurityGroupRepo(s).add(port.id, sgs)
        if data.get("tags"):
            TagRepo(s).replace("ports", port.id, data["tags"])
        return port

    @staticmethod
    def _policy_create(ctx: RequestContext, net: Network, project: str,
                       data: dict[str, Any]) -> None:
        if ctx.is_admin:
            return
        if project != ctx.project_id:
            raise exc.Forbidden("Specifying 'project_id' or 'tenant_id' other than the "
                                "authenticated project in request requires admin privileges",
                                error_type="HTTPForbidden")
        if net.project_id == ctx.project_id:
            return
        owner = data.get("device_owner", "")
        fixed = data.get("fixed_ips") or []
        denied = [k for k in ("mac_address", "port_security_enabled", "allowed_address_pairs")
                  if k in data]
        if owner.startswith("network:"):
            denied.append("device_owner")
        if any(isinstance(f, dict) and "ip_address" in f for f in fixed):
            denied.append("fixed_ips:ip_address")
        if denied:
            raise exc.Forbidden(f"(rule:create_port:{denied[0]}) is disallowed by policy",
                                error_type="PolicyNotAuthorized")

    def _mac(self, s: Session, network_id: str, requested: str | None) -> str:
        repo = PortRepo(s)
        if requested is not None:
            mac = A.normalize_mac(requested)
            if repo.mac_taken(network_id, mac):
                raise exc.Conflict(f"Unable to complete operation for network {network_id}. "
                                   f"The mac address {mac} is in use.",
                                   error_type="MacAddressInUse")
            return mac
        for _ in range(MAC_TRIES):
            mac = A.random_mac(self.settings.network_base_mac)
            if not repo.mac_taken(network_id, mac):
                return mac
        raise exc.ServiceUnavailable(f"Unable to generate unique mac on network {network_id}.",
                                     error_type="MacAddressGenerationFailure")

    def _bind(self, s: Session, port: Port, host: str) -> None:
        port.binding_host_id = host
        agents = list(AgentRepo(s).find()) if host else []
        port.binding_vif_type, port.binding_vif_details = attrs.binding(
            host, agents, self.settings.network_agent_down_time, time.time())

    def _security_groups(self, s: Session, ctx: RequestContext, port: Port,
                         requested: list[str] | None) -> list[str]:
        if requested is None:
            if not port.port_security_enabled or port.device_owner.startswith("network:"):
                return []
            return [self.net.security_groups.ensure_default(s, port.project_id)]
        self.net.security_groups.check_usable(s, ctx, port.project_id, requested)
        return list(requested)

    # -- update ---------------------------------------------------------------------------
    def update(self, ctx: RequestContext, port_id: str, data: dict[str, Any]) -> PortView:
        def work(s: Session) -> PortView:
            port = self.visible_one(s, ctx, port_id)
            self.update_port(s, ctx, port, data)
            bump(port)
            s.flush()
            return self.views(s, [port])[0]
        return self.tx.write(work)

    @staticmethod
    def set_status(s: Session, port_ids: list[str], status: str) -> None:
        """The ports' operational status as their host reports it (ACTIVE once the VIF is
        plugged, DOWN when unbound), in the caller's transaction; each is a new revision."""
        for port in PortRepo(s).by_ids(port_ids):
            port.status = status
            bump(port)

    def update_port(self, s: Session, ctx: RequestContext, port: Port,
                    data: dict[str, Any]) -> None:
        for key in ("name", "description", "admin_state_up", "device_id", "device_owner"):
            if key in data:
                setattr(port, key, data[key])
        if "mac_address" in data:
            self._change_mac(s, ctx, port, data["mac_address"])
        if "binding:vnic_type" in data:
            port.binding_vnic_type = data["binding:vnic_type"]
        if "binding:profile" in data:
            port.binding_profile = data["binding:profile"] or {}
        if "binding:host_id" in data:
            self._bind(s, port, data["binding:host_id"] or "")
        if "port_security_enabled" in data:
            port.port_security_enabled = data["port_security_enabled"]
        current = PortSecurityGroupRepo(s).for_ports([port.id]).get(port.id, [])
        sgs = current
        if "security_groups" in data:
            sgs = list(data["security_groups"] or [])
            self.net.security_groups.check_usable(s, ctx, port.project_id, sgs)
        if "allowed_address_pairs" in data:
            port.allowed_address_pairs = attrs.address_pairs(data["allowed_address_pairs"],
                                                             port.mac_address)
        attrs.require_port_security(port.port_security_enabled, sgs, port.allowed_address_pairs)
        if sgs != current:
            PortSecurityGroupRepo(s).replace(port.id, sgs)
        if "extra_dhcp_opts" in data:
            port.extra_dhcp_opts = attrs.dhcp_opts(data["extra_dhcp_opts"],
                                                   port.extra_dhcp_opts or [])
        if "fixed_ips" in data:
            self._change_fixed_ips(s, port, data["fixed_ips"])

    def _change_mac(self, s: Session, ctx: RequestContext, port: Port, value: str) -> None:
        mac = A.normalize_mac(value)
        if mac == port.mac_address:
            return
        if not ctx.is_admin:
            raise exc.Forbidden("(rule:update_port:mac_address) is disallowed by policy",
                                error_type="PolicyNotAuthorized")
        if port.binding_vif_type not in ("unbound", "binding_failed"):
            raise exc.Conflict(f"Port {port.id} is bound; its MAC address cannot be changed.",
                               error_type="PortBound")
        if PortRepo(s).mac_taken(port.network_id, mac):
            raise exc.Conflict(f"Unable to complete operation for network {port.network_id}. "
                               f"The mac address {mac} is in use.", error_type="MacAddressInUse")
        port.mac_address = mac

    def _change_fixed_ips(self, s: Session, port: Port, fixed_ips: Any) -> None:
        subnets = list(SubnetRepo(s).on_network(port.network_id))
        wanted = self.ipam.resolve(port.network_id, subnets, fixed_ips or [], port.device_owner)
        current = AllocationRepo(s).for_ports([port.id]).get(port.id, [])
        keep: list[IPAllocation] = []
        todo: list[Wanted] = []
        for w in wanted:
            match = next((a for a in current if a not in keep and a.subnet_id == w.subnet.id
                          and (w.ip is None or a.ip_address == str(w.ip))), None)
            if match is not None:
                keep.append(match)
            else:
                todo.append(w)
        for alloc in current:
            if alloc not in keep:
                self._release_ip(s, port, alloc)
        s.flush()
        self.ipam.allocate(s, port.network_id, port.id, port.mac_address, todo,
                           port.device_owner)

    @staticmethod
    def _release_ip(s: Session, port: Port, alloc: IPAllocation) -> None:
        for fip in FloatingIPRepo(s).on_fixed_port(port.id):
            if fip.fixed_ip_address == alloc.ip_address:
                fip.fixed_port_id = fip.fixed_ip_address = fip.router_id = None
                bump(fip)
        s.delete(alloc)

    # -- delete ---------------------------------------------------------------------------
    def delete(self, ctx: RequestContext, port_id: str) -> None:
        def work(s: Session) -> None:
            port = self.visible_one(s, ctx, port_id)
            if port.device_owner in PROTECTED_OWNERS and port.device_id:
                raise exc.Conflict(f"Port {port.id} cannot be deleted directly via the port "
                                   f"API: has device owner {port.device_owner}.",
                                   error_type="ServicePortInUse")
            self.delete_port(s, port)
        self.tx.write(work)

    @staticmethod
    def delete_port(s: Session, port: Port) -> None:
        for fip in FloatingIPRepo(s).on_fixed_port(port.id):
            fip.fixed_port_id = fip.fixed_ip_address = fip.router_id = None
            bump(fip)
        s.flush()
        TagRepo(s).purge([port.id])
        s.delete(port)
        s.flush()

    # -- DHCP port --------------------------------------------------------------------------
    def sync_dhcp_port(self, s: Session, net: Network, subnets: list[Subnet]) -> None:
        """Keep one reserved DHCP port with an address in every DHCP-enabled subnet."""
        wanted = [x for x in subnets if x.enable_dhcp]
        existing = list(PortRepo(s).on_network(net.id, [DHCP_OWNER]))
        port = existing[0] if existing else None
        if not wanted:
            if port is not None:
                self.delete_port(s, port)
            return
        if port is None:
            ctx = RequestContext(project_id=net.project_id, roles=("admin",))
            port = self.create_port(s, ctx, {
                "network_id": net.id, "device_owner": DHCP_OWNER, "device_id": RESERVED_DHCP,
                "project_id": net.project_id, "fixed_ips": [], "security_groups": []},
                system=True)
            current: list[IPAllocation] = []
        else:
            current = AllocationRepo(s).for_ports([port.id]).get(port.id, [])
        have = {a.subnet_id for a in current}
        want_ids = {x.id for x in wanted}
        for alloc in current:
            if alloc.subnet_id not in want_ids:
                s.delete(alloc)
        s.flush()
        for subnet in wanted:
            if subnet.id in have:
                continue
            try:
                self.ipam.allocate(s, net.id, port.id, port.mac_address, [Wanted(subnet)],
                                   DHCP_OWNER, lowest=True)
            except exc.Conflict:
                continue  # a full subnet simply gets no DHCP address, as with Neutron's agent
        bump(port)
