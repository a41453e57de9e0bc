"""Block Storage (Cinder v3) tables: volumes, attachments, snapshots, backups, volume types
(extra specs, access), QoS specs, quotas, transfers and services.

Rows are deleted for real (Cinder soft-deletes); ids are UUIDs and never reused. A row in a
transitional status (creating, extending, deleting, backing-up, ...) carries the operation
it waits for in ``task``: the worker converges it, and a restarted server resumes it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.db.base import Base, JSONText, UTCDateTime

UUID = String(36)
PROJECT = String(64)


class Volume(Base):
    __tablename__ = "volume_volumes"
    __table_args__ = (
        Index("ix_volume_volumes_project_created", "project_id", "created_at"),
    )
    id: Mapped[str] = mapped_column(UUID, primary_key=True)
    project_id: Mapped[str] = mapped_column(PROJECT)
    user_id: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(255), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    size: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(32), index=True)
    attach_status: Mapped[str] = mapped_column(String(32), default="detached")
    availability_zone: Mapped[str] = mapped_column(String(255))
    volume_type_id: Mapped[str | None] = mapped_column(UUID, index=True)
    snapshot_id: Mapped[str | None] = mapped_column(UUID, index=True)
    source_volid: Mapped[str | None] = mapped_column(UUID, index=True)
    image_id: Mapped[str | None] = mapped_column(UUID)
    backup_id: Mapped[str | None] = mapped_column(UUID)
    bootable: Mapped[bool] = mapped_column(Boolean, default=False)
    multiattach: Mapped[bool] = mapped_column(Boolean, default=False)
    host: Mapped[str | None] = mapped_column(String(255))
    migration_status: Mapped[str | None] = mapped_column(String(32))
    group_id: Mapped[str | None] = mapped_column(UUID)
    # Where the driver keeps the data (a file path for the file driver).
    provider_location: Mapped[str | None] = mapped_column(Text)
    # {"readonly": "True", "attached_mode": "rw", ...} as Cinder's admin metadata.
    admin_metadata: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    # The long operation this volume waits for: {"op": "create", ...}; None when settled.
    task: Mapped[dict[str, Any] | None] = mapped_column(JSONText)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    launched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class VolumeMetadata(Base):
    __tablename__ = "volume_volume_metadata"
    volume_id: Mapped[str] = mapped_column(
        ForeignKey("volume_volumes.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))


class VolumeImageMetadata(Base):
    """Properties of the image a volume was made from (volume_image_metadata)."""

    __tablename__ = "volume_image_metadata"
    volume_id: Mapped[str] = mapped_column(
        ForeignKey("volume_volumes.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Attachment(Base):
    __tablename__ = "volume_attachments"
    id: Mapped[str] = mapped_column(UUID, primary_key=True)
    volume_id: Mapped[str] = mapped_column(
        ForeignKey("volume_volumes.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[str | None] = mapped_column(PROJECT)
    instance_uuid: Mapped[str | None] = mapped_column(UUID, index=True)
    attached_host: Mapped[str | None] = mapped_column(String(255))
    mountpoint: Mapped[str | None] = mapped_column(String(255))
    attach_status: Mapped[str] = mapped_column(String(32))
    attach_mode: Mapped[str] = mapped_column(String(8), default="rw")
    connector: Mapped[dict[str, Any] | None] = mapped_column(JSONText)
    connection_info: Mapped[dict[str, Any] | None] = mapped_column(JSONText)
    attach_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    detach_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Snapshot(Base):
    __tablename__ = "volume_snapshots"
    __table_args__ = (
        Index("ix_volume_snapshots_project_created", "project_id", "created_at"),
    )
    id: Mapped[str] = mapped_column(UUID, primary_key=True)
    volume_id: Mapped[str] = mapped_column(UUID, index=True)
    project_id: Mapped[str] = mapped_column(PROJECT)
    user_id: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32), index=True)
    progress: Mapped[str] = mapped_column(String(16), default="0%")
    size: Mapped[int] = mapped_column(Integer)
    volume_type_id: Mapped[str | None] = mapped_column(UUID)
    group_snapshot_id: Mapped[str | None] = mapped_column(UUID, index=True)
    provider_location: Mapped[str | None] = mapped_column(Text)
    task: Mapped[dict[str, Any] | None] = mapped_column(JSONText)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SnapshotMetadata(Base):
    __tablename__ = "volume_snapshot_metadata"
    snapshot_id: Mapped[str] = mapped_column(
        ForeignKey("volume_snapshots.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))


class Backup(Base):
    __tablename__ = "volume_backups"
    id: Mapped[str] = mapped_column(UUID, primary_key=True)
    project_id: Mapped[str] = mapped_column(PROJECT, index=True)
    user_id: Mapped[str | None] = mapped_column(String(64))
    volume_id: Mapped[str] = mapped_column(UUID, index=True)
    snapshot_id: Mapped[str | None] = mapped_column(UUID)
    parent_id: Mapped[str | None] = mapped_column(UUID, index=True)
    name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32), index=True)
    fail_reason: Mapped[str | None] = mapped_column(Text)
    size: Mapped[int] = mapped_column(Integer)
    object_count: Mapped[int] = mapped_column(Integer, default=0)
    container: Mapped[str | None] = mapped_column(String(255))
    availability_zone: Mapped[str | None] = mapped_column(String(255))
    is_incremental: Mapped[bool] = mapped_column(Boolean, default=False)
    data_timestamp: Mapped[datetime | None] = mapped_column(UTCDateTime)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSONText, default=dict)
    # The source volume's metadata and bootable flag, given back on restore.
    volume_info: Mapped[dict[str, Any] | None] = mapped_column(JSONText)
    location: Mapped[str | None] = mapped_column(Text)
    task: Mapped[dict[str, Any] | None] = mapped_column(JSONText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class VolumeType(Base):
    __tablename__ = "volume_types"
    id: Mapped[str] = mapped_column(UUID, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    qos_specs_id: Mapped[str | None] = mapped_column(UUID)
    # Encryption spec ({"encryption_id", "provider", "cipher", "key_size",
    # "control_location", "created_at"}); None: not an encrypted type.
    encryption: Mapped[dict[str, Any] | None] = mapped_column(JSONText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class VolumeTypeExtraSpec(Base):
    __tablename__ = "volume_type_extra_specs"
    type_id: Mapped[str] = mapped_column(
        ForeignKey("volume_types.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))


class VolumeTypeAccess(Base):
    __tablename__ = "volume_type_projects"
    type_id: Mapped[str] = mapped_column(
        ForeignKey("volume_types.id", ondelete="CASCADE"), primary_key=True)
    project_id: Mapped[str] = mapped_column(PROJECT, primary_key=True)


class QosSpecs(Base):
    __tablename__ = "volume_qos_specs"
    id: Mapped[str] = mapped_column(UUID, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    consumer: Mapped[str] = mapped_column(String(32), default="back-end")
    specs: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Quota(Base):
    """A project's own limit for one resource ('volumes', 'gigabytes_<type>', ...)."""

    __tablename__ = "volume_quotas"
    project_id: Mapped[str] = mapped_column(PROJECT, primary_key=True)
    resource: Mapped[str] = mapped_column(String(255), primary_key=True)
    hard_limit: Mapped[int] = mapped_column(BigInteger)


