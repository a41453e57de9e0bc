"""Compute (Nova v2.1) tables, part 1: flavors, keypairs, compute services and nodes
(hypervisors), resource allocations, aggregates, quotas and console tokens.

Servers and what hangs off them are in compute_servers.py (imported at the end, so
importing this module registers every compute table).

Capacity is claimed atomically: a node's ``*_used`` counters move only through a
conditional UPDATE that checks the capacity in the same statement, and each claim is also
a row in ``compute_allocations`` keyed by its consumer (a server, or a migration while a
resize is in flight), so releasing is idempotent: only the transaction that deletes the
allocation row gives the capacity back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.db.base import Base, JSONText, UTCDateTime

UUID = String(36)
PROJECT = String(64)
NAME = String(255)


class Flavor(Base):
    __tablename__ = "compute_flavors"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    flavorid: Mapped[str] = mapped_column(NAME, unique=True)
    name: Mapped[str] = mapped_column(NAME, unique=True)
    memory_mb: Mapped[int] = mapped_column(Integer)
    vcpus: Mapped[int] = mapped_column(Integer)
    root_gb: Mapped[int] = mapped_column(Integer, default=0)
    ephemeral_gb: Mapped[int] = mapped_column(Integer, default=0)
    swap: Mapped[int] = mapped_column(Integer, default=0)
    rxtx_factor: Mapped[float] = mapped_column(Float, default=1.0)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FlavorExtraSpec(Base):
    __tablename__ = "compute_flavor_extra_specs"
    flavor_id: Mapped[int] = mapped_column(
        ForeignKey("compute_flavors.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(NAME, primary_key=True)
    value: Mapped[str] = mapped_column(NAME)


class FlavorProject(Base):
    __tablename__ = "compute_flavor_projects"
    flavor_id: Mapped[int] = mapped_column(
        ForeignKey("compute_flavors.id", ondelete="CASCADE"), primary_key=True)
    project_id: Mapped[str] = mapped_column(PROJECT, primary_key=True)


class KeyPair(Base):
    __tablename__ = "compute_keypairs"
    __table_args__ = (UniqueConstraint("user_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(NAME)
    type: Mapped[str] = mapped_column(String(16), default="ssh")
    fingerprint: Mapped[str] = mapped_column(NAME)
    public_key: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ComputeService(Base):
    """A service of the control plane or of a host (nova-compute, nova-scheduler...)."""

    __tablename__ = "compute_services"
    __table_args__ = (UniqueConstraint("host", "binary"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uuid: Mapped[str] = mapped_column(UUID, unique=True)
    host: Mapped[str] = mapped_column(NAME)
    binary: Mapped[str] = mapped_column(NAME)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled_reason: Mapped[str | None] = mapped_column(NAME)
    forced_down: Mapped[bool] = mapped_column(Boolean, default=False)
    last_seen_up: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ComputeNode(Base):
    """A hypervisor: its capacity, what is claimed on it, and its allocation ratios."""

    __tablename__ = "compute_nodes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uuid: Mapped[str] = mapped_column(UUID, unique=True)
    service_id: Mapped[int] = mapped_column(
        ForeignKey("compute_services.id", ondelete="CASCADE"), index=True)
    host: Mapped[str] = mapped_column(NAME, index=True)
    hypervisor_hostname: Mapped[str] = mapped_column(NAME, unique=True)
    hypervisor_type: Mapped[str] = mapped_column(String(64), default="fake")
    hypervisor_version: Mapped[int] = mapped_column(Integer, default=1000)
    host_ip: Mapped[str] = mapped_column(String(64), default="127.0.0.1")
    vcpus: Mapped[int] = mapped_column(Integer)
    memory_mb: Mapped[int] = mapped_column(Integer)
    local_gb: Mapped[int] = mapped_column(Integer)
    vcpus_used: Mapped[int] = mapped_column(Integer, default=0)
    memory_mb_used: Mapped[int] = mapped_column(Integer, default=0)
    local_gb_used: Mapped[int] = mapped_column(Integer, default=0)
    running_vms: Mapped[int] = mapped_column(Integer, default=0)
    cpu_allocation_ratio: Mapped[float] = mapped_column(Float, default=4.0)
    ram_allocation_ratio: Mapped[float] = mapped_column(Float, default=1.0)
    disk_allocation_ratio: Mapped[float] = mapped_column(Float, default=1.0)
    reserved_host_memory_mb: Mapped[int] = mapped_column(Integer, default=0)
    cpu_info: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Allocation(Base):
    """What one consumer (a server, or a migration) holds on one node."""

    __tablename__ = "compute_allocations"
    consumer_id: Mapped[str] = mapped_column(UUID, primary_key=True)
    node_id: Mapped[int] = mapped_column(
        ForeignKey("compute_nodes.id", ondelete="CASCADE"), primary_key=True, index=True)
    vcpus: Mapped[int] = mapped_column(Integer)
    memory_mb: Mapped[int] = mapped_column(Integer)
    disk_gb: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Aggregate(Base):
    __tablename__ = "compute_aggregates"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uuid: Mapped[str] = mapped_column(UUID, unique=True)
    name: Mapped[str] = mapped_column(NAME, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AggregateHost(Base):
    __tablename__ = "compute_aggregate_hosts"
    aggregate_id: Mapped[int] = mapped_column(
        ForeignKey("compute_aggregates.id", ondelete="CASCADE"), primary_key=True)
    host: Mapped[str] = mapped_column(NAME, primary_key=True, index=True)


class AggregateMetadata(Base):
    __tablename__ = "compute_aggregate_metadata"
    aggregate_id: Mapped[int] = mapped_column(
        ForeignKey("compute_aggregates.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(NAME, primary_key=True)
    value: Mapped[str] = mapped_column(NAME)


class Quota(Base):
    """A project's (user_id '') or a user's limit for one resource."""

    __tablename__ = "compute_quotas"
    project_id: Mapped[str] = mapped_column(PROJECT, primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True, default="")
    resource: Mapped[str] = mapped_column(NAME, primary_key=True)
    hard_limit: Mapped[int] = mapped_column(Integer)


class QuotaClass(Base):
    __tablename__ = "compute_quota_classes"
    class_name: Mapped[str] = mapped_column(NAME, primary_key=True)
    resource: Mapped[str] = mapped_column(NAME, primary_key=True)
    hard_limit: Mapped[int] = mapped_column(Integer)


class ConsoleToken(Base):
    __tablename__ = "compute_console_tokens"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    instance_uuid: Mapped[str] = mapped_column(UUID, index=True)
    console_type: Mapped[str] = mapped_column(String(32))
    host: Mapped[str] = mapped_column(NAME)
    port: Mapped[int] = mapped_column(Integer)
    internal_access_path: Mapped[str | None] = mapped_column(NAME)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


from pocketstack.db.models import compute_servers  # noqa: E402,F401  (registers the rest)
