"""Networking (Neutron v2.0, ML2) tables. Every table is named network_*.

Allocation is safe by construction: unique constraints on (network_id, ip_address),
(network_id, mac_address), a segment's allocation key, a security group rule's
fingerprint, a project's default security group; services check first for a friendly
error and let the constraint catch races.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.db.base import Base, JSONText, UTCDateTime

ID = String(36)


class FastJSON(JSONText):
    """JSON text that skips the parser for the empty values most rows hold (list pages of
    thousands of ports decode several of these per row)."""

    cache_ok = True
    _EMPTY: dict[str, Any] = {"[]": list, "{}": dict}

    def process_result_value(self, value: str | None, dialect: Any) -> Any:
        empty = self._EMPTY.get(value) if value is not None and len(value) == 2 else None
        if empty is not None:
            return empty()
        return super().process_result_value(value, dialect)


class StandardAttrs:
    """Neutron's standard attributes: description, revision_number, timestamps."""

    description: Mapped[str] = mapped_column(String(255), default="")
    revision_number: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Network(StandardAttrs, Base):
    __tablename__ = "network_networks"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    project_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    admin_state_up: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16), default="ACTIVE")
    mtu: Mapped[int] = mapped_column(Integer, default=1500)
    port_security_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    router_external: Mapped[bool] = mapped_column(Boolean, default=False)
    availability_zone_hints: Mapped[Any] = mapped_column(FastJSON, default=list)


class Segment(Base):
    """A network's L2 segment. ``alloc_key`` ('vxlan::5', 'vlan:physnet1:100',
    'flat:physnet1') is unique, so no two networks ever share a segment."""

    __tablename__ = "network_segments"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    network_id: Mapped[str] = mapped_column(
        ForeignKey("network_networks.id", ondelete="CASCADE"), index=True
    )
    network_type: Mapped[str] = mapped_column(String(16))
    physical_network: Mapped[str | None] = mapped_column(String(64), nullable=True)
    segmentation_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    segment_index: Mapped[int] = mapped_column(Integer, default=0)
    alloc_key: Mapped[str | None] = mapped_column(String(96), nullable=True, unique=True)

    __table_args__ = (Index("ix_network_segments_type_seg", "network_type", "segmentation_id"),)


class SubnetPool(StandardAttrs, Base):
    __tablename__ = "network_subnetpools"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    project_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    ip_version: Mapped[int] = mapped_column(Integer)
    default_prefixlen: Mapped[int] = mapped_column(Integer)
    min_prefixlen: Mapped[int] = mapped_column(Integer)
    max_prefixlen: Mapped[int] = mapped_column(Integer)
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    default_quota: Mapped[int | None] = mapped_column(Integer, nullable=True)
    address_scope_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    prefixes: Mapped[Any] = mapped_column(FastJSON, default=list)


