"""Volume types (extra specs, project access), QoS specs, and the default type."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.ids import new_uuid
from pocketstack.common.timeutils import utcnow
from pocketstack.db.engine import Database
from pocketstack.db.models.volume import QosSpecs, Volume, VolumeType
from pocketstack.db.repositories.volume.types import QosRepo, TypeRepo
from pocketstack.db.repositories.volume.volumes import VolumeRepo
from pocketstack.services.volume import records

SPEC_KEY = re.compile(r"^[a-zA-Z0-9\-_:. /]{1,255}$")
CONSUMERS = ("front-end", "back-end", "both")


def check_specs(specs: Any) -> dict[str, str]:
    if not isinstance(specs, dict):
        raise exc.BadRequest("Invalid input for field/attribute extra_specs. Value: "
                             f"{specs}. {specs!r} is not of type 'object'")
    out: dict[str, str] = {}
    for key, value in specs.items():
        if not isinstance(key, str) or not SPEC_KEY.match(key):
            raise exc.BadRequest(f"Invalid input received: Invalid extra spec key {key!r}.")
        if isinstance(value, bool):
            value = str(value)
        if not isinstance(value, (str, int, float)) or len(str(value)) > 255:
            raise exc.BadRequest(f"Invalid input received: Invalid extra spec value for "
                                 f"{key!r}.")
        out[key] = str(value)
    return out


class TypeService:
    def __init__(self, db: Database, default_type: str) -> None:
        self.db = db
        self.default_name = default_type

    def ensure_default(self) -> None:
        with self.db.write() as s:
            if TypeRepo(s).by_name(self.default_name) is None:
                TypeRepo(s).add(VolumeType(id=new_uuid(), name=self.default_name,
                                           description="Default Volume Type", is_public=True,
                                           created_at=utcnow()))

    # -- lookups shared with the volume service ---------------------------------------------
    def resolve(self, s: Session, ctx: RequestContext, ref: str | None) -> VolumeType:
        """A volume type by id or name that the caller may use (default when None)."""
        repo = TypeRepo(s)
        if ref is None or ref == "":
            found = repo.by_name(self.default_name)
        else:
            found = repo.get(ref) or repo.by_name(ref)
        if found is None:
            raise exc.NotFound(f"Volume type with name {ref} could not be found.")
        if not found.is_public and not ctx.is_admin and not repo.has_access(found.id,
                                                                            ctx.project_id):
            raise exc.NotFound(f"Volume type {ref} could not be found.")
        return found

    @staticmethod
    def _get(s: Session, type_id: str) -> VolumeType:
        found = TypeRepo(s).get(type_id)
        if found is None:
            raise exc.NotFound(f"Volume type {type_id} could not be found.")
        return found

    def _visible(self, s: Session, ctx: RequestContext, type_id: str) -> VolumeType:
        found = TypeRepo(s).get(type_id) or (TypeRepo(s).by_name(type_id))
        if found is None or (not found.is_public and not ctx.is_admin and
                             not TypeRepo(s).has_access(found.id, ctx.project_id)):
            raise exc.NotFound(f"Volume type {type_id} could not be found.")
        return found

    # -- types ----------------------------------------------------------------------------
    def create(self, data: dict[str, Any]) -> dict[str, Any]:
        name = data.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > 255:
            raise exc.BadRequest("Volume type name can not be empty.")
        specs = check_specs(data.get("extra_specs") or {})
        with self.db.write() as s:
            repo = TypeRepo(s)
            if repo.by_name(name) is not None:
                raise exc.Conflict(f"Volume Type {name} already exists.")
            vt = repo.add(VolumeType(id=new_uuid(), name=name,
                                     description=data.get("description"),
                                     is_public=data.get("is_public", True),
                                     created_at=utcnow()),
                          conflict=f"Volume Type {name} already exists.")
            repo.set_specs(vt.id, specs)
            return records.volume_types(s, [vt])[0]

    def get(self, ctx: RequestContext, type_id: str) -> dict[str, Any]:
        with self.db.read() as s:
            if type_id == "default":
                return records.volume_types(s, [self.resolve(s, ctx, None)])[0]
            return records.volume_types(s, [self._visible(s, ctx, type_id)])[0]

    def list(self, ctx: RequestContext, is_public: bool | None,
             extra_specs: dict[str, str] | None = None) -> list[dict[str, Any]]:
        with self.db.read() as s:
            if not ctx.is_admin and is_public is None:
                is_public = None
            found = TypeRepo(s).visible(ctx.project_id, is_public=is_public, admin=ctx.is_admin)
            out = records.volume_types(s, list(found))
        if extra_specs:
            out = [t for t in out
                   if all(t["extra_specs"].get(k) == v for k, v in extra_specs.items())]
        return out

    def update(self, type_id: str, data: dict[str, Any]) -> dict[str, Any]:
        with self.db.write() as s:
            repo = TypeRepo(s)
            vt = self._get(s, type_id)
            name = data.get("name")
            if name is not None:
                if not isinstance(name, str) or not name.strip() or len(name) > 255:
                    raise exc.BadRequest("Volume type name can not be empty.")
                other = repo.by_name(name)
                if other is not None and other.id != vt.id:
                    raise exc.Conflict(f"Volume Type {name} already exists.")
                vt.name = name
            if "description" in data:
                vt.description = data["description"]
            if data.get("is_public") is not None:
                vt.is_public = data["is_public"]
            vt.updated_at = utcnow()
            repo.flush(conflict=f"Volume Type {name} already exists.")
            return records.volume_types(s, [vt])[0]

    def delete(self, type_id: str) -> None:
        with self.db.write() as s:
            vt = self._get(s, type_id)
            if VolumeRepo(s).count(Volume.volume_type_id == vt.id):
                raise exc.BadRequest(f"Target volume type is still in use. Volume Type {vt.id} "
                                     "deletion is not allowed with volumes present with the "
                                     "type.")
            if vt.name == self.default_name:
                raise exc.BadRequest("The default volume type cannot be deleted.")
            TypeRepo(s).delete(vt)

    # -- extra specs ----------------------------------------------------------------------
    def specs(self, ctx: RequestContext, type_id: str) -> dict[str, str]:
        with self.db.read() as s:
            return TypeRepo(s).specs(self._visible(s, ctx, type_id).id)

    def spec(self, ctx: RequestContext, type_id: str, key: str) -> dict[str, str]:
        specs = self.specs(ctx, type_id)
        if key not in specs:
            raise exc.NotFound(f"Volume Type {type_id} has no extra specs with key {key}.")
        return {key: specs[key]}

    def set_specs(self, type_id: str, specs: Any) -> dict[str, str]:
        clean = check_specs(specs)
        with self.db.write() as s:
            TypeRepo(s).set_specs(self._get(s, type_id).id, clean)
        return clean

    def delete_spec(self, type_id: str, key: str) -> None:
        with self.db.write() as s:
            if not TypeRepo(s).delete_spec(self._get(s, type_id).id, key):
                raise exc.NotFound(f"Volume Type {type_id} has no extra specs with key {key}.")

    # -- access ----------------------------------------------------------------------------
    def access(self, type_id: str) -> list[str]:
        with self.db.read() as s:
            vt = self._get(s, type_id)
            if vt.is_public:
                raise exc.NotFound("Access list not available for public volume types.")
            return TypeRepo(s).projects(vt.id)

    def add_access(self, type_id: str, project_id: str) -> None:
        with self.db.write() as s:
            vt = self._get(s, type_id)
            if vt.is_public:
                raise exc.BadRequest("Invalid volume type: Type access modification is not "
                                     "applicable to public volume type.")
            if not TypeRepo(s).add_access(vt.id, project_id):
                raise exc.Conflict(f"Volume type access for {type_id} / {project_id} "
                                   "combination already exists.")

    def remove_access(self, type_id: str, project_id: str) -> None:
        with self.db.write() as s:
            vt = self._get(s, type_id)
            if vt.is_public:
                raise exc.BadRequest("Invalid volume type: Type access modification is not "
                                     "applicable to public volume type.")
            if not TypeRepo(s).remove_access(vt.id, project_id):
                raise exc.NotFound(f"Volume type access not found for {type_id} / "
                                   f"{project_id} combination.")


class EncryptionService:
    """Encryption specs of volume types (recorded and shown; this cloud has no key manager,
    so volumes of an encrypted type are refused at create)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    def _check(data: Any, *, creating: bool) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise exc.BadRequest("Missing required element 'encryption' in request body.")
        out = {k: data[k] for k in ("provider", "cipher", "key_size", "control_location")
               if k in data}
        if creating and not out.get("provider"):
            raise exc.BadRequest("Invalid input received: provider must be given.")
        if out.get("control_location", "front-end") not in ("front-end", "back-end"):
            raise exc.BadRequest("Invalid input received: Valid control location are: "
                                 "['front-end', 'back-end']")
        if out.get("key_size") is not None:
            try:
                out["key_size"] = int(out["key_size"])
            except (TypeError, ValueError):
                raise exc.BadRequest("Invalid input received: key_size must be an "
                                     "integer.") from None
        return out

    def get(self, type_id: str) -> dict[str, Any] | None:
        with self.db.read() as s:
            vt = TypeService._get(s, type_id)
            return {**vt.encryption, "volume_type_id": vt.id} if vt.encryption else None

    def create(self, type_id: str, data: Any) -> dict[str, Any]:
        spec = self._check(data, creating=True)
        with self.db.write() as s:
            vt = TypeService._get(s, type_id)
            if vt.encryption:
                raise exc.Conflict(f"Volume type encryption for type {type_id} already "
                                   "exists.")
            if VolumeRepo(s).count(Volume.volume_type_id == vt.id):
                raise exc.BadRequest("Cannot create encryption specs. Volume type in use.")
            spec.setdefault("control_location", "front-end")
            spec.setdefault("cipher", None)
            spec.setdefault("key_size", None)
            vt.encryption = {**spec, "encryption_id": new_uuid(),
                             "created_at": utcnow().strftime("%Y-%m-%dT%H:%M:%S.%f")}
            return {**vt.encryption, "volume_type_id": vt.id}

    def update(self, type_id: str, data: Any) -> dict[str, Any]:
        spec = self._check(data, creating=False)
        with self.db.write() as s:
            vt = TypeService._get(s, type_id)
            if not vt.encryption:
                raise exc.NotFound(f"Volume type encryption for type {type_id} does not "
                                   "exist.")
            vt.encryption = {**vt.encryption, **spec}
            return spec

    def delete(self, type_id: str) -> None:
        with self.db.write() as s:
            vt = TypeService._get(s, type_id)
            if not vt.encryption:
                raise exc.NotFound(f"Volume type encryption for type {type_id} does not "
                                   "exist.")
            if VolumeRepo(s).count(Volume.volume_type_id == vt.id):
                raise exc.BadRequest("Cannot delete encryption specs. Volume type in use.")
            vt.encryption = None


