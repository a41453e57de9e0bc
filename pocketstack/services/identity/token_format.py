"""Token wire format: a Fernet token (AES-CBC + HMAC-SHA256) around a msgpack payload.

Tokens are not stored: validation decrypts the payload and re-checks the user, scope, roles
and revocation events against the database, so a disabled user, a changed password or a
removed role invalidates tokens at once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import msgpack
from cryptography.fernet import InvalidToken, MultiFernet

VERSION = 1
UNSCOPED, PROJECT, DOMAIN, SYSTEM = 0, 1, 2, 3
METHOD_BITS = {"password": 1, "token": 2, "application_credential": 4, "totp": 8, "oauth1": 16}


@dataclass
class Payload:
    user_id: str
    methods: list[str]
    scope: int
    scope_id: str | None
    expires_at: datetime
    issued_at: datetime
    audit_ids: list[str]
    trust_id: str | None = None
    app_cred_id: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def _pack_id(value: str | None) -> bytes | str | None:
    """32-hex ids travel as 16 bytes; anything else (e.g. 'default') as text."""
    if value is not None and len(value) == 32:
        try:
            return uuid.UUID(hex=value).bytes
        except ValueError:
            pass
    return value


def _unpack_id(value: bytes | str | None) -> str | None:
    if isinstance(value, bytes):
        return uuid.UUID(bytes=value).hex
    return value


def _micros(dt: datetime) -> int:
    return int(dt.timestamp() * 1_000_000)


def _from_micros(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1_000_000, tz=UTC)


def encode(fernet: MultiFernet, p: Payload) -> str:
    bits = 0
    for m in p.methods:
        bits |= METHOD_BITS.get(m, 0)
    body = [
        VERSION,
        _pack_id(p.user_id),
        bits,
        p.scope,
        _pack_id(p.scope_id),
        _micros(p.expires_at),
        _micros(p.issued_at),
        p.audit_ids,
        _pack_id(p.trust_id),
        _pack_id(p.app_cred_id),
    ]
    return fernet.encrypt(msgpack.packb(body, use_bin_type=True)).decode().rstrip("=")


def decode(fernet: MultiFernet, token: str) -> Payload | None:
    """The payload, or None when the token is not one of ours (or was tampered with)."""
    if not token or len(token) > 2048:
        return None
    padded = token + "=" * (-len(token) % 4)
    try:
        raw = fernet.decrypt(padded.encode())
        body = msgpack.unpackb(raw, raw=False)
    except (InvalidToken, ValueError, TypeError, msgpack.ExtraData, msgpack.FormatError):
        return None
    if not isinstance(body, list) or len(body) < 10 or body[0] != VERSION:
        return None
    bits = body[2]
    methods = [m for m, b in METHOD_BITS.items() if bits & b]
    return Payload(
        user_id=_unpack_id(body[1]) or "",
        methods=methods,
        scope=body[3],
        scope_id=_unpack_id(body[4]),
        expires_at=_from_micros(body[5]),
        issued_at=_from_micros(body[6]),
        audit_ids=list(body[7]),
        trust_id=_unpack_id(body[8]),
        app_cred_id=_unpack_id(body[9]),
    )
