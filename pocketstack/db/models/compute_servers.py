"""Compute (Nova v2.1) tables, part 2: servers (instances) and what hangs off them — tags,
block device mappings, instance actions and events, server groups, migrations.

A server's row carries its desired state: ``task_state`` names the operation under way and
``task`` its parameters; the compute agent of the server's host converges it and clears
both. Servers are soft-deleted (``deleted``), as Nova does, so `changes-since` listings and
usage reports still see them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.db.base import Base, JSONText, UTCDateTime

UUID = String(36)
PROJECT = String(64)
NAME = String(255)


class Instance(Base):
    __tablename__ = "compute_instances"
    __table_args__ = (
        Index("ix_compute_instances_project_deleted_created", "project_id", "deleted",
              "created_at"),
        Index("ix_compute_instances_deleted_created", "deleted", "created_at"),
        Index("ix_compute_instances_host_deleted", "host", "deleted"),
    )
    id: Mapped[str] = mapped_column(UUID, primary_key=True)
    project_id: Mapped[str] = mapped_column(PROJECT)
    user_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(NAME)
    hostname: Mapped[str] = mapped_column(NAME, default="")
    description: Mapped[str | None] = mapped_column(Text)
    image_ref: Mapped[str] = mapped_column(String(64), default="")
    flavor_id: Mapped[str] = mapped_column(NAME)  # the flavor's public id at boot/resize
    # The flavor as it was when the server got it: {id, name, ram, vcpus, disk, ...}.
    flavor: Mapped[dict[str, Any]] = mapped_column(JSONText)
    vcpus: Mapped[int] = mapped_column(Integer)
    memory_mb: Mapped[int] = mapped_column(Integer)
    root_gb: Mapped[int] = mapped_column(Integer)
    ephemeral_gb: Mapped[int] = mapped_column(Integer, default=0)
    vm_state: Mapped[str] = mapped_column(String(32), index=True)
    task_state: Mapped[str | None] = mapped_column(String(64), index=True)
    power_state: Mapped[int] = mapped_column(Integer, default=0)
    # The operation the agent is to carry out ({"op": "reboot", "type": "HARD"...}).
    task: Mapped[dict[str, Any] | None] = mapped_column(JSONText)
    host: Mapped[str | None] = mapped_column(NAME)
    node: Mapped[str | None] = mapped_column(NAME)
    availability_zone: Mapped[str | None] = mapped_column(NAME)
    pinned_availability_zone: Mapped[str | None] = mapped_column(NAME)
    key_name: Mapped[str | None] = mapped_column(NAME)
    key_data: Mapped[str | None] = mapped_column(Text)
    user_data: Mapped[str | None] = mapped_column(Text)
    config_drive: Mapped[str] = mapped_column(String(16), default="")
    disk_config: Mapped[str] = mapped_column(String(16), default="MANUAL")
    metadata_: Mapped[dict[str, str]] = mapped_column("metadata", JSONText, default=dict)
    # Nova's system metadata: image properties at boot, the password, saved states...
    system_metadata: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    # The server's ports as last seen: [{port_id, network_id, network_name, mac, ips...}].
    network_info: Mapped[list[dict[str, Any]]] = mapped_column(JSONText, default=list)
    # What the create request asked for (networks, security groups), for the builder.
    request: Mapped[dict[str, Any] | None] = mapped_column(JSONText)
    security_groups: Mapped[list[str]] = mapped_column(JSONText, default=list)
    scheduler_hints: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    access_ip_v4: Mapped[str | None] = mapped_column(String(64))
    access_ip_v6: Mapped[str | None] = mapped_column(String(64))
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    locked_by: Mapped[str | None] = mapped_column(String(16))
    locked_reason: Mapped[str | None] = mapped_column(Text)
    reservation_id: Mapped[str] = mapped_column(String(32))
    launch_index: Mapped[int] = mapped_column(Integer, default=0)
    root_device_name: Mapped[str | None] = mapped_column(NAME)
    trusted_certs: Mapped[list[str] | None] = mapped_column(JSONText)
    fault: Mapped[dict[str, Any] | None] = mapped_column(JSONText)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    launched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    terminated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class InstanceTag(Base):
    __tablename__ = "compute_instance_tags"
    instance_id: Mapped[str] = mapped_column(
        ForeignKey("compute_instances.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(60), primary_key=True, index=True)


class BlockDeviceMapping(Base):
    __tablename__ = "compute_block_device_mappings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uuid: Mapped[str] = mapped_column(UUID, unique=True)
    instance_uuid: Mapped[str] = mapped_column(
        ForeignKey("compute_instances.id", ondelete="CASCADE"), index=True)
    source_type: Mapped[str] = mapped_column(String(32))
    destination_type: Mapped[str] = mapped_column(String(32))
    volume_id: Mapped[str | None] = mapped_column(UUID, index=True)
    image_id: Mapped[str | None] = mapped_column(UUID)
    snapshot_id: Mapped[str | None] = mapped_column(UUID)
    boot_index: Mapped[int | None] = mapped_column(Integer)
    device_name: Mapped[str | None] = mapped_column(NAME)
    delete_on_termination: Mapped[bool] = mapped_column(Boolean, default=False)
    volume_size: Mapped[int | None] = mapped_column(Integer)
    guest_format: Mapped[str | None] = mapped_column(String(64))
    disk_bus: Mapped[str | None] = mapped_column(String(64))
    device_type: Mapped[str | None] = mapped_column(String(64))
    volume_type: Mapped[str | None] = mapped_column(NAME)
    tag: Mapped[str | None] = mapped_column(NAME)
    attachment_id: Mapped[str | None] = mapped_column(UUID)
    status: Mapped[str] = mapped_column(String(32), default="attached")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class InstanceAction(Base):
    __tablename__ = "compute_instance_actions"
    __table_args__ = (Index("ix_compute_instance_actions_instance", "instance_uuid",
                            "start_time"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    instance_uuid: Mapped[str] = mapped_column(UUID)
    action: Mapped[str] = mapped_column(NAME)
    request_id: Mapped[str] = mapped_column(NAME, index=True)
    user_id: Mapped[str | None] = mapped_column(String(64))
    project_id: Mapped[str | None] = mapped_column(PROJECT)
    message: Mapped[str | None] = mapped_column(Text)
    start_time: Mapped[datetime] = mapped_column(UTCDateTime)
    finish_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class InstanceActionEvent(Base):
    __tablename__ = "compute_instance_action_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    action_id: Mapped[int] = mapped_column(
        ForeignKey("compute_instance_actions.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(NAME)
    start_time: Mapped[datetime] = mapped_column(UTCDateTime)
    finish_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result: Mapped[str | None] = mapped_column(String(32))
    traceback: Mapped[str | None] = mapped_column(Text)
    host: Mapped[str | None] = mapped_column(NAME)
    details: Mapped[str | None] = mapped_column(Text)


class ServerGroup(Base):
    __tablename__ = "compute_server_groups"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uuid: Mapped[str] = mapped_column(UUID, unique=True)
    name: Mapped[str] = mapped_column(NAME)
    project_id: Mapped[str] = mapped_column(PROJECT, index=True)
    user_id: Mapped[str] = mapped_column(String(64))
    policy: Mapped[str] = mapped_column(String(64))
    rules: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ServerGroupMember(Base):
    __tablename__ = "compute_server_group_members"
    group_id: Mapped[int] = mapped_column(
        ForeignKey("compute_server_groups.id", ondelete="CASCADE"), primary_key=True)
    instance_uuid: Mapped[str] = mapped_column(UUID, primary_key=True, unique=True)


class Migration(Base):
    __tablename__ = "compute_migrations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uuid: Mapped[str] = mapped_column(UUID, unique=True)
    instance_uuid: Mapped[str] = mapped_column(UUID, index=True)
    migration_type: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))
    source_compute: Mapped[str | None] = mapped_column(NAME)
    source_node: Mapped[str | None] = mapped_column(NAME)
    dest_compute: Mapped[str | None] = mapped_column(NAME)
    dest_node: Mapped[str | None] = mapped_column(NAME)
    dest_host: Mapped[str | None] = mapped_column(NAME)
    old_flavor_id: Mapped[str | None] = mapped_column(NAME)
    new_flavor_id: Mapped[str | None] = mapped_column(NAME)
    old_flavor: Mapped[dict[str, Any] | None] = mapped_column(JSONText)
    new_flavor: Mapped[dict[str, Any] | None] = mapped_column(JSONText)
    project_id: Mapped[str | None] = mapped_column(PROJECT)
    user_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
