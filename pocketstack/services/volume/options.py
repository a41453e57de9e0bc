"""Block Storage options, taken from Settings once."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

QUOTA_RESOURCES = ("volumes", "snapshots", "gigabytes", "backups", "backup_gigabytes",
                   "per_volume_gigabytes", "groups")
DEFAULT_TYPE = "__DEFAULT__"


@dataclass
class VolumeOptions:
    driver: str = "file"
    volume_dir: Path = Path("volumes")
    backup_dir: Path = Path("volume-backups")
    host: str = field(default_factory=socket.gethostname)
    availability_zone: str = "nova"
    default_type: str = DEFAULT_TYPE
    workers: int = 4
    reconcile_interval: float = 10.0
    reflink: bool = True
    quotas: dict[str, int] = field(default_factory=lambda: {
        "volumes": 10, "snapshots": 10, "gigabytes": 1000, "backups": 10,
        "backup_gigabytes": 1000, "per_volume_gigabytes": -1, "groups": 10})

    @property
    def backend(self) -> str:
        """Cinder's host@backend#pool."""
        return f"{self.host}@{self.driver}#{self.driver}"

    @classmethod
    def from_settings(cls, settings: Any) -> VolumeOptions:
        data_dir = Path(settings.data_dir)
        return cls(
            driver=settings.volume_driver,
            volume_dir=Path(settings.volume_dir) if settings.volume_dir else data_dir / "volumes",
            backup_dir=(Path(settings.volume_backup_dir) if settings.volume_backup_dir
                        else data_dir / "volume-backups"),
            host=settings.volume_host or socket.gethostname(),
            availability_zone=settings.volume_availability_zone,
            default_type=settings.volume_default_type,
            workers=settings.volume_workers,
            reconcile_interval=settings.volume_reconcile_interval,
            reflink=settings.volume_reflink,
            quotas={r: getattr(settings, f"volume_quota_{r}") for r in QUOTA_RESOURCES},
        )
