"""Interfaces (os-interface): attach a network or an existing port to a running server,
list and show its ports, detach. The port is created or bound through the Networking
service, plugged by the host's agent, and the server's network info follows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.timeutils import utcnow
from pocketstack.db.models.compute_servers import Instance
from pocketstack.services.compute import states as S
from pocketstack.services.compute.history import History
from pocketstack.services.compute.netgw import NetRequest

if TYPE_CHECKING:
    from pocketstack.services.compute import Compute

ATTACHABLE = (S.ACTIVE, S.PAUSED, S.STOPPED)


class InterfaceService:
    def __init__(self, compute: Compute) -> None:
        self.c = compute

    def list(self, ctx: RequestContext, server_id: str) -> list[Any]:
        inst = self.c.tx.read(lambda s: self.c.servers.load(s, ctx, server_id))
        tags = {n["port_id"]: n.get("tag") for n in inst.network_info or []}
        views = self.c.net.net.ports.list(ctx, _device_query(inst.id))
        return [(v, tags.get(v.port.id)) for v in views]

    def get(self, ctx: RequestContext, server_id: str, port_id: str) -> Any:
        for view, tag in self.list(ctx, server_id):
            if view.port.id == port_id:
                return view, tag
        raise exc.NotFound(f"Port {port_id} is not attached")

    def attach(self, ctx: RequestContext, server_id: str, net_id: str | None,
               port_id: str | None, fixed_ip: str | None, tag: str | None) -> str:
        if net_id and port_id:
            raise exc.BadRequest("Must not input both network_id and port_id")
        inst = self.c.tx.read(lambda s: self.c.servers.load(s, ctx, server_id))
        self._check(ctx, inst)
        if not net_id and not port_id:
            nets = self.c.net.resolve(ctx, "auto" if inst.network_info else None, [], 1)
            if not nets:
                raise exc.BadRequest("No networks are available to attach to.")
            net_id = nets[0].network_id
        req = NetRequest(network_id=net_id, port_id=port_id, fixed_ip=fixed_ip, tag=tag)
        try:
            checked = self.c.net.resolve(ctx, None, [req], 1)[0]
        except exc.BadRequest as e:
            if "could not be found" not in e.message:
                raise
            raise exc.NotFound(e.message.replace("Port id", "Port")) from None
        sg_ids = self.c.net.security_group_ids(ctx, inst.project_id,
                                               inst.security_groups or ["default"]) \
            if not port_id else []

        def work(s: Session) -> str:
            fresh = self.c.servers.load(s, ctx, server_id, lock=True)
            self._check(ctx, fresh)
            info = self.c.net.allocate(s, fresh, fresh.host or "", fresh.availability_zone
                                       or self.c.options.default_az,
                                       [{"network_id": checked.network_id,
                                         "port_id": checked.port_id,
                                         "fixed_ip": checked.fixed_ip, "tag": tag}], sg_ids)
            self.c.call_host(fresh.host, "attach_interface", fresh.id, info[0])
            self.c.net.set_active(s, [info[0]["port_id"]], fresh.host)
            fresh.network_info = [*(fresh.network_info or []), *info]
            fresh.updated_at = utcnow()
            History.record(s, fresh.id, "attach_interface", ctx)
            return str(info[0]["port_id"])
        return self.c.tx.write(work)

    def _check(self, ctx: RequestContext, inst: Instance) -> None:
        self.c.actions.check_lock(ctx, inst)
        S.require(inst, "attach_interface", ATTACHABLE)
        if not inst.host:
            raise exc.Conflict(f"Instance {inst.id} is not ready yet")

    def detach(self, ctx: RequestContext, server_id: str, port_id: str) -> None:
        def work(s: Session) -> None:
            inst = self.c.servers.load(s, ctx, server_id, lock=True)
            self.c.actions.check_lock(ctx, inst)
            S.require(inst, "detach_interface", ATTACHABLE)
            known = [n for n in inst.network_info or [] if n["port_id"] == port_id]
            port = self.c.net.port(s, port_id)
            if not known and (port is None or port.device_id != inst.id):
                raise exc.NotFound(f"Port {port_id} is not attached")
            self.c.call_host(inst.host, "detach_interface", inst.id, port_id)
            self.c.net.deallocate(s, inst, only=[port_id])
            inst.network_info = [n for n in inst.network_info or []
                                 if n["port_id"] != port_id]
            inst.updated_at = utcnow()
            History.record(s, inst.id, "detach_interface", ctx)
        self.c.tx.write(work)

    def remove_fixed_ip(self, ctx: RequestContext, server_id: str, address: str) -> None:
        inst = self.c.tx.read(lambda s: self.c.servers.load(s, ctx, server_id))
        for nic in inst.network_info or []:
            if any(ip["address"] == address for ip in nic.get("ips", [])):
                self.detach(ctx, server_id, nic["port_id"])
                return
        raise exc.BadRequest(f"Unable to find address {address}")


def _device_query(instance_id: str) -> Any:
    from pocketstack.services.network.query import ListQuery

    return ListQuery(filters={"device_id": [instance_id]})
