"""A small JSON-Schema validator (the subset Nova's request schemas use), so request bodies
are checked the way Nova checks them: unknown keys refused, types and bounds enforced, and a
400 with Nova's message shape ("Invalid input for field/attribute X. Value: Y. Z").

Integer-like strings ('1024') are accepted where a schema allows both integers and strings;
their bounds are checked as numbers, as Nova's validators do.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pocketstack.common import exceptions as exc

Schema = dict[str, Any]

_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "null": lambda v: v is None,
}
_PATTERNS: dict[str, re.Pattern[str]] = {}


class Invalid(Exception):
    def __init__(self, path: str, value: Any, detail: str) -> None:
        super().__init__(detail)
        self.path, self.value, self.detail = path, value, detail


def validate(schema: Schema, data: Any) -> Any:
    """Check ``data`` against ``schema``; raise BadRequest (400) if it does not fit."""
    try:
        _check(schema, data, "")
    except Invalid as e:
        where = e.path or "request body"
        raise exc.BadRequest(f"Invalid input for field/attribute {where}. Value: "
                             f"{_short(e.value)}. {e.detail}") from None
    return data


def _short(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= 200 else text[:200] + "..."


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _pattern(p: str) -> re.Pattern[str]:
    compiled = _PATTERNS.get(p)
    if compiled is None:
        compiled = _PATTERNS[p] = re.compile(p)
    return compiled


def _numeric(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+(\.\d+)?\s*", value):
        return float(value)
    return None


def _check(schema: Schema, value: Any, path: str) -> None:
    if not schema:
        return
    for key in ("anyOf", "oneOf"):
        if key in schema:
            _alternatives(schema[key], value, path, key)
    if "allOf" in schema:
        for sub in schema["allOf"]:
            _check(sub, value, path)
    types = schema.get("type")
    if types is not None:
        names = [types] if isinstance(types, str) else types
        if not any(_TYPES[t](value) for t in names):
            raise Invalid(path, value, f"{_short(value)} is not of type "
                          f"{', '.join(repr(t) for t in names)}")
    if "enum" in schema and value not in schema["enum"]:
        raise Invalid(path, value, f"{_short(value)} is not one of {schema['enum']}")
    if isinstance(value, str):
        _check_string(schema, value, path)
    number = _numeric(value) if ("minimum" in schema or "maximum" in schema) else None
    if number is not None:
        _check_number(schema, number, value, path)
    if isinstance(value, dict):
        _check_object(schema, value, path)
    elif isinstance(value, list):
        _check_array(schema, value, path)


def _alternatives(options: list[Schema], value: Any, path: str, kind: str) -> None:
    errors = []
    matched = 0
    for sub in options:
        try:
            _check(sub, value, path)
            matched += 1
        except Invalid as e:
            errors.append(e)
    if matched == 0:
        best = errors[-1] if errors else Invalid(path, value, "is not valid")
        raise Invalid(best.path, best.value, best.detail)
    if kind == "oneOf" and matched > 1:
        raise Invalid(path, value, f"{_short(value)} is valid under each of the alternatives")


def _check_string(schema: Schema, value: str, path: str) -> None:
    if "minLength" in schema and len(value) < schema["minLength"]:
        raise Invalid(path, value, f"{_short(value)!r} is too short")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        raise Invalid(path, value, f"{_short(value)!r} is too long")
    if "pattern" in schema and not _pattern(schema["pattern"]).search(value):
        raise Invalid(path, value, f"{_short(value)!r} does not match {schema['pattern']!r}")
    fmt = schema.get("format")
    if fmt and not _format_ok(fmt, value):
        raise Invalid(path, value, f"{_short(value)!r} is not a '{fmt}'")


def _format_ok(fmt: str, value: str) -> bool:
    try:
        if fmt == "uuid":
            uuid.UUID(value)
            return bool(re.fullmatch(r"[0-9a-fA-F-]{32,36}", value))
        if fmt == "ipv4":
            ipaddress.IPv4Address(value)
        elif fmt == "ipv6":
            ipaddress.IPv6Address(value)
        elif fmt == "cidr":
            ipaddress.ip_network(value, strict=False)
        elif fmt == "date-time":
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        elif fmt == "uri":
            return "://" in value
    except ValueError:
        return False
    return True


def _check_number(schema: Schema, number: float, value: Any, path: str) -> None:
    if isinstance(value, str) and "integer" not in str(schema.get("type", "")):
        return
    if "minimum" in schema and number < schema["minimum"]:
        raise Invalid(path, value, f"{_short(value)} is less than the minimum of "
                      f"{schema['minimum']}")
    if "maximum" in schema and number > schema["maximum"]:
        raise Invalid(path, value, f"{_short(value)} is greater than the maximum of "
                      f"{schema['maximum']}")


def _check_object(schema: Schema, value: dict[str, Any], path: str) -> None:
    for key in schema.get("required", ()):
        if key not in value:
            raise Invalid(path, value, f"'{key}' is a required property")
    if "minProperties" in schema and len(value) < schema["minProperties"]:
        raise Invalid(path, value, f"{_short(value)} does not have enough properties")
    if "maxProperties" in schema and len(value) > schema["maxProperties"]:
        raise Invalid(path, value, f"{_short(value)} has too many properties")
    props = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    extra = schema.get("additionalProperties", True)
    unexpected = []
    for key, item in value.items():
        matched = False
        if key in props:
            _check(props[key], item, _join(path, key))
            matched = True
        for pat, sub in patterns.items():
            if _pattern(pat).search(key):
                _check(sub, item, _join(path, key))
                matched = True
        if matched:
            continue
        if extra is False:
            unexpected.append(key)
        elif isinstance(extra, dict):
            _check(extra, item, _join(path, key))
    if unexpected:
        names = ", ".join(repr(k) for k in sorted(unexpected))
        verb = "was" if len(unexpected) == 1 else "were"
        raise Invalid(path, value, f"Additional properties are not allowed ({names} {verb} "
                      "unexpected)")


def _check_array(schema: Schema, value: list[Any], path: str) -> None:
    if "minItems" in schema and len(value) < schema["minItems"]:
        raise Invalid(path, value, f"{_short(value)} is too short")
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        raise Invalid(path, value, f"{_short(value)} is too long")
    if schema.get("uniqueItems"):
        seen: list[Any] = []
        for item in value:
            if item in seen:
                raise Invalid(path, value, f"{_short(value)} has non-unique elements")
            seen.append(item)
    items = schema.get("items")
    if isinstance(items, dict):
        for i, item in enumerate(value):
            _check(items, item, _join(path, i))
