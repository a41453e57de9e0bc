"""Image updates through JSON Patch, as Glance reads them.

Two media types: ``application/openstack-images-v2.1-json-patch`` (RFC 6902 style:
``{"op": "replace", "path": "/name", "value": ...}``) and the deprecated
``application/openstack-images-v2.0-json-patch`` (draft 4: ``{"replace": "/name", ...}``,
where ``add`` of an existing property is a conflict). Operations: add, remove, replace;
paths are one level deep (``/name``, ``/os_distro``, ``/tags``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.services.image import access, rules
from pocketstack.services.image.options import ImageOptions

MEDIA_TYPES = {
    "application/openstack-images-v2.0-json-patch": 4,
    "application/openstack-images-v2.1-json-patch": 10,
}
OPERATIONS = ("add", "remove", "replace")


@dataclass(frozen=True)
class Change:
    op: str
    path: str          # the single path element, decoded
    value: Any = None
    draft: int = 10


def parse(content_type: str, body: Any) -> list[Change]:
    media = (content_type or "").split(";")[0].strip().lower()
    if media not in MEDIA_TYPES:
        allowed = ", ".join(sorted(MEDIA_TYPES))
        raise exc.UnsupportedMediaType(f"Image PATCH expects Content-Type one of: {allowed}")
    draft = MEDIA_TYPES[media]
    if not isinstance(body, list):
        raise exc.BadRequest("Request body must be a JSON array of operation objects.")
    changes = []
    for raw in body:
        if not isinstance(raw, dict):
            raise exc.BadRequest("Operations must be JSON objects.")
        op, pointer = _op_d10(raw) if draft == 10 else _op_d4(raw)
        path = _decode(pointer)
        if path[0] == "locations" and len(path) == (1 if op == "replace" else 2):
            raise exc.Forbidden(f"It's not allowed to {op} locations if locations are "
                                "invisible.")
        if len(path) != 1:
            raise exc.BadRequest(f"Invalid JSON pointer for this resource: '/{'/'.join(path)}'")
        value = None
        if op != "remove":
            if "value" not in raw:
                raise exc.BadRequest(f'Operation "{op}" requires a member named "value".')
            value = raw["value"]
        changes.append(Change(op, path[0], value, draft))
    return changes


def _op_d10(raw: dict[str, Any]) -> tuple[str, Any]:
    op = raw.get("op")
    if op is None:
        raise exc.BadRequest("Unable to find `op` in JSON Schema change. It must be one of "
                             "the following: add, remove, replace.")
    if op not in OPERATIONS:
        raise exc.BadRequest(f"Invalid operation: `{op}`. It must be one of the following: "
                             "add, remove, replace.")
    if "path" not in raw:
        raise exc.BadRequest("Unable to find 'path' in JSON Schema change")
    return op, raw["path"]


def _op_d4(raw: dict[str, Any]) -> tuple[str, Any]:
    found = [k for k in OPERATIONS if k in raw]
    if len(found) != 1:
        raise exc.BadRequest('Operation objects must contain exactly one member named "add", '
                             '"remove", or "replace".')
    return found[0], raw[found[0]]


def _decode(pointer: Any) -> list[str]:
    if not isinstance(pointer, str):
        raise exc.BadRequest(f"Pointer `{pointer}` is not a string.")
    if not pointer.startswith("/"):
        raise exc.BadRequest(f'Pointer `{pointer}` does not start with "/".')
    if re.search(r"/\s*?/", pointer[1:]):
        raise exc.BadRequest(f'Pointer `{pointer}` contains adjacent "/".')
    if len(pointer) > 1 and pointer.endswith("/"):
        raise exc.BadRequest(f'Pointer `{pointer}` end with "/".')
    if pointer == "/":
        raise exc.BadRequest(f"Pointer `{pointer}` does not contains valid token.")
    if re.search("~[^01]", pointer) or pointer.endswith("~"):
        raise exc.BadRequest(f'Pointer `{pointer}` contains "~" not part of a recognized '
                             "escape sequence.")
    return [p.replace("~1", "/").replace("~0", "~").strip() for p in pointer[1:].split("/")]


@dataclass
class Draft:
    """The editable state of an image while a patch is applied."""

    base: dict[str, Any]
    properties: dict[str, str]
    tags: list[str]
    status: str
    changed_base: set[str] = field(default_factory=set)
    changed_properties: dict[str, str | None] = field(default_factory=dict)
    tags_changed: bool = False


def apply(ctx: RequestContext, draft: Draft, changes: list[Change],
          options: ImageOptions) -> Draft:
    for change in changes:
        _validate(change)
        key = change.path
        if key == "tags":
            _apply_tags(draft, change)
        elif key in rules.WRITABLE:
            _apply_base(ctx, draft, change, options)
        else:
            _apply_custom(draft, change)
    return draft


def _validate(change: Change) -> None:
    key = change.path
    if key in rules.READ_ONLY:
        raise exc.Forbidden(f"Attribute '{key}' is read-only.")
    rules.check_reserved(key)
    if key == "locations":
        raise exc.Forbidden("It's not allowed to update locations if locations are invisible.")


def _apply_tags(draft: Draft, change: Change) -> None:
    if change.op == "remove":
        raise exc.Forbidden("Property tags may not be removed.")
    if change.op == "add" and change.draft == 4:
        raise exc.Conflict("Property tags already present.")
    draft.tags = list(dict.fromkeys(rules.check_tags(change.value)))
    draft.tags_changed = True


def _apply_base(ctx: RequestContext, draft: Draft, change: Change,
                options: ImageOptions) -> None:
    key = change.path
    if change.op == "remove":
        raise exc.Forbidden(f"Property {key} may not be removed.")
    if change.op == "add" and change.draft == 4:
        raise exc.Conflict(f"Property {key} already present.")
    value = rules.check_base(key, change.value, options)
    if key == "owner" and not ctx.is_admin:
        raise exc.Forbidden("Owner can't be updated by non admin.")
    if key == "visibility":
        access.check_visibility_change(ctx, value)
    if key in ("disk_format", "container_format") and draft.status not in ("queued", "importing") \
            and value != draft.base.get(key):
        raise exc.Forbidden(f"Attribute {key} can be only replaced for a queued image.")
    draft.base[key] = value
    draft.changed_base.add(key)


def _apply_custom(draft: Draft, change: Change) -> None:
    key = change.path
    present = key in draft.properties
    if change.op == "remove":
        if not present:
            raise exc.Conflict(f"Property {key} does not exist.")
        del draft.properties[key]
        draft.changed_properties[key] = None
        return
    if change.op == "replace" and not present:
        raise exc.Conflict(f"Property {key} does not exist.")
    if change.op == "add" and present and change.draft == 4:
        raise exc.Conflict(f"Property {key} already present.")
    value = rules.check_custom(key, change.value, creating=False)
    if value is None:
        draft.properties.pop(key, None)
        draft.changed_properties[key] = None
        return
    draft.properties[key] = value
    draft.changed_properties[key] = value
