"""Servers: create (recorded as BUILD, then converged by the conductor and the host's
agent), show, list with Nova's filters, update, delete."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.ids import new_uuid
from pocketstack.common.timeutils import utcnow
from pocketstack.db.models.compute_servers import BlockDeviceMapping, Instance
from pocketstack.db.repositories.compute.groups import GroupRepo
from pocketstack.db.repositories.compute.instances import InstanceRepo
from pocketstack.services.compute import lifecycle as L
from pocketstack.services.compute import states as S
from pocketstack.services.compute.build import BuildRequest, Prepared, sanitize_hostname
from pocketstack.services.compute.history import History, request_id
from pocketstack.services.compute.listing import parse_query, post_filter

if TYPE_CHECKING:
    from pocketstack.services.compute import Compute


@dataclass
class ServerRecord:
    inst: Instance
    tags: list[str] = field(default_factory=list)
    volumes: list[tuple[str, bool]] = field(default_factory=list)
    group: str | None = None


@dataclass
class Created:
    servers: list[Instance]
    admin_pass: str | None
    reservation_id: str


def not_found(server_id: str) -> exc.NotFound:
    return exc.NotFound(f"Instance {server_id} could not be found.")


class ServerService:
    def __init__(self, compute: Compute) -> None:
        self.c = compute

    # -- loading ----------------------------------------------------------------------------
    @staticmethod
    def load(s: Session, ctx: RequestContext, server_id: str, *, lock: bool = False
             ) -> Instance:
        inst = InstanceRepo(s).live(server_id, lock=lock)
        if inst is None or not (ctx.is_admin or inst.project_id == ctx.project_id):
            raise not_found(server_id)
        return inst

    @staticmethod
    def records(s: Session, insts: list[Instance], *, groups: bool = False
                ) -> list[ServerRecord]:
        x = InstanceRepo(s).view_extras([i.id for i in insts], groups=groups)
        return [ServerRecord(i, x.tags[i.id], x.volumes[i.id], x.group_of.get(i.id))
                for i in insts]

    def get(self, ctx: RequestContext, server_id: str, *, refresh: bool = True,
            groups: bool = True) -> ServerRecord:
        def work(s: Session) -> ServerRecord:
            inst = self.load(s, ctx, server_id)
            if refresh and inst.host and inst.task_state is None:
                fresh = self.c.net.refresh(s, inst)
                if fresh != inst.network_info:
                    inst.network_info = fresh  # shown only; this transaction rolls back
            return self.records(s, [inst], groups=groups)[0]
        return self.c.tx.read(work)

    def get_any(self, ctx: RequestContext, server_id: str) -> Instance:
        """A server of the caller's, deleted or not (instance actions, 2.21+)."""
        def work(s: Session) -> Instance:
            inst = InstanceRepo(s).get(server_id)
            if inst is None or not (ctx.is_admin or inst.project_id == ctx.project_id):
                raise not_found(server_id)
            return inst
        return self.c.tx.read(work)

    def list(self, ctx: RequestContext, params: dict[str, list[str]], *, mv: int
             ) -> list[ServerRecord]:
        query, extra = parse_query(ctx, params, mv)

        def work(s: Session) -> list[ServerRecord]:
            repo = InstanceRepo(s)
            marker = params.get("marker", [None])[-1]
            if marker:
                query.marker = repo.get(marker)
                if query.marker is None or not (ctx.is_admin or
                                                query.marker.project_id == ctx.project_id):
                    raise exc.BadRequest(f"marker [{marker}] not found")
            found = post_filter(list(repo.search(query)), extra)
            return self.records(s, found)
        return self.c.tx.read(work)

    # -- create ---------------------------------------------------------------------------
    def create(self, ctx: RequestContext, req: BuildRequest) -> Created:
        prep = self.c.builder.prepare(ctx, req)
        admin_pass = req.admin_pass or secrets.token_urlsafe(9)
        reservation = "r-" + secrets.token_hex(4)
        project, user = ctx.project_id or "", ctx.user_id or ""
        limits = prep.limits or self.c.tx.read(
            lambda s: self.c.quotas.both_limits(s, project, user))
        self.c.quotas.check_metadata(None, project, len(req.metadata), limits[0])
        self._check_personality(limits[0], req.personality)

        def work(s: Session) -> list[Instance]:
            fl = prep.flavor
            count = self.c.quotas.servers_allowed(s, project, user, fl["vcpus"], fl["ram"],
                                                  req.min_count, req.max_count, limits)
            if prep.group_id is not None:
                self.c.quotas.check_group_members(s, project, prep.group_id, count)
            return [self._insert(s, ctx, prep, i, count, reservation, admin_pass)
                    for i in range(count)]
        servers = self.c.tx.write(work)
        for inst in servers:
            self.c.kick(inst.id)
        return Created(servers, admin_pass, reservation)

    @staticmethod
    def _check_personality(limits: dict[str, int], files: list[dict[str, str]]) -> None:
        if not files:
            return
        if 0 <= limits["injected_files"] < len(files):
            raise exc.Forbidden("Personality file limit exceeded")
        for f in files:
            if 0 <= limits["injected_file_path_bytes"] < len(f.get("path", "")):
                raise exc.Forbidden("Personality file path exceeds maximum "
                                    f"{limits['injected_file_path_bytes']}")
            if 0 <= limits["injected_file_content_bytes"] < len(f.get("contents", "")):
                raise exc.Forbidden("Personality file content exceeds maximum "
                                    f"{limits['injected_file_content_bytes']}")

    def _insert(self, s: Session, ctx: RequestContext, prep: Prepared, index: int,
                count: int, reservation: str, admin_pass: str) -> Instance:
        req, fl, now = prep.req, prep.flavor, utcnow()
        iid = new_uuid()
        name = f"{req.name}-{index + 1}" if count > 1 else req.name
        hostname = req.hostname if req.hostname and count == 1 else \
            sanitize_hostname(name, f"Server-{iid}")
        inst = Instance(
            id=iid, project_id=ctx.project_id or "", user_id=ctx.user_id or "", name=name,
            hostname=hostname, description=req.description, image_ref=req.image_ref or "",
            flavor_id=str(fl["id"]), flavor=fl, vcpus=fl["vcpus"], memory_mb=fl["ram"],
            root_gb=0 if prep.boot_from_volume else fl["disk"], ephemeral_gb=fl["ephemeral"],
            vm_state=S.BUILDING, task_state=S.SCHEDULING, power_state=S.NOSTATE,
            pinned_availability_zone=prep.zone, availability_zone=prep.zone,
            key_name=req.key_name, key_data=prep.key_data, user_data=req.user_data,
            config_drive="True" if req.config_drive else "", disk_config=req.disk_config,
            metadata_=dict(req.metadata), network_info=[],
            system_metadata={"image": prep.image_meta, "admin_pass": admin_pass,
                             "boot_from_volume": prep.boot_from_volume},
            request={"networks": prep.networks, "sg_ids": prep.sg_ids, "az": prep.zone,
                     "group": prep.group_id is not None,
                     "force_host": prep.force_host or req.host,
                     "force_node": prep.force_node or req.hypervisor_hostname},
            security_groups=prep.sg_names if prep.networks else [],
            scheduler_hints=dict(req.scheduler_hints), access_ip_v4=req.access_ip_v4,
            access_ip_v6=req.access_ip_v6, locked=False, reservation_id=reservation,
            launch_index=index, trusted_certs=req.trusted_certs,
            root_device_name="/dev/vda", created_at=now, updated_at=now, deleted=False)
        rid, action = History.record_action(s, iid, "create", ctx)
        s.flush()
        volumes = any(b.get("destination_type") == "volume" for b in prep.bdms)
        L.begin(inst, "build", S.SCHEDULING, rid, volumes=volumes, aid=action.id)
        s.add(inst)
        s.flush()
        if req.tags:
            InstanceRepo(s).set_tags(iid, req.tags)
        if prep.group_id is not None:
            GroupRepo(s).add_member(prep.group_id, iid)
        self._add_bdms(s, iid, prep.bdms, now)
        return inst

    @staticmethod
    def _add_bdms(s: Session, iid: str, bdms: list[dict[str, Any]], now: Any) -> bool:
        volumes = False
        for i, b in enumerate(bdms):
            source, dest = b.get("source_type"), b.get("destination_type", "local")
            uuid = str(b["uuid"]) if b.get("uuid") else None
            boot = b.get("boot_index")
            s.add(BlockDeviceMapping(
                uuid=new_uuid(), instance_uuid=iid, source_type=source or "blank",
                destination_type=dest, volume_id=uuid if source == "volume" else None,
                image_id=uuid if source == "image" else None,
                snapshot_id=uuid if source == "snapshot" else None,
                boot_index=int(boot) if boot not in (None, "") else None,
                device_name=b.get("device_name") or ("/dev/vda" if str(boot) == "0"
                                                     else f"/dev/vd{chr(98 + i)}"),
                delete_on_termination=bool(b.get("delete_on_termination", False)),
                volume_size=b.get("volume_size"), guest_format=b.get("guest_format"),
                disk_bus=b.get("disk_bus"), device_type=b.get("device_type"),
                volume_type=b.get("volume_type"), tag=b.get("tag"), created_at=now))
            volumes = volumes or dest == "volume"
        return volumes

    # -- update / delete ----------------------------------------------------------------------
    def update(self, ctx: RequestContext, server_id: str, data: dict[str, Any]
               ) -> ServerRecord:
        def work(s: Session) -> ServerRecord:
            inst = self.load(s, ctx, server_id, lock=True)
            for key, attr in (("name", "name"), ("description", "description"),
                              ("accessIPv4", "access_ip_v4"), ("accessIPv6", "access_ip_v6"),
                              ("OS-DCF:diskConfig", "disk_config"), ("hostname", "hostname")):
                if key in data:
                    setattr(inst, attr, data[key])
            if "pinned_availability_zone" in data:
                self._pin(inst, data["pinned_availability_zone"])
            inst.updated_at = utcnow()
            s.flush()
            return self.records(s, [inst], groups=True)[0]
        return self.c.tx.write(work)

    @staticmethod
    def _pin(inst: Instance, zone: str | None) -> None:
        if zone is None or zone == inst.pinned_availability_zone:
            inst.pinned_availability_zone = zone
            return
        if inst.pinned_availability_zone is not None:
            raise exc.Conflict("Unpin the server from its availability zone before pinning it "
                               "to another one.")
        if zone != inst.availability_zone:
            raise exc.Conflict(f"The server is in availability zone "
                               f"{inst.availability_zone}, not {zone}.")
        inst.pinned_availability_zone = zone

    def delete(self, ctx: RequestContext, server_id: str, *, force: bool = False) -> None:
        def work(s: Session) -> None:
            inst = self.load(s, ctx, server_id, lock=True)
            self.c.actions.check_lock(ctx, inst)
            if inst.task_state == S.DELETING:
                return
            rid = History.record(s, inst.id, "delete", ctx)
            saved = inst.vm_state
            L.begin(inst, "delete", S.DELETING, rid, vm_state=saved)
        self.c.tx.write(work)
        self.c.kick(server_id)

    # -- tags and metadata --------------------------------------------------------------------
    def tags(self, ctx: RequestContext, server_id: str) -> list[str]:
        def work(s: Session) -> list[str]:
            inst = self.load(s, ctx, server_id)
            return InstanceRepo(s).tags_for([inst.id])[inst.id]
        return self.c.tx.read(work)

    def set_tags(self, ctx: RequestContext, server_id: str, tags: list[str] | None,
                 add: str | None = None, remove: str | None = None) -> tuple[list[str], bool]:
        """Replace (tags), add one or remove one; returns (tags, whether one was added)."""
        def work(s: Session) -> tuple[list[str], bool]:
            inst = self.load(s, ctx, server_id, lock=True)
            self._check_taggable(inst)
            repo = InstanceRepo(s)
            added = False
            if tags is not None:
                repo.set_tags(inst.id, tags)
            if add is not None:
                current = repo.tags_for([inst.id])[inst.id]
                if add not in current and len(current) >= 50:
                    raise exc.BadRequest("The number of tags exceeded the per-server limit 50")
                added = repo.add_tag(inst.id, add)
            if remove is not None and not repo.remove_tag(inst.id, remove):
                raise exc.NotFound(f"Tag {remove} could not be found.")
            inst.updated_at = utcnow()
            return repo.tags_for([inst.id])[inst.id], added
        return self.c.tx.write(work)

    @staticmethod
    def _check_taggable(inst: Instance) -> None:
        if inst.vm_state not in (S.ACTIVE, S.PAUSED, S.SUSPENDED, S.STOPPED, S.SHELVED,
                                 S.SHELVED_OFFLOADED, S.BUILDING, S.ERROR, S.RESIZED,
                                 S.RESCUED):
            raise exc.Conflict(f"Cannot 'update tags' instance {inst.id} while it is in "
                               f"vm_state {inst.vm_state}")

    def metadata(self, ctx: RequestContext, server_id: str) -> dict[str, str]:
        return self.c.tx.read(lambda s: dict(self.load(s, ctx, server_id).metadata_ or {}))

    def set_metadata(self, ctx: RequestContext, server_id: str, items: dict[str, str], *,
                     replace: bool, delete: str | None = None) -> dict[str, str]:
        def work(s: Session) -> dict[str, str]:
            inst = self.load(s, ctx, server_id, lock=True)
            self.c.actions.check_lock(ctx, inst)
            meta = {} if replace else dict(inst.metadata_ or {})
            if delete is not None:
                if delete not in meta:
                    raise exc.NotFound("Metadata item was not found")
                del meta[delete]
            meta.update(items)
            self.c.quotas.check_metadata(s, inst.project_id, len(meta))
            inst.metadata_ = meta
            inst.updated_at = utcnow()
            return meta
        return self.c.tx.write(work)


def rid_of(ctx: RequestContext) -> str:
    return request_id(ctx)
