"""Request bodies of the Compute API as JSON schemas (checked by validation.validate),
per microversion where Nova's differ. Field names and limits follow the nova api-ref."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

Schema = dict[str, Any]

NAME: Schema = {"type": "string", "minLength": 1, "maxLength": 255,
                "pattern": r"^(?!\s)[^\x00-\x1f\x7f]*(?<!\s)$"}
NAME_V20: Schema = {"type": "string", "minLength": 1, "maxLength": 255}
BOOLEAN: Schema = {"type": ["boolean", "string"],
                   "enum": [True, False, "True", "TRUE", "true", "1", "ON", "On", "on", "YES",
                            "Yes", "yes", "y", "t", "False", "FALSE", "false", "0", "OFF",
                            "Off", "off", "NO", "No", "no", "n", "f"]}
POS_INT: Schema = {"type": ["integer", "string"], "pattern": "^[0-9]*$", "minLength": 1,
                   "minimum": 1}
NON_NEG_INT: Schema = {"type": ["integer", "string"], "pattern": "^[0-9]*$", "minLength": 1,
                       "minimum": 0}
FLAVOR_INT: Schema = {"type": ["integer", "string"], "pattern": "^[0-9]+$", "minimum": 1,
                      "maximum": 0x7FFFFFFF}
UUID: Schema = {"type": "string", "format": "uuid"}
IP: Schema = {"type": "string", "anyOf": [{"format": "ipv4"}, {"format": "ipv6"}]}
METADATA: Schema = {"type": "object", "additionalProperties": False,
                    "patternProperties": {r"^[a-zA-Z0-9-_:. ]{1,255}$": {
                        "type": "string", "maxLength": 255}}}
TAG: Schema = {"type": "string", "minLength": 1, "maxLength": 60, "pattern": "^[^,/]*$"}
DESCRIPTION: Schema = {"type": ["string", "null"], "maxLength": 255,
                       "pattern": r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"}
DISK_CONFIG: Schema = {"type": "string", "enum": ["AUTO", "MANUAL"]}
ACCESS_V4: Schema = {"type": "string", "format": "ipv4"}
ACCESS_V6: Schema = {"type": "string", "format": "ipv6"}
HOSTNAME: Schema = {"type": "string", "minLength": 2, "maxLength": 63,
                    "pattern": "^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$"}
FQDN: Schema = {"type": "string", "minLength": 2, "maxLength": 255,
                "pattern": "^[a-zA-Z0-9-._]*$"}
PERSONALITY: Schema = {"type": "array", "items": {
    "type": "object", "additionalProperties": False,
    "properties": {"path": {"type": "string"}, "contents": {"type": "string"}}}}
TRUSTED_CERTS: Schema = {"type": ["array", "null"], "minItems": 1, "maxItems": 50,
                         "uniqueItems": True, "items": {"type": "string", "minLength": 1}}
USER_DATA: Schema = {"type": "string", "maxLength": 65535}


def obj(props: dict[str, Schema], required: tuple[str, ...] = (), *,
        extra: bool = False) -> Schema:
    return {"type": "object", "properties": props, "required": list(required),
            "additionalProperties": extra}


def wrap(key: str, inner: Schema) -> Schema:
    return obj({key: inner}, (key,))


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


# -- flavors --------------------------------------------------------------------------------
@lru_cache
def flavor_create(mv: int) -> Schema:
    props: dict[str, Schema] = {
        "name": NAME, "ram": FLAVOR_INT, "vcpus": FLAVOR_INT,
        "disk": {**FLAVOR_INT, "minimum": 0}, "OS-FLV-EXT-DATA:ephemeral": {**FLAVOR_INT,
                                                                          "minimum": 0},
        "swap": {"anyOf": [{**FLAVOR_INT, "minimum": 0}, {"type": "string", "maxLength": 0}]},
        "id": {"type": ["string", "null", "integer"], "minLength": 1, "maxLength": 255,
               "pattern": r"^(?! )[a-zA-Z0-9. _-]+(?<! )$"},
        "os-flavor-access:is_public": BOOLEAN,
    }
    if mv < 102:
        props["rxtx_factor"] = {"type": ["number", "string"], "pattern": r"^[0-9]+(\.[0-9]+)?$",
                                "minimum": 0.0000001, "maximum": 3.40282e38}
    if mv >= 55:
        props["description"] = {**DESCRIPTION, "maxLength": 65535}
    return wrap("flavor", obj(props, ("name", "ram", "vcpus", "disk")))


FLAVOR_UPDATE = wrap("flavor", obj({"description": {**DESCRIPTION, "maxLength": 65535}},
                                   ("description",)))
EXTRA_SPEC_KEY = r"^[a-zA-Z0-9-_:. ]{1,255}$"
EXTRA_SPEC_VALUE: Schema = {"type": ["string", "number", "boolean"], "maxLength": 255}
EXTRA_SPECS = wrap("extra_specs", {"type": "object", "additionalProperties": False,
                                   "patternProperties": {EXTRA_SPEC_KEY: EXTRA_SPEC_VALUE}})
EXTRA_SPEC_ONE: Schema = {"type": "object", "minProperties": 1, "maxProperties": 1,
                          "additionalProperties": False,
                          "patternProperties": {EXTRA_SPEC_KEY: EXTRA_SPEC_VALUE}}
FLAVOR_ACCESS_ADD = wrap("addTenantAccess", obj({"tenant": {"type": "string", "minLength": 1,
                                                            "maxLength": 255}}, ("tenant",)))
FLAVOR_ACCESS_REMOVE = wrap("removeTenantAccess", obj({"tenant": {
    "type": "string", "minLength": 1, "maxLength": 255}}, ("tenant",)))


# -- keypairs -------------------------------------------------------------------------------
@lru_cache
def keypair_create(mv: int) -> Schema:
    props: dict[str, Schema] = {"name": {"type": "string", "minLength": 1, "maxLength": 255},
                                "public_key": {"type": "string"}}
    if mv >= 2:
        props["type"] = {"type": "string", "enum": ["ssh", "x509"]}
    if mv >= 10:
        props["user_id"] = {"type": "string", "minLength": 1, "maxLength": 255}
    required = ("name", "public_key") if mv >= 92 else ("name",)
    return wrap("keypair", obj(props, required))


# -- servers --------------------------------------------------------------------------------
def _network_item(mv: int) -> Schema:
    props: dict[str, Schema] = {"fixed_ip": IP, "port": {"type": ["string", "null"],
                                                         "format": "uuid"},
                                "uuid": UUID if mv >= 37 else {"type": "string"}}
    if mv >= 32 and mv != 33 or mv >= 42:
        props["tag"] = TAG
    return obj(props)


def _bdm_v2(mv: int) -> Schema:
    props: dict[str, Schema] = {
        "virtual_name": {"type": "string", "maxLength": 255}, "volume_id": UUID,
        "snapshot_id": UUID, "volume_size": {**FLAVOR_INT},
        "device_name": {"type": "string", "minLength": 1, "maxLength": 255,
                        "pattern": "^[a-zA-Z0-9._/-]*$"},
        "delete_on_termination": BOOLEAN, "no_device": {},
        "connection_info": {"type": "string", "maxLength": 16777215},
        "source_type": {"type": "string", "enum": ["volume", "image", "snapshot", "blank"]},
        "uuid": {"type": "string", "minLength": 1, "maxLength": 255,
                 "pattern": "^[a-zA-Z0-9._-]*$"},
        "image_id": UUID, "destination_type": {"type": "string", "enum": ["local", "volume"]},
        "guest_format": {"type": "string", "maxLength": 255},
        "device_type": {"type": "string", "maxLength": 255},
        "disk_bus": {"type": "string", "maxLength": 255},
        "boot_index": {"type": ["integer", "string", "null"], "pattern": "^-?[0-9]+$"},
    }
    if mv >= 32 and mv != 33 or mv >= 42:
        props["tag"] = TAG
    if mv >= 67:
        props["volume_type"] = {"type": ["string", "null"], "minLength": 0, "maxLength": 255}
    return obj(props)


HINTS: Schema = {"type": "object", "additionalProperties": True, "properties": {
    "group": {"anyOf": [UUID, {"type": "array", "items": UUID}]},
    "different_host": {"anyOf": [UUID, {"type": "array", "items": UUID}]},
    "same_host": {"anyOf": [UUID, {"type": "array", "items": UUID}]},
    "query": {"type": ["string", "object"]}, "target_cell": NAME,
    "different_cell": {"type": ["string", "array"], "items": {"type": "string"}},
    "build_near_host_ip": IP, "cidr": {"type": "string", "pattern": "^/[0-9a-f.:]+$"}}}


@lru_cache
def server_create(mv: int) -> Schema:
    nets: Schema = {"type": "array", "items": _network_item(mv)}
    if mv >= 37:
        nets = {"anyOf": [nets, {"type": "string", "enum": ["none", "auto"]}]}
    props: dict[str, Schema] = {
        "name": NAME, "imageRef": {"anyOf": [UUID, {"type": "string", "maxLength": 0}]},
        "flavorRef": {"type": ["string", "integer"], "minLength": 1},
        "adminPass": {"type": "string"}, "metadata": METADATA, "networks": nets,
        "OS-DCF:diskConfig": DISK_CONFIG, "accessIPv4": ACCESS_V4, "accessIPv6": ACCESS_V6,
        "availability_zone": NAME,
        "block_device_mapping": {"type": "array", "items": _bdm_v2(1)},
        "block_device_mapping_v2": {"type": "array", "items": _bdm_v2(mv)},
        "config_drive": BOOLEAN, "key_name": NAME, "min_count": POS_INT,
        "max_count": POS_INT, "return_reservation_id": BOOLEAN,
        "security_groups": {"type": "array", "items": obj({"name": NAME})},
        "user_data": USER_DATA,
    }
    if mv < 57:
        props["personality"] = PERSONALITY
    if mv >= 19:
        props["description"] = DESCRIPTION
    if mv >= 52:
        props["tags"] = {"type": "array", "items": TAG, "maxItems": 50}
    if mv >= 63:
        props["trusted_image_certificates"] = TRUSTED_CERTS
    if mv >= 74:
        props["host"] = FQDN
        props["hypervisor_hostname"] = FQDN
    if mv >= 90:
        props["hostname"] = FQDN if mv >= 94 else HOSTNAME
    required = ("name", "flavorRef", "networks") if mv >= 37 else ("name", "flavorRef")
    return obj({"server": obj(props, required), "os:scheduler_hints": HINTS,
                "OS-SCH-HNT:scheduler_hints": HINTS}, ("server",))


@lru_cache
def server_update(mv: int) -> Schema:
    props: dict[str, Schema] = {"name": NAME, "OS-DCF:diskConfig": DISK_CONFIG,
                                "accessIPv4": ACCESS_V4, "accessIPv6": ACCESS_V6}
    if mv >= 19:
        props["description"] = DESCRIPTION
    if mv >= 90:
        props["hostname"] = FQDN if mv >= 94 else HOSTNAME
    if mv >= 104:
        props["pinned_availability_zone"] = {"type": ["string", "null"], "minLength": 1,
                                             "maxLength": 255}
    return wrap("server", obj(props))


@lru_cache
def rebuild(mv: int) -> Schema:
    props: dict[str, Schema] = {
        "imageRef": UUID, "name": NAME, "adminPass": {"type": "string"},
        "metadata": METADATA, "OS-DCF:diskConfig": DISK_CONFIG, "accessIPv4": ACCESS_V4,
        "accessIPv6": ACCESS_V6, "preserve_ephemeral": BOOLEAN}
    if mv < 57:
        props["personality"] = PERSONALITY
    if mv >= 19:
        props["description"] = DESCRIPTION
    if mv >= 54:
        props["key_name"] = {"type": ["string", "null"], "minLength": 1, "maxLength": 255}
    if mv >= 57:
        props["user_data"] = {"type": ["string", "null"], "maxLength": 65535}
    if mv >= 63:
        props["trusted_image_certificates"] = TRUSTED_CERTS
    if mv >= 90:
        props["hostname"] = FQDN if mv >= 94 else HOSTNAME
    return wrap("rebuild", obj(props, ("imageRef",)))


RESIZE = wrap("resize", obj({"flavorRef": {"type": ["string", "integer"], "minLength": 1},
                             "OS-DCF:diskConfig": DISK_CONFIG}, ("flavorRef",)))
REBOOT = wrap("reboot", obj({"type": {"type": "string",
                                      "enum": ["HARD", "Hard", "hard", "SOFT", "Soft",
                                               "soft"]}}, ("type",)))
CREATE_IMAGE = wrap("createImage", obj({"name": NAME, "metadata": METADATA}, ("name",)))
CREATE_BACKUP = wrap("createBackup", obj({"name": NAME, "backup_type": {"type": "string"},
                                          "rotation": NON_NEG_INT, "metadata": METADATA},
                                         ("name", "backup_type", "rotation")))
RESCUE = {"type": "object", "properties": {"rescue": {"type": ["object", "null"],
          "properties": {"adminPass": {"type": "string"}, "rescue_image_ref": UUID},
          "additionalProperties": False}}, "required": ["rescue"],
          "additionalProperties": False}
RESET_STATE = wrap("os-resetState", obj({"state": {"type": "string",
                                                   "enum": ["active", "error"]}}, ("state",)))
CHANGE_PASSWORD = wrap("changePassword", obj({"adminPass": {"type": "string"}},
                                             ("adminPass",)))
CONSOLE_OUTPUT = wrap("os-getConsoleOutput", {"type": ["object", "null"], "properties": {
    "length": {"type": ["integer", "string", "null"], "pattern": "^-?[0-9]+$",
               "minimum": -1}}, "additionalProperties": False})
SECURITY_GROUP = obj({"name": NAME}, ("name",))


@lru_cache
def live_migrate(mv: int) -> Schema:
    props: dict[str, Schema] = {"host": {"type": ["string", "null"], "maxLength": 255},
                                "block_migration": BOOLEAN if mv < 25 else
                                {"anyOf": [BOOLEAN, {"enum": ["auto"]}]}}
    required: tuple[str, ...] = ("block_migration", "host")
    if mv < 25:
        props["disk_over_commit"] = BOOLEAN
        required = ("block_migration", "disk_over_commit", "host")
    if 30 <= mv < 68:
        props["force"] = BOOLEAN
    return wrap("os-migrateLive", obj(props, required))


@lru_cache
def migrate(mv: int) -> Schema:
    inner: Schema = {"type": ["object", "null"], "additionalProperties": False,
                     "properties": {"host": {"type": ["string", "null"], "maxLength": 255}}
                     if mv >= 56 else {}}
    return wrap("migrate", inner)


@lru_cache
def unshelve(mv: int) -> Schema:
    props: dict[str, Schema] = {}
    if mv >= 77:
        props["availability_zone"] = {"type": ["string", "null"]}
    if mv >= 91:
        props["host"] = FQDN
    return wrap("unshelve", {"type": ["object", "null"], "properties": props,
                             "additionalProperties": False})


@lru_cache
def lock(mv: int) -> Schema:
    props = {"locked_reason": {"type": "string", "minLength": 1, "maxLength": 255}} \
        if mv >= 73 else {}
    return wrap("lock", {"type": ["object", "null"], "properties": props,
                         "additionalProperties": False})


def bare(action: str) -> Schema:
    """An action whose value must be null (or an empty object)."""
    return wrap(action, {"type": ["null", "object"], "additionalProperties": False,
                         "properties": {}})


METADATA_BODY = wrap("metadata", METADATA)
META_ITEM = wrap("meta", {**METADATA, "minProperties": 1, "maxProperties": 1})
TAGS_BODY = wrap("tags", {"type": "array", "items": TAG, "maxItems": 50})
