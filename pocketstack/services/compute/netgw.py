"""The compute service's door into the Networking service (in-process, never HTTP).

Requests are checked with the caller's context when a server is created (networks usable,
ports free, fixed IPs valid, security groups known); ports are created, bound and deleted
inside the compute transaction that schedules or deletes the server, through the
Networking service's own port operations (a port goes ACTIVE through its set_status when the
host reports the VIF plugged). Reading ports and floating IPs by device, which the
Networking service has no operation for, is done here on its repositories.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.db.models.network import Network, Port
from pocketstack.db.repositories.network.l3 import FloatingIPRepo
from pocketstack.db.repositories.network.networks import NetworkRepo
from pocketstack.db.repositories.network.ports import PortRepo
from pocketstack.db.repositories.network.security import SecurityGroupRepo
from pocketstack.db.repositories.network.subnets import AllocationRepo, SubnetRepo
from pocketstack.services.network.query import ListQuery

COMPUTE_OWNER = "compute:"


@dataclass
class NetRequest:
    """One NIC asked for: a network (maybe with a fixed IP), or an existing port."""

    network_id: str | None = None
    port_id: str | None = None
    fixed_ip: str | None = None
    tag: str | None = None


def system_ctx(project_id: str, user_id: str | None = None) -> RequestContext:
    """Acting for the compute service on a server's project (requests were checked)."""
    return RequestContext(user_id=user_id, project_id=project_id, roles=("admin",))


