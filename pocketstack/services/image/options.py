"""Image service options (environment prefix POCKETSTACK_IMAGE_), with Glance's defaults.

Quotas follow Glance's Keystone unified-limit names; a negative value means unlimited.
Sizes of the size quotas are in MiB, as Glance counts them.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DISK_FORMATS = ["ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso",
                "ploop"]
CONTAINER_FORMATS = ["ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed"]
IMPORT_METHODS = ["glance-direct", "web-download", "copy-image", "glance-download"]


class ImageOptions(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="POCKETSTACK_IMAGE_", extra="ignore")

    store_dir: Path | None = Field(None, description="Directory of the local store "
                                   "(default: <data_dir>/images).")
    count_total: int = Field(-1, description="Images a project may own (image_count_total).")
    size_total: int = Field(-1, description="MiB of image data a project may store "
                            "(image_size_total).")
    stage_total: int = Field(-1, description="MiB a project may have staged for import "
                             "(image_stage_total).")
    count_uploading: int = Field(-1, description="Uploads and imports a project may run at "
                                 "once (image_count_uploading).")
    image_size_cap: int = Field(1 << 40, description="Largest image accepted, in bytes.")
    member_quota: int = Field(128, description="Members an image may have.")
    tag_quota: int = Field(128, description="Tags an image may have.")
    property_quota: int = Field(128, description="Custom properties an image may have.")
    hashing_algorithm: str = Field("sha512", description="os_hash_algo of uploaded data.")
    disk_formats: list[str] = Field(default_factory=lambda: list(DISK_FORMATS))
    container_formats: list[str] = Field(default_factory=lambda: list(CONTAINER_FORMATS))
    import_methods: list[str] = Field(default_factory=lambda: list(IMPORT_METHODS),
                                      description="Interoperable import methods offered.")
    allowed_schemes: list[str] = Field(default_factory=lambda: ["http", "https"],
                                       description="URL schemes web-download may fetch.")
    allowed_ports: list[int] = Field(default_factory=list, description="Ports web-download "
                                     "may fetch from (empty: any).")
    disallowed_hosts: list[str] = Field(default_factory=lambda: ["169.254.169.254"],
                                        description="Hosts web-download must not fetch from "
                                        "(default: the metadata service address).")
    download_timeout: float = Field(60.0, description="Seconds a web-download may stall.")
    glance_download_properties: list[str] = Field(
        default_factory=lambda: ["hw_", "trait:", "os_distro", "os_secure_boot", "os_type"],
        description="Properties (or prefixes) glance-download copies from the remote image.")
    limit_param_default: int = Field(25, description="Page size of image lists.")
    api_limit_max: int = Field(1000, description="Largest page size of image lists.")
