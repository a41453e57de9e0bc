"""Request bodies of the Identity API extras: credentials, application credentials and
access rules, trusts, OAuth1 consumers, policies, domain configuration and endpoint groups.
Validated as Keystone's JSON schemas do (strict types, unknown attributes kept as 'extra')."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from pocketstack.api.identity.schemas import IdStr, Name255, Open

Description = Annotated[str, StringConstraints(max_length=65535)]
Method = Annotated[str, StringConstraints(pattern=r"^(POST|GET|HEAD|PATCH|PUT|DELETE)$")]
RulePath = Annotated[str, StringConstraints(max_length=225, pattern=r"^/")]
Type255 = Annotated[str, StringConstraints(max_length=255)]


class Strict(BaseModel):
    model_config = ConfigDict(strict=True)


def no_nulls(model: BaseModel, *names: str) -> None:
    """PATCH bodies may leave an attribute out, but not set a required one to null."""
    for name in names:
        if name in model.model_fields_set and getattr(model, name) is None:
            raise ValueError(f"'{name}' cannot be null")


class Closed(BaseModel):
    """Strict types and no unknown attributes."""

    model_config = ConfigDict(strict=True, extra="forbid")

    def data(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


# -- credentials ---------------------------------------------------------------------------
class CredentialCreate(Open):
    user_id: IdStr
    type: Type255
    blob: str
    project_id: IdStr | None = None


class CredentialUpdate(Open):
    user_id: IdStr | None = None
    type: Type255 | None = None
    blob: str | None = None
    project_id: IdStr | None = None

    @model_validator(mode="after")
    def _check(self) -> CredentialUpdate:
        if not self.model_fields_set and not self.model_extra:
            raise ValueError("at least one attribute must be given")
        no_nulls(self, "user_id", "type", "blob")
        return self


class CredentialCreateBody(Strict):
    credential: CredentialCreate


class CredentialUpdateBody(Strict):
    credential: CredentialUpdate


class Ec2CreateBody(Open):
    tenant_id: IdStr


# -- application credentials and access rules ---------------------------------------------
class RoleRef(Closed):
    """A role named by exactly one of 'id' or 'name'."""

    id: IdStr | None = None
    name: Name255 | None = None

    @model_validator(mode="after")
    def _one_of(self) -> RoleRef:
        if len(self.model_fields_set) != 1:
            raise ValueError("a role is given by exactly one of 'id' or 'name'")
        return self


class AccessRuleIn(Closed):
    id: IdStr | None = None
    service: IdStr | None = None
    path: RulePath | None = None
    method: Method | None = None


class AppCredCreate(Open):
    name: Name255
    description: Description | None = None
    secret: str | None = None
    expires_at: str | None = None
    roles: list[RoleRef] | None = None
    unrestricted: bool | None = None
    access_rules: list[AccessRuleIn] | None = None


class AppCredCreateBody(Strict):
    application_credential: AppCredCreate


# -- trusts ------------------------------------------------------------------------------
class TrustCreate(Open):
    trustor_user_id: IdStr
    trustee_user_id: IdStr
    impersonation: bool
    project_id: IdStr | None = None
    roles: list[RoleRef] | None = None
    expires_at: str | None = None
    remaining_uses: Annotated[int, Field(ge=1)] | None = None
    allow_redelegation: bool | None = None
    redelegation_count: Annotated[int, Field(ge=0)] | None = None


class TrustCreateBody(Strict):
    trust: TrustCreate


# -- OAuth1 consumers --------------------------------------------------------------------
class ConsumerCreate(Open):
    description: Description | None = None


class ConsumerUpdate(Open):
    description: Description | None = None


class ConsumerCreateBody(Strict):
    consumer: ConsumerCreate


class ConsumerUpdateBody(Strict):
    consumer: ConsumerUpdate


# -- policies ----------------------------------------------------------------------------
class PolicyCreate(Open):
    type: Type255
    blob: str


class PolicyUpdate(Open):
    type: Type255 | None = None
    blob: str | None = None

    @model_validator(mode="after")
    def _check(self) -> PolicyUpdate:
        no_nulls(self, "type", "blob")
        return self


class PolicyCreateBody(Strict):
    policy: PolicyCreate


class PolicyUpdateBody(Strict):
    policy: PolicyUpdate


# -- domain configuration ---------------------------------------------------------------
class DomainConfigBody(Strict):
    config: dict[str, Any]


# -- endpoint groups ---------------------------------------------------------------------
class EndpointGroupCreate(Open):
    name: Name255
    description: str | None = None
    filters: dict[str, Any]


class EndpointGroupUpdate(Open):
    name: Name255 | None = None
    description: str | None = None
    filters: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _check(self) -> EndpointGroupUpdate:
        no_nulls(self, "name", "filters")
        return self


class EndpointGroupCreateBody(Strict):
    endpoint_group: EndpointGroupCreate


class EndpointGroupUpdateBody(Strict):
    endpoint_group: EndpointGroupUpdate
