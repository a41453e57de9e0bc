"""Routers: external gateway (network, SNAT, fixed IPs on a gateway port), static routes,
and the distributed / ha flags reported as Neutron does when they are not in use."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.ids import new_uuid
from pocketstack.db.models.network import IPAllocation, Port, Router
from pocketstack.db.repositories.network.l3 import FloatingIPRepo, RouterRepo
from pocketstack.db.repositories.network.misc import TagRepo
from pocketstack.db.repositories.network.ports import PortRepo
from pocketstack.db.repositories.network.subnets import AllocationRepo
from pocketstack.services.network import addresses as A
from pocketstack.services.network.base import (
    ROUTER_GATEWAY,
    ROUTER_INTERFACE,
    ServiceBase,
    bool_filter,
    bump,
    not_found,
    stamp_new,
    std_columns,
)
from pocketstack.services.network.query import ListQuery


@dataclass
class RouterView:
    router: Router
    gateway_ips: list[IPAllocation]
    tags: list[str] = field(default_factory=list)


class RouterService(ServiceBase):
    resource = "router"

    @staticmethod
    def columns() -> dict[str, tuple[Any, Any]]:
        cols = std_columns(Router)
        cols.update({"admin_state_up": (Router.admin_state_up, bool_filter),
                     "status": (Router.status, str),
                     "distributed": (Router.distributed, bool_filter),
                     "ha": (Router.ha, bool_filter)})
        return cols

    # -- reads ----------------------------------------------------------------------------
    def list(self, ctx: RequestContext, q: ListQuery) -> list[RouterView]:
        def work(s: Session) -> list[RouterView]:
            where = [] if ctx.is_admin else [RouterRepo.visible(ctx.project_id)]
            for drop in ("external_gateway_info", "routes", "availability_zones",
                         "availability_zone_hints", "flavor_id"):
                q.pop(drop)
            routers = list(RouterRepo(s).list(self.listing(q, Router, self.columns(), where)))
            return self.views(s, routers)
        return self.tx.read(work)

    def views(self, s: Session, routers: list[Router]) -> list[RouterView]:
        gw_ports = [r.gw_port_id for r in routers if r.gw_port_id]
        allocs = AllocationRepo(s).for_ports(gw_ports)
        tags = self.tags_of(s, [r.id for r in routers])
        return [RouterView(r, allocs.get(r.gw_port_id or "", []), tags.get(r.id, []))
                for r in routers]

    def get(self, ctx: RequestContext, router_id: str) -> RouterView:
        return self.tx.read(lambda s: self.views(s, [self.own(s, ctx, router_id)])[0])

    @staticmethod
    def own(s: Session, ctx: RequestContext, router_id: str) -> Router:
        router = RouterRepo(s).get(router_id)
        if router is None or not (ctx.is_admin or router.project_id == ctx.project_id):
            raise not_found("router", router_id)
        return router

    # -- writes ---------------------------------------------------------------------------
    def create(self, ctx: RequestContext, items: list[dict[str, Any]]) -> list[RouterView]:
        def work(s: Session) -> list[RouterView]:
            routers = [self._create_one(s, ctx, dict(d)) for d in items]
            s.flush()
            return self.views(s, routers)
        return self.tx.write(work)

    def _create_one(self, s: Session, ctx: RequestContext, data: dict[str, Any]) -> Router:
        project = self.project_for(ctx, data)
        self.net.quotas.check(s, project, "router", 1)
        router = Router(id=new_uuid(), project_id=project, name=data.get("name", ""),
                        admin_state_up=data.get("admin_state_up", True), status="ACTIVE",
                        routes=[], distributed=data.get("distributed", False),
                        ha=data.get("ha", False),
                        availability_zone_hints=data.get("availability_zone_hints") or [])
        stamp_new(router, data.get("description", ""))
        s.add(router)
        s.flush()
        if data.get("external_gateway_info"):
            self.set_gateway(s, ctx, router, data["external_gateway_info"])
        if data.get("tags"):
            TagRepo(s).replace("routers", router.id, data["tags"])
        return router

    def update(self, ctx: RequestContext, router_id: str, data: dict[str, Any]) -> RouterView:
        def work(s: Session) -> RouterView:
            router = self.own(s, ctx, router_id)
            for flag in ("distributed", "ha"):
                if flag in data and data[flag] != getattr(router, flag):
                    if router.admin_state_up and data.get("admin_state_up", True):
                        raise exc.BadRequest(
                            f"Cannot change the '{flag}' attribute of an active router. Please "
                            "set router admin_state_up to False prior to upgrade.",
                            error_type="BadRequest")
                    setattr(router, flag, data[flag])
            for key in ("name", "description", "admin_state_up"):
                if key in data:
                    setattr(router, key, data[key])
            if "external_gateway_info" in data:
                self.set_gateway(s, ctx, router, data["external_gateway_info"] or {})
            if "routes" in data:
                router.routes = self.checked_routes(s, router, data["routes"])
            bump(router)
            s.flush()
            return self.views(s, [router])[0]
        return self.tx.write(work)

    def change_routes(self, ctx: RequestContext, router_id: str, body: Any,
                      add: bool) -> RouterView:
        """extraroute-atomic: add or remove some routes without replacing the others."""
        routes = body.get("router", {}).get("routes") if isinstance(body, dict) else None
        if not isinstance(routes, list):
            raise A.bad("Invalid input for routes. Reason: a list of routes is required.")

        def work(s: Session) -> RouterView:
            router = self.own(s, ctx, router_id)
            given = self._parse_routes(routes)
            current = list(router.routes or [])
            if add:
                merged = current + [r for r in given if r not in current]
            else:
                merged = [r for r in current if r not in given]
            router.routes = self.checked_routes(s, router, merged)
            bump(router)
            s.flush()
            return self.views(s, [router])[0]
        return self.tx.write(work)

    def delete(self, ctx: RequestContext, router_id: str) -> None:
        def work(s: Session) -> None:
            router = self.own(s, ctx, router_id)
            if PortRepo(s).on_device(router.id, [ROUTER_INTERFACE]):
                raise exc.Conflict(f"Router {router.id} still has ports",
                                   error_type="RouterInUse")
            for fip in FloatingIPRepo(s).via_router(router.id):
                fip.router_id = fip.fixed_port_id = fip.fixed_ip_address = None
            self._drop_gateway_port(s, router)
            TagRepo(s).purge([router.id])
            s.delete(router)
        self.tx.write(work)

    # -- gateway --------------------------------------------------------------------------
    def set_gateway(self, s: Session, ctx: RequestContext, router: Router,
                    info: dict[str, Any]) -> None:
        unknown = set(info) - {"network_id", "enable_snat", "external_fixed_ips", "qos_policy_id"}
        if unknown:
            raise A.bad(f"Invalid input for external_gateway_info. Reason: Unrecognized "
                        f"attribute(s) '{', '.join(sorted(unknown))}'.")
        network_id = info.get("network_id")
        if not network_id:
            if info.get("external_fixed_ips") or info.get("enable_snat") is not None:
                raise A.bad("Invalid input for external_gateway_info. Reason: network_id is "
                            "required.")
            self._clear_gateway(s, router)
            return
        net = self.net.networks.visible_one(s, ctx, network_id)
        if not net.router_external:
            raise A.bad(f"Bad router request: Network {net.id} is not a valid external "
                        "network.", "BadRequest")
        snat = info.get("enable_snat")
        if snat is not None and not isinstance(snat, bool):
            raise A.bad(f"Invalid input for enable_snat. Reason: '{snat}' is not boolean.")
        fixed = info.get("external_fixed_ips")
        if router.gw_network_id and router.gw_network_id != net.id:
            self._clear_gateway(s, router)
        if router.gw_port_id is None:
            self._create_gateway_port(s, router, net.id, fixed)
        elif fixed is not None:
            port = PortRepo(s).get(router.gw_port_id)
            if port is not None:
                self.net.ports._change_fixed_ips(s, port, fixed)
        router.gw_network_id = net.id
        router.enable_snat = True if snat is None else snat

    def _create_gateway_port(self, s: Session, router: Router, network_id: str,
                             fixed: Any) -> None:
        admin = RequestContext(project_id="", roles=("admin",))
        data: dict[str, Any] = {"network_id": network_id, "device_owner": ROUTER_GATEWAY,
                                "device_id": router.id, "project_id": "",
                                "security_groups": [], "admin_state_up": True}
        if fixed is not None:
            data["fixed_ips"] = fixed
        port = self.net.ports.create_port(s, admin, data, system=True)
        s.flush()
        if not AllocationRepo(s).for_ports([port.id]).get(port.id):
            raise exc.BadRequest(f"Bad router request: No IP address available on external "
                                 f"network {network_id} for the router gateway.",
                                 error_type="BadRequest")
        router.gw_port_id = port.id

    def _clear_gateway(self, s: Session, router: Router) -> None:
        if router.gw_network_id is None:
            return
        if FloatingIPRepo(s).via_router(router.id):
            raise exc.Conflict(f"Gateway cannot be updated for router {router.id}, since a "
                               f"gateway to external network {router.gw_network_id} is "
                               "required by one or more floating IPs.",
                               error_type="RouterExternalGatewayInUseByFloatingIp")
        self._drop_gateway_port(s, router)
        router.gw_network_id = None
        router.enable_snat = True

    def _drop_gateway_port(self, s: Session, router: Router) -> None:
        port_id = router.gw_port_id
        router.gw_port_id = None
        s.flush()
        port = PortRepo(s).get(port_id) if port_id else None
        if port is not None:
            self.net.ports.delete_port(s, port)

    # -- routes ---------------------------------------------------------------------------
    @staticmethod
    def _parse_routes(routes: Any) -> list[dict[str, str]]:
        if routes is None:
            return []
        if not isinstance(routes, list):
            raise A.bad(f"Invalid input for routes. Reason: '{routes}' is not a list.")
        out = []
        for r in routes:
            if not isinstance(r, dict) or set(r) != {"destination", "nexthop"}:
                raise A.bad(f"Invalid input for routes. Reason: '{r}' is not a valid route.")
            dest = A.parse_cidr(r["destination"], field="routes")
            hop = A.parse_ip(r["nexthop"], "routes")
            entry = {"destination": str(dest), "nexthop": str(hop)}
            if entry not in out:
                out.append(entry)
        return out

    def checked_routes(self, s: Session, router: Router, routes: Any) -> list[dict[str, str]]:
        parsed = self._parse_routes(routes)
        if len(parsed) > self.settings.network_max_routes:
            raise A.bad(f"Unable to complete operation for {router.id}. The number of routes "
                        f"exceeds the maximum {self.settings.network_max_routes}.",
                        "RoutesExhausted")
        cidrs, own = self.connected(s, router)
        for r in parsed:
            hop = ipaddress.ip_address(r["nexthop"])
            if str(hop) in own:
                raise A.bad(f"Invalid format for routes: {r}, the nexthop is used by router",
                            "InvalidRoutes")
            if not any(hop in c for c in cidrs):
                raise A.bad(f"Invalid format for routes: {r}, the nexthop is not connected "
                            "with router", "InvalidRoutes")
        return parsed

    def connected(self, s: Session, router: Router) -> tuple[list[Any], set[str]]:
        """CIDRs of the router's interface (and gateway) subnets, and its own addresses."""
        ports = list(PortRepo(s).on_device(router.id, [ROUTER_INTERFACE, ROUTER_GATEWAY]))
        allocs = AllocationRepo(s).for_ports([p.id for p in ports])
        subnet_ids = {a.subnet_id for lst in allocs.values() for a in lst}
        from pocketstack.db.repositories.network.subnets import SubnetRepo

        cidrs = [ipaddress.ip_network(x.cidr) for x in SubnetRepo(s).by_ids(subnet_ids)]
        own = {a.ip_address for lst in allocs.values() for a in lst}
        return cidrs, own

    def interface_ports(self, s: Session, router_id: str) -> list[Port]:
        return list(PortRepo(s).on_device(router_id, [ROUTER_INTERFACE]))
