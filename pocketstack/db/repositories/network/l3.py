"""Routers and floating IPs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, exists, select

from pocketstack.db.models.network import FloatingIP, Router
from pocketstack.db.repositories.base import Repository
from pocketstack.db.repositories.network.listing import Listing, fetch

# Built once (building a statement costs more than running it).
_FLOATING_ON_PORTS = select(FloatingIP.fixed_port_id, FloatingIP.floating_ip_address).where(
    FloatingIP.fixed_port_id.in_(bindparam("ports", expanding=True)))


class RouterRepo(Repository[Router]):
    model = Router

    @staticmethod
    def visible(project_id: str | None) -> Any:
        return Router.project_id == project_id

    def list(self, listing: Listing) -> Sequence[Router]:
        return fetch(self.session, Router, listing)

    def with_gateway_on(self, network_id: str) -> Sequence[Router]:
        return self.find(Router.gw_network_id == network_id)


class FloatingIPRepo(Repository[FloatingIP]):
    model = FloatingIP

    @staticmethod
    def visible(project_id: str | None) -> Any:
        return FloatingIP.project_id == project_id

    def list(self, listing: Listing) -> Sequence[FloatingIP]:
        return fetch(self.session, FloatingIP, listing)

    def on_fixed_port(self, port_id: str) -> Sequence[FloatingIP]:
        return self.find(FloatingIP.fixed_port_id == port_id)

    def addresses_on_ports(self, port_ids: list[str]) -> list[tuple[str, str]]:
        """(fixed_port_id, floating_ip_address) of the floating IPs on these ports."""
        if not port_ids:
            return []
        rows = self.session.execute(_FLOATING_ON_PORTS, {"ports": port_ids})
        return [(str(p), str(a)) for p, a in rows]

    def on_network(self, network_id: str) -> Sequence[FloatingIP]:
        return self.find(FloatingIP.floating_network_id == network_id)

    def via_router(self, router_id: str) -> Sequence[FloatingIP]:
        return self.find(FloatingIP.router_id == router_id)

    def associated_through(self, router_id: str, port_ids: Sequence[str]) -> bool:
        if not port_ids:
            return False
        return bool(self.session.scalar(select(exists().where(
            FloatingIP.router_id == router_id, FloatingIP.fixed_port_id.in_(list(port_ids))))))

    def by_fixed(self, network_id: str, port_id: str, ip: str) -> FloatingIP | None:
        return self.first(FloatingIP.floating_network_id == network_id,
                          FloatingIP.fixed_port_id == port_id,
                          FloatingIP.fixed_ip_address == ip)
