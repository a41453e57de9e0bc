"""The one settings object: environment (POCKETSTACK_*), an optional TOML file, CLI overrides.

Every option is documented here with its default; docs/configuration.md is generated from
this class by ``pocketstack config --docs``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict


def default_data_dir() -> Path:
    """The user's data home ($XDG_DATA_HOME or ~/.local/share) plus 'pocketstack'."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "pocketstack"


class Settings(BaseSettings):
    """All pocketstack options. Environment variables use the POCKETSTACK_ prefix."""

    model_config = SettingsConfigDict(env_prefix="POCKETSTACK_", extra="ignore")

    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Where state lives: database, keys, images, volumes, logs.",
    )
    host: str = Field("127.0.0.1", description="Address the API listens on.")
    port: int = Field(5000, ge=0, le=65535, description="The one port that serves every API.")
    public_host: str | None = Field(
        None, description="Host name published in the catalog (default: the listen host)."
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL. Default: SQLite file pocketstack.db in the data dir. "
        "PostgreSQL: postgresql+psycopg://user:pass@host/db.",
    )
    admin_password: str | None = Field(
        None,
        description="Admin password. Default: generated on first start, stored 0600 in the "
        "data dir (admin-password).",
    )
    region: str = Field("RegionOne", description="Region created at bootstrap.")
    token_expiration: int = Field(3600, ge=60, description="Token lifetime in seconds.")
    max_request_body: int = Field(
        1024 * 1024, ge=1024, description="Largest JSON request body accepted, in bytes."
    )
    log_level: str = Field("INFO", description="Log level: DEBUG, INFO, WARNING, ERROR.")
    log_requests: bool = Field(True, description="Log one line per request.")
    password_hash_memory_kib: int = Field(
        19456, ge=19456, description="argon2id memory cost (OWASP minimum: 19 MiB)."
    )
    password_hash_time_cost: int = Field(2, ge=2, description="argon2id iterations.")
    password_history_count: int = Field(
        1, ge=0, description="Passwords a user may not reuse when changing their own."
    )
    clouds_yaml: str = Field(
        "~/.config/openstack/clouds.yaml",
        description="clouds.yaml to merge the 'pocketstack' and 'pocketstack-demo' clouds into "
        "(a copy is always written to the data dir); 'none' to skip.",
    )
    config_file: Path | None = Field(None, description="Optional TOML file with these options.")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _TomlSource(settings_cls))

    # Derived values -----------------------------------------------------------------
    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'pocketstack.db'}"

    @property
    def public_url(self) -> str:
        host = self.public_host or self.host
        if host in ("0.0.0.0", "::"):
            host = "127.0.0.1"
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @property
    def identity_url(self) -> str:
        return f"{self.public_url}/v3"


class _TomlSource(PydanticBaseSettingsSource):
    """Reads POCKETSTACK_CONFIG_FILE, or <data_dir>/pocketstack.toml when it exists."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        path = os.environ.get("POCKETSTACK_CONFIG_FILE")
        if not path:
            data_dir = os.environ.get("POCKETSTACK_DATA_DIR") or str(default_data_dir())
            candidate = Path(data_dir) / "pocketstack.toml"
            path = str(candidate) if candidate.exists() else None
        if not path:
            return {}
        import tomllib

        with open(path, "rb") as fh:
            return tomllib.load(fh)
