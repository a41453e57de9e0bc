"""Compute resources other than servers as the API shows them (per microversion)."""

from __future__ import annotations

from typing import Any

from pocketstack.api.compute.links import links
from pocketstack.api.compute.views_servers import micro, stamp
from pocketstack.services.compute.flavors import FlavorRecord


# -- flavors ---------------------------------------------------------------------------------
def flavor_brief(rec: FlavorRecord, base: str, mv: int) -> dict[str, Any]:
    f = rec.flavor
    out: dict[str, Any] = {"id": f.flavorid, "name": f.name,
                           "links": links(base, "flavors", f.flavorid)}
    if mv >= 55:
        out["description"] = f.description
    return out


def flavor(rec: FlavorRecord, base: str, mv: int, *, specs: bool = True) -> dict[str, Any]:
    f = rec.flavor
    out: dict[str, Any] = {
        "id": f.flavorid, "name": f.name, "ram": f.memory_mb, "disk": f.root_gb,
        "vcpus": f.vcpus, "links": links(base, "flavors", f.flavorid),
        "OS-FLV-EXT-DATA:ephemeral": f.ephemeral_gb,
        "swap": f.swap if (f.swap or mv >= 75) else "",
        "os-flavor-access:is_public": bool(f.is_public),
    }
    if mv < 102:
        out["OS-FLV-DISABLED:disabled"] = bool(f.disabled)
        out["rxtx_factor"] = float(f.rxtx_factor or 1.0)
    if mv >= 55:
        out["description"] = f.description
    if mv >= 61 and specs:
        out["extra_specs"] = dict(rec.extra_specs)
    return out


def flavor_access(flavor_id: str, projects: list[str]) -> dict[str, Any]:
    return {"flavor_access": [{"flavor_id": flavor_id, "tenant_id": p} for p in projects]}


# -- keypairs --------------------------------------------------------------------------------
def keypair(kp: Any, mv: int, *, detail: bool = False, private: str | None = None,
            created: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"name": kp.name, "public_key": kp.public_key,
                           "fingerprint": kp.fingerprint}
    if mv >= 2:
        out["type"] = kp.type
    if created or detail:
        out["user_id"] = kp.user_id
    if private is not None:
        out["private_key"] = private
    if detail:
        out.update({"created_at": micro(kp.created_at), "deleted": False, "deleted_at": None,
                    "updated_at": None, "id": kp.id})
    return out


__all__ = ["flavor", "flavor_access", "flavor_brief", "keypair", "micro", "stamp"]
