"""Query parameters of Networking list and show requests: fields=, filters, sort_key /
sort_dir, limit / marker / page_reverse, and the pagination links of a page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from pocketstack.common import exceptions as exc
from pocketstack.services.network.query import ListQuery, to_bool

RESERVED = {"fields", "sort_key", "sort_dir", "limit", "marker", "page_reverse"}


def fields_of(request: Request) -> list[str]:
    return [f for v in request.query_params.getlist("fields") for f in v.split(",") if f]


def parse(request: Request) -> ListQuery:
    params = request.query_params
    q = ListQuery()
    for key, value in params.multi_items():
        if key not in RESERVED:
            q.filters.setdefault(key, []).append(value)
    keys, dirs = params.getlist("sort_key"), params.getlist("sort_dir")
    if dirs and len(dirs) != len(keys):
        raise exc.BadRequest("The number of sort_keys and sort_dirs must be same",
                             error_type="HTTPBadRequest")
    for i, key in enumerate(keys):
        direction = (dirs[i] if dirs else "asc").lower()
        if direction not in ("asc", "desc"):
            raise exc.BadRequest(f"{dirs[i]} is invalid value for sort_dir, valid values are "
                                 "'asc' and 'desc'", error_type="HTTPBadRequest")
        q.sorts.append((key, direction == "asc"))
    limit = params.get("limit")
    if limit is not None:
        try:
            q.limit = int(limit)
            if q.limit < 0:
                raise ValueError
        except ValueError:
            raise exc.BadRequest(f"Limit must be an integer 0 or greater and not '{limit}'",
                                 error_type="HTTPBadRequest") from None
        q.limit = q.limit or None
    q.marker = params.get("marker") or None
    q.page_reverse = bool(to_bool(params.get("page_reverse") or "false"))
    return q


def select_fields(item: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    if not fields:
        return item
    return {k: item[k] for k in fields if k in item}


def page(request: Request, collection: str, items: list[dict[str, Any]],
         q: ListQuery) -> dict[str, Any]:
    """The list body, with '<collection>_links' when a page was asked for."""
    fields = fields_of(request)
    body: dict[str, Any] = {collection: [select_fields(i, fields) for i in items]}
    if q.limit is None:
        return body
    links = []
    base = str(request.url).split("?", 1)[0]
    keep = [(k, v) for k, v in request.query_params.multi_items()
            if k not in ("marker", "page_reverse")]
    if items and len(items) >= q.limit:
        last = items[0 if q.page_reverse else -1]["id"]
        links.append({"rel": "next", "href": f"{base}?{urlencode(keep + [('marker', last)])}"})
    if q.marker and items:
        first = items[-1 if q.page_reverse else 0]["id"]
        params = keep + [("marker", first), ("page_reverse", "True")]
        links.append({"rel": "previous", "href": f"{base}?{urlencode(params)}"})
    if links:
        body[f"{collection}_links"] = links
    return body
