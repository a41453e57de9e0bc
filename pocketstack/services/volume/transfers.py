"""Volume transfers between projects: the owner offers a volume (it waits in
'awaiting-transfer'), anyone holding the transfer id and auth key accepts it into their
project (quota permitting); the volume and, unless excluded, its snapshots change owner."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.ids import new_uuid
from pocketstack.common.timeutils import utcnow
from pocketstack.db.engine import Database
from pocketstack.db.models.volume import Transfer
from pocketstack.db.repositories.volume.listing import Page
from pocketstack.db.repositories.volume.misc import TransferRepo
from pocketstack.db.repositories.volume.snapshots import SnapshotRepo
from pocketstack.db.repositories.volume.types import TypeRepo
from pocketstack.db.repositories.volume.volumes import VolumeRepo
from pocketstack.services.volume import access
from pocketstack.services.volume.quotas import QuotaService


def _hash(salt: str, key: str) -> str:
    return hashlib.sha256((salt + key).encode()).hexdigest()


def _record(t: Transfer, auth_key: str | None = None) -> dict[str, Any]:
    out = {"id": t.id, "name": t.name, "volume_id": t.volume_id, "created_at": t.created_at,
           "source_project_id": t.source_project_id,
           "destination_project_id": t.destination_project_id, "accepted": t.accepted,
           "no_snapshots": t.no_snapshots}
    if auth_key is not None:
        out["auth_key"] = auth_key
    return out


class TransferService:
    def __init__(self, db: Database, quotas: QuotaService) -> None:
        self.db = db
        self.quotas = quotas

    def create(self, ctx: RequestContext, data: dict[str, Any]) -> dict[str, Any]:
        volume_id = data.get("volume_id")
        if not isinstance(volume_id, str) or not volume_id:
            raise exc.BadRequest("Invalid input for field/attribute volume_id.")
        name = data.get("name")
        if name is not None and (not isinstance(name, str) or len(name) > 255):
            raise exc.BadRequest("Invalid input for field/attribute name.")
        with self.db.write() as s:
            vol = access.load_volume(s, ctx, volume_id, lock=True)
            if vol.status != "available":
                raise exc.BadRequest(f"Invalid volume: Status of volume {vol.id} must be "
                                     f"available to transfer, but is {vol.status}.")
            key, salt = secrets.token_hex(8), secrets.token_hex(8)
            t = TransferRepo(s).add(Transfer(
                id=new_uuid(), volume_id=vol.id, name=name, salt=salt,
                crypt_hash=_hash(salt, key), source_project_id=vol.project_id,
                accepted=False, no_snapshots=bool(data.get("no_snapshots", False)),
                created_at=utcnow()))
            vol.status, vol.updated_at = "awaiting-transfer", utcnow()
            return _record(t, key)

    def _load(self, s: Any, ctx: RequestContext, transfer_id: str) -> Transfer:
        t = TransferRepo(s).get(transfer_id)
        if t is None or not access.visible(ctx, t.source_project_id):
            raise exc.NotFound(f"Transfer {transfer_id} could not be found.")
        return t

    def get(self, ctx: RequestContext, transfer_id: str) -> dict[str, Any]:
        with self.db.read() as s:
            return _record(self._load(s, ctx, transfer_id))

    def list(self, ctx: RequestContext, params: dict[str, str]) -> list[dict[str, Any]]:
        where: list[Any] = []
        if not (ctx.is_admin and access.truthy(params.get("all_tenants"))):
            where.append(Transfer.source_project_id == ctx.project_id)
        limit, offset = access.parse_limit(params)
        sort = access.parse_sort(params, {"created_at": Transfer.created_at, "id": Transfer.id,
                                          "name": Transfer.name})
        with self.db.read() as s:
            repo = TransferRepo(s)
            marker = repo.get(params["marker"]) if params.get("marker") else None
            rows = repo.page(Page(where=where, sort=sort, marker=marker, limit=limit,
                                  offset=offset))
            return [_record(t) for t in rows]

    def delete(self, ctx: RequestContext, transfer_id: str) -> None:
        with self.db.write() as s:
            t = self._load(s, ctx, transfer_id)
            vol = VolumeRepo(s).get_for_update(t.volume_id)
            if vol is not None and vol.status == "awaiting-transfer":
                vol.status, vol.updated_at = "available", utcnow()
            TransferRepo(s).delete(t)

    def accept(self, ctx: RequestContext, transfer_id: str, auth_key: Any) -> dict[str, Any]:
        if not isinstance(auth_key, str) or not auth_key:
            raise exc.BadRequest("Invalid input: 'auth_key' is required.")
        with self.db.write() as s:
            t = TransferRepo(s).get(transfer_id)
            if t is None:
                raise exc.NotFound(f"Transfer {transfer_id} could not be found.")
            if not hmac.compare_digest(_hash(t.salt, auth_key), t.crypt_hash):
                raise exc.BadRequest(f"Invalid auth key: Attempt to transfer {transfer_id} with "
                                     "invalid auth key.")
            vol = VolumeRepo(s).get_for_update(t.volume_id)
            if vol is None or vol.status != "awaiting-transfer":
                raise exc.BadRequest("Invalid volume: the volume is not awaiting a transfer.")
            dest = ctx.project_id or ""
            snaps = [] if t.no_snapshots else list(SnapshotRepo(s).of_volume(vol.id))
            vt = TypeRepo(s).get(vol.volume_type_id) if vol.volume_type_id else None
            self.quotas.check(s, dest, volumes=1, snapshots=len(snaps),
                              gigabytes=vol.size + sum(x.size for x in snaps),
                              type_name=vt.name if vt else None, volume_size=vol.size)
            vol.project_id, vol.user_id = dest, ctx.user_id
            vol.status, vol.updated_at = "available", utcnow()
            for snap in snaps:
                snap.project_id, snap.user_id = dest, ctx.user_id
            out = {"id": t.id, "name": t.name, "volume_id": t.volume_id}
            TransferRepo(s).delete(t)
            return out
