"""GET /servers query strings as Nova reads them: filters (some for admins only, silently
ignored for others), status names, changes-since / changes-before, tags, sort keys,
limit. Address filters (ip, ip6: regular expressions) are applied to the page in Python."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.timeutils import parse_iso
from pocketstack.db.models.compute_servers import Instance
from pocketstack.db.repositories.compute.instances import SORT_COLUMNS, ServerQuery
from pocketstack.services.compute import states as S
from pocketstack.services.compute.paging import parse_limit

I = Instance  # noqa: E741
# filter -> column, for equality filters
EQUAL = {"reservation_id": I.reservation_id, "availability_zone": I.availability_zone,
         "key_name": I.key_name, "user_id": I.user_id, "host": I.host, "node": I.node,
         "hostname": I.hostname, "uuid": I.id, "task_state": I.task_state,
         "vm_state": I.vm_state, "access_ip_v4": I.access_ip_v4,
         "access_ip_v6": I.access_ip_v6}
ADMIN_ONLY = ("host", "node", "uuid", "hostname", "deleted", "project_id", "tenant_id",
              "access_ip_v4", "access_ip_v6")
REGEX_LIKE = ("description",)


@dataclass
class Extra:
    ip: re.Pattern[str] | None = None
    ip6: re.Pattern[str] | None = None
    ids: list[str] = field(default_factory=list)


def _one(params: dict[str, list[str]], key: str) -> str | None:
    values = params.get(key)
    return values[-1] if values else None


def _many(params: dict[str, list[str]], key: str) -> list[str]:
    out: list[str] = []
    for value in params.get(key, []):
        out += [v.strip() for v in value.split(",") if v.strip()]
    return out


def _time(value: str, name: str) -> Any:
    try:
        return parse_iso(value)
    except ValueError:
        raise exc.BadRequest(f"Invalid filter field: {name}.") from None


def parse_query(ctx: RequestContext, params: dict[str, list[str]], mv: int
                ) -> tuple[ServerQuery, Extra]:
    q = ServerQuery(limit=parse_limit(_one(params, "limit")))
    extra = Extra()
    admin = ctx.is_admin
    q.project_id = ctx.project_id
    if admin and _one(params, "all_tenants") is not None and \
            (_one(params, "all_tenants") or "true").lower() not in ("false", "0", "no"):
        q.project_id = _one(params, "project_id") or _one(params, "tenant_id")
    _status(q, _one(params, "status"), mv)
    _times(q, params, mv)
    if admin and _one(params, "deleted") is not None:
        q.deleted = (_one(params, "deleted") or "").lower() in ("true", "1", "yes")
    for key, col in EQUAL.items():
        value = _one(params, key)
        if value is None or (key in ADMIN_ONLY and not admin):
            continue
        q.where.append(col == value)
    _simple(q, params, admin, extra)
    q.tags, q.tags_any = _many(params, "tags"), _many(params, "tags-any")
    q.not_tags, q.not_tags_any = _many(params, "not-tags"), _many(params, "not-tags-any")
    q.sort = _sort(params)
    return q, extra


def _simple(q: ServerQuery, params: dict[str, list[str]], admin: bool, extra: Extra) -> None:
    name = _one(params, "name")
    if name:
        q.name_regex = name
    image = _one(params, "image")
    if image:
        q.where.append(I.image_ref == image.rstrip("/").rsplit("/", 1)[-1])
    flavor = _one(params, "flavor")
    if flavor:
        q.where.append(I.flavor_id == flavor.rstrip("/").rsplit("/", 1)[-1])
    locked = _one(params, "locked")
    if locked is not None:
        if locked.lower() not in ("true", "false", "1", "0", "yes", "no"):
            raise exc.BadRequest(f"Unrecognized value '{locked}', acceptable values are: "
                                 "'true', 'false'")
        q.where.append(I.locked.is_(locked.lower() in ("true", "1", "yes")))
    config_drive = _one(params, "config_drive")
    if config_drive is not None:
        want = config_drive.lower() in ("true", "1", "yes")
        q.where.append((I.config_drive != "") if want else (I.config_drive == ""))
    power = _one(params, "power_state")
    if power is not None and power.isdigit():
        q.where.append(I.power_state == int(power))
    for key, pattern_attr in (("ip", "ip"), ("ip6", "ip6")):
        value = _one(params, key)
        if value:
            try:
                setattr(extra, pattern_attr, re.compile(value))
            except re.error:
                raise exc.BadRequest(f"Invalid filter field: {key}.") from None
    description = _one(params, "description")
    if description:
        q.where.append(I.description.like(f"%{description}%"))


def _status(q: ServerQuery, status: str | None, mv: int) -> None:
    if not status:
        return
    found = S.states_for_status(status)
    if found is None:
        if mv >= 38:
            raise exc.BadRequest(f"Invalid status value: {status}")
        q.where.append(I.id.is_(None))
        return
    vm_states, task_states = found
    if status.upper() == "DELETED":
        q.deleted = True
        return
    q.where.append(I.vm_state.in_(vm_states))
    if task_states is not None:
        q.where.append(I.task_state.in_(task_states))


def _times(q: ServerQuery, params: dict[str, list[str]], mv: int) -> None:
    since = _one(params, "changes-since")
    before = _one(params, "changes-before") if mv >= 66 else None
    t_since = _time(since, "changes-since") if since else None
    t_before = _time(before, "changes-before") if before else None
    if t_since and t_before and t_since > t_before:
        raise exc.BadRequest("The value of changes-since must be less than or equal to "
                             "changes-before.")
    if t_since is not None:
        q.where.append(I.updated_at >= t_since)
        q.deleted = None
    if t_before is not None:
        q.where.append(I.updated_at <= t_before)
        q.deleted = None
    for key in ("created_at", "launched_at", "terminated_at"):
        value = _one(params, key)
        if value and mv >= 83:
            q.where.append(getattr(I, key) >= _time(value, key))


def _sort(params: dict[str, list[str]]) -> list[tuple[str, str]]:
    keys = params.get("sort_key", [])
    dirs = params.get("sort_dir", [])
    if not keys:
        if dirs and dirs[0] not in ("asc", "desc"):
            raise exc.BadRequest(f"Unknown sort direction, must be 'desc' or 'asc': {dirs[0]}")
        d = dirs[0] if dirs else "desc"
        return [("created_at", d), ("id", d)]
    out = []
    for i, key in enumerate(keys):
        if key not in SORT_COLUMNS and key != "id":
            raise exc.BadRequest(f"Invalid sort key: {key}")
        d = dirs[i] if i < len(dirs) else (dirs[-1] if dirs else "desc")
        if d not in ("asc", "desc"):
            raise exc.BadRequest(f"Unknown sort direction, must be 'desc' or 'asc': {d}")
        out.append((key, d))
    return out


def post_filter(found: list[Instance], extra: Extra) -> list[Instance]:
    if extra.ip is None and extra.ip6 is None:
        return found
    out = []
    for inst in found:
        addrs = [ip for nic in inst.network_info or [] for ip in nic.get("ips", [])]
        if extra.ip is not None and not any(
                a["version"] == 4 and extra.ip.match(a["address"]) for a in addrs):
            continue
        if extra.ip6 is not None and not any(
                a["version"] == 6 and extra.ip6.match(a["address"]) for a in addrs):
            continue
        out.append(inst)
    return out
