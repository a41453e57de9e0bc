"""Volume groups (3.13+): group types with group specs, groups of volumes, group snapshots
(a snapshot of every volume of the group) and groups made from a group or group snapshot.

Groups need no back-end work of their own here (the file driver keeps no consistency
group), so a group is 'available' as soon as it is recorded; the volumes and snapshots
made for it follow the usual asynchronous path.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.ids import new_uuid
from pocketstack.common.timeutils import utcnow
from pocketstack.db.engine import Database
from pocketstack.db.models.volume import Group, GroupSnapshot, GroupType
from pocketstack.db.repositories.volume.groups import GroupRepo, GroupSnapshotRepo, GroupTypeRepo
from pocketstack.services.volume import access
from pocketstack.services.volume.snapshots import SnapshotService
from pocketstack.services.volume.types import TypeService, check_specs
from pocketstack.services.volume.volumes import VolumeService

GROUP_STATUSES = ("available", "error", "creating", "deleting", "updating", "in-use")


def _ids(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [v.strip() for v in str(value).split(",") if v.strip()]


class GroupTypeService:
    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    def record(t: GroupType) -> dict[str, Any]:
        return {"id": t.id, "name": t.name, "description": t.description,
                "is_public": t.is_public, "group_specs": dict(t.specs or {})}

    @staticmethod
    def _get(s: Session, type_id: str) -> GroupType:
        found = GroupTypeRepo(s).get(type_id) or GroupTypeRepo(s).by_name(type_id)
        if found is None:
            raise exc.NotFound(f"Group type {type_id} could not be found.")
        return found

    def create(self, data: dict[str, Any]) -> dict[str, Any]:
        name = data.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > 255:
            raise exc.BadRequest("Group type name can not be empty.")
        specs = check_specs(data.get("group_specs") or {})
        with self.db.write() as s:
            if GroupTypeRepo(s).by_name(name):
                raise exc.Conflict(f"Group Type {name} already exists.")
            t = GroupTypeRepo(s).add(GroupType(
                id=new_uuid(), name=name, description=data.get("description"),
                is_public=bool(access.truthy(data.get("is_public", True))), specs=specs,
                created_at=utcnow()), conflict=f"Group Type {name} already exists.")
            return self.record(t)

    def get(self, ctx: RequestContext, type_id: str) -> dict[str, Any]:
        with self.db.read() as s:
            t = self._get(s, type_id)
            if not t.is_public and not ctx.is_admin:
                raise exc.NotFound(f"Group type {type_id} could not be found.")
            return self.record(t)

    def list(self, ctx: RequestContext, params: dict[str, str]) -> list[dict[str, Any]]:
        public = params.get("is_public")
        flag = None if public in (None, "", "None", "none") else access.truthy(public)
        if not ctx.is_admin:
            flag = True
        with self.db.read() as s:
            rows = [t for t in GroupTypeRepo(s).find()
                    if flag is None or t.is_public == flag]
            out = [self.record(t) for t in rows]
        key, _, direction = (params.get("sort") or "created_at:asc").partition(":")
        if key == "name":
            out.sort(key=lambda t: t["name"], reverse=direction == "desc")
        return out

    def update(self, type_id: str, data: dict[str, Any]) -> dict[str, Any]:
        with self.db.write() as s:
            t = self._get(s, type_id)
            if "name" in data:
                name = data["name"]
                if not isinstance(name, str) or not name.strip():
                    raise exc.BadRequest("Group type name can not be empty.")
                other = GroupTypeRepo(s).by_name(name)
                if other is not None and other.id != t.id:
                    raise exc.Conflict(f"Group Type {name} already exists.")
                t.name = name
            if "description" in data:
                t.description = data["description"]
            if data.get("is_public") is not None:
                t.is_public = bool(access.truthy(data["is_public"]))
            return self.record(t)

    def delete(self, type_id: str) -> None:
        with self.db.write() as s:
            t = self._get(s, type_id)
            if GroupRepo(s).using_type(t.id):
                raise exc.BadRequest(f"Group Type {t.id} deletion is not allowed with groups "
                                     "present with the type.")
            GroupTypeRepo(s).delete(t)

    def set_specs(self, type_id: str, specs: Any) -> dict[str, str]:
        clean = check_specs(specs)
        with self.db.write() as s:
            t = self._get(s, type_id)
            t.specs = {**(t.specs or {}), **clean}
        return clean

    def delete_spec(self, type_id: str, key: str) -> None:
        with self.db.write() as s:
            t = self._get(s, type_id)
            specs = dict(t.specs or {})
            if key not in specs:
                raise exc.NotFound(f"Group Type {type_id} has no specs with key {key}.")
            specs.pop(key)
            t.specs = specs


class GroupService:
    def __init__(self, db: Database, zone: str, types: TypeService, volumes: VolumeService,
                 snapshots: SnapshotService) -> None:
        self.db = db
        self.zone = zone
        self.types = types
        self.volumes = volumes
        self.snapshots = snapshots

    @staticmethod
    def _load(s: Session, ctx: RequestContext, group_id: str) -> Group:
        g = GroupRepo(s).get(group_id)
        if g is None or not access.visible(ctx, g.project_id):
            raise exc.NotFound(f"Group {group_id} could not be found.")
        return g

    @staticmethod
    def record(g: Group, volumes: list[str]) -> dict[str, Any]:
        return {"id": g.id, "name": g.name, "description": g.description, "status": g.status,
                "availability_zone": g.availability_zone, "created_at": g.created_at,
                "group_type": g.group_type_id, "group_snapshot_id": g.group_snapshot_id,
                "source_group_id": g.source_group_id, "volume_types": list(g.volume_type_ids),
                "volumes": volumes, "replication_status": None, "project_id": g.project_id}

    def _new(self, s: Session, ctx: RequestContext, data: dict[str, Any], type_id: str,
             volume_types: list[str]) -> Group:
        now = utcnow()
        return GroupRepo(s).add(Group(
            id=new_uuid(), project_id=ctx.project_id or "", user_id=ctx.user_id,
            name=data.get("name"), description=data.get("description"), status="available",
            group_type_id=type_id, volume_type_ids=volume_types,
            availability_zone=data.get("availability_zone") or self.zone,
            group_snapshot_id=data.get("group_snapshot_id"),
            source_group_id=data.get("source_group_id"), created_at=now, updated_at=now))

    def create(self, ctx: RequestContext, data: dict[str, Any]) -> dict[str, Any]:
        type_ref = data.get("group_type")
        if not type_ref:
            raise exc.BadRequest("Missing required element 'group_type' in request body.")
        refs = _ids(data.get("volume_types"))
        if not refs:
            raise exc.BadRequest("Missing required element 'volume_types' in request body.")
        with self.db.write() as s:
            gt = GroupTypeService._get(s, str(type_ref))
            vtypes = [self.types.resolve(s, ctx, r).id for r in refs]
            return self.record(self._new(s, ctx, data, gt.id, vtypes), [])

    def create_from_source(self, ctx: RequestContext, data: dict[str, Any]) -> dict[str, Any]:
        snap_id, source_id = data.get("group_snapshot_id"), data.get("source_group_id")
        if bool(snap_id) == bool(source_id):
            raise exc.BadRequest("Either 'group_snapshot_id' or 'source_group_id' must be "
                                 "provided.")
        with self.db.write() as s:
            if snap_id:
                gs = self._load_snapshot(s, ctx, str(snap_id))
                src = self._load(s, ctx, gs.group_id)
                sources = [("snapshot_id", x.id, x.volume_type_id)
                           for x in GroupSnapshotRepo(s).snapshots(gs.id)]
            else:
                src = self._load(s, ctx, str(source_id))
                sources = [("source_volid", v.id, v.volume_type_id)
                           for v in GroupRepo(s).volumes(src.id)]
            group = self._new(s, ctx, data, src.group_type_id, list(src.volume_type_ids))
            record = self.record(group, [])
        for key, obj_id, vtype in sources:
            self.volumes.create(ctx, {key: obj_id, "volume_type": vtype, "group_id": group.id})
        return record

    def get(self, ctx: RequestContext, group_id: str) -> dict[str, Any]:
        with self.db.read() as s:
            g = self._load(s, ctx, group_id)
            return self.record(g, GroupRepo(s).volume_ids([g.id])[g.id])

    def list(self, ctx: RequestContext, params: dict[str, str]) -> list[dict[str, Any]]:
        everyone = ctx.is_admin and access.truthy(params.get("all_tenants"))
        with self.db.read() as s:
            rows = list(GroupRepo(s).of_project(None if everyone else ctx.project_id))
            vols = GroupRepo(s).volume_ids([g.id for g in rows])
            return [self.record(g, vols[g.id]) for g in rows]

    def update(self, ctx: RequestContext, group_id: str, data: dict[str, Any]) -> None:
        add, remove = _ids(data.get("add_volumes")), _ids(data.get("remove_volumes"))
        if not any(k in data for k in ("name", "description")) and not add and not remove:
            raise exc.BadRequest("Name, description, add_volumes, and remove_volumes can not "
                                 "be all empty in the request body.")
        with self.db.write() as s:
            g = self._load(s, ctx, group_id)
            if g.status != "available":
                raise exc.BadRequest(f"Invalid group: Group status must be available, but "
                                     f"current status is: {g.status}.")
            for key in ("name", "description"):
                if key in data:
                    setattr(g, key, data[key])
            for vid in add:
                vol = access.load_volume(s, ctx, vid, lock=True)
                if vol.volume_type_id not in g.volume_type_ids:
                    raise exc.BadRequest(f"Invalid volume: Volume {vid} has a volume type that "
                                         "the group does not support.")
                if vol.status not in ("available", "in-use") or vol.group_id:
                    raise exc.BadRequest(f"Invalid volume: Volume {vid} cannot be added to the "
                                         "group.")
                vol.group_id = g.id
            for vid in remove:
                vol = access.load_volume(s, ctx, vid, lock=True)
                if vol.group_id != g.id:
                    raise exc.BadRequest(f"Invalid volume: Volume {vid} is not in the group.")
                vol.group_id = None
            g.updated_at = utcnow()

    def delete(self, ctx: RequestContext, group_id: str, delete_volumes: bool) -> None:
        with self.db.read() as s:
            g = self._load(s, ctx, group_id)
            vols = [v.id for v in GroupRepo(s).volumes(g.id)]
        if vols and not delete_volumes:
            raise exc.BadRequest("Invalid group: Group still has volumes: delete them with the "
                                 "group (delete-volumes) or remove them first.")
        for vid in vols:
            self.volumes.delete(ctx, vid, cascade=True)
        with self.db.write() as s:
            GroupRepo(s).delete(self._load(s, ctx, group_id))

    def reset_status(self, ctx: RequestContext, group_id: str, status: Any) -> None:
        if status not in GROUP_STATUSES:
            raise exc.BadRequest(f"Invalid input received: Invalid group status: {status}")
        with self.db.write() as s:
            self._load(s, ctx, group_id).status = status

    # -- group snapshots -----------------------------------------------------------------
    @staticmethod
    def _load_snapshot(s: Session, ctx: RequestContext, gs_id: str) -> GroupSnapshot:
        gs = GroupSnapshotRepo(s).get(gs_id)
        if gs is None or not access.visible(ctx, gs.project_id):
            raise exc.NotFound(f"GroupSnapshot {gs_id} could not be found.")
        return gs

    @staticmethod
    def snapshot_record(gs: GroupSnapshot) -> dict[str, Any]:
        return {"id": gs.id, "name": gs.name, "description": gs.description,
                "status": gs.status, "group_id": gs.group_id, "created_at": gs.created_at,
                "group_type_id": gs.group_type_id}

    def create_snapshot(self, ctx: RequestContext, data: dict[str, Any]) -> dict[str, Any]:
        group_id = data.get("group_id")
        if not group_id:
            raise exc.BadRequest("Missing required element 'group_id' in request body.")
        with self.db.write() as s:
            g = self._load(s, ctx, str(group_id))
            now = utcnow()
            gs = GroupSnapshotRepo(s).add(GroupSnapshot(
                id=new_uuid(), group_id=g.id, project_id=g.project_id, user_id=ctx.user_id,
                name=data.get("name"), description=data.get("description"),
                status="available", group_type_id=g.group_type_id, created_at=now,
                updated_at=now))
            vols = [v.id for v in GroupRepo(s).volumes(g.id)]
            record = self.snapshot_record(gs)
        for vid in vols:
            self.snapshots.create(ctx, {"volume_id": vid, "name": f"snapshot-{gs.id}",
                                        "force": True}, in_use_ok=True,
                                  group_snapshot_id=gs.id)
        return record

    def get_snapshot(self, ctx: RequestContext, gs_id: str) -> dict[str, Any]:
        with self.db.read() as s:
            return self.snapshot_record(self._load_snapshot(s, ctx, gs_id))

    def list_snapshots(self, ctx: RequestContext, params: dict[str, str]) -> list[dict[str, Any]]:
        everyone = ctx.is_admin and access.truthy(params.get("all_tenants"))
        with self.db.read() as s:
            rows = GroupSnapshotRepo(s).of_project(None if everyone else ctx.project_id)
            return [self.snapshot_record(x) for x in rows]

    def delete_snapshot(self, ctx: RequestContext, gs_id: str) -> None:
        with self.db.read() as s:
            gs = self._load_snapshot(s, ctx, gs_id)
            members = [x.id for x in GroupSnapshotRepo(s).snapshots(gs.id)]
        for sid in members:
            self.snapshots.delete(ctx, sid, force=True)
        with self.db.write() as s:
            GroupSnapshotRepo(s).delete(self._load_snapshot(s, ctx, gs_id))

    def reset_snapshot_status(self, ctx: RequestContext, gs_id: str, status: Any) -> None:
        if status not in ("available", "error", "creating", "deleting", "error_deleting"):
            raise exc.BadRequest(f"Invalid input received: Invalid status: {status}")
        with self.db.write() as s:
            self._load_snapshot(s, ctx, gs_id).status = status
