"""Identifiers as OpenStack uses them."""

from __future__ import annotations

import base64
import os
import uuid


def new_id() -> str:
    """32 hex characters, as Keystone ids."""
    return uuid.uuid4().hex


def new_uuid() -> str:
    """Dashed UUID, as Nova, Neutron, Glance and Cinder ids."""
    return str(uuid.uuid4())


def audit_id() -> str:
    """22 url-safe characters from 16 random bytes, as Keystone audit ids."""
    return base64.urlsafe_b64encode(os.urandom(16)).rstrip(b"=").decode()
