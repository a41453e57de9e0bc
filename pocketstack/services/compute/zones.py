"""Availability zones: the zones of the compute hosts (from aggregate metadata, else the
default zone) and, for admins, the internal zone of the control-plane services."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pocketstack.db.models.compute import ComputeService

if TYPE_CHECKING:
    from pocketstack.services.compute import Compute


@dataclass
class Zone:
    name: str
    available: bool
    hosts: dict[str, list[ComputeService]] = field(default_factory=dict)


class ZoneService:
    def __init__(self, compute: Compute) -> None:
        self.c = compute

    def zones(self, *, detail: bool) -> list[Zone]:
        topo = self.c.aggregates.topology()
        out: dict[str, Zone] = {}
        for svc in self.c.hosts.services():
            compute = svc.binary == "nova-compute"
            name = topo.zone_of(svc.host) if compute else self.c.options.internal_az
            if not compute and not detail:
                continue
            zone = out.setdefault(name, Zone(name, False))
            up = not svc.disabled and self.c.hosts.is_up(svc)
            zone.available = zone.available or (up if compute else True)
            zone.hosts.setdefault(svc.host, []).append(svc)
        for name in set(topo.zones.values()):
            out.setdefault(name, Zone(name, False))
        return sorted(out.values(), key=lambda z: (z.name == self.c.options.internal_az,
                                                   z.name))

    def names(self) -> set[str]:
        topo = self.c.aggregates.topology()
        return {topo.zone_of(h) for h in self.c.hosts.host_names()} | set(topo.zones.values())
