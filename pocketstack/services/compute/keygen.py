"""Key material for key pairs: fingerprints of imported keys (SSH: MD5 of the key blob;
x509: SHA-1 of the certificate), and new key pairs when the client asks for one."""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import timedelta

from pocketstack.common import exceptions as exc
from pocketstack.common.timeutils import utcnow

INVALID = "Keypair data is invalid: failed to generate fingerprint"


def _colons(digest: bytes) -> str:
    return ":".join(f"{b:02x}" for b in digest)


def ssh_fingerprint(public_key: str) -> str:
    from cryptography.hazmat.primitives import serialization

    text = public_key.strip()
    try:
        serialization.load_ssh_public_key(text.encode())
        blob = base64.b64decode(text.split()[1])
    except (ValueError, IndexError, binascii.Error, TypeError):
        raise exc.BadRequest(INVALID) from None
    except Exception:  # noqa: BLE001 - unsupported key algorithms
        raise exc.BadRequest(INVALID) from None
    return _colons(hashlib.md5(blob, usedforsecurity=False).digest())


def x509_fingerprint(pem: str) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    try:
        cert = x509.load_pem_x509_certificate(pem.encode())
    except ValueError:
        raise exc.BadRequest(INVALID) from None
    return _colons(cert.fingerprint(hashes.SHA1()))  # noqa: S303 - Nova's fingerprint


def fingerprint(public_key: str, key_type: str) -> str:
    return x509_fingerprint(public_key) if key_type == "x509" else ssh_fingerprint(public_key)


def generate(key_type: str, name: str) -> tuple[str, str]:
    """(public key or certificate, private key PEM)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption()).decode()
    if key_type == "x509":
        return _certificate(key, name), private
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                           serialization.PublicFormat.OpenSSH).decode()
    return f"{public} Generated-by-Nova", private


def _certificate(key: object, name: str) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name or "pocketstack")])
    now = utcnow()
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key())  # type: ignore[attr-defined]
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=1))
            .not_valid_after(now + timedelta(days=3650))
            .sign(key, hashes.SHA256()))  # type: ignore[arg-type]
    return cert.public_bytes(serialization.Encoding.PEM).decode()
