"""The one settings object: environment (POCKETSTACK_*), an optional TOML file, CLI overrides.

Every option is documented here with its default; docs/configuration.md is generated from
this class by ``pocketstack config --docs``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict


def default_data_dir() -> Path:
    """The user's data home ($XDG_DATA_HOME or ~/.local/share) plus 'pocketstack'."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "pocketstack"


# Glance's defaults for the image service's list options.
IMAGE_DISK_FORMATS = ["ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso",
                      "ploop"]
IMAGE_CONTAINER_FORMATS = ["ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed"]
IMAGE_IMPORT_METHODS = ["glance-direct", "web-download", "copy-image", "glance-download"]
IMAGE_GLANCE_DOWNLOAD_PROPERTIES = ["hw_", "trait:", "os_distro", "os_secure_boot", "os_type"]


class Settings(BaseSettings):
    """All pocketstack options. Environment variables use the POCKETSTACK_ prefix."""

    model_config = SettingsConfigDict(env_prefix="POCKETSTACK_", extra="ignore")

    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Where state lives: database, keys, images, volumes, logs.",
    )
    host: str = Field("127.0.0.1", description="Address the API listens on.")
    port: int = Field(5000, ge=0, le=65535, description="The one port that serves every API.")
    public_host: str | None = Field(
        None, description="Host name published in the catalog (default: the listen host)."
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL. Default: SQLite file pocketstack.db in the data dir. "
        "PostgreSQL: postgresql+psycopg://user:pass@host/db.",
    )
    admin_password: str | None = Field(
        None,
        description="Admin password. Default: generated on first start, stored 0600 in the "
        "data dir (admin-password).",
    )
    region: str = Field("RegionOne", description="Region created at bootstrap.")
    token_expiration: int = Field(3600, ge=60, description="Token lifetime in seconds.")
    max_request_body: int = Field(
        1024 * 1024, ge=1024, description="Largest JSON request body accepted, in bytes."
    )
    api_threads: int | None = Field(
        None, ge=1, le=256, description="Threads that run the API's blocking request handlers "
        "(their database work); none: 3 on SQLite, 16 on PostgreSQL. Python runs one thread "
        "at a time, so on SQLite more threads add no speed: under load they only contend for "
        "the interpreter lock, taking it from the threads that move servers forward (see "
        "docs/benchmarks.md). Handlers that wait on a network database need more."
    )
    log_level: str = Field("INFO", description="Log level: DEBUG, INFO, WARNING, ERROR.")
    log_requests: bool = Field(True, description="Log one line per request.")
    password_hash_memory_kib: int = Field(
        19456, ge=19456, description="argon2id memory cost (OWASP minimum: 19 MiB)."
    )
    password_hash_time_cost: int = Field(2, ge=2, description="argon2id iterations.")
    password_history_count: int = Field(
        0, ge=0, description="How many recent passwords a user may not reuse when changing "
        "their own (Keystone's unique_last_password_count; 0 disables the check)."
    )
    lockout_failure_attempts: int = Field(
        0, ge=0, description="Failed password logins before a user is locked out (0: never)."
    )
    lockout_duration: int = Field(
        1800, ge=1, description="Seconds a locked-out user stays locked."
    )
    clouds_yaml: str = Field(
        "~/.config/openstack/clouds.yaml",
        description="clouds.yaml to merge the 'pocketstack' and 'pocketstack-demo' clouds into "
        "(a copy is always written to the data dir); 'none' to skip.",
    )
    config_file: Path | None = Field(None, description="Optional TOML file with these options.")
    # Networking (Neutron ML2 semantics) ----------------------------------------------
    network_tenant_network_types: str = Field(
        "vxlan", description="Segment types given to project networks, in order of preference "
        "(comma-separated: vxlan, gre, vlan, local)."
    )
    network_vxlan_vni_ranges: str = Field(
        "1:16000000", description="VXLAN VNIs for project networks: 'min:max[,min:max...]'."
    )
    network_gre_id_ranges: str = Field(
        "1:1000", description="GRE tunnel ids for project networks: 'min:max[,min:max...]'."
    )
    network_vlan_ranges: str = Field(
        "physnet1:1000:2999", description="Physical networks that carry VLANs, each with an "
        "optional range for project networks: 'physnet[:min:max][,...]'."
    )
    network_flat_networks: str = Field(
        "*", description="Physical networks allowed for flat networks ('*' = any)."
    )
    network_global_physnet_mtu: int = Field(
        1500, ge=68, description="MTU of the underlying physical network; overlay networks "
        "get it less the encapsulation overhead (VXLAN 50, GRE 42)."
    )
    network_base_mac: str = Field(
        "fa:16:3e:00:00:00", description="Base MAC for ports: the first three octets are kept."
    )
    network_max_dns_nameservers: int = Field(5, ge=0, description="DNS servers per subnet.")
    network_max_host_routes: int = Field(20, ge=0, description="Host routes per subnet.")
    network_max_routes: int = Field(30, ge=0, description="Static routes per router.")
    network_quota_network: int = Field(100, description="Default networks per project (-1: no limit).")
    network_quota_subnet: int = Field(100, description="Default subnets per project.")
    network_quota_port: int = Field(500, description="Default ports per project.")
    network_quota_router: int = Field(10, description="Default routers per project.")
    network_quota_floatingip: int = Field(50, description="Default floating IPs per project.")
    network_quota_security_group: int = Field(10, description="Default security groups per project.")
    network_quota_security_group_rule: int = Field(
        100, description="Default security group rules per project."
    )
    network_quota_rbac_policy: int = Field(10, description="Default RBAC policies per project.")
    network_quota_subnetpool: int = Field(-1, description="Default subnet pools per project.")
    network_agent_down_time: int = Field(
        75, ge=1, description="Seconds without a heartbeat after which an agent is reported down."
    )

    # Block storage (Cinder v3 semantics) ----------------------------------------------
    volume_driver: str = Field(
        "file", description="Volume back end: 'file' (sparse files, copy-on-write clones where "
        "the filesystem allows) or 'fake' (no disk; for tests)."
    )
    volume_dir: Path | None = Field(
        None, description="Where the file driver keeps volumes (default: <data_dir>/volumes)."
    )
    volume_backup_dir: Path | None = Field(
        None, description="Where volume backups are written (default: "
        "<data_dir>/volume-backups)."
    )
    volume_host: str | None = Field(
        None, description="Host name of the volume service, as in host@backend#pool "
        "(default: this machine's host name)."
    )
    volume_availability_zone: str = Field(
        "nova", description="Availability zone of volumes and backups (Cinder's "
        "storage_availability_zone)."
    )
    volume_default_type: str = Field(
        "__DEFAULT__", description="Volume type given to volumes created without one "
        "(created at start when missing)."
    )
    volume_workers: int = Field(
        4, ge=1, description="Threads that carry out long volume operations (create, copy "
        "from image, snapshot, backup, restore, extend, delete)."
    )
    volume_reconcile_interval: float = Field(
        10.0, gt=0, description="Seconds between passes of the volume reconciler, which "
        "resumes operations left unfinished (after a restart, or by another API process)."
    )
    volume_reflink: bool = Field(
        True, description="Clone volumes and snapshots with reflinks (copy-on-write) when the "
        "filesystem supports them; otherwise a sparse copy."
    )
    volume_quota_volumes: int = Field(10, description="Default volumes per project (-1: no limit).")
    volume_quota_snapshots: int = Field(10, description="Default volume snapshots per project.")
    volume_quota_gigabytes: int = Field(
        1000, description="Default GiB of volumes and snapshots per project."
    )
    volume_quota_backups: int = Field(10, description="Default volume backups per project.")
    volume_quota_backup_gigabytes: int = Field(
        1000, description="Default GiB of volume backups per project."
    )
    volume_quota_per_volume_gigabytes: int = Field(
        -1, description="Default largest volume, in GiB (-1: no limit)."
    )
    volume_quota_groups: int = Field(10, description="Default volume groups per project.")

    # Compute (Nova v2.1 semantics) ----------------------------------------------------
    compute_fake_hosts: int = Field(
        1, ge=0, le=10000, description="Simulated hypervisors run by the fake compute driver "
        "inside the server process (`pocketstack up --fake-hosts N`). One host is named after "
        "this machine; several are named <hostname>-001, -002, ..."
    )
    compute_fake_host_vcpus: int = Field(32, ge=1, description="vCPUs of each fake host.")
    compute_fake_host_memory_mb: int = Field(
        131072, ge=64, description="Memory of each fake host, in MiB."
    )
    compute_fake_host_disk_gb: int = Field(2048, ge=1, description="Disk of each fake host, in GiB.")
    compute_fake_boot_delay: float = Field(
        0.0, ge=0, description="Seconds a fake host takes to spawn a server (0: at once)."
    )
    compute_cpu_allocation_ratio: float = Field(
        4.0, gt=0, description="Virtual CPUs the scheduler may place per physical CPU."
    )
    compute_ram_allocation_ratio: float = Field(
        1.0, gt=0, description="Memory the scheduler may place per MiB of host memory."
    )
    compute_disk_allocation_ratio: float = Field(
        1.0, gt=0, description="Disk the scheduler may place per GiB of host disk."
    )
    compute_reserved_host_memory_mb: int = Field(
        512, ge=0, description="Memory of each host kept for the host itself, in MiB."
    )
    compute_scheduler_weigher: str = Field(
        "spread", description="How the scheduler ranks hosts that fit: 'spread' (most free "
        "memory first) or 'stack' (least free memory first)."
    )
    compute_scheduler_host_subset_size: int = Field(
        1, ge=1, description="Pick at random among this many best-ranked hosts (spreads "
        "concurrent boots; 1 always takes the best)."
    )
    compute_default_availability_zone: str = Field(
        "nova", description="Availability zone of hosts that are in no zone-carrying aggregate."
    )
    compute_internal_availability_zone: str = Field(
        "internal", description="Availability zone reported for control-plane compute services."
    )
    compute_default_schedule_zone: str | None = Field(
        None, description="Availability zone given to servers created without one (none: any)."
    )
    compute_workers: int = Field(
        8, ge=1, description="Threads that schedule servers and run the in-process compute "
        "agents of the fake hosts."
    )
    compute_reconcile_interval: float = Field(
        5.0, gt=0, description="Seconds between passes of the compute reconciler, which "
        "resumes servers left in a transitional state and sends host heartbeats."
    )
    compute_service_down_time: int = Field(
        60, ge=1, description="Seconds without a heartbeat after which a compute service is down."
    )
    compute_shelved_offload_time: int = Field(
        0, ge=-1, description="Seconds a shelved server keeps its host before it is offloaded "
        "(0: at once; -1: never)."
    )
    compute_quota_instances: int = Field(10, description="Default servers per project (-1: no limit).")
    compute_quota_cores: int = Field(20, description="Default vCPUs per project.")
    compute_quota_ram: int = Field(51200, description="Default MiB of server memory per project.")
    compute_quota_metadata_items: int = Field(128, description="Default metadata items per server.")
    compute_quota_key_pairs: int = Field(100, description="Default key pairs per user.")
    compute_quota_server_groups: int = Field(10, description="Default server groups per project.")
    compute_quota_server_group_members: int = Field(
        10, description="Default servers per server group."
    )
    compute_quota_injected_files: int = Field(5, description="Default injected files per server.")
    compute_quota_injected_file_content_bytes: int = Field(
        10240, description="Default size of an injected file, in bytes."
    )
    compute_quota_injected_file_path_bytes: int = Field(
        255, description="Default length of an injected file's path."
    )

    # Image (Glance v2 semantics) ------------------------------------------------------
    # Quotas follow Glance's Keystone unified-limit names; a negative value means unlimited.
    # List options take a JSON list in the environment, e.g. POCKETSTACK_IMAGE_ALLOWED_PORTS=
    # '[80, 443]', and an array in the TOML file (pydantic copies list defaults per instance).
    image_store_dir: Path | None = Field(
        None, description="Directory of the local image store (default: <data_dir>/images)."
    )
    image_count_total: int = Field(
        -1, description="Images a project may own (Glance's image_count_total; -1: no limit)."
    )
    image_size_total: int = Field(
        -1, description="MiB of image data a project may store (Glance's image_size_total; "
        "-1: no limit)."
    )
    image_stage_total: int = Field(
        -1, description="MiB a project may have staged for interoperable import (Glance's "
        "image_stage_total; -1: no limit)."
    )
    image_count_uploading: int = Field(
        -1, description="Uploads and imports a project may run at once (Glance's "
        "image_count_uploading; -1: no limit)."
    )
    image_size_cap: int = Field(
        1 << 40, description="Largest image accepted, in bytes (Glance's image_size_cap; "
        "default 1 TiB)."
    )
    image_member_quota: int = Field(
        128, description="Members an image may have (Glance's image_member_quota)."
    )
    image_tag_quota: int = Field(
        128, description="Tags an image may have (Glance's image_tag_quota)."
    )
    image_property_quota: int = Field(
        128, description="Custom properties an image may have (Glance's image_property_quota)."
    )
    image_hashing_algorithm: str = Field(
        "sha512", description="hashlib algorithm of the os_hash_algo/os_hash_value "
        "multihash computed over uploaded image data."
    )
    image_disk_formats: list[str] = Field(
        IMAGE_DISK_FORMATS, description="Disk formats an image may declare (JSON list)."
    )
    image_container_formats: list[str] = Field(
        IMAGE_CONTAINER_FORMATS, description="Container formats an image may declare "
        "(JSON list)."
    )
    image_import_methods: list[str] = Field(
        IMAGE_IMPORT_METHODS, description="Interoperable image import methods offered "
        "(JSON list)."
    )
    image_allowed_schemes: list[str] = Field(
        ["http", "https"], description="URL schemes the web-download import may fetch "
        "(JSON list)."
    )
    image_allowed_ports: list[int] = Field(
        [], description="Ports the web-download import may fetch from (JSON list; empty: any)."
    )
    image_disallowed_hosts: list[str] = Field(
        ["169.254.169.254"], description="Hosts the web-download import must not fetch from "
        "(JSON list; default: the metadata service address)."
    )
    image_download_timeout: float = Field(
        60.0, description="Seconds a web-download import may stall before it fails."
    )
    image_glance_download_properties: list[str] = Field(
        IMAGE_GLANCE_DOWNLOAD_PROPERTIES, description="Properties (or prefixes of them) the "
        "glance-download import copies from the remote image (JSON list)."
    )
    image_limit_param_default: int = Field(
        25, description="Page size of image lists when the request gives no limit."
    )
    image_api_limit_max: int = Field(
        1000, description="Largest page size of image lists (larger limits are lowered to it)."
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _TomlSource(settings_cls))

    # Derived values -----------------------------------------------------------------
    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'pocketstack.db'}"

    @property
    def api_thread_count(self) -> int:
        if self.api_threads is not None:
            return self.api_threads
        return 3 if self.db_url.startswith("sqlite") else 16

    @property
    def public_url(self) -> str:
        host = self.public_host or self.host
        if host in ("0.0.0.0", "::"):
            host = "127.0.0.1"
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @property
    def identity_url(self) -> str:
        return f"{self.public_url}/v3"


class _TomlSource(PydanticBaseSettingsSource):
    """Reads POCKETSTACK_CONFIG_FILE, or <data_dir>/pocketstack.toml when it exists."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        path = os.environ.get("POCKETSTACK_CONFIG_FILE")
        if not path:
            data_dir = os.environ.get("POCKETSTACK_DATA_DIR") or str(default_data_dir())
            candidate = Path(data_dir) / "pocketstack.toml"
            path = str(candidate) if candidate.exists() else None
        if not path:
            return {}
        import tomllib

        with open(path, "rb") as fh:
            return tomllib.load(fh)
