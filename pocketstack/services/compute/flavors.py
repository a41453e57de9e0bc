"""Flavors: the default set, admin create / update / delete, listing with Nova's filters,
extra specs and project access lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.common.ids import new_uuid
from pocketstack.common.timeutils import utcnow
from pocketstack.db.models.compute import Flavor
from pocketstack.db.repositories.compute.flavors import SORT_KEYS, FlavorQuery, FlavorRepo
from pocketstack.services.compute.paging import parse_limit
from pocketstack.services.compute.tx import Transactions

# (id, name, MiB, vCPUs, root GiB): Nova's classic m1 set.
DEFAULT_FLAVORS = (("1", "m1.tiny", 512, 1, 1), ("2", "m1.small", 2048, 1, 20),
                   ("3", "m1.medium", 4096, 2, 40), ("4", "m1.large", 8192, 4, 80),
                   ("5", "m1.xlarge", 16384, 8, 160))


@dataclass
class FlavorRecord:
    flavor: Flavor
    extra_specs: dict[str, str] = field(default_factory=dict)


def not_found(flavor_id: str) -> exc.NotFound:
    return exc.NotFound(f"Flavor {flavor_id} could not be found.")


def snapshot(flavor: Flavor, specs: dict[str, str]) -> dict[str, Any]:
    """The flavor as a server keeps it (shown at 2.47+, used by resize and usage)."""
    return {"id": flavor.flavorid, "name": flavor.name, "ram": flavor.memory_mb,
            "vcpus": flavor.vcpus, "disk": flavor.root_gb, "ephemeral": flavor.ephemeral_gb,
            "swap": flavor.swap, "extra_specs": dict(specs)}


class FlavorService:
    def __init__(self, tx: Transactions) -> None:
        self.tx = tx

    def ensure_defaults(self) -> None:
        def work(s: Session) -> None:
            repo = FlavorRepo(s)
            if repo.count_all():
                return
            now = utcnow()
            for fid, name, ram, vcpus, disk in DEFAULT_FLAVORS:
                repo.add(Flavor(flavorid=fid, name=name, memory_mb=ram, vcpus=vcpus,
                                root_gb=disk, ephemeral_gb=0, swap=0, rxtx_factor=1.0,
                                is_public=True, disabled=False, created_at=now))
        self.tx.write(work)

    # -- reads ----------------------------------------------------------------------------
    @staticmethod
    def load(s: Session, ctx: RequestContext | None, flavor_id: str) -> Flavor:
        """A flavor the caller may see (a private one only with access), else 404."""
        flavor = FlavorRepo(s).by_flavorid(flavor_id)
        if flavor is None:
            raise not_found(flavor_id)
        if ctx is not None and not ctx.is_admin and not flavor.is_public and \
                not FlavorRepo(s).has_access(flavor.id, ctx.project_id):
            raise not_found(flavor_id)
        return flavor

    def get(self, ctx: RequestContext, flavor_id: str) -> FlavorRecord:
        def work(s: Session) -> FlavorRecord:
            flavor = FlavorRepo(s).by_flavorid(flavor_id)
            if flavor is None:
                raise not_found(flavor_id)
            return FlavorRecord(flavor, FlavorRepo(s).specs(flavor.id))
        return self.tx.read(work)

    def list(self, ctx: RequestContext, params: dict[str, str], *, name_filter: bool
             ) -> list[FlavorRecord]:
        q = FlavorQuery(project_id=ctx.project_id)
        if ctx.is_admin:
            q.is_public = _is_public(params.get("is_public"))
        else:
            q.include_disabled = False
        q.min_ram = _int_filter(params, "minRam")
        q.min_disk = _int_filter(params, "minDisk")
        if name_filter and "name" in params:
            q.name = params["name"]
        q.sort_key = params.get("sort_key", "flavorid")
        if q.sort_key not in SORT_KEYS:
            raise exc.BadRequest(f"Invalid input received: Invalid sort_key {q.sort_key}")
        q.sort_dir = params.get("sort_dir", "asc")
        if q.sort_dir not in ("asc", "desc"):
            raise exc.BadRequest(f"Invalid input received: Unknown sort direction, must be "
                                 f"'desc' or 'asc'; got {q.sort_dir}")
        q.limit = parse_limit(params.get("limit"))

        def work(s: Session) -> list[FlavorRecord]:
            repo = FlavorRepo(s)
            if params.get("marker"):
                q.marker = repo.by_flavorid(params["marker"])
                if q.marker is None:
                    raise exc.BadRequest(f"marker [{params['marker']}] not found")
            found = list(repo.search(q))
            specs = repo.specs_for([f.id for f in found])
            return [FlavorRecord(f, specs[f.id]) for f in found]
        return self.tx.read(work)

    # -- writes ---------------------------------------------------------------------------
    def create(self, data: dict[str, Any]) -> FlavorRecord:
        flavorid = data.get("id")
        if flavorid is None or flavorid == "auto":
            flavorid = new_uuid()
        flavorid = str(flavorid)

        def work(s: Session) -> FlavorRecord:
            repo = FlavorRepo(s)
            if repo.by_flavorid(flavorid) is not None:
                raise exc.Conflict(f"Flavor with ID {flavorid} already exists.")
            if repo.by_name(data["name"]) is not None:
                raise exc.Conflict(f"Flavor with name {data['name']} already exists.")
            flavor = Flavor(flavorid=flavorid, name=data["name"], memory_mb=int(data["ram"]),
                            vcpus=int(data["vcpus"]), root_gb=int(data["disk"]),
                            ephemeral_gb=int(data.get("OS-FLV-EXT-DATA:ephemeral") or 0),
                            swap=int(data.get("swap") or 0),
                            rxtx_factor=float(data.get("rxtx_factor") or 1.0),
                            is_public=bool(data.get("os-flavor-access:is_public", True)),
                            disabled=False, description=data.get("description"),
                            created_at=utcnow())
            repo.add(flavor, conflict=f"Flavor with ID {flavorid} already exists.")
            return FlavorRecord(flavor, {})
        return self.tx.write(work)

    def update(self, flavor_id: str, description: str | None) -> FlavorRecord:
        def work(s: Session) -> FlavorRecord:
            flavor = self.load(s, None, flavor_id)
            flavor.description = description
            flavor.updated_at = utcnow()
            return FlavorRecord(flavor, FlavorRepo(s).specs(flavor.id))
        return self.tx.write(work)

    def delete(self, flavor_id: str) -> None:
        def work(s: Session) -> None:
            FlavorRepo(s).delete(self.load(s, None, flavor_id))
        self.tx.write(work)

    # -- extra specs ----------------------------------------------------------------------
    def extra_specs(self, ctx: RequestContext, flavor_id: str) -> dict[str, str]:
        def work(s: Session) -> dict[str, str]:
            return FlavorRepo(s).specs(self.load(s, ctx, flavor_id).id)
        return self.tx.read(work)

    def extra_spec(self, ctx: RequestContext, flavor_id: str, key: str) -> str:
        specs = self.extra_specs(ctx, flavor_id)
        if key not in specs:
            raise exc.NotFound(f"Flavor {flavor_id} has no extra specs with key {key}.")
        return specs[key]

    def set_extra_specs(self, flavor_id: str, items: dict[str, str]) -> dict[str, str]:
        def work(s: Session) -> dict[str, str]:
            flavor = self.load(s, None, flavor_id)
            FlavorRepo(s).set_specs(flavor.id, items)
            flavor.updated_at = utcnow()
            return items
        return self.tx.write(work)

    def delete_extra_spec(self, flavor_id: str, key: str) -> None:
        def work(s: Session) -> None:
            flavor = self.load(s, None, flavor_id)
            if not FlavorRepo(s).delete_spec(flavor.id, key):
                raise exc.NotFound(f"Flavor {flavor_id} has no extra specs with key {key}.")
        self.tx.write(work)

    # -- access ---------------------------------------------------------------------------
    def access_list(self, flavor_id: str) -> list[str]:
        def work(s: Session) -> list[str]:
            flavor = self.load(s, None, flavor_id)
            if flavor.is_public:
                raise exc.NotFound("Access list not available for public flavors.")
            return FlavorRepo(s).projects(flavor.id)
        return self.tx.read(work)

    def add_access(self, flavor_id: str, project_id: str) -> list[str]:
        def work(s: Session) -> list[str]:
            flavor = self.load(s, None, flavor_id)
            if flavor.is_public:
                raise exc.Conflict("Can not add access to a public flavor.")
            if not FlavorRepo(s).add_access(flavor.id, project_id):
                raise exc.Conflict(f"Flavor access already exists for flavor {flavor_id} and "
                                   f"project {project_id} combination.")
            return FlavorRepo(s).projects(flavor.id)
        return self.tx.write(work)

    def remove_access(self, flavor_id: str, project_id: str) -> list[str]:
        def work(s: Session) -> list[str]:
            flavor = self.load(s, None, flavor_id)
            if flavor.is_public:
                raise exc.Conflict("Can not remove access to a public flavor.")
            if not FlavorRepo(s).remove_access(flavor.id, project_id):
                raise exc.NotFound(f"Flavor access not found for {flavor_id} / {project_id} "
                                   "combination.")
            return FlavorRepo(s).projects(flavor.id)
        return self.tx.write(work)


def _is_public(value: str | None) -> bool | None:
    if value is None:
        return True
    v = value.strip().lower()
    if v == "none":
        return None
    if v in ("true", "t", "1", "yes", "y", "on"):
        return True
    if v in ("false", "f", "0", "no", "n", "off"):
        return False
    raise exc.BadRequest(f"Invalid is_public filter [{value}]")


def _int_filter(params: dict[str, str], name: str) -> int | None:
    raw = params.get(name)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise exc.BadRequest(f"Invalid {name} filter [{raw}]") from None
    if value < 0:
        raise exc.BadRequest(f"Invalid {name} filter [{raw}]")
    return value