class QuotaClass(Base):
    __tablename__ = "volume_quota_classes"
    class_name: Mapped[str] = mapped_column(String(255), primary_key=True)
    resource: Mapped[str] = mapped_column(String(255), primary_key=True)
    hard_limit: Mapped[int] = mapped_column(BigInteger)


class ProjectLock(Base):
    """One row per project, locked (SELECT ... FOR UPDATE) while its usage is checked, so
    quota checks are exact under concurrency on PostgreSQL too."""

    __tablename__ = "volume_project_locks"
    project_id: Mapped[str] = mapped_column(PROJECT, primary_key=True)


class Transfer(Base):
    __tablename__ = "volume_transfers"
    id: Mapped[str] = mapped_column(UUID, primary_key=True)
    volume_id: Mapped[str] = mapped_column(UUID, index=True)
    name: Mapped[str | None] = mapped_column(String(255))
    salt: Mapped[str] = mapped_column(String(64))
    crypt_hash: Mapped[str] = mapped_column(String(255))
    source_project_id: Mapped[str] = mapped_column(PROJECT)
    destination_project_id: Mapped[str | None] = mapped_column(PROJECT)
    accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    no_snapshots: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Service(Base):
    __tablename__ = "volume_services"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    binary: Mapped[str] = mapped_column(String(64))
    host: Mapped[str] = mapped_column(String(255))
    zone: Mapped[str] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled_reason: Mapped[str | None] = mapped_column(String(255))
    frozen: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Message(Base):
    """User messages (3.3): why an asynchronous operation failed."""

    __tablename__ = "volume_messages"
    id: Mapped[str] = mapped_column(UUID, primary_key=True)
    project_id: Mapped[str] = mapped_column(PROJECT, index=True)
    resource_type: Mapped[str] = mapped_column(String(64))
    resource_uuid: Mapped[str | None] = mapped_column(UUID)
    event_id: Mapped[str] = mapped_column(String(64))
    message_level: Mapped[str] = mapped_column(String(16), default="ERROR")
    user_message: Mapped[str] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class GroupType(Base):
    __tablename__ = "volume_group_types"
    id: Mapped[str] = mapped_column(UUID, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    specs: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Group(Base):
    """A volume group (3.13+): volumes managed together (snapshots, clones)."""

    __tablename__ = "volume_groups"
    id: Mapped[str] = mapped_column(UUID, primary_key=True)
    project_id: Mapped[str] = mapped_column(PROJECT, index=True)
    user_id: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32))
    group_type_id: Mapped[str] = mapped_column(UUID)
    volume_type_ids: Mapped[list[str]] = mapped_column(JSONText, default=list)
    availability_zone: Mapped[str] = mapped_column(String(255))
    group_snapshot_id: Mapped[str | None] = mapped_column(UUID)
    source_group_id: Mapped[str | None] = mapped_column(UUID)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class GroupSnapshot(Base):
    __tablename__ = "volume_group_snapshots"
    id: Mapped[str] = mapped_column(UUID, primary_key=True)
    group_id: Mapped[str] = mapped_column(UUID, index=True)
    project_id: Mapped[str] = mapped_column(PROJECT, index=True)
    user_id: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32))
    group_type_id: Mapped[str] = mapped_column(UUID)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
