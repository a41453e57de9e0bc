"""GET /v2/images query parameters into an ImageQuery, with Glance's validation rules.

Direct comparison on base attributes (``name=x``, ``status=in:a,b``), ``tag`` (repeatable,
all must match), ``size_min``/``size_max``, ``created_at``/``updated_at`` with an operator
(``gt:2016-04-18T21:38:54Z``), ``member_status``, ``visibility``, ``os_hidden``,
``protected``, custom properties (``os_distro=debian``), and sorting with ``sort`` or
``sort_key``/``sort_dir``. Limits: ``limit`` (default 25, at most 1000) and ``marker``.
"""

from __future__ import annotations

import csv
from datetime import datetime
from typing import Any

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.timeutils import parse_iso
from pocketstack.db.repositories.image.query import ImageQuery
from pocketstack.services.image.options import ImageOptions

SORT_KEYS = ("name", "status", "container_format", "disk_format", "size", "id", "created_at",
             "updated_at")
IN_FIELDS = ("container_format", "disk_format", "id", "name", "status")
EQUAL_FIELDS = ("name", "status", "owner", "container_format", "disk_format", "id",
                "checksum", "os_hash_value", "os_hash_algo")
INT_FIELDS = ("size", "min_disk", "min_ram", "virtual_size")
TIME_FIELDS = ("created_at", "updated_at")
CONTROL = ("limit", "marker", "sort", "sort_key", "sort_dir", "member_status", "tag",
           "visibility", "os_hidden", "protected", "size_min", "size_max")


def parse(ctx: RequestContext, params: list[tuple[str, str]],
          options: ImageOptions) -> tuple[ImageQuery, str | None]:
    """Returns the query (without its marker image) and the marker id, if any."""
    single: dict[str, str] = {}
    tags: list[str] = []
    for key, value in params:
        if key == "tag":
            tags.append(value.strip())
        elif key not in ("sort_key", "sort_dir"):
            single[key] = value
    q = ImageQuery(project_id=ctx.project_id, is_admin=ctx.is_admin, tags=tags)
    q.limit = _limit(single.get("limit"), options)
    q.member_status = _choice(single.get("member_status", "accepted"),
                              ("pending", "accepted", "rejected", "all"), "Invalid status: {}")
    if "visibility" in single:
        q.visibility = _choice(single["visibility"],
                               ("community", "public", "private", "shared", "all"),
                               "Invalid visibility value: {}")
    if "changes-since" in single:
        raise exc.BadRequest('The "changes-since" filter is no longer available on v2.')
    q.equal["os_hidden"] = _flag(single.get("os_hidden", "false"), "os_hidden")
    if "protected" in single:
        q.equal["protected"] = _flag(single["protected"], "protected")
    for key in ("size_min", "size_max"):
        if key in single:
            q.compare.append(("size", "gte" if key.endswith("min") else "lte",
                              _int(single[key], "Unable to filter on a range with a "
                                                "non-numeric value.")))
    q.sort = _sorting(params, single)
    for key, value in single.items():
        if key in CONTROL:
            continue
        _filter(q, key, value)
    return q, single.get("marker")


def _filter(q: ImageQuery, key: str, value: str) -> None:
    if value.startswith("in:") and key in IN_FIELDS:
        q.one_of[key] = _split_in(value[3:])
    elif key in TIME_FIELDS:
        op, _, when = value.partition(":")
        if not when or op not in ("eq", "neq", "gt", "gte", "lt", "lte"):
            raise exc.BadRequest(f"Invalid operator specified for {key}: '{value}'")
        q.compare.append((key, op, _time(when)))
    elif key in INT_FIELDS:
        q.equal[key] = _int(value, f"Invalid value for {key}: '{value}'")
    elif key in EQUAL_FIELDS:
        q.equal[key] = value
    else:
        q.properties[key] = value


def _split_in(text: str) -> list[str]:
    """``a,"b, c",d`` -> [a, "b, c", d] (quoted values may hold commas)."""
    try:
        row = next(csv.reader([text], skipinitialspace=False))
    except (csv.Error, StopIteration):
        raise exc.BadRequest(f"Invalid in: filter value: {text}") from None
    return [v for v in row]


def _limit(value: str | None, options: ImageOptions) -> int:
    if value is None:
        return min(options.limit_param_default, options.api_limit_max)
    try:
        limit = int(value)
    except ValueError:
        raise exc.BadRequest("limit param must be an integer") from None
    if limit < 0:
        raise exc.BadRequest("limit param must be positive")
    return min(limit, options.api_limit_max)


def _choice(value: str, allowed: tuple[str, ...], message: str) -> str:
    if value not in allowed:
        raise exc.BadRequest(message.format(value))
    return value


def _flag(value: str, name: str) -> bool:
    lowered = value.lower()
    if lowered not in ("true", "false"):
        raise exc.BadRequest(f"Invalid value '{value}' for '{name}' filter. Valid values are "
                             "'true' or 'false'.")
    return lowered == "true"


def _int(value: str, message: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise exc.BadRequest(message) from None


def _time(value: str) -> datetime:
    try:
        return parse_iso(value)
    except ValueError:
        raise exc.BadRequest(f"Invalid time format for {value}.") from None


def _sort_key(key: str) -> str:
    key = key.strip()
    if key not in SORT_KEYS:
        raise exc.BadRequest(f"Invalid sort key: {key}. It must be one of the following: "
                             f"{', '.join(SORT_KEYS)}.")
    return key


def _sort_dir(direction: str) -> str:
    direction = direction.strip()
    if direction not in ("asc", "desc"):
        raise exc.BadRequest(f"Invalid sort direction: {direction}")
    return direction


def _sorting(params: list[tuple[str, str]], single: dict[str, Any]) -> list[tuple[str, str]]:
    keys = [v for k, v in params if k == "sort_key"]
    dirs = [v for k, v in params if k == "sort_dir"]
    if "sort" in single:
        if keys or dirs:
            raise exc.BadRequest("Old and new sorting syntax cannot be combined")
        out = []
        for part in single["sort"].strip().split(","):
            key, _, direction = part.partition(":")
            out.append((_sort_key(key), _sort_dir(direction or "desc")))
        return out
    keys = [_sort_key(k) for k in keys] or ["created_at"]
    dirs = [_sort_dir(d) for d in dirs]
    if len(dirs) > 1 and len(dirs) != len(keys):
        raise exc.BadRequest("Number of sort dirs does not match the number of sort keys")
    if not dirs:
        dirs = ["desc"]
    if len(dirs) == 1:
        dirs = dirs * len(keys)
    return list(zip(keys, dirs, strict=True))
