"""The compute settings, resolved once (Settings -> ComputeOptions)."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from typing import Any

from pocketstack.config import Settings

QUOTA_RESOURCES = ("instances", "cores", "ram", "metadata_items", "key_pairs",
                   "server_groups", "server_group_members", "injected_files",
                   "injected_file_content_bytes", "injected_file_path_bytes")


@dataclass
class ComputeOptions:
    fake_hosts: int = 1
    host_vcpus: int = 32
    host_memory_mb: int = 131072
    host_disk_gb: int = 2048
    fake_boot_delay: float = 0.0
    cpu_ratio: float = 4.0
    ram_ratio: float = 1.0
    disk_ratio: float = 1.0
    reserved_memory_mb: int = 512
    weigher: str = "spread"
    host_subset_size: int = 1
    default_az: str = "nova"
    internal_az: str = "internal"
    default_schedule_zone: str | None = None
    workers: int = 8
    reconcile_interval: float = 5.0
    service_down_time: int = 60
    shelved_offload_time: int = 0
    quota_defaults: dict[str, int] = field(default_factory=dict)
    public_url: str = "http://127.0.0.1:5000"

    @classmethod
    def from_settings(cls, s: Settings) -> ComputeOptions:
        quotas = {r: int(getattr(s, f"compute_quota_{r}")) for r in QUOTA_RESOURCES}
        return cls(fake_hosts=s.compute_fake_hosts, host_vcpus=s.compute_fake_host_vcpus,
                   host_memory_mb=s.compute_fake_host_memory_mb,
                   host_disk_gb=s.compute_fake_host_disk_gb,
                   fake_boot_delay=s.compute_fake_boot_delay,
                   cpu_ratio=s.compute_cpu_allocation_ratio,
                   ram_ratio=s.compute_ram_allocation_ratio,
                   disk_ratio=s.compute_disk_allocation_ratio,
                   reserved_memory_mb=s.compute_reserved_host_memory_mb,
                   weigher=s.compute_scheduler_weigher,
                   host_subset_size=s.compute_scheduler_host_subset_size,
                   default_az=s.compute_default_availability_zone,
                   internal_az=s.compute_internal_availability_zone,
                   default_schedule_zone=s.compute_default_schedule_zone,
                   workers=s.compute_workers, reconcile_interval=s.compute_reconcile_interval,
                   service_down_time=s.compute_service_down_time,
                   shelved_offload_time=s.compute_shelved_offload_time,
                   quota_defaults=quotas, public_url=s.public_url)

    def fake_host_names(self) -> list[str]:
        base = socket.gethostname().split(".")[0] or "compute"
        if self.fake_hosts == 1:
            return [base]
        width = max(3, len(str(self.fake_hosts)))
        return [f"{base}-{i:0{width}d}" for i in range(1, self.fake_hosts + 1)]

    def describe(self) -> dict[str, Any]:
        return {"fake_hosts": self.fake_hosts, "weigher": self.weigher}
