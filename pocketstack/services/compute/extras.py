"""Smaller server operations: security groups of a server's ports, the old floating / fixed
IP actions, remote consoles and their tokens, evacuate, restore and force-delete."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.timeutils import aware, utcnow
from pocketstack.db.models.compute import ConsoleToken
from pocketstack.db.models.compute_servers import Instance
from pocketstack.db.repositories.compute.consoles import TokenRepo
from pocketstack.services.compute import states as S
from pocketstack.services.compute.history import History
from pocketstack.services.network.query import ListQuery

if TYPE_CHECKING:
    from pocketstack.services.compute import Compute

CONSOLES = {("vnc", "novnc"): "/compute/vnc_auto.html", ("vnc", "xvpvnc"): "/compute/console",
            ("serial", "serial"): "/compute/serial", ("spice", "spice-html5"):
            "/compute/spice_auto.html", ("rdp", "rdp-html5"): "/compute/rdp",
            ("mks", "webmks"): "/compute/mks"}
TOKEN_TTL = timedelta(minutes=10)


class ExtraService:
    def __init__(self, compute: Compute) -> None:
        self.c = compute

    def _server(self, ctx: RequestContext, server_id: str) -> Instance:
        return self.c.tx.read(lambda s: self.c.servers.load(s, ctx, server_id))

    # -- security groups ----------------------------------------------------------------------
    def security_groups(self, ctx: RequestContext, server_id: str) -> list[Any]:
        inst = self._server(ctx, server_id)
        ids: list[str] = []
        for nic in inst.network_info or []:
            port = self.c.net.net.ports.get(ctx, nic["port_id"]) if nic.get("port_id") \
                else None
            if port is not None:
                ids += [i for i in port.security_groups if i not in ids]
        if not ids and inst.security_groups:
            return [g for g in self._groups(ctx) if g.group.name in inst.security_groups]
        return [g for g in self._groups(ctx) if g.group.id in ids]

    def _groups(self, ctx: RequestContext) -> list[Any]:
        return list(self.c.net.net.security_groups.list(ctx, ListQuery()))

    def change_security_group(self, ctx: RequestContext, server_id: str, name: str,
                              add: bool) -> None:
        inst = self._server(ctx, server_id)
        self.c.actions.check_lock(ctx, inst)
        match = [g.group for g in self._groups(ctx)
                 if g.group.name == name or g.group.id == name]
        match = [g for g in match if g.project_id == inst.project_id] or match
        if not match:
            raise exc.NotFound(f"Security group {name} not found for project "
                               f"{inst.project_id}.")
        sg = match[0]
        ports = [n["port_id"] for n in inst.network_info or []]
        if not ports:
            raise exc.BadRequest(f"Instance {server_id} has no ports to change security "
                                 "groups on.")
        net = self.c.net.net
        for port_id in ports:
            current = list(net.ports.get(ctx, port_id).security_groups)
            if add and sg.id in current:
                raise exc.BadRequest(f"Security group {sg.name} is already associated with "
                                     "the instance")
            if not add and sg.id not in current:
                raise exc.BadRequest(f"Security group {sg.name} not associated with the "
                                     "instance")
            wanted = [*current, sg.id] if add else [x for x in current if x != sg.id]
            net.ports.update(ctx, port_id, {"security_groups": wanted})
        self._set_group_names(ctx, server_id, sg.name, add)

    def _set_group_names(self, ctx: RequestContext, server_id: str, name: str, add: bool
                         ) -> None:
        def work(s: Session) -> None:
            inst = self.c.servers.load(s, ctx, server_id, lock=True)
            names = [n for n in inst.security_groups or [] if n != name]
            inst.security_groups = [*names, name] if add else names
            inst.updated_at = utcnow()
        self.c.tx.write(work)

    # -- floating IPs (before 2.44) ------------------------------------------------------------
    def floating_ip(self, ctx: RequestContext, server_id: str, address: str,
                    fixed: str | None, add: bool) -> None:
        inst = self._server(ctx, server_id)
        fips = self.c.net.net.floatingips.list(ctx, ListQuery(
            filters={"floating_ip_address": [address]}))
        if not fips:
            raise exc.NotFound(f"floating IP not found ({address})")
        fip = fips[0].fip
        if not add:
            if getattr(fip, "fixed_port_id", None) not in [n["port_id"] for n in
                                                           inst.network_info or []]:
                raise exc.Conflict(f"Floating IP {address} is not associated with instance "
                                   f"{server_id}.")
            self.c.net.net.floatingips.update(ctx, fip.id, {"port_id": None})
        else:
            port = self._port_for(inst, fixed)
            data: dict[str, Any] = {"port_id": port}
            if fixed:
                data["fixed_ip_address"] = fixed
            fips_api = self.c.net.net.floatingips
            try:
                if fip.fixed_port_id and fip.fixed_port_id != port:
                    fips_api.update(ctx, fip.id, {"port_id": None})  # move it here
                fips_api.update(ctx, fip.id, data)
            except exc.Conflict as e:
                raise exc.BadRequest(f"Unable to associate floating IP {address} to fixed "
                                     f"IP for instance {server_id}. {e.message}") from None
        self._refresh(ctx, server_id)

    @staticmethod
    def _port_for(inst: Instance, fixed: str | None) -> str:
        for nic in inst.network_info or []:
            if fixed is None or any(ip["address"] == fixed for ip in nic.get("ips", [])):
                return str(nic["port_id"])
        if fixed:
            raise exc.BadRequest(f"Specified fixed address '{fixed}' not assigned to "
                                 "instance")
        raise exc.BadRequest("Instance network is not ready yet")

    def _refresh(self, ctx: RequestContext, server_id: str) -> None:
        def work(s: Session) -> None:
            inst = self.c.servers.load(s, ctx, server_id, lock=True)
            inst.network_info = self.c.net.refresh(s, inst)
        self.c.tx.write(work)

    # -- consoles ----------------------------------------------------------------------------
    def console(self, ctx: RequestContext, server_id: str, protocol: str, kind: str) -> str:
        path = CONSOLES.get((protocol, kind))
        if path is None:
            raise exc.BadRequest(f"Unavailable console type {kind}.")
        inst = self._server(ctx, server_id)
        if not inst.host or inst.vm_state not in (S.ACTIVE, S.PAUSED, S.RESCUED,
                                                  S.SUSPENDED, S.STOPPED, S.RESIZED):
            raise exc.Conflict(f"Instance {server_id} is not ready yet")
        info = self.c.call_host(inst.host, "console", inst.id, kind)
        token = secrets.token_urlsafe(24)

        def work(s: Session) -> None:
            TokenRepo(s).add(ConsoleToken(
                token_hash=hashlib.sha256(token.encode()).hexdigest(), instance_uuid=inst.id,
                console_type=kind, host=info.host, port=info.port,
                internal_access_path=info.internal_access_path,
                expires_at=utcnow() + TOKEN_TTL))
        self.c.tx.write(work)
        return f"{self.c.options.public_url}{path}?token={token}"

    def console_token(self, token: str) -> ConsoleToken:
        def work(s: Session) -> ConsoleToken:
            row = TokenRepo(s).get(hashlib.sha256(token.encode()).hexdigest())
            if row is None or aware(row.expires_at) < utcnow():  # type: ignore[operator]
                raise exc.NotFound("The token has expired or is invalid.")
            return row
        return self.c.tx.read(work)

    # -- evacuate, restore, force delete -------------------------------------------------------
    def evacuate(self, ctx: RequestContext, server_id: str, host: str | None) -> None:
        inst = self._server(ctx, server_id)
        if self.c.host_alive(inst.host):
            raise exc.BadRequest(f"Compute service of {inst.host} is still in use.")
        self.c.migrations.migrate(ctx, server_id, host)

    def restore(self, ctx: RequestContext, server_id: str, force_delete: bool) -> None:
        inst = self._server(ctx, server_id)
        verb = "forceDelete" if force_delete else "restore"
        if inst.vm_state != S.SOFT_DELETED:
            raise exc.Conflict(f"Cannot '{verb}' instance {server_id} while it is in "
                               f"vm_state {inst.vm_state}")
        if force_delete:
            self.c.servers.delete(ctx, server_id)

    def inject(self, ctx: RequestContext, server_id: str, action: str) -> None:
        self.c.tx.write(lambda s: History.record(
            s, self.c.servers.load(s, ctx, server_id).id, action, ctx))
