"""Loading rows the caller may see (404 otherwise), and the list-query parsing shared by
volumes, snapshots and backups (filters, sort keys, markers)."""

from __future__ import annotations

import ast
import json
from typing import Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.db.models.volume import Backup, Snapshot, Volume
from pocketstack.db.repositories.volume.snapshots import BackupRepo, SnapshotRepo
from pocketstack.db.repositories.volume.volumes import VolumeRepo

MAX_LIMIT = 1000


def visible(ctx: RequestContext, project_id: str) -> bool:
    return ctx.is_admin or ctx.project_id == project_id


def load_volume(s: Session, ctx: RequestContext, volume_id: str, *,
                lock: bool = False) -> Volume:
    repo = VolumeRepo(s)
    vol = repo.get_for_update(volume_id) if lock else repo.get(volume_id)
    if vol is None or not visible(ctx, vol.project_id):
        raise exc.NotFound(f"Volume {volume_id} could not be found.")
    return vol


def load_snapshot(s: Session, ctx: RequestContext, snapshot_id: str, *,
                  lock: bool = False) -> Snapshot:
    repo = SnapshotRepo(s)
    snap = repo.get_for_update(snapshot_id) if lock else repo.get(snapshot_id)
    if snap is None or not visible(ctx, snap.project_id):
        raise exc.NotFound(f"Snapshot {snapshot_id} could not be found.")
    return snap


def load_backup(s: Session, ctx: RequestContext, backup_id: str, *,
                lock: bool = False) -> Backup:
    repo = BackupRepo(s)
    backup = repo.get_for_update(backup_id) if lock else repo.get(backup_id)
    if backup is None or not visible(ctx, backup.project_id):
        raise exc.NotFound(f"Backup {backup_id} could not be found.")
    return backup


def parse_dict(value: Any, what: str) -> dict[str, str]:
    """A dict given in a query string, as Cinder takes it (JSON or a Python literal)."""
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError):
        try:
            parsed = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            raise exc.BadRequest(f"Invalid filter: {what} must be a dictionary.") from None
    if not isinstance(parsed, dict):
        raise exc.BadRequest(f"Invalid filter: {what} must be a dictionary.")
    return {str(k): str(v) for k, v in parsed.items()}


def parse_sort(params: dict[str, str], columns: dict[str, Any]) -> list[tuple[Any, str]]:
    """'sort=name:asc,size' or 'sort_key=name&sort_dir=asc' -> [(column, direction)]."""
    pairs: list[tuple[str, str]] = []
    if params.get("sort"):
        if params.get("sort_key") or params.get("sort_dir"):
            raise exc.BadRequest("The 'sort_key' and 'sort_dir' parameters are deprecated and "
                                 "cannot be used with the 'sort' parameter.")
        for item in params["sort"].split(","):
            key, _, direction = item.strip().partition(":")
            pairs.append((key.strip(), (direction or "desc").strip().lower()))
    else:
        keys = [k for k in (params.get("sort_key") or "created_at").split(",") if k]
        dirs = [d for d in (params.get("sort_dir") or "desc").split(",") if d]
        for i, key in enumerate(keys):
            pairs.append((key, (dirs[i] if i < len(dirs) else dirs[-1]).lower()))
    out = []
    for key, direction in pairs:
        if key == "display_name":
            key = "name"
        if key not in columns:
            raise exc.BadRequest(f"Invalid input received: Invalid sort key {key}")
        if direction not in ("asc", "desc"):
            raise exc.BadRequest(f"Invalid input received: Unknown sort direction, must be "
                                 f"'desc' or 'asc': {direction}")
        out.append((columns[key], direction))
    return out


def parse_limit(params: dict[str, str]) -> tuple[int | None, int | None]:
    limit = offset = None
    if params.get("limit") not in (None, ""):
        try:
            limit = int(params["limit"])
        except ValueError:
            raise exc.BadRequest("limit param must be an integer") from None
        if limit < 0:
            raise exc.BadRequest("limit param must be positive")
    if params.get("offset") not in (None, ""):
        try:
            offset = int(params["offset"])
        except ValueError:
            raise exc.BadRequest("offset param must be an integer") from None
        if offset < 0:
            raise exc.BadRequest("offset param must be positive")
    return (min(limit, MAX_LIMIT) if limit is not None else None), offset


def truthy(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "t", "yes", "y", "on"):
        return True
    if text in ("0", "false", "f", "no", "n", "off"):
        return False
    raise exc.BadRequest(f"Invalid value '{value}' for a boolean parameter.")
