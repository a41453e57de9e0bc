"""Identity (Keystone v3) domain logic."""

from __future__ import annotations

from pocketstack.config import Settings
from pocketstack.db.engine import Database
from pocketstack.services.identity.app_creds import AppCredService
from pocketstack.services.identity.catalog import CatalogService
from pocketstack.services.identity.credentials import CredentialService
from pocketstack.services.identity.extras import (
    ConsumerService,
    DomainConfigService,
    EndpointGroupService,
    PolicyService,
)
from pocketstack.services.identity.keys import KeyRepository
from pocketstack.services.identity.passwords import Hasher
from pocketstack.services.identity.resources import ResourceService
from pocketstack.services.identity.roles import RoleService
from pocketstack.services.identity.tokens import TokenService
from pocketstack.services.identity.trusts import TrustService
from pocketstack.services.identity.users import UserService


class Identity:
    def __init__(self, db: Database, settings: Settings) -> None:
        keys_dir = settings.data_dir / "keys"
        self.token_keys = KeyRepository(keys_dir / "fernet")
        self.credential_keys = KeyRepository(keys_dir / "credential")
        self.token_keys.ensure()
        self.credential_keys.ensure()
        self.hasher = Hasher(settings.password_hash_memory_kib, settings.password_hash_time_cost)
        self.db = db
        self.settings = settings
        self.tokens = TokenService(db, self.token_keys.fernet(), self.hasher,
                                   settings.token_expiration,
                                   lockout_attempts=settings.lockout_failure_attempts,
                                   lockout_duration=settings.lockout_duration)
        self.resources = ResourceService(db)
        self.users = UserService(db, self.hasher, settings.password_history_count)
        self.roles = RoleService(db)
        self.catalog = CatalogService(db)
        self.credentials = CredentialService(db, self.credential_keys.fernet())
        self.app_creds = AppCredService(db, self.hasher)
        self.trusts = TrustService(db)
        self.consumers = ConsumerService(db, self.hasher)
        self.policies = PolicyService(db)
        self.domain_configs = DomainConfigService(db, self.credential_keys.fernet())
        self.endpoint_groups = EndpointGroupService(db)
