"""Loading rows the caller may see (404 otherwise), and the list query shared by volumes,
snapshots and backups: project scope and the common filters, sort keys and paging (limit,
offset, marker)."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.db.models.volume import Backup, Snapshot, Volume
from pocketstack.db.repositories.base import Repository
from pocketstack.db.repositories.volume.listing import Page
from pocketstack.db.repositories.volume.snapshots import BackupRepo, SnapshotRepo
from pocketstack.db.repositories.volume.volumes import VolumeRepo

MAX_LIMIT = 1000
Row = TypeVar("Row", Volume, Snapshot, Backup)


def visible(ctx: RequestContext, project_id: str) -> bool:
    return ctx.is_admin or ctx.project_id == project_id


def _load(repo: Repository[Row], ctx: RequestContext, row_id: str, what: str, *,
          lock: bool = False) -> Row:
    """The row, if the caller may see it; otherwise NotFound "<what> <id> could not be found."."""
    row = repo.get_for_update(row_id) if lock else repo.get(row_id)
    if row is None or not visible(ctx, row.project_id):
        raise exc.NotFound(f"{what} {row_id} could not be found.")
    return row


def load_volume(s: Session, ctx: RequestContext, volume_id: str, *,
                lock: bool = False) -> Volume:
    return _load(VolumeRepo(s), ctx, volume_id, "Volume", lock=lock)


def load_snapshot(s: Session, ctx: RequestContext, snapshot_id: str, *,
                  lock: bool = False) -> Snapshot:
    return _load(SnapshotRepo(s), ctx, snapshot_id, "Snapshot", lock=lock)


def load_backup(s: Session, ctx: RequestContext, backup_id: str, *,
                lock: bool = False) -> Backup:
    return _load(BackupRepo(s), ctx, backup_id, "Backup", lock=lock)


# -- the list query ---------------------------------------------------------------------------
def list_filters(ctx: RequestContext, params: dict[str, str], model: type[Row],
                 equal: Iterable[str]) -> list[Any]:
    """The filters every volume/snapshot/backup list takes: the caller's project (any project,
    or ``project_id``, for an admin asking ``all_tenants``), the exact name (``name`` or
    ``display_name``) and exact matches on the ``equal`` columns."""
    where: list[Any] = []
    if not (ctx.is_admin and truthy(params.get("all_tenants"))):
        where.append(model.project_id == ctx.project_id)
    elif params.get("project_id"):
        where.append(model.project_id == params["project_id"])
    name = params.get("name", params.get("display_name"))
    if name is not None:
        where.append(model.name == name)
    for key in equal:
        if params.get(key) is not None:
            where.append(getattr(model, key) == params[key])
    return where


def list_page(params: dict[str, str], columns: dict[str, Any], where: list[Any]) -> Page:
    """The page asked for: limit/offset, then the sort keys (validated in that order); the
    marker row is looked up in the read transaction by ``fetch_page``."""
    limit, offset = parse_limit(params)
    sort = parse_sort(params, columns)
    return Page(where=where, sort=sort, limit=limit, offset=offset)


def fetch_page(repo: VolumeRepo | SnapshotRepo | BackupRepo, ctx: RequestContext,
               params: dict[str, str], page: Page) -> Sequence[Any]:
    """The rows of ``page``, after the ``marker`` row (which the caller must be able to see:
    NotFound "Marker <id> could not be found." otherwise)."""
    if params.get("marker"):
        page.marker = _load(repo, ctx, params["marker"], "Marker")
    return repo.page(page)


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
