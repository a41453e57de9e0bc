"""Router interfaces: add by subnet (a new port on the subnet's gateway address) or by port,
remove by subnet or port, with Neutron's overlap and in-use checks."""

from __future__ import annotations

import ipaddress
from typing import Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.db.models.network import IPAllocation, Port, Router, Subnet
from pocketstack.db.repositories.network.l3 import FloatingIPRepo
from pocketstack.db.repositories.network.subnets import AllocationRepo, SubnetRepo
from pocketstack.services.network import addresses as A
from pocketstack.services.network.base import ROUTER_INTERFACE, ServiceBase, bump


def interface_info(router: Router, port: Port, subnet_ids: list[str]) -> dict[str, Any]:
    return {"id": router.id, "tenant_id": router.project_id, "project_id": router.project_id,
            "port_id": port.id, "network_id": port.network_id,
            "subnet_id": subnet_ids[0] if subnet_ids else None, "subnet_ids": subnet_ids}


class RouterInterfaceService(ServiceBase):
    def add(self, ctx: RequestContext, router_id: str, body: Any) -> dict[str, Any]:
        subnet_id, port_id = self._target(body)

        def work(s: Session) -> dict[str, Any]:
            router = self.net.routers.own(s, ctx, router_id)
            if port_id:
                port, subnets = self._attach_port(s, ctx, router, port_id)
            else:
                port, subnets = self._attach_subnet(s, ctx, router, subnet_id or "")
            bump(router)
            s.flush()
            return interface_info(router, port, [x.id for x in subnets])
        return self.tx.write(work)

    @staticmethod
    def _target(body: Any) -> tuple[str | None, str | None]:
        if not isinstance(body, dict):
            raise A.bad("Bad router request: a body with subnet_id or port_id is required.",
                        "BadRequest")
        subnet_id, port_id = body.get("subnet_id"), body.get("port_id")
        if subnet_id and port_id:
            raise A.bad("Bad router request: Cannot specify both subnet-id and port-id.",
                        "BadRequest")
        if not subnet_id and not port_id:
            raise A.bad("Bad router request: Either subnet_id or port_id must be specified.",
                        "BadRequest")
        return subnet_id, port_id

    def _attach_subnet(self, s: Session, ctx: RequestContext, router: Router,
                       subnet_id: str) -> tuple[Port, list[Subnet]]:
        subnet = self.net.subnets.visible_one(s, ctx, subnet_id)
        if not subnet.gateway_ip:
            raise A.bad(f"Bad router request: Subnet {subnet.id} does not have a gateway IP.",
                        "BadRequest")
        self._check_overlap(s, router, [subnet])
        data = {"network_id": subnet.network_id, "device_owner": ROUTER_INTERFACE,
                "device_id": router.id, "project_id": subnet.project_id, "name": "",
                "security_groups": [], "admin_state_up": True,
                "fixed_ips": [{"subnet_id": subnet.id, "ip_address": subnet.gateway_ip}]}
        admin = RequestContext(project_id=subnet.project_id, roles=("admin",))
        port = self.net.ports.create_port(s, admin, data, system=True)
        return port, [subnet]

    def _attach_port(self, s: Session, ctx: RequestContext, router: Router,
                     port_id: str) -> tuple[Port, list[Subnet]]:
        port = self.net.ports.visible_one(s, ctx, port_id)
        if port.device_id or port.device_owner:
            raise exc.Conflict(f"Unable to complete operation on port {port.id} for network "
                               f"{port.network_id}. Port already has an attached device "
                               f"{port.device_id}.", error_type="PortInUse")
        allocs = AllocationRepo(s).for_ports([port.id]).get(port.id, [])
        if not allocs:
            raise A.bad(f"Bad router request: Router port {port.id} must have at least one "
                        "fixed IP.", "BadRequest")
        subnets = list(SubnetRepo(s).by_ids({a.subnet_id for a in allocs}))
        if sum(1 for x in subnets if x.ip_version == 4) > 1:
            raise A.bad(f"Bad router request: Cannot have multiple IPv4 subnets on router "
                        f"port {port.id}.", "BadRequest")
        self._check_overlap(s, router, subnets)
        port.device_id, port.device_owner = router.id, ROUTER_INTERFACE
        bump(port)
        return port, subnets

    def _check_overlap(self, s: Session, router: Router, new: list[Subnet]) -> None:
        attached = self._attached(s, router)
        for subnet in new:
            net = ipaddress.ip_network(subnet.cidr)
            for other in attached:
                if other.id == subnet.id:
                    raise A.bad(f"Bad router request: Router already has a port on subnet "
                                f"{subnet.id}.", "BadRequest")
                if A.overlaps(net, ipaddress.ip_network(other.cidr)):
                    raise A.bad(f"Bad router request: Cidr {subnet.cidr} of subnet {subnet.id} "
                                f"overlaps with cidr {other.cidr} of subnet {other.id}.",
                                "BadRequest")

    def _attached(self, s: Session, router: Router) -> list[Subnet]:
        ports = self.net.routers.interface_ports(s, router.id)
        allocs = AllocationRepo(s).for_ports([p.id for p in ports])
        return list(SubnetRepo(s).by_ids({a.subnet_id for lst in allocs.values() for a in lst}))

    # -- remove ---------------------------------------------------------------------------
    def remove(self, ctx: RequestContext, router_id: str, body: Any) -> dict[str, Any]:
        subnet_id, port_id = self._target(body)

        def work(s: Session) -> dict[str, Any]:
            router = self.net.routers.own(s, ctx, router_id)
            ports = self.net.routers.interface_ports(s, router.id)
            allocs = AllocationRepo(s).for_ports([p.id for p in ports])
            port = self._find(router, ports, allocs, subnet_id, port_id)
            mine = allocs.get(port.id, [])
            if port_id and subnet_id is None:
                subnet_ids = [a.subnet_id for a in mine]
            else:
                subnet_ids = [subnet_id or ""]
            self._check_in_use(s, router, port, mine, subnet_ids)
            info = interface_info(router, port, subnet_ids)
            self.net.ports.delete_port(s, port)
            bump(router)
            return info
        return self.tx.write(work)

    @staticmethod
    def _find(router: Router, ports: list[Port], allocs: dict[str, list[IPAllocation]],
              subnet_id: str | None, port_id: str | None) -> Port:
        if port_id:
            for p in ports:
                if p.id == port_id:
                    if subnet_id and not any(a.subnet_id == subnet_id for a in allocs[p.id]):
                        break
                    return p
            raise exc.NotFound(f"Router {router.id} does not have an interface with id "
                               f"{port_id}", error_type="RouterInterfaceNotFound")
        for p in ports:
            if any(a.subnet_id == subnet_id for a in allocs.get(p.id, [])):
                return p
        raise exc.NotFound(f"Router {router.id} has no interface on subnet {subnet_id}",
                           error_type="RouterInterfaceNotFoundForSubnet")

    def _check_in_use(self, s: Session, router: Router, port: Port,
                      allocs: list[IPAllocation], subnet_ids: list[str]) -> None:
        subnets = list(SubnetRepo(s).by_ids(subnet_ids))
        cidrs = [ipaddress.ip_network(x.cidr) for x in subnets]
        for route in router.routes or []:
            hop = ipaddress.ip_address(route["nexthop"])
            if any(hop in c for c in cidrs):
                raise exc.Conflict(f"Router interface for subnet {subnet_ids[0]} on router "
                                   f"{router.id} cannot be deleted, as it is required by one or "
                                   "more routes.", error_type="RouterInterfaceInUseByRoute")
        for fip in FloatingIPRepo(s).via_router(router.id):
            if fip.fixed_ip_address and any(ipaddress.ip_address(fip.fixed_ip_address) in c
                                            for c in cidrs):
                raise exc.Conflict(f"Router interface for subnet {subnet_ids[0]} on router "
                                   f"{router.id} cannot be deleted, as it is required by one or "
                                   "more floating IPs.",
                                   error_type="RouterInterfaceInUseByFloatingIP")
