"""Wire format of image resources (Glance v2 JSON): links are relative ('/v2/images/<id>'),
times are ISO 8601 in seconds with a 'Z', base properties are always present (null when
unset) and custom properties are flat keys next to them."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from pocketstack.common.timeutils import iso
from pocketstack.db.models.image import ImageMember, ImageTask
from pocketstack.services.image.records import HIDDEN_PROPERTIES, ImageRecord

BASE_ATTRS = ("name", "disk_format", "container_format", "visibility", "size", "virtual_size",
              "status", "checksum", "protected", "min_ram", "min_disk", "owner", "os_hidden",
              "os_hash_algo", "os_hash_value")


def when(dt: datetime | None) -> str | None:
    return iso(dt, micro=False)


def image(rec: ImageRecord) -> dict[str, Any]:
    img = rec.image
    out: dict[str, Any] = {k: v for k, v in rec.properties.items()
                           if k not in HIDDEN_PROPERTIES}
    for key in BASE_ATTRS:
        out[key] = getattr(img, key)
    out.update(id=img.id, created_at=when(img.created_at), updated_at=when(img.updated_at),
               tags=list(rec.tags), self=f"/v2/images/{img.id}",
               file=f"/v2/images/{img.id}/file", schema="/v2/schemas/image")
    if img.location and img.store:
        out["stores"] = img.store
    return out


def images_page(recs: list[ImageRecord], next_marker: str | None,
                params: list[tuple[str, str]]) -> dict[str, Any]:
    kept = [(k, v) for k, v in params if k != "marker"]
    first = "/v2/images" + (f"?{urlencode(kept)}" if kept else "")
    body: dict[str, Any] = {"images": [image(r) for r in recs], "first": first,
                            "schema": "/v2/schemas/images"}
    if next_marker is not None:
        body["next"] = "/v2/images?" + urlencode([*kept, ("marker", next_marker)])
    return body


def member(m: ImageMember) -> dict[str, Any]:
    return {"created_at": when(m.created_at), "updated_at": when(m.updated_at),
            "image_id": m.image_id, "member_id": m.member, "status": m.status,
            "schema": "/v2/schemas/member"}


def members(items: list[ImageMember]) -> dict[str, Any]:
    return {"members": [member(m) for m in items], "schema": "/v2/schemas/members"}


def task(t: ImageTask) -> dict[str, Any]:
    """A task of the tasks API (/v2/tasks)."""
    return {"id": t.id, "type": t.type, "status": t.status, "input": t.input,
            "result": t.result, "owner": t.owner, "message": t.message or "",
            "expires_at": when(t.expires_at), "created_at": when(t.created_at),
            "updated_at": when(t.updated_at), "self": f"/v2/tasks/{t.id}",
            "schema": "/v2/schemas/task"}


def tasks(items: list[ImageTask], next_marker: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"tasks": [task(t) for t in items], "first": "/v2/tasks",
                            "schema": "/v2/schemas/tasks"}
    if next_marker:
        body["next"] = f"/v2/tasks?marker={next_marker}"
    return body


def image_task(t: ImageTask) -> dict[str, Any]:
    """A task as /v2/images/{id}/tasks shows it (the task record itself)."""
    return {"id": t.id, "image_id": t.image_id, "request_id": t.request_id,
            "user_id": t.user_id, "type": t.type, "status": t.status, "owner": t.owner,
            "expires_at": iso(t.expires_at), "created_at": iso(t.created_at),
            "updated_at": iso(t.updated_at), "deleted_at": None, "deleted": False,
            "input": t.input, "result": t.result, "message": t.message or ""}


def usage(values: dict[str, Any]) -> dict[str, Any]:
    return {"usage": {k: {"limit": u.limit, "usage": u.usage} for k, u in values.items()}}