class Subnet(StandardAttrs, Base):
    __tablename__ = "network_subnets"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    network_id: Mapped[str] = mapped_column(
        ForeignKey("network_networks.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    ip_version: Mapped[int] = mapped_column(Integer)
    cidr: Mapped[str] = mapped_column(String(64))
    gateway_ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
    enable_dhcp: Mapped[bool] = mapped_column(Boolean, default=True)
    ipv6_ra_mode: Mapped[str | None] = mapped_column(String(32), nullable=True)
    ipv6_address_mode: Mapped[str | None] = mapped_column(String(32), nullable=True)
    subnetpool_id: Mapped[str | None] = mapped_column(
        ForeignKey("network_subnetpools.id"), nullable=True, index=True
    )
    segment_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    allocation_pools: Mapped[Any] = mapped_column(FastJSON, default=list)
    dns_nameservers: Mapped[Any] = mapped_column(FastJSON, default=list)
    host_routes: Mapped[Any] = mapped_column(FastJSON, default=list)
    service_types: Mapped[Any] = mapped_column(FastJSON, default=list)


class Port(StandardAttrs, Base):
    __tablename__ = "network_ports"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    project_id: Mapped[str] = mapped_column(String(64), index=True)
    network_id: Mapped[str] = mapped_column(
        ForeignKey("network_networks.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(255), default="")
    mac_address: Mapped[str] = mapped_column(String(32))
    admin_state_up: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16), default="DOWN")
    device_id: Mapped[str] = mapped_column(String(255), default="", index=True)
    device_owner: Mapped[str] = mapped_column(String(255), default="", index=True)
    port_security_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    binding_host_id: Mapped[str] = mapped_column(String(255), default="")
    binding_vnic_type: Mapped[str] = mapped_column(String(64), default="normal")
    binding_vif_type: Mapped[str] = mapped_column(String(64), default="unbound")
    binding_vif_details: Mapped[Any] = mapped_column(FastJSON, default=dict)
    binding_profile: Mapped[Any] = mapped_column(FastJSON, default=dict)
    allowed_address_pairs: Mapped[Any] = mapped_column(FastJSON, default=list)
    extra_dhcp_opts: Mapped[Any] = mapped_column(FastJSON, default=list)

    __table_args__ = (UniqueConstraint("network_id", "mac_address"),)


class IPAllocation(Base):
    """One fixed IP of a port. ``ip_key`` orders addresses inside their subnet (offset from
    the subnet's first address, shifted to fit a signed 64-bit integer) so the first free
    address is found with an index walk instead of loading the pool."""

    __tablename__ = "network_ip_allocations"

    network_id: Mapped[str] = mapped_column(ID, primary_key=True)
    ip_address: Mapped[str] = mapped_column(String(64), primary_key=True)
    port_id: Mapped[str] = mapped_column(
        ForeignKey("network_ports.id", ondelete="CASCADE"), index=True
    )
    subnet_id: Mapped[str] = mapped_column(
        ForeignKey("network_subnets.id", ondelete="CASCADE")
    )
    ip_key: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    __table_args__ = (Index("ix_network_ip_allocations_subnet_key", "subnet_id", "ip_key"),)


class SecurityGroup(StandardAttrs, Base):
    __tablename__ = "network_security_groups"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    project_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    stateful: Mapped[bool] = mapped_column(Boolean, default=True)


class DefaultSecurityGroup(Base):
    """At most one 'default' group per project, even when two requests race to create it."""

    __tablename__ = "network_default_security_groups"

    project_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    security_group_id: Mapped[str] = mapped_column(
        ForeignKey("network_security_groups.id", ondelete="CASCADE")
    )


class SecurityGroupRule(StandardAttrs, Base):
    __tablename__ = "network_security_group_rules"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    security_group_id: Mapped[str] = mapped_column(
        ForeignKey("network_security_groups.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[str] = mapped_column(String(64), index=True)
    direction: Mapped[str] = mapped_column(String(16))
    ethertype: Mapped[str] = mapped_column(String(8))
    protocol: Mapped[str | None] = mapped_column(String(40), nullable=True)
    port_range_min: Mapped[int | None] = mapped_column(Integer, nullable=True)
    port_range_max: Mapped[int | None] = mapped_column(Integer, nullable=True)
    remote_ip_prefix: Mapped[str | None] = mapped_column(String(64), nullable=True)
    remote_group_id: Mapped[str | None] = mapped_column(
        ForeignKey("network_security_groups.id", ondelete="CASCADE"), nullable=True
    )
    normalized_cidr: Mapped[str | None] = mapped_column(String(64), nullable=True)
    fingerprint: Mapped[str] = mapped_column(String(64))

    __table_args__ = (UniqueConstraint("security_group_id", "fingerprint"),)


class PortSecurityGroup(Base):
    __tablename__ = "network_port_security_groups"

    port_id: Mapped[str] = mapped_column(
        ForeignKey("network_ports.id", ondelete="CASCADE"), primary_key=True
    )
    security_group_id: Mapped[str] = mapped_column(
        ForeignKey("network_security_groups.id"), primary_key=True, index=True
    )


class Router(StandardAttrs, Base):
    __tablename__ = "network_routers"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    project_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    admin_state_up: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16), default="ACTIVE")
    gw_port_id: Mapped[str | None] = mapped_column(
        ForeignKey("network_ports.id", ondelete="SET NULL"), nullable=True
    )
    gw_network_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    enable_snat: Mapped[bool] = mapped_column(Boolean, default=True)
    routes: Mapped[Any] = mapped_column(FastJSON, default=list)
    distributed: Mapped[bool] = mapped_column(Boolean, default=False)
    ha: Mapped[bool] = mapped_column(Boolean, default=False)
    availability_zone_hints: Mapped[Any] = mapped_column(FastJSON, default=list)


class FloatingIP(StandardAttrs, Base):
    __tablename__ = "network_floatingips"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    project_id: Mapped[str] = mapped_column(String(64), index=True)
    floating_network_id: Mapped[str] = mapped_column(
        ForeignKey("network_networks.id"), index=True
    )
    floating_port_id: Mapped[str] = mapped_column(
        ForeignKey("network_ports.id", ondelete="CASCADE")
    )
    floating_ip_address: Mapped[str] = mapped_column(String(64))
    fixed_port_id: Mapped[str | None] = mapped_column(
        ForeignKey("network_ports.id", ondelete="SET NULL"), nullable=True, index=True
    )
    fixed_ip_address: Mapped[str | None] = mapped_column(String(64), nullable=True)
    router_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(16), default="DOWN")

    __table_args__ = (
        UniqueConstraint("floating_network_id", "fixed_port_id", "fixed_ip_address"),
    )


class RBACPolicy(Base):
    __tablename__ = "network_rbac_policies"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    project_id: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(36), index=True)
    target_project: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(32))

    __table_args__ = (
        UniqueConstraint("object_type", "object_id", "target_project", "action"),
    )


class Quota(Base):
    __tablename__ = "network_quotas"

    project_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    resource: Mapped[str] = mapped_column(String(64), primary_key=True)
    limit: Mapped[int] = mapped_column(Integer)


class Agent(Base):
    __tablename__ = "network_agents"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    agent_type: Mapped[str] = mapped_column(String(64))
    binary: Mapped[str] = mapped_column(String(255))
    topic: Mapped[str] = mapped_column(String(255), default="")
    host: Mapped[str] = mapped_column(String(255))
    availability_zone: Mapped[str | None] = mapped_column(String(255), nullable=True)
    admin_state_up: Mapped[bool] = mapped_column(Boolean, default=True)
    configurations: Mapped[Any] = mapped_column(FastJSON, default=dict)
    resource_versions: Mapped[Any] = mapped_column(FastJSON, default=dict)
    description: Mapped[str | None] = mapped_column(String(255), nullable=True)
    load: Mapped[int] = mapped_column(Integer, default=0)
    resources_synced: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    heartbeat_timestamp: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("agent_type", "host"),)


class Tag(Base):
    __tablename__ = "network_tags"

    resource_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tag: Mapped[str] = mapped_column(String(255), primary_key=True)
    resource_type: Mapped[str] = mapped_column(String(32))

    __table_args__ = (Index("ix_network_tags_tag", "tag"),)
