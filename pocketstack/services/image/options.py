"""The image settings, resolved once (Settings -> ImageOptions), with Glance's defaults.

The options themselves (POCKETSTACK_IMAGE_*) are documented in pocketstack/config.py.
Quotas follow Glance's Keystone unified-limit names; a negative value means unlimited.
Sizes of the size quotas are in MiB, as Glance counts them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pocketstack.config import (
    IMAGE_CONTAINER_FORMATS,
    IMAGE_DISK_FORMATS,
    IMAGE_GLANCE_DOWNLOAD_PROPERTIES,
    IMAGE_IMPORT_METHODS,
    Settings,
)

DISK_FORMATS = IMAGE_DISK_FORMATS
CONTAINER_FORMATS = IMAGE_CONTAINER_FORMATS
IMPORT_METHODS = IMAGE_IMPORT_METHODS


@dataclass
class ImageOptions:
    store_dir: Path | None = None
    count_total: int = -1
    size_total: int = -1
    stage_total: int = -1
    count_uploading: int = -1
    image_size_cap: int = 1 << 40
    member_quota: int = 128
    tag_quota: int = 128
    property_quota: int = 128
    hashing_algorithm: str = "sha512"
    disk_formats: list[str] = field(default_factory=lambda: list(DISK_FORMATS))
    container_formats: list[str] = field(default_factory=lambda: list(CONTAINER_FORMATS))
    import_methods: list[str] = field(default_factory=lambda: list(IMPORT_METHODS))
    allowed_schemes: list[str] = field(default_factory=lambda: ["http", "https"])
    allowed_ports: list[int] = field(default_factory=list)
    disallowed_hosts: list[str] = field(default_factory=lambda: ["169.254.169.254"])
    download_timeout: float = 60.0
    glance_download_properties: list[str] = field(
        default_factory=lambda: list(IMAGE_GLANCE_DOWNLOAD_PROPERTIES))
    limit_param_default: int = 25
    api_limit_max: int = 1000

    @classmethod
    def from_settings(cls, s: Settings) -> ImageOptions:
        return cls(
            store_dir=Path(s.image_store_dir) if s.image_store_dir else s.data_dir / "images",
            count_total=s.image_count_total, size_total=s.image_size_total,
            stage_total=s.image_stage_total, count_uploading=s.image_count_uploading,
            image_size_cap=s.image_size_cap, member_quota=s.image_member_quota,
            tag_quota=s.image_tag_quota, property_quota=s.image_property_quota,
            hashing_algorithm=s.image_hashing_algorithm,
            disk_formats=list(s.image_disk_formats),
            container_formats=list(s.image_container_formats),
            import_methods=list(s.image_import_methods),
            allowed_schemes=list(s.image_allowed_schemes),
            allowed_ports=list(s.image_allowed_ports),
            disallowed_hosts=list(s.image_disallowed_hosts),
            download_timeout=s.image_download_timeout,
            glance_download_properties=list(s.image_glance_download_properties),
            limit_param_default=s.image_limit_param_default,
            api_limit_max=s.image_api_limit_max)
