"""The JSON-schema documents of the Image API (GET /v2/schemas/...), as Glance publishes
them: clients such as python-glanceclient read them to know the image attributes."""

from __future__ import annotations

from typing import Any

from pocketstack.services.image.options import ImageOptions

UUID_PATTERN = ("^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}"
                "-([0-9a-fA-F]){12}$")
KEYS_DOC = "https://docs.openstack.org/python-glanceclient/latest/cli/property-keys.html"


def _s(description: str, type_: Any = "string", **extra: Any) -> dict[str, Any]:
    return {"description": description, "type": type_, **extra}


def _ro(description: str, type_: Any = "string", **extra: Any) -> dict[str, Any]:
    return _s(description, type_, readOnly=True, **extra)


def image_properties(options: ImageOptions) -> dict[str, Any]:
    null_str = ["null", "string"]
    return {
        "id": _s("An identifier for the image", pattern=UUID_PATTERN),
        "name": _s("Descriptive name for the image", null_str, maxLength=255),
        "status": _ro("Status of the image", enum=[
            "queued", "saving", "active", "killed", "deleted", "uploading", "importing",
            "pending_delete", "deactivated"]),
        "visibility": _s("Scope of image accessibility",
                         enum=["community", "public", "private", "shared"]),
        "protected": _s("If true, image will not be deletable.", "boolean"),
        "os_hidden": _s("If true, image will not appear in default image list response.",
                        "boolean"),
        "checksum": _ro("md5 hash of image contents.", null_str, maxLength=32),
        "os_hash_algo": _ro("Algorithm to calculate the os_hash_value", null_str, maxLength=64),
        "os_hash_value": _ro("Hexdigest of the image contents using the algorithm specified "
                             "by the os_hash_algo", null_str, maxLength=128),
        "owner": _s("Owner of the image", null_str, maxLength=255),
        "size": _ro("Size of image file in bytes", ["null", "integer"]),
        "virtual_size": _ro("Virtual size of image in bytes", ["null", "integer"]),
        "container_format": _s("Format of the container", null_str,
                               enum=[None, *options.container_formats]),
        "disk_format": _s("Format of the disk", null_str, enum=[None, *options.disk_formats]),
        "created_at": _ro("Date and time of image registration"),
        "updated_at": _ro("Date and time of the last image modification"),
        "tags": _s("List of strings related to the image", "array",
                   items={"type": "string", "maxLength": 255}),
        "direct_url": _ro("URL to access the image file kept in external store"),
        "min_ram": _s("Amount of ram (in MB) required to boot image.", "integer"),
        "min_disk": _s("Amount of disk space (in GB) required to boot image.", "integer"),
        "self": _ro("An image self url"),
        "file": _ro("An image file url"),
        "stores": _ro("Store in which image data resides.  Only present when the operator "
                      "has enabled multiple stores.  May be a comma-separated list of store "
                      "identifiers."),
        "schema": _ro("An image schema url"),
        "locations": _s("A set of URLs to access the image file kept in external store",
                        "array", items={"type": "object", "required": ["url", "metadata"],
                                        "properties": {"url": {"type": "string",
                                                               "maxLength": 255},
                                                       "metadata": {"type": "object"}}}),
        "kernel_id": _s("ID of image stored in Glance that should be used as the kernel when "
                        "booting an AMI-style image.", null_str, pattern=UUID_PATTERN,
                        is_base=False),
        "ramdisk_id": _s("ID of image stored in Glance that should be used as the ramdisk "
                         "when booting an AMI-style image.", null_str, pattern=UUID_PATTERN,
                         is_base=False),
        "instance_uuid": _s("Metadata which can be used to record which instance this image "
                            "is associated with. (Informational only, does not create an "
                            "instance snapshot.)", is_base=False),
        "architecture": _s(f"Operating system architecture as specified in {KEYS_DOC}",
                           is_base=False),
        "os_distro": _s(f"Common name of operating system distribution as specified in "
                        f"{KEYS_DOC}", is_base=False),
        "os_version": _s("Operating system version as specified by the distributor",
                         is_base=False),
    }


def image(options: ImageOptions) -> dict[str, Any]:
    return {"name": "image", "properties": image_properties(options),
            "additionalProperties": {"type": "string"},
            "links": [{"rel": "self", "href": "{self}"}, {"rel": "enclosure", "href": "{file}"},
                      {"rel": "describedby", "href": "{schema}"}]}


def images(options: ImageOptions) -> dict[str, Any]:
    return {"name": "images",
            "properties": {"images": {"type": "array", "items": image(options)},
                           "schema": {"type": "string"}, "first": {"type": "string"},
                           "next": {"type": "string"}},
            "links": [{"rel": "first", "href": "{first}"}, {"rel": "next", "href": "{next}"},
                      {"rel": "describedby", "href": "{schema}"}]}


def member() -> dict[str, Any]:
    return {"name": "member", "properties": {
        "created_at": _s("Date and time of image member creation"),
        "image_id": _s("An identifier for the image", pattern=UUID_PATTERN),
        "member_id": _s("An identifier for the image member (tenantId)"),
        "schema": {"readOnly": True, "type": "string"},
        "status": _s("The status of this image member",
                     enum=["pending", "accepted", "rejected"]),
        "updated_at": _s("Date and time of last modification of image member"),
    }}


def members() -> dict[str, Any]:
    return {"name": "members",
            "properties": {"members": {"type": "array", "items": member()},
                           "schema": {"type": "string"}},
            "links": [{"rel": "describedby", "href": "{schema}"}]}


def task() -> dict[str, Any]:
    return {"name": "task", "properties": {
        "id": _s("An identifier for the task", pattern=UUID_PATTERN),
        "type": _s("The type of task represented by this content",
                   enum=["import", "api_image_import"]),
        "status": _s("The current status of this task",
                     enum=["pending", "processing", "success", "failure"]),
        "input": _s("The parameters required by task, JSON blob", ["null", "object"]),
        "result": _s("The result of current task, JSON blob", ["null", "object"]),
        "owner": _s("An identifier for the owner of this task"),
        "message": _s("Human-readable informative message only included when appropriate "
                      "(usually on failure)"),
        "image_id": _ro("Image associated with the task"),
        "request_id": _ro("Human-readable informative request-id"),
        "user_id": _ro("User associated with the task"),
        "expires_at": _s("Datetime when this resource would be subject to removal",
                         ["null", "string"]),
        "created_at": _s("Datetime when this resource was created"),
        "updated_at": _s("Datetime when this resource was updated"),
        "self": {"type": "string"}, "schema": {"type": "string"},
    }, "links": [{"rel": "self", "href": "{self}"}, {"rel": "describedby", "href": "{schema}"}]}


def tasks() -> dict[str, Any]:
    return {"name": "tasks",
            "properties": {"tasks": {"type": "array", "items": task()},
                           "schema": {"type": "string"}, "first": {"type": "string"},
                           "next": {"type": "string"}},
            "links": [{"rel": "first", "href": "{first}"}, {"rel": "next", "href": "{next}"},
                      {"rel": "describedby", "href": "{schema}"}]}


def document(name: str, options: ImageOptions) -> dict[str, Any] | None:
    builders = {"image": lambda: image(options), "images": lambda: images(options),
                "member": member, "members": members, "task": task, "tasks": tasks}
    build = builders.get(name)
    return build() if build else None