class QosService:
    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    def _get(s: Session, qos_id: str) -> QosSpecs:
        found = QosRepo(s).get(qos_id)
        if found is None:
            raise exc.NotFound(f"QoS Specs {qos_id} could not be found.")
        return found

    @staticmethod
    def record(q: QosSpecs) -> dict[str, Any]:
        return {"id": q.id, "name": q.name, "consumer": q.consumer, "specs": dict(q.specs or {})}

    def create(self, data: dict[str, Any]) -> dict[str, Any]:
        data = dict(data)
        name = data.pop("name", None)
        if not isinstance(name, str) or not name.strip() or len(name) > 255:
            raise exc.BadRequest("Please specify a name for QoS specs.")
        consumer = data.pop("consumer", "back-end")
        if consumer not in CONSUMERS:
            raise exc.BadRequest(f"Invalid input received: Valid consumer of QoS specs are: "
                                 f"{list(CONSUMERS)}")
        specs = check_specs(data)
        with self.db.write() as s:
            if QosRepo(s).by_name(name) is not None:
                raise exc.Conflict(f"QoS Specs {name} already exists.")
            q = QosRepo(s).add(QosSpecs(id=new_uuid(), name=name, consumer=consumer,
                                        specs=specs, created_at=utcnow()),
                               conflict=f"QoS Specs {name} already exists.")
            return self.record(q)

    def list(self) -> list[dict[str, Any]]:
        with self.db.read() as s:
            return [self.record(q) for q in QosRepo(s).all()]

    def get(self, qos_id: str) -> dict[str, Any]:
        with self.db.read() as s:
            return self.record(self._get(s, qos_id))

    def set_keys(self, qos_id: str, data: Any) -> dict[str, str]:
        if not isinstance(data, dict) or not data:
            raise exc.BadRequest("Missing required element 'qos_specs' in request body.")
        data = dict(data)
        consumer = data.get("consumer")
        if consumer is not None and consumer not in CONSUMERS:
            raise exc.BadRequest("Invalid input received: Valid consumer of QoS specs are: "
                                 f"{list(CONSUMERS)}")
        with self.db.write() as s:
            q = self._get(s, qos_id)
            if consumer is not None:
                q.consumer = data.pop("consumer")
            clean = check_specs({k: v for k, v in data.items() if k != "consumer"})
            q.specs = {**(q.specs or {}), **clean}
            return {**clean, **({"consumer": consumer} if consumer else {})}

    def delete_keys(self, qos_id: str, keys: Any) -> None:
        if not isinstance(keys, list):
            raise exc.BadRequest("Invalid input: 'keys' must be a list.")
        with self.db.write() as s:
            q = self._get(s, qos_id)
            specs = dict(q.specs or {})
            for key in keys:
                if key not in specs:
                    raise exc.NotFound(f"QoS spec {qos_id} has no key {key}.")
                specs.pop(key)
            q.specs = specs

    def delete(self, qos_id: str, force: bool) -> None:
        with self.db.write() as s:
            q = self._get(s, qos_id)
            users = TypeRepo(s).with_qos(q.id)
            if users and not force:
                raise exc.BadRequest(f"QoS Specs {qos_id} is still associated with entities.")
            for vt in users:
                vt.qos_specs_id = None
            QosRepo(s).delete(q)

    def associations(self, qos_id: str) -> list[dict[str, str]]:
        with self.db.read() as s:
            q = self._get(s, qos_id)
            return [{"association_type": "volume_type", "name": t.name, "id": t.id}
                    for t in TypeRepo(s).with_qos(q.id)]

    def associate(self, qos_id: str, type_id: str | None) -> None:
        with self.db.write() as s:
            q = self._get(s, qos_id)
            vt = TypeService._get(s, type_id or "")
            if vt.qos_specs_id and vt.qos_specs_id != q.id:
                raise exc.BadRequest(f"Type {vt.id} is already associated with another qos "
                                     f"specs: {vt.qos_specs_id}")
            vt.qos_specs_id = q.id

    def disassociate(self, qos_id: str, type_id: str | None) -> None:
        with self.db.write() as s:
            self._get(s, qos_id)
            vt = TypeService._get(s, type_id or "")
            if vt.qos_specs_id == qos_id:
                vt.qos_specs_id = None

    def disassociate_all(self, qos_id: str) -> None:
        with self.db.write() as s:
            self._get(s, qos_id)
            for vt in TypeRepo(s).with_qos(qos_id):
                vt.qos_specs_id = None
