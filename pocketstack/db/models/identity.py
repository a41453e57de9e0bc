"""Identity (Keystone) tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.db.base import Base, JSONText, UTCDateTime

ID = String(64)


class Domain(Base):
    __tablename__ = "identity_domains"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    extra: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    options: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    tags: Mapped[list[str]] = mapped_column(JSONText, default=list)


class Project(Base):
    __tablename__ = "identity_projects"
    __table_args__ = (UniqueConstraint("domain_id", "name"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    domain_id: Mapped[str] = mapped_column(ForeignKey("identity_domains.id"), index=True)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("identity_projects.id"), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    is_domain: Mapped[bool] = mapped_column(Boolean, default=False)
    extra: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    options: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)


class ProjectTag(Base):
    __tablename__ = "identity_project_tags"
    project_id: Mapped[str] = mapped_column(
        ForeignKey("identity_projects.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(255), primary_key=True)


class User(Base):
    __tablename__ = "identity_users"
    __table_args__ = (UniqueConstraint("domain_id", "name"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    domain_id: Mapped[str] = mapped_column(ForeignKey("identity_domains.id"), index=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    default_project_id: Mapped[str | None] = mapped_column(ID)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    password_created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_active_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_auth_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failed_auth_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extra: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    options: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)


class PasswordHistory(Base):
    __tablename__ = "identity_password_history"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(
        ForeignKey("identity_users.id", ondelete="CASCADE"), index=True
    )
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Group(Base):
    __tablename__ = "identity_groups"
    __table_args__ = (UniqueConstraint("domain_id", "name"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    domain_id: Mapped[str] = mapped_column(ForeignKey("identity_domains.id"), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)


class GroupMembership(Base):
    __tablename__ = "identity_group_members"
    group_id: Mapped[str] = mapped_column(
        ForeignKey("identity_groups.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(
        ForeignKey("identity_users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Role(Base):
    __tablename__ = "identity_roles"
    # domain_id '<<null>>' marks a global role so the unique constraint works everywhere.
    __table_args__ = (UniqueConstraint("name", "domain_id"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    domain_id: Mapped[str] = mapped_column(ID, default="<<null>>")
    description: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    options: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)


class ImpliedRole(Base):
    __tablename__ = "identity_implied_roles"
    prior_role_id: Mapped[str] = mapped_column(
        ForeignKey("identity_roles.id", ondelete="CASCADE"), primary_key=True
    )
    implied_role_id: Mapped[str] = mapped_column(
        ForeignKey("identity_roles.id", ondelete="CASCADE"), primary_key=True
    )


class Assignment(Base):
    """A role granted to an actor (user or group) on a target (project, domain or system)."""

    __tablename__ = "identity_assignments"
    __table_args__ = (
        Index("ix_identity_assignments_actor", "actor_id"),
        Index("ix_identity_assignments_target", "target_id"),
    )
    # type: UserProject, GroupProject, UserDomain, GroupDomain, UserSystem, GroupSystem
    type: Mapped[str] = mapped_column(String(16), primary_key=True)
    actor_id: Mapped[str] = mapped_column(ID, primary_key=True)
    target_id: Mapped[str] = mapped_column(ID, primary_key=True)
    role_id: Mapped[str] = mapped_column(
        ForeignKey("identity_roles.id", ondelete="CASCADE"), primary_key=True
    )
    inherited: Mapped[bool] = mapped_column(Boolean, primary_key=True, default=False)


class Region(Base):
    __tablename__ = "identity_regions"
    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    description: Mapped[str] = mapped_column(Text, default="")
    parent_region_id: Mapped[str | None] = mapped_column(String(255))
    extra: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)


class Service(Base):
    __tablename__ = "identity_services"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    type: Mapped[str] = mapped_column(String(255))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    extra: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)  # name, description


class Endpoint(Base):
    __tablename__ = "identity_endpoints"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    service_id: Mapped[str] = mapped_column(
        ForeignKey("identity_services.id", ondelete="CASCADE"), index=True
    )
    interface: Mapped[str] = mapped_column(String(8))
    url: Mapped[str] = mapped_column(Text)
    region_id: Mapped[str | None] = mapped_column(String(255))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    extra: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)


class EndpointGroup(Base):
    __tablename__ = "identity_endpoint_groups"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    filters: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)


class ProjectEndpoint(Base):
    """OS-EP-FILTER: an endpoint or an endpoint group associated with a project."""

    __tablename__ = "identity_project_endpoints"
    project_id: Mapped[str] = mapped_column(ID, primary_key=True)
    endpoint_id: Mapped[str] = mapped_column(ID, primary_key=True, default="")
    endpoint_group_id: Mapped[str] = mapped_column(ID, primary_key=True, default="")


class Credential(Base):
    __tablename__ = "identity_credentials"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ID, index=True)
    project_id: Mapped[str | None] = mapped_column(ID)
    type: Mapped[str] = mapped_column(String(255))
    encrypted_blob: Mapped[str] = mapped_column(Text)
    extra: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)


class ApplicationCredential(Base):
    __tablename__ = "identity_application_credentials"
    __table_args__ = (UniqueConstraint("user_id", "name"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[str] = mapped_column(ID, index=True)
    project_id: Mapped[str] = mapped_column(ID)
    secret_hash: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unrestricted: Mapped[bool] = mapped_column(Boolean, default=False)
    system: Mapped[str | None] = mapped_column(String(16))
    role_ids: Mapped[list[str]] = mapped_column(JSONText, default=list)
    access_rule_ids: Mapped[list[str]] = mapped_column(JSONText, default=list)
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AccessRule(Base):
    __tablename__ = "identity_access_rules"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ID, index=True)
    service: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(128))
    method: Mapped[str] = mapped_column(String(16))


class Trust(Base):
    __tablename__ = "identity_trusts"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    trustor_user_id: Mapped[str] = mapped_column(ID, index=True)
    trustee_user_id: Mapped[str] = mapped_column(ID, index=True)
    project_id: Mapped[str | None] = mapped_column(ID)
    impersonation: Mapped[bool] = mapped_column(Boolean, default=False)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    remaining_uses: Mapped[int | None] = mapped_column(Integer)
    redelegated_trust_id: Mapped[str | None] = mapped_column(ID)
    redelegation_count: Mapped[int | None] = mapped_column(Integer)
    role_ids: Mapped[list[str]] = mapped_column(JSONText, default=list)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extra: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)


class Consumer(Base):
    """OS-OAUTH1 consumers."""

    __tablename__ = "identity_oauth_consumers"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    description: Mapped[str | None] = mapped_column(Text)
    secret_hash: Mapped[str] = mapped_column(String(255))
    extra: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)


class Policy(Base):
    __tablename__ = "identity_policies"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    type: Mapped[str] = mapped_column(String(255))
    blob: Mapped[str] = mapped_column(Text)
    extra: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)


class DomainConfig(Base):
    __tablename__ = "identity_domain_config"
    domain_id: Mapped[str] = mapped_column(
        ForeignKey("identity_domains.id", ondelete="CASCADE"), primary_key=True
    )
    group: Mapped[str] = mapped_column(String(255), primary_key=True)
    option: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONText)


class RevocationEvent(Base):
    """Tokens matching an event and issued before ``issued_before`` are invalid."""

    __tablename__ = "identity_revocation_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str | None] = mapped_column(ID, index=True)
    project_id: Mapped[str | None] = mapped_column(ID)
    domain_id: Mapped[str | None] = mapped_column(ID)
    trust_id: Mapped[str | None] = mapped_column(ID)
    audit_id: Mapped[str | None] = mapped_column(String(32), index=True)
    audit_chain_id: Mapped[str | None] = mapped_column(String(32), index=True)
    issued_before: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
