"""ML2 type drivers: validate provider attributes, allocate project segments (VXLAN VNIs,
GRE ids, VLAN ids per physical network), and tell each type's MTU."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.ids import new_uuid
from pocketstack.config import Settings
from pocketstack.db.models.network import Segment
from pocketstack.db.repositories.network.networks import SegmentRepo

TYPES = ("local", "flat", "vlan", "vxlan", "gre")
MAX_ID = {"vlan": 4094, "vxlan": 2**24 - 1, "gre": 2**32 - 1}
OVERHEAD = {"vxlan": 50, "gre": 42}
LABEL = {"vlan": "VLAN", "vxlan": "VXLAN", "gre": "GRE", "flat": "flat", "local": "local"}


@dataclass
class SegmentSpec:
    network_type: str
    physical_network: str | None = None
    segmentation_id: int | None = None


def bad(msg: str) -> exc.BadRequest:
    return exc.BadRequest(msg, error_type="InvalidInput")


def _ranges(text: str) -> list[tuple[int, int]]:
    out = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        lo, _, hi = part.partition(":")
        a, b = int(lo), int(hi or lo)
        out.append((min(a, b), max(a, b)))
    return out


class SegmentTypes:
    def __init__(self, settings: Settings) -> None:
        self.tenant_types = [t.strip() for t in settings.network_tenant_network_types.split(",")
                             if t.strip()]
        self.tunnel_ranges = {"vxlan": _ranges(settings.network_vxlan_vni_ranges),
                              "gre": _ranges(settings.network_gre_id_ranges)}
        self.vlan_ranges: dict[str, list[tuple[int, int]]] = {}
        for part in filter(None, (p.strip() for p in settings.network_vlan_ranges.split(","))):
            name, *bounds = part.split(":")
            ranges = self.vlan_ranges.setdefault(name, [])
            if len(bounds) == 2:
                ranges.append((int(bounds[0]), int(bounds[1])))
        flat = [p.strip() for p in settings.network_flat_networks.split(",") if p.strip()]
        self.flat_any = "*" in flat
        self.flat_networks = set(flat) - {"*"}
        self.physnet_mtu = settings.network_global_physnet_mtu

    def mtu(self, network_type: str) -> int:
        return self.physnet_mtu - OVERHEAD.get(network_type, 0)

    # -- validation -----------------------------------------------------------------------
    def spec_from(self, data: dict[str, Any]) -> SegmentSpec | None:
        """Provider attributes of a create request, validated; None when absent."""
        ntype = data.pop("provider:network_type", None)
        physnet = data.pop("provider:physical_network", None)
        seg_id = data.pop("provider:segmentation_id", None)
        if ntype is None and physnet is None and seg_id is None:
            return None
        if ntype is None:
            raise bad("network_type required")
        if ntype not in TYPES:
            raise bad(f"network_type value '{ntype}' not supported")
        spec = SegmentSpec(ntype, physnet or None, seg_id)
        getattr(self, f"_check_{ntype}")(spec)
        return spec

    def _check_local(self, spec: SegmentSpec) -> None:
        for attr, value in (("physical_network", spec.physical_network),
                            ("segmentation_id", spec.segmentation_id)):
            if value is not None:
                raise bad(f"{attr} prohibited for local provider network")

    def _check_flat(self, spec: SegmentSpec) -> None:
        if spec.segmentation_id is not None:
            raise bad("segmentation_id prohibited for flat provider network")
        if not spec.physical_network:
            raise bad("physical_network required for flat provider network")
        if not self.flat_any and spec.physical_network not in self.flat_networks:
            raise bad(f"physical_network '{spec.physical_network}' unknown for flat provider "
                      "network")

    def _check_vlan(self, spec: SegmentSpec) -> None:
        if spec.physical_network is None:
            if spec.segmentation_id is not None:
                raise bad("segmentation_id requires physical_network for VLAN provider network")
            return
        if spec.physical_network not in self.vlan_ranges:
            raise bad(f"physical_network '{spec.physical_network}' unknown for VLAN provider "
                      "network")
        if spec.segmentation_id is not None and not 1 <= spec.segmentation_id <= 4094:
            raise bad("segmentation_id out of range (1 through 4094)")

    def _check_tunnel(self, spec: SegmentSpec) -> None:
        label = LABEL[spec.network_type]
        if spec.physical_network is not None:
            raise bad(f"provider:physical_network specified for {label} network")
        top = MAX_ID[spec.network_type]
        if spec.segmentation_id is not None and not 1 <= spec.segmentation_id <= top:
            raise bad(f"{label} segmentation_id {spec.segmentation_id} out of range "
                      f"(1 through {top})")

    _check_vxlan = _check_tunnel
    _check_gre = _check_tunnel

    # -- allocation -----------------------------------------------------------------------
    def allocate(self, s: Session, network_id: str, spec: SegmentSpec | None) -> Segment:
        """Reserve the segment of a new network; the unique alloc_key makes it exclusive."""
        if spec is None:
            spec = self._tenant_spec(s)
        elif spec.network_type in ("vlan", "vxlan", "gre") and spec.segmentation_id is None:
            spec = self._partial(s, spec)
        else:
            self._ensure_free(s, spec)
        seg = Segment(id=new_uuid(), network_id=network_id, network_type=spec.network_type,
                      physical_network=spec.physical_network,
                      segmentation_id=spec.segmentation_id, segment_index=0,
                      alloc_key=self.key(spec))
        s.add(seg)
        return seg

    @staticmethod
    def key(spec: SegmentSpec) -> str | None:
        if spec.network_type == "local":
            return None
        if spec.network_type == "flat":
            return f"flat:{spec.physical_network}"
        return f"{spec.network_type}:{spec.physical_network or ''}:{spec.segmentation_id}"

    def _ensure_free(self, s: Session, spec: SegmentSpec) -> None:
        key = self.key(spec)
        if key is None or not SegmentRepo(s).is_taken(key):
            return
        if spec.network_type == "flat":
            raise exc.Conflict(f"Unable to create the flat network. Physical network "
                               f"{spec.physical_network} is in use.",
                               error_type="FlatNetworkInUse")
        if spec.network_type == "vlan":
            raise exc.Conflict(f"Unable to create the network. The VLAN {spec.segmentation_id} "
                               f"on physical network {spec.physical_network} is in use.",
                               error_type="VlanIdInUse")
        raise exc.Conflict(f"Unable to create the network. The tunnel ID "
                           f"{spec.segmentation_id} is in use.", error_type="TunnelIdInUse")

    def _tenant_spec(self, s: Session) -> SegmentSpec:
        for ntype in self.tenant_types:
            if ntype == "local":
                return SegmentSpec("local")
            found = self._partial(s, SegmentSpec(ntype), fail=False)
            if found is not None:
                return found
        raise exc.ServiceUnavailable("Unable to create the network. No tenant network is "
                                     "available for allocation.",
                                     error_type="NoNetworkAvailable")

    def _partial(self, s: Session, spec: SegmentSpec, fail: bool = True) -> Any:
        repo = SegmentRepo(s)
        repo.lock_allocation(spec.network_type)
        if spec.network_type == "vlan":
            physnets = [spec.physical_network] if spec.physical_network else list(self.vlan_ranges)
            candidates = [(p, r) for p in physnets for r in self.vlan_ranges.get(p or "", [])]
        else:
            candidates = [(None, r) for r in self.tunnel_ranges.get(spec.network_type, [])]
        for physnet, (lo, hi) in candidates:
            seg_id = repo.first_free(spec.network_type, physnet, lo, hi)
            if seg_id is not None:
                return SegmentSpec(spec.network_type, physnet, seg_id)
        if not fail:
            return None
        raise exc.ServiceUnavailable("Unable to create the network. No tenant network is "
                                     "available for allocation.",
                                     error_type="NoNetworkAvailable")
