"""JSON-schema documents of the metadata definitions (GET /v2/schemas/metadefs/...)."""

from __future__ import annotations

from typing import Any

STR = {"type": "string"}
TIME = {"type": "string", "readOnly": True, "format": "date-time"}
POSITIVE = {"type": "integer", "minimum": 0}
STRINGS = {"type": "array", "items": {"type": "string"}, "uniqueItems": True}


def _prop_schema() -> dict[str, Any]:
    """What a property definition may hold: a small JSON schema of its own."""
    return {
        "name": {"type": "string", "maxLength": 255}, "title": STR,
        "description": STR, "operators": STRINGS,
        "type": {"type": "string", "enum": ["array", "boolean", "integer", "number",
                                            "object", "string", None]},
        "required": STRINGS, "minimum": {"type": "number"}, "maximum": {"type": "number"},
        "maxLength": POSITIVE, "minLength": POSITIVE, "pattern": {"type": "string",
                                                                  "format": "regex"},
        "enum": {"type": "array"}, "readonly": {"type": "boolean"}, "default": {},
        "items": {"type": "object", "properties": {"type": {"type": "string"},
                                                   "enum": {"type": "array"}}},
        "maxItems": POSITIVE, "minItems": POSITIVE, "uniqueItems": {"type": "boolean"},
        "additionalItems": {"type": "boolean"},
    }


def _association() -> dict[str, Any]:
    return {"name": "resource_type_association",
            "properties": {"name": {"type": "string", "maxLength": 80,
                                    "description": "Resource type names should be aligned "
                                    "with Heat resource types whenever possible"},
                           "prefix": {"type": "string", "maxLength": 80},
                           "properties_target": {"type": "string", "maxLength": 80},
                           "created_at": TIME, "updated_at": TIME},
            "required": ["name"], "additionalProperties": False}


def _property() -> dict[str, Any]:
    return {"name": "property", "properties": _prop_schema(),
            "required": ["type", "title", "name"], "additionalProperties": False}


def _object() -> dict[str, Any]:
    return {"name": "object",
            "properties": {"name": {"type": "string", "maxLength": 80},
                           "description": STR, "required": STRINGS,
                           "properties": {"type": "object",
                                          "additionalProperties": _property()},
                           "schema": {"type": "string", "readOnly": True},
                           "self": {"type": "string", "readOnly": True},
                           "created_at": TIME, "updated_at": TIME},
            "required": ["name"], "additionalProperties": False}


def _tag() -> dict[str, Any]:
    return {"name": "tag",
            "properties": {"name": {"type": "string", "maxLength": 255},
                           "created_at": TIME, "updated_at": TIME},
            "required": ["name"], "additionalProperties": False}


def _namespace() -> dict[str, Any]:
    return {"name": "namespace",
            "properties": {
                "namespace": {"type": "string", "maxLength": 80,
                              "description": "The unique namespace text."},
                "display_name": {"type": "string", "maxLength": 80},
                "description": {"type": "string", "maxLength": 500},
                "visibility": {"type": "string", "enum": ["public", "private"]},
                "protected": {"type": "boolean"}, "owner": {"type": "string",
                                                            "maxLength": 255},
                "created_at": TIME, "updated_at": TIME,
                "schema": {"type": "string", "readOnly": True},
                "self": {"type": "string", "readOnly": True},
                "resource_type_associations": {"type": "array", "items": _association()},
                "properties": {"type": "object", "additionalProperties": _property()},
                "objects": {"type": "array", "items": _object()},
                "tags": {"type": "array", "items": _tag()}},
            "required": ["namespace"], "additionalProperties": False}


def _collection(name: str, key: str, item: dict[str, Any], *,
                as_map: bool = False) -> dict[str, Any]:
    items = ({"type": "object", "additionalProperties": item} if as_map
             else {"type": "array", "items": item})
    return {"name": name,
            "properties": {key: items, "schema": {"type": "string"},
                           "first": {"type": "string"}, "next": {"type": "string"}},
            "links": [{"rel": "first", "href": "{first}"}, {"rel": "next", "href": "{next}"},
                      {"rel": "describedby", "href": "{schema}"}]}


BUILDERS = {
    "metadefs/namespace": _namespace,
    "metadefs/namespaces": lambda: _collection("namespaces", "namespaces", _namespace()),
    "metadefs/resource_type": _association,
    "metadefs/resource_types": lambda: _collection(
        "resource_type_associations", "resource_type_associations", _association()),
    "metadefs/object": _object,
    "metadefs/objects": lambda: _collection("objects", "objects", _object()),
    "metadefs/property": _property,
    "metadefs/properties": lambda: _collection("properties", "properties", _property(),
                                               as_map=True),
    "metadefs/tag": _tag,
    "metadefs/tags": lambda: _collection("tags", "tags", _tag()),
}


def document(name: str) -> dict[str, Any] | None:
    build = BUILDERS.get(name)
    return build() if build else None
