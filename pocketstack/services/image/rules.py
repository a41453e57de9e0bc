"""What an image may look like: base properties and their types, read-only and reserved
names, formats, and the checks Glance applies to a create body or a patched value."""

from __future__ import annotations

import re
from typing import Any

from pocketstack.common import exceptions as exc
from pocketstack.services.image.options import ImageOptions

UUID_RE = re.compile(r"^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}"
                     r"-([0-9a-fA-F]){12}$")
VISIBILITIES = ("public", "private", "shared", "community")
STATUSES = ("queued", "saving", "active", "killed", "deleted", "pending_delete", "deactivated",
            "uploading", "importing")

# Columns of the image row a client may set (at create, or by PATCH).
WRITABLE = ("name", "visibility", "protected", "os_hidden", "min_disk", "min_ram",
            "disk_format", "container_format", "owner")
BASE = (*WRITABLE, "id", "tags", "status", "size", "virtual_size", "checksum", "os_hash_algo",
        "os_hash_value", "created_at", "updated_at")
# Glance: present in a create body -> 403 "Attribute 'x' is read-only."
DISALLOWED = ("direct_url", "self", "file", "schema", "stores")
READ_ONLY = ("created_at", "updated_at", "status", "checksum", "size", "virtual_size",
             "direct_url", "self", "file", "schema", "id", "os_hash_algo", "os_hash_value")
RESERVED = ("location", "deleted", "deleted_at")
RESERVED_PREFIX = "os_glance"
# Non-base properties the image schema describes: value must be a UUID (or null).
UUID_PROPERTIES = ("kernel_id", "ramdisk_id")
MAX_VALUE = 65535
# Glance's image state machine: current status -> statuses it may move to. ('killed' is
# deprecated in v2: a failed upload goes back to 'queued' so it can be retried.)
TRANSITIONS = {
    "queued": ("saving", "uploading", "importing", "active", "deleted"),
    "saving": ("active", "killed", "deleted", "queued"),
    "uploading": ("importing", "queued", "deleted"),
    "importing": ("active", "deleted", "queued"),
    "active": ("pending_delete", "deleted", "deactivated"),
    "killed": ("deleted",),
    "pending_delete": ("deleted", "active"),
    "deleted": (),
    "deactivated": ("active", "deleted"),
}


def check_transition(current: str, new: str) -> None:
    if new not in TRANSITIONS.get(current, ()):
        raise exc.Conflict(f"Image status transition from {current} to {new} is not allowed")


def schema_error(message: str) -> exc.BadRequest:
    return exc.BadRequest(f"Provided object does not match schema 'image': {message}")


def _type_name(value: Any) -> str:
    return repr(value) if not isinstance(value, str) else f"'{value}'"


def check_base(key: str, value: Any, options: ImageOptions) -> Any:
    """Validate one base property value as the image schema does; returns the value."""
    if key == "name" or key == "owner":
        if value is not None and not isinstance(value, str):
            raise schema_error(f"{_type_name(value)} is not of type 'null', 'string'")
        if isinstance(value, str) and len(value) > 255:
            raise schema_error(f"'{value[:20]}...' is too long")
    elif key == "visibility":
        if value not in VISIBILITIES:
            raise schema_error(f"{_type_name(value)} is not one of "
                               f"{['community', 'public', 'private', 'shared']}")
    elif key in ("protected", "os_hidden"):
        if not isinstance(value, bool):
            raise schema_error(f"{_type_name(value)} is not of type 'boolean'")
    elif key in ("min_disk", "min_ram"):
        if not isinstance(value, int) or isinstance(value, bool):
            raise schema_error(f"{_type_name(value)} is not of type 'integer'")
        if value < 0:
            raise exc.BadRequest(f"Cannot set {key} to a negative value.")
        if value > 2**31 - 1:
            raise exc.BadRequest(f"Value of {key} is too large.")
    elif key in ("disk_format", "container_format"):
        allowed = options.disk_formats if key == "disk_format" else options.container_formats
        if value is not None and value not in allowed:
            raise exc.BadRequest(
                f"Invalid value '{value}' for parameter '{key}': {key} must be one of "
                f"{', '.join(allowed)}")
    elif key == "tags":
        check_tags(value)
    elif key == "id":
        if not isinstance(value, str) or not UUID_RE.match(value):
            raise schema_error(f"{_type_name(value)} does not match the UUID pattern")
    return value


def check_tags(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise schema_error(f"{_type_name(value)} is not of type 'array'")
    for tag in value:
        check_tag(tag)
    return value


def check_tag(tag: Any) -> str:
    if not isinstance(tag, str):
        raise schema_error(f"{_type_name(tag)} is not of type 'string'")
    if len(tag) > 255:
        raise exc.BadRequest(f"Tag '{tag[:20]}...' is longer than 255 characters.")
    return tag


def check_custom(key: str, value: Any, *, creating: bool) -> str | None:
    """A custom property: a string value under a name of at most 255 characters."""
    if len(key) > 255:
        raise exc.BadRequest("Custom property should not be greater than 255 characters.")
    if not key:
        raise exc.BadRequest("Property names may not be empty.")
    if key in UUID_PROPERTIES:
        if value is None:
            return None
        if not isinstance(value, str) or not UUID_RE.match(value):
            raise schema_error(f"{_type_name(value)} does not match the UUID pattern")
        return value
    if not isinstance(value, str):
        raise schema_error(f"{_type_name(value)} is not of type 'string'")
    if len(value) > MAX_VALUE:
        raise exc.BadRequest(f"Value of property '{key}' is too long.")
    return value


def check_reserved(key: str) -> None:
    if key in RESERVED or key.startswith(RESERVED_PREFIX):
        raise exc.Forbidden(f"Attribute '{key}' is reserved.")


def split_create(body: Any, options: ImageOptions) -> tuple[dict[str, Any], dict[str, str], list[str]]:
    """A create body into (base values, custom properties, tags), Glance's checks applied."""
    if not isinstance(body, dict):
        raise exc.BadRequest("Body expected in request.")
    for key in DISALLOWED:
        if key in body:
            raise exc.Forbidden(f"Attribute '{key}' is read-only.")
    for key in READ_ONLY:
        if key in body and key != "id":
            raise exc.Forbidden(f"Attribute '{key}' is read-only.")
    if "locations" in body:
        raise exc.Forbidden("Attribute 'locations' is reserved.")
    base: dict[str, Any] = {}
    props: dict[str, str] = {}
    tags = check_tags(body.get("tags", []))
    for key, value in body.items():
        if key == "tags":
            continue
        if key in WRITABLE or key == "id":
            base[key] = check_base(key, value, options)
            continue
        check_reserved(key)
        checked = check_custom(key, value, creating=True)
        if checked is not None:
            props[key] = checked
    return base, props, list(dict.fromkeys(tags))
