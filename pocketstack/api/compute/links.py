"""URLs in compute responses: self links (versioned) and bookmarks (unversioned)."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from pocketstack.api.common.http import base_url

PREFIX = "/compute"


def endpoint(request: Request) -> str:
    return base_url(request) + PREFIX


def links(base: str, kind: str, item_id: Any) -> list[dict[str, str]]:
    return [{"rel": "self", "href": f"{base}/v2.1/{kind}/{item_id}"},
            {"rel": "bookmark", "href": f"{base}/{kind}/{item_id}"}]


def bookmark(base: str, kind: str, item_id: Any) -> list[dict[str, str]]:
    return [{"rel": "bookmark", "href": f"{base}/{kind}/{item_id}"}]


def next_link(base: str, kind: str, query: dict[str, Any], marker: Any) -> list[dict[str, str]]:
    from urllib.parse import urlencode

    params = [(k, v) for k, v in query.items() if k != "marker"]
    params.append(("marker", marker))
    return [{"rel": "next", "href": f"{base}/v2.1/{kind}?{urlencode(params, doseq=True)}"}]
