"""Request bodies. Cinder's bodies are small JSON objects wrapped in one key ('volume',
'snapshot', ...); these helpers unwrap them and give Cinder's 400 messages. Field rules
live in the services, which every caller (API, tests, other services) goes through."""

from __future__ import annotations

from typing import Any

from pocketstack.common import exceptions as exc


def wrapped(body: Any, key: str) -> dict[str, Any]:
    """body[key] as a dict, or 400."""
    if not isinstance(body, dict) or key not in body:
        raise exc.BadRequest(f"Missing required element '{key}' in request body.")
    value = body[key]
    if not isinstance(value, dict):
        raise exc.BadRequest(f"Invalid input for field/attribute {key}. Value: {value}. "
                             f"{value!r} is not of type 'object'")
    return value


def action(body: Any) -> tuple[str, Any]:
    """The one action of a POST .../action body: (name, argument)."""
    if not isinstance(body, dict) or len(body) != 1:
        raise exc.BadRequest("Invalid request body: exactly one action is expected.")
    name, arg = next(iter(body.items()))
    return name, arg


def metadata(body: Any, key: str = "metadata") -> dict[str, Any]:
    if not isinstance(body, dict) or key not in body:
        raise exc.BadRequest(f"Malformed request body: missing '{key}'.")
    value = body[key]
    if not isinstance(value, dict):
        raise exc.BadRequest(f"Malformed request body: '{key}' must be an object.")
    return value


def meta_item(body: Any, key: str) -> dict[str, Any]:
    """PUT .../metadata/{key} with {"meta": {key: value}}."""
    if not isinstance(body, dict) or not isinstance(body.get("meta"), dict):
        raise exc.BadRequest("Malformed request body: missing 'meta'.")
    item = body["meta"]
    if len(item) != 1:
        raise exc.BadRequest("Request body contains too many items.")
    if key not in item:
        raise exc.BadRequest("Request body and URI mismatch.")
    return dict(item)
