"""Networks, their segments and RBAC entries."""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, text
from sqlalchemy.orm import aliased

from pocketstack.db.models.network import Network, Port, RBACPolicy, Segment, Subnet
from pocketstack.db.repositories.base import Repository
from pocketstack.db.repositories.network.listing import Listing, fetch


class NetworkRepo(Repository[Network]):
    model = Network

    @staticmethod
    def visible(project_id: str | None) -> Any:
        """Own networks, networks shared with the project, and external networks."""
        targets = [project_id or "", "*"]
        granted = select(RBACPolicy.object_id).where(
            RBACPolicy.object_type == "network", RBACPolicy.target_project.in_(targets))
        return or_(Network.project_id == project_id, Network.id.in_(granted))

    def list(self, listing: Listing) -> Sequence[Network]:
        return fetch(self.session, Network, listing)

    def subnet_ids(self, network_ids: Iterable[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        ids = list(network_ids)
        if ids:
            rows = self.session.execute(
                select(Subnet.network_id, Subnet.id).where(Subnet.network_id.in_(ids))
                .order_by(Subnet.created_at, Subnet.id))
            for net_id, sub_id in rows:
                out[net_id].append(sub_id)
        return out

    def ports_in_use(self, network_id: str, auto_owners: Sequence[str]) -> int:
        return int(self.session.scalar(
            select(func.count()).select_from(Port).where(
                Port.network_id == network_id, Port.device_owner.not_in(auto_owners))) or 0)


class SegmentRepo(Repository[Segment]):
    model = Segment

    def for_networks(self, network_ids: Iterable[str]) -> dict[str, list[Segment]]:
        out: dict[str, list[Segment]] = defaultdict(list)
        ids = list(network_ids)
        if ids:
            for seg in self.session.scalars(select(Segment).where(
                    Segment.network_id.in_(ids)).order_by(Segment.segment_index)):
                out[seg.network_id].append(seg)
        return out

    def lock_allocation(self, network_type: str) -> None:
        """Serialise segment allocation of one type on PostgreSQL (SQLite writers are
        serialised already): concurrent creates would otherwise all pick the same lowest id
        and retry in lockstep. Held until the transaction ends."""
        if self.session.get_bind().dialect.name == "postgresql":
            key = zlib.crc32(f"pocketstack-segments:{network_type}".encode())
            self.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})

    @staticmethod
    def networks_with(wanted: dict[str, list[Any]]) -> Any:
        """Networks having a segment whose network_type / physical_network /
        segmentation_id is in the given values."""
        conds = [getattr(Segment, field).in_(values) for field, values in wanted.items()]
        return Network.id.in_(select(Segment.network_id).where(*conds))

    def is_taken(self, alloc_key: str) -> bool:
        return bool(self.session.scalar(select(exists().where(Segment.alloc_key == alloc_key))))

    def first_free(self, network_type: str, physnet: str | None, lo: int, hi: int) -> int | None:
        """Lowest segmentation id in [lo, hi] that no network uses."""
        same = [Segment.network_type == network_type,
                Segment.physical_network.is_(None) if physnet is None
                else Segment.physical_network == physnet]
        taken_lo = self.session.scalar(select(exists().where(*same,
                                                             Segment.segmentation_id == lo)))
        if not taken_lo:
            return lo
        nxt = aliased(Segment)
        gap = (select(Segment.segmentation_id + 1).where(
            *same, Segment.segmentation_id >= lo, Segment.segmentation_id < hi,
            ~exists().where(nxt.network_type == network_type,
                            nxt.physical_network.is_(None) if physnet is None
                            else nxt.physical_network == physnet,
                            nxt.segmentation_id == Segment.segmentation_id + 1))
            .order_by(Segment.segmentation_id).limit(1))
        value = self.session.scalar(gap)
        return int(value) if value is not None else None


class RBACRepo(Repository[RBACPolicy]):
    model = RBACPolicy

    def list(self, listing: Listing) -> Sequence[RBACPolicy]:
        return fetch(self.session, RBACPolicy, listing)

    def granted(self, object_type: str, object_ids: Iterable[str], action: str,
                project_id: str | None) -> set[str]:
        """Which of ``object_ids`` have ``action`` for the project (or everyone)."""
        ids = list(object_ids)
        if not ids:
            return set()
        targets = ["*"] if project_id is None else ["*", project_id]
        rows = self.session.scalars(select(RBACPolicy.object_id).where(
            RBACPolicy.object_type == object_type, RBACPolicy.object_id.in_(ids),
            RBACPolicy.action == action, RBACPolicy.target_project.in_(targets)))
        return set(rows)

    def for_object(self, object_id: str, action: str | None = None) -> Sequence[RBACPolicy]:
        where = [RBACPolicy.object_id == object_id]
        if action:
            where.append(RBACPolicy.action == action)
        return self.find(*where)

    def visible(self, project_id: str | None) -> Any:
        return or_(RBACPolicy.project_id == project_id, RBACPolicy.target_project == project_id)

    def object_ids_with(self, object_type: str, action: str, targets: list[str]) -> Any:
        return select(RBACPolicy.object_id).where(
            RBACPolicy.object_type == object_type, RBACPolicy.action == action,
            RBACPolicy.target_project.in_(targets))

    def wildcard_clause(self, id_col: Any, object_type: str, action: str,
                        project_id: str | None, want: bool) -> Any:
        targets = ["*"] if project_id is None else ["*", project_id]
        sub = and_(id_col.in_(self.object_ids_with(object_type, action, targets)))
        return sub if want else ~sub
