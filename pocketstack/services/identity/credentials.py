"""Credentials (/v3/credentials) and the EC2 view of them (OS-EC2).

Blobs are stored encrypted with the credential Fernet keys (keys/credential); the API always
shows them decrypted. An 'ec2' credential's id is the SHA-256 of its access key, as Keystone
computes it, so the access key alone finds the credential.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from cryptography.fernet import InvalidToken, MultiFernet
from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.ids import new_id
from pocketstack.db.engine import Database
from pocketstack.db.models.identity import Credential
from pocketstack.db.repositories.identity.extras import CredentialRepo
from pocketstack.db.repositories.identity.resources import ProjectRepo
from pocketstack.db.repositories.identity.users import UserRepo

EC2 = "ec2"
# Delegation ids an ec2 blob carries; an update may not change them.
DELEGATION_KEYS = ("trust_id", "app_cred_id", "access_token_id")


@dataclass
class PlainCredential:
    """A credential with its blob decrypted."""

    id: str
    user_id: str
    project_id: str | None
    type: str
    blob: str
    extra: dict[str, Any] = field(default_factory=dict)

    def ec2(self) -> dict[str, Any]:
        """The OS-EC2 representation (without links)."""
        blob = _json_object(self.blob) or {}
        return {"user_id": self.user_id, "tenant_id": self.project_id,
                "access": blob.get("access"), "secret": blob.get("secret"),
                "trust_id": blob.get("trust_id"), "app_cred_id": blob.get("app_cred_id"),
                "access_token_id": blob.get("access_token_id")}


def hash_access_key(access: str) -> str:
    return hashlib.sha256(access.encode("utf-8")).hexdigest()


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


class CredentialService:
    def __init__(self, db: Database, fernet: MultiFernet) -> None:
        self.db = db
        self.fernet = fernet

    # -- encryption -------------------------------------------------------------------
    def _encrypt(self, blob: str) -> str:
        return self.fernet.encrypt(blob.encode("utf-8")).decode("ascii")

    def _decrypt(self, token: str) -> str:
        try:
            return self.fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, ValueError) as e:
            raise exc.ServiceUnavailable(
                "Credential could not be decrypted: the credential keys have changed.") from e

    def _plain(self, cred: Credential) -> PlainCredential:
        return PlainCredential(id=cred.id, user_id=cred.user_id, project_id=cred.project_id,
                               type=cred.type, blob=self._decrypt(cred.encrypted_blob),
                               extra=dict(cred.extra or {}))

    # -- /v3/credentials --------------------------------------------------------------
    def create(self, data: dict[str, Any], *, trust_id: str | None = None,
               app_cred_id: str | None = None) -> PlainCredential:
        data.pop("id", None)
        user_id, ctype, blob = data.pop("user_id"), data.pop("type"), data.pop("blob")
        project_id = data.pop("project_id", None)
        cred_id = new_id()
        if ctype.lower() == EC2:
            parsed = self._ec2_blob(blob, project_id)
            cred_id = hash_access_key(parsed["access"])
            delegation = {"trust_id": trust_id, "app_cred_id": app_cred_id}
            if any(delegation.values()):
                parsed.update({k: v for k, v in delegation.items() if v})
                blob = json.dumps(parsed)
        with self.db.write() as s:
            self._check_refs(s, user_id, project_id)
            cred = Credential(id=cred_id, user_id=user_id, project_id=project_id, type=ctype,
                              encrypted_blob=self._encrypt(blob), extra=data)
            CredentialRepo(s).add(
                cred, conflict=f"Conflict occurred attempting to store credential - Duplicate "
                f"ID, {cred_id}.")
            return self._plain(cred)

    @staticmethod
    def _ec2_blob(blob: str, project_id: str | None) -> dict[str, Any]:
        parsed = _json_object(blob)
        if parsed is None:
            raise exc.ValidationError("Invalid blob in credential: an ec2 credential's blob "
                                      "must be a JSON object.")
        if not isinstance(parsed.get("access"), str) or not parsed["access"]:
            raise exc.ValidationError("Invalid blob in credential: 'access' is required.")
        if not project_id:
            raise exc.ValidationError("Invalid input for field 'project_id': an ec2 credential "
                                      "requires a project_id.")
        return parsed

    @staticmethod
    def _check_refs(s: Session, user_id: str, project_id: str | None) -> None:
        if UserRepo(s).get(user_id) is None:
            raise exc.NotFound(f"Could not find user: {user_id}.")
        if project_id and ProjectRepo(s).get(project_id) is None:
            raise exc.NotFound(f"Could not find project: {project_id}.")

    @staticmethod
    def _get(s: Session, credential_id: str) -> Credential:
        cred = CredentialRepo(s).get(credential_id)
        if cred is None:
            raise exc.NotFound(f"Could not find credential: {credential_id}.")
        return cred

    def get(self, credential_id: str) -> PlainCredential:
        with self.db.read() as s:
            return self._plain(self._get(s, credential_id))

    def list(self, *, user_id: str | None = None, type_: str | None = None) -> list[PlainCredential]:
        with self.db.read() as s:
            where = []
            if user_id is not None:
                where.append(Credential.user_id == user_id)
            if type_ is not None:
                where.append(Credential.type == type_)
            found = CredentialRepo(s).find(*where, order_by=Credential.id)
            return [self._plain(c) for c in found]

    def update(self, credential_id: str, data: dict[str, Any]) -> PlainCredential:
        with self.db.write() as s:
            cred = self._get(s, credential_id)
            if data.get("id", credential_id) != credential_id:
                raise exc.ValidationError("Cannot change the credential ID.")
            data.pop("id", None)
            old_blob = self._decrypt(cred.encrypted_blob)
            ctype = data.get("type", cred.type)
            project_id = data["project_id"] if "project_id" in data else cred.project_id
            blob = data.get("blob", old_blob)
            if ctype.lower() == EC2:
                self._ec2_update_blob(blob, old_blob if cred.type.lower() == EC2 else None,
                                      project_id)
            if "user_id" in data or "project_id" in data:
                self._check_refs(s, data.get("user_id", cred.user_id), project_id)
            for key in ("user_id", "type", "project_id"):
                if key in data:
                    setattr(cred, key, data.pop(key))
            if "blob" in data:
                cred.encrypted_blob = self._encrypt(data.pop("blob"))
            cred.extra = {**(cred.extra or {}), **data}
            CredentialRepo(s).flush()
            return self._plain(cred)

    def _ec2_update_blob(self, blob: str, old_blob: str | None, project_id: str | None) -> None:
        parsed = self._ec2_blob(blob, project_id)
        old = _json_object(old_blob) if old_blob else None
        for key in DELEGATION_KEYS:
            if old is not None and parsed.get(key) != old.get(key):
                raise exc.ValidationError(f"Invalid blob in credential: '{key}' of an ec2 "
                                          "credential cannot be changed.")

    def delete(self, credential_id: str) -> None:
        with self.db.write() as s:
            CredentialRepo(s).delete(self._get(s, credential_id))

    # -- OS-EC2 -----------------------------------------------------------------------
    def create_ec2(self, user_id: str, tenant_id: str, *, trust_id: str | None = None,
                   app_cred_id: str | None = None) -> PlainCredential:
        blob: dict[str, Any] = {"access": uuid.uuid4().hex, "secret": uuid.uuid4().hex,
                                "trust_id": trust_id}
        if app_cred_id:
            blob["app_cred_id"] = app_cred_id
        text = json.dumps(blob)
        with self.db.write() as s:
            self._check_refs(s, user_id, None)
            if ProjectRepo(s).get(tenant_id) is None:
                raise exc.NotFound(f"Could not find project: {tenant_id}.")
            cred = Credential(id=hash_access_key(blob["access"]), user_id=user_id,
                              project_id=tenant_id, type=EC2,
                              encrypted_blob=self._encrypt(text), extra={})
            CredentialRepo(s).add(cred)
            return self._plain(cred)

    def list_ec2(self, user_id: str) -> list[PlainCredential]:
        with self.db.read() as s:
            if UserRepo(s).get(user_id) is None:
                raise exc.NotFound(f"Could not find user: {user_id}.")
        return self.list(user_id=user_id, type_=EC2)

    def get_ec2(self, user_id: str, access: str) -> PlainCredential:
        with self.db.read() as s:
            return self._plain(self._ec2(s, user_id, access))

    def delete_ec2(self, user_id: str, access: str) -> None:
        with self.db.write() as s:
            CredentialRepo(s).delete(self._ec2(s, user_id, access))

    def _ec2(self, s: Session, user_id: str, access: str) -> Credential:
        if UserRepo(s).get(user_id) is None:
            raise exc.NotFound(f"Could not find user: {user_id}.")
        cred_id = hash_access_key(access)
        cred = CredentialRepo(s).get(cred_id)
        if cred is None or cred.user_id != user_id:
            raise exc.NotFound(f"Could not find credential: {cred_id}.")
        if cred.type != EC2:
            raise exc.Unauthorized("EC2 access key not found.")
        return cred

    def owner_of(self, credential_id: str) -> str | None:
        """The user owning a credential, or None if it does not exist (for policy checks)."""
        with self.db.read() as s:
            cred = CredentialRepo(s).get(credential_id)
            return cred.user_id if cred else None

    def ec2_owner(self, access: str) -> str | None:
        return self.owner_of(hash_access_key(access))
