"""/extensions: the extension list of the v2.1 API (fixed, as Nova's is since Newton)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from pocketstack.api.common.auth import authenticated
from pocketstack.api.compute.routes._common import V, ok
from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext

router = APIRouter(prefix=f"{V}/extensions")

EXTENSIONS = {
    "os-admin-actions": "AdminActions", "os-agents": "Agents", "os-aggregates": "Aggregates",
    "os-attach-interfaces": "AttachInterfaces", "os-availability-zone": "AvailabilityZone",
    "os-block-device-mapping": "BlockDeviceMapping", "os-config-drive": "ConfigDrive",
    "os-consoles": "Consoles",
    "os-console-auth-tokens": "ConsoleAuthTokens", "os-console-output": "ConsoleOutput",
    "os-create-backup": "CreateBackup", "os-deferred-delete": "DeferredDelete",
    "os-evacuate": "Evacuate", "os-extended-availability-zone": "ExtendedAvailabilityZone",
    "OS-EXT-IPS": "ExtendedIps", "OS-EXT-IPS-MAC": "ExtendedIpsMac",
    "OS-EXT-SRV-ATTR": "ExtendedServerAttributes", "OS-EXT-STS": "ExtendedStatus",
    "os-extended-volumes": "ExtendedVolumes", "flavor-access": "FlavorAccess",
    "os-flavor-extra-specs": "FlavorExtraSpecs", "flavor-manage": "FlavorManage",
    "OS-FLV-EXT-DATA": "FlavorExtraData", "os-hide-server-addresses":
    "HideServerAddresses", "os-hosts": "Hosts", "os-hypervisors": "Hypervisors",
    "os-instance-actions": "InstanceActions", "os-keypairs": "Keypairs",
    "os-lock-server": "LockServer", "os-migrate-server": "MigrateServer",
    "os-migrations": "Migrations", "os-multinic": "Multinic",
    "os-multiple-create": "MultipleCreate", "os-pause-server": "PauseServer",
    "os-quota-sets": "Quotas", "os-quota-class-sets": "QuotaClasses",
    "os-remote-consoles": "RemoteConsoles", "os-rescue": "Rescue",
    "os-scheduler-hints": "SchedulerHints", "os-security-groups": "SecurityGroups",
    "os-server-diagnostics": "ServerDiagnostics", "os-server-external-events":
    "ServerExternalEvents", "os-server-groups": "ServerGroups", "os-server-password":
    "ServerPassword", "os-server-usage": "ServerUsage", "os-services": "Services",
    "os-shelve": "Shelve", "os-simple-tenant-usage": "SimpleTenantUsage",
    "os-suspend-server": "SuspendServer", "os-used-limits": "UsedLimits",
    "os-user-data": "UserData", "os-volumes": "Volumes", "servers": "Servers",
    "flavors": "Flavors", "images": "Images", "ips": "Ips", "limits": "Limits",
    "os-server-tags": "ServerTags", "versions": "Versions",
}


def _ext(alias: str, name: str) -> dict[str, Any]:
    return {"alias": alias, "name": name, "description": f"{name} support.", "links": [],
            "namespace": f"http://docs.openstack.org/compute/ext/{alias}/api/v1.1",
            "updated": "2014-12-03T00:00:00Z"}


@router.get("")
def list_(request: Request, ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    return ok({"extensions": [_ext(a, n) for a, n in sorted(EXTENSIONS.items())]})


@router.get("/{alias}")
def show(request: Request, alias: str,
         ctx: RequestContext = Depends(authenticated)) -> JSONResponse:
    if alias not in EXTENSIONS:
        raise exc.NotFound("The resource could not be found.")
    return ok({"extension": _ext(alias, EXTENSIONS[alias])})
