"""Servers (instances), their tags and block device mappings.

Listing builds one SELECT from a ``ServerQuery`` (filters, sort keys, keyset pagination
after a marker server), then loads the tags and volume mappings of the whole page with one
query each: a page of 1,000 servers costs three queries.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, literal, not_, or_, select, union_all, update

from pocketstack.db.models.compute_servers import (
    BlockDeviceMapping,
    Instance,
    InstanceTag,
    ServerGroup,
    ServerGroupMember,
)
from pocketstack.db.repositories.base import Repository

I = Instance  # noqa: E741
SORT_COLUMNS = {
    "access_ip_v4": I.access_ip_v4, "access_ip_v6": I.access_ip_v6,
    "availability_zone": I.availability_zone, "config_drive": I.config_drive,
    "created_at": I.created_at, "display_description": I.description,
    "display_name": I.name, "host": I.host, "hostname": I.hostname, "image_ref": I.image_ref,
    "instance_type_id": I.flavor_id, "kernel_id": I.id, "key_name": I.key_name,
    "launch_index": I.launch_index, "launched_at": I.launched_at, "locked": I.locked,
    "locked_by": I.locked_by, "node": I.node, "power_state": I.power_state,
    "progress": I.progress, "project_id": I.project_id, "ramdisk_id": I.id,
    "root_device_name": I.root_device_name, "task_state": I.task_state,
    "terminated_at": I.terminated_at, "updated_at": I.updated_at, "user_id": I.user_id,
    "uuid": I.id, "vm_state": I.vm_state,
}


@dataclass
class ServerQuery:
    project_id: str | None = None
    where: list[Any] = field(default_factory=list)
    deleted: bool | None = False
    name_regex: str | None = None
    tags: list[str] = field(default_factory=list)
    tags_any: list[str] = field(default_factory=list)
    not_tags: list[str] = field(default_factory=list)
    not_tags_any: list[str] = field(default_factory=list)
    sort: list[tuple[str, str]] = field(default_factory=lambda: [("created_at", "desc"),
                                                                 ("id", "desc")])
    limit: int | None = None
    marker: Instance | None = None


class InstanceRepo(Repository[Instance]):
    model = Instance

    def live(self, instance_id: str, *, lock: bool = False) -> Instance | None:
        return self.session.scalars(_LIVE_LOCKED if lock else _LIVE,
                                    {"id": instance_id}).first()

    def task_and_host(self, instance_id: str) -> Any:
        """(task, host) of a live server, without loading the whole row (None if gone)."""
        return self.session.execute(_TASK_AND_HOST, {"id": instance_id}).first()

    def count_on_host(self, host: str) -> int:
        return self.count(I.host == host, I.deleted.is_(False))

    def pending(self) -> list[str]:
        return list(self.session.scalars(select(I.id).where(I.task_state.is_not(None),
                                                            I.deleted.is_(False))))

    def placed(self, hosts: list[str]) -> list[tuple[str, str, str, int]]:
        """(id, host, vm_state, power_state) of settled servers on these hosts."""
        rows = self.session.execute(select(I.id, I.host, I.vm_state, I.power_state).where(
            I.host.in_(hosts), I.deleted.is_(False), I.task_state.is_(None)))
        return [(a, b, c, d) for a, b, c, d in rows]

    def shelved_before(self, cutoff: datetime) -> list[str]:
        return list(self.session.scalars(select(I.id).where(
            I.vm_state == "shelved", I.task_state.is_(None), I.deleted.is_(False),
            I.updated_at < cutoff)))

    def hosts_of(self, ids: list[str]) -> list[str]:
        if not ids:
            return []
        return [h for h in self.session.scalars(select(I.host).where(
            I.id.in_(ids), I.deleted.is_(False))) if h]

    def of_reservation(self, reservation_id: str) -> Sequence[Instance]:
        return self.find(I.reservation_id == reservation_id, order_by=I.launch_index)

    # -- listing ----------------------------------------------------------------------------
    def search(self, q: ServerQuery) -> Sequence[Instance]:
        where = list(q.where)
        if q.project_id is not None:
            where.append(I.project_id == q.project_id)
        if q.deleted is not None:
            where.append(I.deleted.is_(q.deleted))
        if q.name_regex:
            where.append(self._regex(I.name, q.name_regex))
        where += self._tag_clauses(q)
        keys = self._keys(q.sort)
        if q.marker is not None:
            where.append(self._after(q.marker, keys))
        order = [c.asc() if d == "asc" else c.desc() for c, d in keys]
        stmt = select(I).where(*where).order_by(*order)
        if q.limit is not None:
            stmt = stmt.limit(q.limit)
        return self.session.scalars(stmt).all()

    def _regex(self, column: Any, pattern: str) -> Any:
        conn = self.session.connection()
        if conn.dialect.name == "sqlite":
            raw = conn.connection.driver_connection
            raw.create_function("regexp", 2, _sqlite_regexp, deterministic=True)
            return column.op("REGEXP")(pattern)
        return column.op("~")(pattern)

    @staticmethod
    def _tag_clauses(q: ServerQuery) -> list[Any]:
        out: list[Any] = []

        def has(tag: str) -> Any:
            return I.id.in_(select(InstanceTag.instance_id).where(InstanceTag.tag == tag))

        for tag in q.tags:
            out.append(has(tag))
        if q.tags_any:
            out.append(or_(*[has(t) for t in q.tags_any]))
        if q.not_tags:
            out.append(not_(and_(*[has(t) for t in q.not_tags])))
        for tag in q.not_tags_any:
            out.append(not_(has(tag)))
        return out

    @staticmethod
    def _keys(sort: list[tuple[str, str]]) -> list[tuple[Any, str]]:
        keys = [(I.id if k in ("id", "uuid") else SORT_COLUMNS.get(k, I.id), d)
                for k, d in sort]
        if not any(c is I.id for c, _ in keys):
            keys.append((I.id, keys[-1][1] if keys else "desc"))
        return keys

    @staticmethod
    def _after(marker: Instance, keys: list[tuple[Any, str]]) -> Any:
        """Keyset condition: rows that sort after the marker row."""
        clauses = []
        for i, (col, direction) in enumerate(keys):
            value = getattr(marker, col.key)
            if value is None:
                continue
            ties = [c == getattr(marker, c.key) for c, _ in keys[:i]]
            step = col > value if direction == "asc" else col < value
            clauses.append(and_(*ties, step))
        return or_(*clauses) if clauses else I.id != marker.id

    # -- tags -------------------------------------------------------------------------------
    def tags_for(self, ids: list[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {i: [] for i in ids}
        for chunk in _chunks(ids):
            rows = self.session.execute(select(InstanceTag.instance_id, InstanceTag.tag)
                                        .where(InstanceTag.instance_id.in_(chunk))
                                        .order_by(InstanceTag.tag))
            for iid, tag in rows:
                out[iid].append(tag)
        return out

    def set_tags(self, instance_id: str, tags: list[str]) -> None:
        self.session.execute(delete(InstanceTag).where(InstanceTag.instance_id == instance_id))
        for tag in dict.fromkeys(tags):
            self.session.add(InstanceTag(instance_id=instance_id, tag=tag))
        self.session.flush()

    def add_tag(self, instance_id: str, tag: str) -> bool:
        if self.session.get(InstanceTag, (instance_id, tag)) is not None:
            return False
        self.session.add(InstanceTag(instance_id=instance_id, tag=tag))
        self.session.flush()
        return True

    def remove_tag(self, instance_id: str, tag: str) -> bool:
        result = self.session.execute(delete(InstanceTag).where(
            InstanceTag.instance_id == instance_id, InstanceTag.tag == tag))
        return bool(result.rowcount)

    # -- block devices ------------------------------------------------------------------------
    def bdms(self, instance_id: str) -> list[BlockDeviceMapping]:
        return list(self.session.scalars(select(BlockDeviceMapping).where(
            BlockDeviceMapping.instance_uuid == instance_id).order_by(BlockDeviceMapping.id)))

    def view_extras(self, ids: list[str], *, groups: bool) -> ViewExtras:
        """What a server's view shows beyond its row, for many servers in one query per 500:
        tags (sorted), attached volumes (in mapping order) and, if asked, the server group."""
        out = ViewExtras({i: [] for i in ids}, {i: [] for i in ids}, {})
        conn = self.session.connection()
        stmt = _EXTRAS_WITH_GROUPS if groups else _EXTRAS
        for chunk in _chunks(ids):
            # by (kind, order, value): tags by name, volumes in mapping order
            rows = sorted(conn.execute(stmt, {"ids": chunk}), key=lambda r: (r[0], r[4], r[2]))
            for kind, iid, value, flag, _ in rows:
                if kind == "t":
                    out.tags[iid].append(value)
                elif kind == "v":
                    out.volumes[iid].append((value, bool(flag)))
                else:
                    out.group_of[iid] = value
        return out

    def bdm_for_volume(self, instance_id: str, volume_id: str) -> BlockDeviceMapping | None:
        return self.session.scalars(select(BlockDeviceMapping).where(
            BlockDeviceMapping.instance_uuid == instance_id,
            BlockDeviceMapping.volume_id == volume_id)).first()

    def live_bdms_of_volume(self, volume_id: str) -> list[BlockDeviceMapping]:
        """The mappings of a volume on servers that are not deleted (one per server it is
        attached to)."""
        return list(self.session.scalars(select(BlockDeviceMapping).join(
            I, I.id == BlockDeviceMapping.instance_uuid).where(
            BlockDeviceMapping.volume_id == volume_id, I.deleted.is_(False)).order_by(
            BlockDeviceMapping.id)))

    def volume_in_use(self, volume_id: str) -> bool:
        return bool(self.session.scalar(select(func.count()).select_from(BlockDeviceMapping)
                                        .join(I, I.id == BlockDeviceMapping.instance_uuid)
                                        .where(BlockDeviceMapping.volume_id == volume_id,
                                               I.deleted.is_(False))))

    def touch(self, instance_id: str, now: datetime) -> None:
        self.session.execute(update(I).where(I.id == instance_id).values(updated_at=now))


@dataclass
class ViewExtras:
    tags: dict[str, list[str]]
    volumes: dict[str, list[tuple[str, bool]]]  # (volume id, delete_on_termination)
    group_of: dict[str, str]  # server id -> its group's uuid


def _extras_query(groups: bool) -> Any:
    """The statement behind view_extras, built once: rows (kind, server id, value, flag,
    order) with kind "t" (tag), "v" (volume id, delete_on_termination, mapping id) or "g"
    (server group uuid)."""
    B, M, T = BlockDeviceMapping, ServerGroupMember, InstanceTag
    ids = bindparam("ids", expanding=True)
    parts = [
        select(literal("t"), T.instance_id, T.tag, literal(False), literal(0))
        .where(T.instance_id.in_(ids)),
        select(literal("v"), B.instance_uuid, B.volume_id, B.delete_on_termination, B.id)
        .where(B.instance_uuid.in_(ids), B.volume_id.is_not(None),
               B.destination_type == "volume")]
    if groups:
        parts.append(select(literal("g"), M.instance_uuid, ServerGroup.uuid, literal(False),
                            literal(0)).join(ServerGroup, ServerGroup.id == M.group_id)
                     .where(M.instance_uuid.in_(ids)))
    return union_all(*parts)


# The hottest statements are built once: constructing a statement costs SQLAlchemy more
# than SQLite takes to run it.
_EXTRAS, _EXTRAS_WITH_GROUPS = _extras_query(False), _extras_query(True)
_LIVE = select(I).where(I.id == bindparam("id"), I.deleted.is_(False))
_LIVE_LOCKED = _LIVE.with_for_update()
_TASK_AND_HOST = select(I.task, I.host).where(I.id == bindparam("id"), I.deleted.is_(False))


def _sqlite_regexp(pattern: str | None, value: str | None) -> bool:
    if pattern is None or value is None:
        return False
    try:
        return re.search(pattern, value) is not None
    except re.error:
        return False


def _chunks(ids: list[str], size: int = 500) -> list[list[str]]:
    return [ids[i:i + size] for i in range(0, len(ids), size)] if ids else []


def servers_on(session: Any, nodes: list[str]) -> dict[str, list[tuple[str, str]]]:
    """node -> [(id, name)] of the live servers on these nodes."""
    out: dict[str, list[tuple[str, str]]] = {n: [] for n in nodes}
    if nodes:
        rows = session.execute(select(I.node, I.id, I.name).where(
            I.node.in_(nodes), I.deleted.is_(False)).order_by(I.created_at))
        for node, iid, name in rows:
            out.setdefault(node, []).append((iid, name))
    return out


def project_usage_on(session: Any, host: str) -> list[tuple[str, int, int, int]]:
    """(project, vcpus, memory_mb, disk_gb) of the live servers on a host."""
    rows = session.execute(select(I.project_id, func.sum(I.vcpus), func.sum(I.memory_mb),
                                  func.sum(I.root_gb + I.ephemeral_gb)).where(
        I.host == host, I.deleted.is_(False)).group_by(I.project_id))
    return [(p, int(v), int(m), int(d)) for p, v, m, d in rows]


def in_window(session: Any, project_id: str | None, start: datetime, end: datetime,
              limit: int | None = None, marker: str | None = None) -> list[Instance]:
    """Servers (deleted ones too) that existed at some time in [start, end]."""
    stmt = select(I).where(I.created_at < end,
                           or_(I.terminated_at.is_(None), I.terminated_at > start))
    if project_id is not None:
        stmt = stmt.where(I.project_id == project_id)
    if marker is not None:
        stmt = stmt.where(I.id > marker)
    stmt = stmt.order_by(I.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))