class NetworkGateway:
    def __init__(self, network: Any) -> None:
        self.net = network  # pocketstack.services.network.Networking

    # -- checks at create time ------------------------------------------------------------
    def resolve(self, ctx: RequestContext, mode: str | None, requested: list[NetRequest],
                count: int) -> list[NetRequest]:
        """The NICs a new server gets. ``mode``: 'auto', 'none', or None (pre-2.37)."""
        if mode == "none":
            return []
        if mode in ("auto", None) and not requested:
            return self._default(ctx, required=mode == "auto")
        return self.net.tx.read(lambda s: self.check_all(s, ctx, requested, count))

    def check_all(self, s: Session, ctx: RequestContext, requested: list[NetRequest],
                  count: int) -> list[NetRequest]:
        """Check explicitly requested NICs in the caller's read transaction."""
        return [self._check(s, ctx, r, count) for r in requested]

    def _default(self, ctx: RequestContext, required: bool) -> list[NetRequest]:
        nets = [v.network for v in self.net.networks.list(ctx, ListQuery())
                if (v.network.project_id == ctx.project_id or v.shared)
                and not v.network.router_external]
        if len(nets) > 1:
            raise exc.Conflict("Multiple possible networks found, use a Network ID to be more "
                               "specific.")
        if not nets:
            if required:
                raise exc.BadRequest(f"Unable to automatically allocate a network for "
                                     f"project {ctx.project_id}")
            return []
        return [NetRequest(network_id=nets[0].id)]

    def _check(self, s: Session, ctx: RequestContext, req: NetRequest, count: int
               ) -> NetRequest:
        if req.port_id:
            port = PortRepo(s).get(req.port_id)
            if port is None or not (ctx.is_admin or port.project_id == ctx.project_id):
                raise exc.BadRequest(f"Port id {req.port_id} could not be found.")
            if port.device_id:
                raise exc.Conflict(f"Port {req.port_id} is still in use.")
            if count > 1:
                raise exc.BadRequest("Unable to launch multiple instances with a single "
                                     "configured port ID. Please launch your instance one by "
                                     "one with different ports.")
            req.network_id = port.network_id
            return req
        try:
            self.net.networks.usable(s, ctx, req.network_id or "")
        except exc.NotFound:
            raise exc.BadRequest(f"Network {req.network_id} could not be found.") from None
        if req.fixed_ip:
            self._check_ip(s, req, count)
        return req

    @staticmethod
    def _check_ip(s: Session, req: NetRequest, count: int) -> None:
        addr = ipaddress.ip_address(req.fixed_ip or "")
        subnets = SubnetRepo(s).on_network(req.network_id or "")
        if not any(addr in ipaddress.ip_network(x.cidr) for x in subnets):
            raise exc.BadRequest(f"Fixed IP {req.fixed_ip} is not a valid ip address for "
                                 f"network {req.network_id}.")
        if AllocationRepo(s).owner_of(req.network_id or "", str(addr)) is not None:
            raise exc.Conflict(f"Fixed IP address {req.fixed_ip} is already in use on "
                               "instance.")
        if count > 1:
            raise exc.BadRequest("max_count cannot be greater than 1 if an fixed_ip is "
                                 "specified.")

    def security_group_ids(self, ctx: RequestContext, project_id: str, names: list[str]
                           ) -> list[str]:
        """Security group ids for names (or ids) given at create time; 400 if unknown."""
        def work(s: Session) -> list[str] | None:
            return self.security_group_ids_in(s, ctx, project_id, names)
        ids = self.net.tx.read(work)
        if ids is None:
            self.net.tx.write(lambda s: self.net.security_groups.ensure_default(s, project_id))
            ids = self.net.tx.read(work)
        return ids or []

    def security_group_ids_in(self, s: Session, ctx: RequestContext, project_id: str,
                              names: list[str]) -> list[str] | None:
        """As security_group_ids, in the caller's read transaction; None when the
        project's default group does not exist yet."""
        repo = SecurityGroupRepo(s)
        out: list[str] = []
        for name in names:
            if name == "default":
                found_id = repo.default_id(project_id)
                if found_id is None:
                    return None  # the caller creates it, in a write transaction
                out.append(str(found_id))
                continue
            found = repo.first(SecurityGroupRepo.model.id == name) or repo.first(
                SecurityGroupRepo.model.name == name,
                SecurityGroupRepo.model.project_id == project_id)
            if found is None or not (ctx.is_admin or found.project_id == project_id):
                raise exc.BadRequest(f"Security group {name} not found for project "
                                     f"{project_id}.")
            out.append(found.id)
        return list(dict.fromkeys(out))

    # -- inside the compute transaction -----------------------------------------------------
    def allocate(self, s: Session, instance: Any, host: str, zone: str,
                 requests: list[dict[str, Any]], sg_ids: list[str]) -> list[dict[str, Any]]:
        """Create or bind the server's ports; returns its network info."""
        ctx = system_ctx(instance.project_id, instance.user_id)
        out = []
        for req in requests:
            if req.get("port_id"):
                port = PortRepo(s).get(req["port_id"])
                if port is None:
                    raise exc.BadRequest(f"Port id {req['port_id']} could not be found.")
                if port.device_id and port.device_id != instance.id:
                    raise exc.Conflict(f"Port {port.id} is still in use.")
                self.net.ports.update_port(s, ctx, port, {
                    "device_id": instance.id, "device_owner": COMPUTE_OWNER + zone,
                    "binding:host_id": host})
                out.append(self.info(s, port, preexisting=True, tag=req.get("tag")))
                continue
            data: dict[str, Any] = {"network_id": req["network_id"], "device_id": instance.id,
                                    "device_owner": COMPUTE_OWNER + zone,
                                    "binding:host_id": host, "project_id": instance.project_id}
            if req.get("fixed_ip"):
                data["fixed_ips"] = [{"ip_address": req["fixed_ip"]}]
            net = s.get(Network, req["network_id"])
            if sg_ids and net is not None and net.port_security_enabled:
                data["security_groups"] = list(sg_ids)
            port = self.net.ports.create_port(s, ctx, data)
            out.append(self.info(s, port, preexisting=False, tag=req.get("tag"), new=True))
        return out

    @staticmethod
    def info(s: Session, port: Port, *, preexisting: bool, tag: str | None = None,
             new: bool = False) -> dict[str, Any]:
        net = s.get(Network, port.network_id)
        entry = _nic(port.id, port.network_id, net.name if net is not None else "",
                     port.mac_address, preexisting, tag)
        for a in AllocationRepo(s).for_ports([port.id]).get(port.id, []):
            entry["ips"].append(_ip(a.ip_address, a.subnet_id))
        if not new:
            entry["floating"] = [f.floating_ip_address
                                 for f in FloatingIPRepo(s).on_fixed_port(port.id)]
        return entry

    def set_active(self, s: Session, port_ids: list[str], host: str | None) -> None:
        """The host reported the VIFs plugged: the ports go ACTIVE (bound to the host)."""
        self.net.ports.set_status(s, port_ids, "ACTIVE" if host else "DOWN")

    def rebind(self, s: Session, instance: Any, host: str | None, zone: str | None) -> None:
        ctx = system_ctx(instance.project_id, instance.user_id)
        for port in PortRepo(s).by_ids([n["port_id"] for n in instance.network_info or []]):
            data: dict[str, Any] = {"binding:host_id": host or ""}
            if zone:
                data["device_owner"] = COMPUTE_OWNER + zone
            self.net.ports.update_port(s, ctx, port, data)
            port.status = "ACTIVE" if host else "DOWN"

    def deallocate(self, s: Session, instance: Any, only: list[str] | None = None) -> None:
        """Delete the ports compute created; unbind those the user brought."""
        ctx = system_ctx(instance.project_id, instance.user_id)
        info = {n["port_id"]: n for n in instance.network_info or []}
        ports = list(PortRepo(s).on_device(instance.id))
        for port in ports:
            if only is not None and port.id not in only:
                continue
            if info.get(port.id, {}).get("preexisting"):
                self.net.ports.update_port(s, ctx, port, {
                    "device_id": "", "device_owner": "", "binding:host_id": ""})
                port.status = "DOWN"
            else:
                self.net.ports.delete_port(s, port)

    def refresh(self, s: Session, instance: Any) -> list[dict[str, Any]]:
        """The server's network info as the Networking service has it now (two queries:
        the ports with their networks and fixed IPs, then their floating IPs)."""
        known = {n["port_id"]: n for n in instance.network_info or []}
        ports: dict[str, dict[str, Any]] = {}
        for port_id, net_id, net_name, mac, ip, subnet_id in \
                PortRepo(s).addresses_on_device(instance.id):
            entry = ports.get(port_id)
            if entry is None:
                old = known.get(port_id, {})
                entry = ports[port_id] = _nic(port_id, net_id, net_name or "", mac,
                                              bool(old.get("preexisting")), old.get("tag"))
            if ip is not None:
                entry["ips"].append(_ip(ip, subnet_id))
        for port_id, address in FloatingIPRepo(s).addresses_on_ports(list(ports)):
            ports[port_id]["floating"].append(address)
        out = list(ports.values())
        order = list(known)
        out.sort(key=lambda n: order.index(n["port_id"]) if n["port_id"] in order else 1 << 30)
        return out

    # -- reads for the API ------------------------------------------------------------------
    def port(self, s: Session, port_id: str) -> Port | None:
        return PortRepo(s).get(port_id)

    def network(self, s: Session, network_id: str) -> Network | None:
        return NetworkRepo(s).get(network_id)


def _nic(port_id: str, network_id: str, network_name: str, mac: str, preexisting: bool,
         tag: str | None) -> dict[str, Any]:
    """One entry of a server's network info, before its fixed and floating IPs."""
    return {"port_id": port_id, "network_id": network_id, "network_name": network_name,
            "mac": mac, "ips": [], "floating": [], "preexisting": preexisting, "tag": tag}


def _ip(address: str, subnet_id: str) -> dict[str, Any]:
    return {"address": address, "subnet_id": subnet_id,
            "version": ipaddress.ip_address(address).version}
