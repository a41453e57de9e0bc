"""clouds.yaml and openrc files for the official clients."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from pocketstack.cli.state import write_secret
from pocketstack.config import Settings


def clouds(settings: Settings, admin_pw: str, demo_pw: str) -> dict[str, Any]:
    def cloud(user: str, password: str, project: str) -> dict[str, Any]:
        return {
            "auth": {"auth_url": settings.identity_url, "username": user, "password": password,
                     "project_name": project, "user_domain_id": "default",
                     "project_domain_id": "default"},
            "region_name": settings.region,
            "identity_api_version": 3,
            "interface": "public",
        }

    return {"pocketstack": cloud("admin", admin_pw, "admin"),
            "pocketstack-demo": cloud("demo", demo_pw, "demo")}


def write_client_config(settings: Settings, admin_pw: str, demo_pw: str) -> Path:
    """Writes <data_dir>/clouds.yaml and the openrc files; merges the two clouds into the
    user's clouds.yaml unless settings.clouds_yaml is 'none'. Returns the path to use."""
    entries = clouds(settings, admin_pw, demo_pw)
    own = settings.data_dir / "clouds.yaml"
    _write_yaml(own, {"clouds": entries})
    for name, (user, pw, project) in {"admin": ("admin", admin_pw, "admin"),
                                      "demo": ("demo", demo_pw, "demo")}.items():
        write_secret(settings.data_dir / f"{name}-openrc.sh", _openrc(settings, user, pw,
                                                                      project))
    target = settings.clouds_yaml
    if not target or target.lower() == "none":
        return own
    path = Path(target).expanduser()
    try:
        existing: dict[str, Any] = {}
        if path.exists():
            existing = yaml.safe_load(path.read_text()) or {}
        existing.setdefault("clouds", {}).update(entries)
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_yaml(path, existing)
    except (OSError, yaml.YAMLError) as e:
        print(f"pocketstack: could not update {path}: {e}; use {own}")
        return own
    return path


def _write_yaml(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        yaml.safe_dump(data, fh, default_flow_style=False, sort_keys=False)
    os.replace(tmp, path)


def _openrc(settings: Settings, user: str, password: str, project: str) -> str:
    return "\n".join([
        f"# pocketstack credentials for {user}: source this file",
        f"export OS_AUTH_URL={settings.identity_url}",
        "export OS_IDENTITY_API_VERSION=3",
        f"export OS_USERNAME={user}",
        f"export OS_PASSWORD='{password}'",
        f"export OS_PROJECT_NAME={project}",
        "export OS_USER_DOMAIN_ID=default",
        "export OS_PROJECT_DOMAIN_ID=default",
        f"export OS_REGION_NAME={settings.region}",
        "export OS_INTERFACE=public",
    ])
