"""Ports and their security group bindings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import bindparam, delete, exists, func, insert, or_, select

from pocketstack.db.models.network import IPAllocation, Network, Port, PortSecurityGroup
from pocketstack.db.repositories.base import Repository
from pocketstack.db.repositories.network.listing import IDS, Listing, by_ids, fetch

# Built once (building a statement costs more than running it): a server's addresses,
# and whether a MAC is taken on a network.
_ADDRESSES_ON_DEVICE = select(
    Port.id, Port.network_id, Network.name, Port.mac_address, IPAllocation.ip_address,
    IPAllocation.subnet_id).outerjoin(Network, Network.id == Port.network_id).outerjoin(
    IPAllocation, IPAllocation.port_id == Port.id).where(
    Port.device_id == bindparam("device")).order_by(Port.created_at, Port.id)
_ADD_PORT_SG = insert(PortSecurityGroup.__table__)
_MAC_TAKEN = select(exists().where(Port.network_id == bindparam("network"),
                                   Port.mac_address == bindparam("mac")))


class PortRepo(Repository[Port]):
    model = Port

    @staticmethod
    def visible(project_id: str | None) -> Any:
        """Own ports and every port on the project's own networks."""
        own_nets = select(Network.id).where(Network.project_id == project_id)
        return or_(Port.project_id == project_id, Port.network_id.in_(own_nets))

    def list(self, listing: Listing, *, rows: bool = False) -> Sequence[Any]:
        return fetch(self.session, Port, listing, rows=rows)

    @staticmethod
    def fixed_ip_clause(ips: list[str], subnets: list[str], substrings: list[str]) -> Any:
        where = [IPAllocation.port_id == Port.id]
        if ips:
            where.append(IPAllocation.ip_address.in_(ips))
        if subnets:
            where.append(IPAllocation.subnet_id.in_(subnets))
        for sub in substrings:
            where.append(IPAllocation.ip_address.contains(sub, autoescape=True))
        return exists().where(*where)

    @staticmethod
    def in_security_groups(sg_ids: list[str]) -> Any:
        return Port.id.in_(select(PortSecurityGroup.port_id).where(
            PortSecurityGroup.security_group_id.in_(sg_ids)))

    def mac_taken(self, network_id: str, mac: str) -> bool:
        return bool(self.session.scalar(_MAC_TAKEN, {"network": network_id, "mac": mac}))

    def on_device(self, device_id: str, owners: Sequence[str] | None = None) -> Sequence[Port]:
        where = [Port.device_id == device_id]
        if owners:
            where.append(Port.device_owner.in_(owners))
        return self.find(*where, order_by=Port.created_at)

    def addresses_on_device(self, device_id: str) -> list[Any]:
        """(port_id, network_id, network_name, mac_address, ip_address, subnet_id) of every
        port on a device, oldest port first, one row per fixed IP (ip_address and subnet_id
        None for a port without one): what a server's addresses are made of, in one query."""
        return list(self.session.execute(_ADDRESSES_ON_DEVICE, {"device": device_id}).all())

    def on_network(self, network_id: str, owners: Sequence[str] | None = None) -> Sequence[Port]:
        where = [Port.network_id == network_id]
        if owners:
            where.append(Port.device_owner.in_(owners))
        return self.find(*where)

    def count_for(self, project_id: str) -> int:
        return int(self.session.scalar(select(func.count()).select_from(Port).where(
            Port.project_id == project_id)) or 0)


class PortSecurityGroupRepo(Repository[PortSecurityGroup]):
    model = PortSecurityGroup

    def for_ports(self, port_ids: Iterable[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        stmt = select(PortSecurityGroup.port_id, PortSecurityGroup.security_group_id).where(
            PortSecurityGroup.port_id.in_(IDS))
        for port_id, sg_id in by_ids(self.session, stmt, list(port_ids)):
            out[port_id].append(sg_id)
        return out

    def replace(self, port_id: str, sg_ids: Sequence[str]) -> None:
        self.session.execute(delete(PortSecurityGroup).where(
            PortSecurityGroup.port_id == port_id))
        self.add(port_id, sg_ids)

    def add(self, port_id: str, sg_ids: Sequence[str]) -> None:
        """Bind security groups to a port that has none yet (a new port, flushed)."""
        if sg_ids:
            self.session.connection().execute(_ADD_PORT_SG, [
                {"port_id": port_id, "security_group_id": sg} for sg in dict.fromkeys(sg_ids)])

    def in_use(self, sg_id: str) -> bool:
        return bool(self.session.scalar(select(exists().where(
            PortSecurityGroup.security_group_id == sg_id))))
