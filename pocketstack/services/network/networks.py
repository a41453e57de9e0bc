"""Networks: create with a segment (provider attributes or a project allocation), share
through RBAC, external networks, delete with their subnets and automatic ports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.ids import new_uuid
from pocketstack.db.models.network import Network, RBACPolicy, Segment
from pocketstack.db.repositories.network.l3 import FloatingIPRepo, RouterRepo
from pocketstack.db.repositories.network.misc import TagRepo
from pocketstack.db.repositories.network.networks import NetworkRepo, RBACRepo, SegmentRepo
from pocketstack.db.repositories.network.ports import PortRepo
from pocketstack.db.repositories.network.subnets import SubnetRepo
from pocketstack.services.network.base import (
    AUTO_DELETE_OWNERS,
    ServiceBase,
    bool_filter,
    bump,
    not_found,
    stamp_new,
    std_columns,
)
from pocketstack.services.network.query import ListQuery, to_bool


@dataclass
class NetworkView:
    network: Network
    segments: list[Segment]
    subnet_ids: list[str]
    shared: bool
    tags: list[str] = field(default_factory=list)


class NetworkService(ServiceBase):
    resource = "network"

    # -- reads ----------------------------------------------------------------------------
    def get(self, ctx: RequestContext, network_id: str) -> NetworkView:
        return self.tx.read(lambda s: self._views(s, ctx, [self.visible_one(s, ctx, network_id)])[0])

    def visible_one(self, s: Session, ctx: RequestContext, network_id: str) -> Network:
        net = NetworkRepo(s).get(network_id)
        if net is None or not self.can_see(s, ctx, net):
            raise not_found("network", network_id)
        return net

    @staticmethod
    def can_see(s: Session, ctx: RequestContext, net: Network) -> bool:
        if ctx.is_admin or net.project_id == ctx.project_id:
            return True
        return bool(RBACRepo(s).granted("network", [net.id], "access_as_shared", ctx.project_id)
                    or RBACRepo(s).granted("network", [net.id], "access_as_external",
                                           ctx.project_id))

    def list(self, ctx: RequestContext, q: ListQuery) -> list[NetworkView]:
        def work(s: Session) -> list[NetworkView]:
            rbac = RBACRepo(s)
            where = [] if ctx.is_admin else [NetworkRepo.visible(ctx.project_id)]
            shared = q.one("shared")
            if shared is not None:
                want = to_bool(shared)
                where.append(rbac.wildcard_clause(Network.id, "network", "access_as_shared",
                                                  None if ctx.is_admin else ctx.project_id,
                                                  bool(want)))
            for drop in ("subnets", "availability_zones", "ipv4_address_scope",
                         "ipv6_address_scope", "l2_adjacency", "qos_policy_id", "fields"):
                q.pop(drop)
            seg_filters = {k: q.pop(k) for k in ("provider:network_type",
                                                 "provider:physical_network",
                                                 "provider:segmentation_id")}
            where += self._segment_clauses(seg_filters)
            listing = self.listing(q, Network, self.columns(), where)
            return self._views(s, ctx, list(NetworkRepo(s).list(listing)))
        return self.tx.read(work)

    @staticmethod
    def columns() -> dict[str, tuple[Any, Any]]:
        cols = std_columns(Network)
        cols.update({"admin_state_up": (Network.admin_state_up, bool_filter),
                     "status": (Network.status, str), "mtu": (Network.mtu, int),
                     "port_security_enabled": (Network.port_security_enabled, bool_filter),
                     "router:external": (Network.router_external, bool_filter)})
        return cols

    @staticmethod
    def _segment_clauses(filters: dict[str, list[str] | None]) -> list[Any]:
        wanted: dict[str, list[Any]] = {}
        for key, values in filters.items():
            if values:
                field = key.split(":", 1)[1]
                wanted[field] = ([int(v) for v in values if v.lstrip("-").isdigit()]
                                 if field == "segmentation_id" else values)
        return [SegmentRepo.networks_with(wanted)] if wanted else []

    def _views(self, s: Session, ctx: RequestContext, nets: list[Network]) -> list[NetworkView]:
        ids = [n.id for n in nets]
        segments = SegmentRepo(s).for_networks(ids)
        subnets = NetworkRepo(s).subnet_ids(ids)
        shared = RBACRepo(s).granted("network", ids, "access_as_shared",
                                     None if ctx.is_admin else ctx.project_id)
        if ctx.is_admin and ctx.project_id:
            shared |= RBACRepo(s).granted("network", ids, "access_as_shared", ctx.project_id)
        tags = self.tags_of(s, ids)
        return [NetworkView(n, segments.get(n.id, []), subnets.get(n.id, []), n.id in shared,
                            tags.get(n.id, [])) for n in nets]

    # -- writes ---------------------------------------------------------------------------
    def create(self, ctx: RequestContext, items: list[dict[str, Any]]) -> list[NetworkView]:
        def work(s: Session) -> list[NetworkView]:
            nets = [self._create_one(s, ctx, dict(data)) for data in items]
            s.flush()
            return self._views(s, ctx, nets)
        return self.tx.write(work)

    def _create_one(self, s: Session, ctx: RequestContext, data: dict[str, Any]) -> Network:
        project = self.project_for(ctx, data)
        self.net.quotas.check(s, project, "network", 1)
        spec = self.net.segment_types.spec_from(data)
        net = Network(id=new_uuid(), project_id=project, name=data.get("name", ""),
                      admin_state_up=data.get("admin_state_up", True), status="ACTIVE",
                      port_security_enabled=data.get("port_security_enabled", True),
                      router_external=data.get("router:external", False),
                      availability_zone_hints=data.get("availability_zone_hints") or [])
        stamp_new(net, data.get("description", ""))
        s.add(net)
        s.flush()
        seg = self.net.segment_types.allocate(s, net.id, spec)
        max_mtu = self.net.segment_types.mtu(seg.network_type)
        net.mtu = self._mtu(data.get("mtu"), max_mtu)
        if data.get("shared"):
            self._grant(s, net, "access_as_shared", "*")
        if net.router_external:
            self._grant(s, net, "access_as_external", "*")
        if data.get("tags"):
            TagRepo(s).replace("networks", net.id, data["tags"])
        s.flush()
        return net

    @staticmethod
    def _mtu(requested: int | None, max_mtu: int) -> int:
        if requested is None:
            return max_mtu
        if requested < 68:
            raise exc.BadRequest(f"Invalid input for mtu. Reason: '{requested}' is too small - "
                                 "must be at least '68'.", error_type="HTTPBadRequest")
        if requested > max_mtu:
            raise exc.BadRequest(f"Requested MTU is too big, maximum is {max_mtu}.",
                                 error_type="InvalidInput")
        return requested

    @staticmethod
    def _grant(s: Session, net: Network, action: str, target: str) -> None:
        s.add(RBACPolicy(id=new_uuid(), project_id=net.project_id, object_type="network",
                         object_id=net.id, target_project=target, action=action))

    def update(self, ctx: RequestContext, network_id: str, data: dict[str, Any]) -> NetworkView:
        def work(s: Session) -> NetworkView:
            net = self.visible_one(s, ctx, network_id)
            self.check_owner(ctx, net, "network")
            if any(k.startswith("provider:") for k in data):
                raise exc.BadRequest("Invalid input for operation: Plugin does not support "
                                     "updating network provider attributes.",
                                     error_type="InvalidInput")
            for key in ("name", "description", "admin_state_up", "port_security_enabled"):
                if key in data:
                    setattr(net, key, data[key])
            if "mtu" in data:
                segs = SegmentRepo(s).for_networks([net.id]).get(net.id, [])
                max_mtu = self.net.segment_types.mtu(segs[0].network_type if segs else "local")
                net.mtu = self._mtu(data["mtu"], max_mtu)
            if "shared" in data:
                self._set_shared(s, net, data["shared"])
            if "router:external" in data:
                self._set_external(s, net, data["router:external"])
            bump(net)
            s.flush()
            return self._views(s, ctx, [net])[0]
        return self.tx.write(work)

    def _set_shared(self, s: Session, net: Network, shared: bool) -> None:
        rbac = RBACRepo(s)
        existing = [p for p in rbac.for_object(net.id, "access_as_shared")
                    if p.target_project == "*"]
        if shared and not existing:
            self._grant(s, net, "access_as_shared", "*")
        elif not shared and existing:
            self._ensure_not_used_by_others(s, net)
            for p in existing:
                s.delete(p)

    @staticmethod
    def _ensure_not_used_by_others(s: Session, net: Network) -> None:
        others = [p for p in PortRepo(s).on_network(net.id)
                  if p.project_id != net.project_id and p.device_owner not in AUTO_DELETE_OWNERS]
        subnets = [x for x in SubnetRepo(s).on_network(net.id) if x.project_id != net.project_id]
        if others or subnets:
            raise exc.Conflict(f"Unable to reconfigure sharing settings for network {net.id}. "
                               "Multiple tenants are using it.", error_type="InvalidSharedSetting")

    def _set_external(self, s: Session, net: Network, external: bool) -> None:
        if external == net.router_external:
            return
        if not external:
            if RouterRepo(s).with_gateway_on(net.id):
                raise exc.Conflict(f"External network {net.id} cannot be updated to be made "
                                   "non-external, since it has existing gateway ports.",
                                   error_type="ExternalNetworkInUse")
            for p in RBACRepo(s).for_object(net.id, "access_as_external"):
                s.delete(p)
        else:
            self._grant(s, net, "access_as_external", "*")
        net.router_external = external

    def delete(self, ctx: RequestContext, network_id: str) -> None:
        def work(s: Session) -> None:
            net = self.visible_one(s, ctx, network_id)
            self.check_owner(ctx, net, "network")
            self._delete_network(s, net)
        self.tx.write(work)

    def _delete_network(self, s: Session, net: Network) -> None:
        if NetworkRepo(s).ports_in_use(net.id, AUTO_DELETE_OWNERS):
            raise exc.Conflict(f"Unable to complete operation on network {net.id}. There are "
                               "one or more ports still in use on the network.",
                               error_type="NetworkInUse")
        fips = FloatingIPRepo(s).on_network(net.id)
        if any(f.fixed_port_id for f in fips):
            raise exc.Conflict(f"Unable to complete operation on network {net.id}. There are "
                               "one or more ports still in use on the network.",
                               error_type="NetworkInUse")
        tags = TagRepo(s)
        for fip in fips:
            tags.purge([fip.id])
            s.delete(fip)
        s.flush()
        ports = list(PortRepo(s).on_network(net.id))
        subnets = list(SubnetRepo(s).on_network(net.id))
        tags.purge([p.id for p in ports] + [x.id for x in subnets] + [net.id])
        for obj in ports:
            s.delete(obj)
        s.flush()
        for obj in subnets:
            s.delete(obj)
        s.flush()
        for policy in RBACRepo(s).for_object(net.id):
            s.delete(policy)
        s.delete(net)
        s.flush()

    # -- helpers for other services -----------------------------------------------------------
    def usable(self, s: Session, ctx: RequestContext, network_id: str) -> Network:
        """A network the caller may attach ports or subnets to (own or shared), else 404."""
        net = NetworkRepo(s).get(network_id)
        if net is None:
            raise not_found("network", network_id)
        if ctx.is_admin or net.project_id == ctx.project_id:
            return net
        if RBACRepo(s).granted("network", [net.id], "access_as_shared", ctx.project_id):
            return net
        raise not_found("network", network_id)

    @staticmethod
    def is_shared_with(s: Session, net: Network, project_id: str) -> bool:
        return bool(RBACRepo(s).granted("network", [net.id], "access_as_shared", project_id))

