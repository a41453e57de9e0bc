"""Credentials, application credentials, access rules, trusts, consumers, policies,
domain configuration."""

from __future__ import annotations

from pocketstack.db.models.identity import (
    AccessRule,
    ApplicationCredential,
    Consumer,
    Credential,
    DomainConfig,
    Policy,
    Trust,
)
from pocketstack.db.repositories.base import Repository


class CredentialRepo(Repository[Credential]):
    model = Credential


class AppCredRepo(Repository[ApplicationCredential]):
    model = ApplicationCredential


class AccessRuleRepo(Repository[AccessRule]):
    model = AccessRule


class TrustRepo(Repository[Trust]):
    model = Trust


class ConsumerRepo(Repository[Consumer]):
    model = Consumer


class PolicyRepo(Repository[Policy]):
    model = Policy


class DomainConfigRepo(Repository[DomainConfig]):
    model = DomainConfig
