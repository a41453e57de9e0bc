"""Image (Glance v2) tables: images, their custom properties, tags, members and tasks.

Deleted images stay as tombstones (``deleted`` true, no properties, tags or members) so an
image id is never reused, as Glance does; every query for live images filters them out.
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
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.db.base import Base, JSONText, UTCDateTime

UUID = String(36)


class Image(Base):
    __tablename__ = "image_images"
    __table_args__ = (
        Index("ix_image_images_owner_deleted", "owner", "deleted"),
        Index("ix_image_images_visibility", "visibility"),
        Index("ix_image_images_created_at", "created_at"),
    )
    id: Mapped[str] = mapped_column(UUID, primary_key=True)
    name: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(30), index=True)
    visibility: Mapped[str] = mapped_column(String(20))
    owner: Mapped[str | None] = mapped_column(String(255))
    disk_format: Mapped[str | None] = mapped_column(String(30))
    container_format: Mapped[str | None] = mapped_column(String(30))
    size: Mapped[int | None] = mapped_column(BigInteger)
    virtual_size: Mapped[int | None] = mapped_column(BigInteger)
    checksum: Mapped[str | None] = mapped_column(String(32), index=True)
    os_hash_algo: Mapped[str | None] = mapped_column(String(64))
    os_hash_value: Mapped[str | None] = mapped_column(String(128), index=True)
    min_disk: Mapped[int] = mapped_column(Integer, default=0)
    min_ram: Mapped[int] = mapped_column(Integer, default=0)
    protected: Mapped[bool] = mapped_column(Boolean, default=False)
    os_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    # Where the data lives: the store's id and the store's own reference to it.
    store: Mapped[str | None] = mapped_column(String(255))
    location: Mapped[str | None] = mapped_column(Text)
    # Staged data (interoperable import) and its hashes, computed while staging.
    staged: Mapped[dict[str, Any] | None] = mapped_column(JSONText)
    # Who is writing data right now ({"host", "pid", "since"}): lets a restarted server
    # tell an abandoned upload from a live one.
    upload_lease: Mapped[dict[str, Any] | None] = mapped_column(JSONText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ImageProperty(Base):
    """A custom (string) property of an image: 'os_distro', 'hw_disk_bus', ..."""

    __tablename__ = "image_properties"
    __table_args__ = (Index("ix_image_properties_name", "name"),)
    image_id: Mapped[str] = mapped_column(
        ForeignKey("image_images.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ImageTag(Base):
    __tablename__ = "image_tags"
    __table_args__ = (Index("ix_image_tags_value", "value"),)
    image_id: Mapped[str] = mapped_column(
        ForeignKey("image_images.id", ondelete="CASCADE"), primary_key=True
    )
    value: Mapped[str] = mapped_column(String(255), primary_key=True)


class ImageMember(Base):
    """A project an image is shared with, and whether it accepted the image."""

    __tablename__ = "image_members"
    image_id: Mapped[str] = mapped_column(
        ForeignKey("image_images.id", ondelete="CASCADE"), primary_key=True
    )
    member: Mapped[str] = mapped_column(String(255), primary_key=True, index=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ImageTask(Base):
    """An asynchronous operation: an interoperable import or a /v2/tasks 'import' task."""

    __tablename__ = "image_tasks"
    id: Mapped[str] = mapped_column(UUID, primary_key=True)
    type: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(30), index=True)
    owner: Mapped[str | None] = mapped_column(String(255), index=True)
    image_id: Mapped[str | None] = mapped_column(UUID, index=True)
    request_id: Mapped[str | None] = mapped_column(String(64))
    user_id: Mapped[str | None] = mapped_column(String(64))
    input: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONText)
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# -- Metadata definitions (metadefs): a catalog of the properties images, volumes, flavors...
# may carry, grouped in namespaces. ------------------------------------------------------------
class MetadefNamespace(Base):
    __tablename__ = "image_metadef_namespaces"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    namespace: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(80))
    description: Mapped[str | None] = mapped_column(Text)
    visibility: Mapped[str] = mapped_column(String(32), default="private")
    protected: Mapped[bool] = mapped_column(Boolean, default=False)
    owner: Mapped[str | None] = mapped_column(String(255), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MetadefResourceType(Base):
    __tablename__ = "image_metadef_resource_types"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    protected: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MetadefAssociation(Base):
    """A namespace applies to a resource type (optionally with a property-name prefix)."""

    __tablename__ = "image_metadef_associations"
    namespace_id: Mapped[int] = mapped_column(
        ForeignKey("image_metadef_namespaces.id", ondelete="CASCADE"), primary_key=True)
    resource_type_id: Mapped[int] = mapped_column(
        ForeignKey("image_metadef_resource_types.id", ondelete="CASCADE"), primary_key=True)
    prefix: Mapped[str | None] = mapped_column(String(80))
    properties_target: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MetadefObject(Base):
    __tablename__ = "image_metadef_objects"
    __table_args__ = (UniqueConstraint("namespace_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    namespace_id: Mapped[int] = mapped_column(
        ForeignKey("image_metadef_namespaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str | None] = mapped_column(Text)
    required: Mapped[list[str] | None] = mapped_column(JSONText)
    properties: Mapped[dict[str, Any] | None] = mapped_column(JSONText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MetadefProperty(Base):
    __tablename__ = "image_metadef_properties"
    __table_args__ = (UniqueConstraint("namespace_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    namespace_id: Mapped[int] = mapped_column(
        ForeignKey("image_metadef_namespaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    json_schema: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MetadefTag(Base):
    __tablename__ = "image_metadef_tags"
    __table_args__ = (UniqueConstraint("namespace_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    namespace_id: Mapped[int] = mapped_column(
        ForeignKey("image_metadef_namespaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
