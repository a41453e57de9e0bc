"""Request bodies of the Identity API, validated as Keystone's JSON schemas do: strict types,
names of bounded length, unknown attributes kept (Keystone stores them as 'extra')."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator

Name64 = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"\S")]
Name255 = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"\S")]
IdStr = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^[^,/]*$")]


class Open(BaseModel):
    """Strict types; unknown attributes are allowed and stored. Fields named in NOT_NULL may
    be left out of an update but not set to null."""

    model_config = ConfigDict(strict=True, extra="allow")
    NOT_NULL: ClassVar[tuple[str, ...]] = ("name", "enabled", "type", "interface", "url",
                                           "service_id")

    @model_validator(mode="after")
    def _no_nulls(self) -> Open:
        for name in self.NOT_NULL:
            if name in self.model_fields_set and getattr(self, name, None) is None:
                raise ValueError(f"'{name}' may not be null")
        return self

    def data(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class DomainCreate(Open):
    name: Name64
    description: str | None = None
    enabled: bool = True
    tags: list[Tag] | None = None
    options: dict[str, Any] | None = None
    explicit_domain_id: IdStr | None = None


class DomainUpdate(Open):
    name: Name64 | None = None
    description: str | None = None
    enabled: bool | None = None
    tags: list[Tag] | None = None
    options: dict[str, Any] | None = None


class DomainCreateBody(BaseModel):
    model_config = ConfigDict(strict=True)
    domain: DomainCreate


class DomainUpdateBody(BaseModel):
    model_config = ConfigDict(strict=True)
    domain: DomainUpdate


class ProjectCreate(Open):
    name: Name64
    description: str | None = None
    domain_id: IdStr | None = None
    parent_id: IdStr | None = None
    enabled: bool = True
    is_domain: bool = False
    tags: list[Tag] | None = None
    options: dict[str, Any] | None = None


class ProjectUpdate(Open):
    name: Name64 | None = None
    description: str | None = None
    domain_id: IdStr | None = None
    parent_id: IdStr | None = None
    enabled: bool | None = None
    is_domain: bool | None = None
    tags: list[Tag] | None = None
    options: dict[str, Any] | None = None


class ProjectCreateBody(BaseModel):
    model_config = ConfigDict(strict=True)
    project: ProjectCreate


class ProjectUpdateBody(BaseModel):
    model_config = ConfigDict(strict=True)
    project: ProjectUpdate


class TagsBody(BaseModel):
    model_config = ConfigDict(strict=True)
    tags: list[Tag]


class UserCreate(Open):
    name: Name255
    domain_id: IdStr | None = None
    enabled: bool = True
    password: str | None = None
    default_project_id: IdStr | None = None
    description: str | None = None
    email: str | None = None
    options: dict[str, Any] | None = None


class UserUpdate(Open):
    name: Name255 | None = None
    domain_id: IdStr | None = None
    enabled: bool | None = None
    password: str | None = None
    default_project_id: IdStr | None = None
    description: str | None = None
    email: str | None = None
    options: dict[str, Any] | None = None


class UserCreateBody(BaseModel):
    model_config = ConfigDict(strict=True)
    user: UserCreate


class UserUpdateBody(BaseModel):
    model_config = ConfigDict(strict=True)
    user: UserUpdate


class PasswordChange(BaseModel):
    model_config = ConfigDict(strict=True)
    password: Annotated[str, StringConstraints(min_length=1, max_length=4096)]
    original_password: Annotated[str, StringConstraints(max_length=4096)]


class PasswordChangeBody(BaseModel):
    model_config = ConfigDict(strict=True)
    user: PasswordChange


class GroupCreate(Open):
    name: Name64
    domain_id: IdStr | None = None
    description: str | None = None


class GroupUpdate(Open):
    name: Name64 | None = None
    domain_id: IdStr | None = None
    description: str | None = None


class GroupCreateBody(BaseModel):
    model_config = ConfigDict(strict=True)
    group: GroupCreate


class GroupUpdateBody(BaseModel):
    model_config = ConfigDict(strict=True)
    group: GroupUpdate


class RoleCreate(Open):
    name: Name255
    domain_id: IdStr | None = None
    description: str | None = None
    options: dict[str, Any] | None = None


class RoleUpdate(Open):
    name: Name255 | None = None
    domain_id: IdStr | None = None
    description: str | None = None
    options: dict[str, Any] | None = None


class RoleCreateBody(BaseModel):
    model_config = ConfigDict(strict=True)
    role: RoleCreate


class RoleUpdateBody(BaseModel):
    model_config = ConfigDict(strict=True)
    role: RoleUpdate


class RegionCreate(Open):
    id: Annotated[str, StringConstraints(min_length=1, max_length=255)] | None = None
    description: str | None = None
    parent_region_id: str | None = None


class RegionUpdate(Open):
    description: str | None = None
    parent_region_id: str | None = None


class RegionCreateBody(BaseModel):
    model_config = ConfigDict(strict=True)
    region: RegionCreate


class RegionUpdateBody(BaseModel):
    model_config = ConfigDict(strict=True)
    region: RegionUpdate


class ServiceCreate(Open):
    type: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    name: str | None = None
    description: str | None = None
    enabled: bool = True


class ServiceUpdate(Open):
    type: Annotated[str, StringConstraints(min_length=1, max_length=255)] | None = None
    name: str | None = None
    description: str | None = None
    enabled: bool | None = None


class ServiceCreateBody(BaseModel):
    model_config = ConfigDict(strict=True)
    service: ServiceCreate


class ServiceUpdateBody(BaseModel):
    model_config = ConfigDict(strict=True)
    service: ServiceUpdate


class EndpointCreate(Open):
    service_id: IdStr
    interface: str
    url: Annotated[str, StringConstraints(min_length=1, max_length=1024)]
    region_id: str | None = None
    region: str | None = None
    enabled: bool = True


class EndpointUpdate(Open):
    service_id: IdStr | None = None
    interface: str | None = None
    url: Annotated[str, StringConstraints(min_length=1, max_length=1024)] | None = None
    region_id: str | None = None
    region: str | None = None
    enabled: bool | None = None


class EndpointCreateBody(BaseModel):
    model_config = ConfigDict(strict=True)
    endpoint: EndpointCreate


class EndpointUpdateBody(BaseModel):
    model_config = ConfigDict(strict=True)
    endpoint: EndpointUpdate
