"""Server states as Nova has them: vm_state (where the server is), task_state (what is
under way), power_state (what the hypervisor reports), and the API status derived from
the first two. ``require`` is Nova's check_instance_state: an action in the wrong state is
a 409 Conflict."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pocketstack.common import exceptions as exc

# vm states
ACTIVE, BUILDING, PAUSED, SUSPENDED, STOPPED = "active", "building", "paused", "suspended", \
    "stopped"
RESCUED, RESIZED, SOFT_DELETED, DELETED, ERROR = "rescued", "resized", "soft-delete", \
    "deleted", "error"
SHELVED, SHELVED_OFFLOADED = "shelved", "shelved_offloaded"

# power states
NOSTATE, RUNNING, PAUSED_POWER, SHUTDOWN, CRASHED, SUSPENDED_POWER = 0, 1, 3, 4, 6, 7

# task states
SCHEDULING, NETWORKING, BLOCK_DEVICE_MAPPING, SPAWNING = "scheduling", "networking", \
    "block_device_mapping", "spawning"
REBOOTING, REBOOTING_HARD = "rebooting", "rebooting_hard"
REBOOT_PENDING, REBOOT_STARTED = "reboot_pending", "reboot_started"
REBOOT_PENDING_HARD, REBOOT_STARTED_HARD = "reboot_pending_hard", "reboot_started_hard"
POWERING_OFF, POWERING_ON = "powering-off", "powering-on"
PAUSING, UNPAUSING, SUSPENDING, RESUMING = "pausing", "unpausing", "suspending", "resuming"
RESCUING, UNRESCUING = "rescuing", "unrescuing"
REBUILDING, REBUILD_SPAWNING = "rebuilding", "rebuild_spawning"
RESIZE_PREP, RESIZE_MIGRATING, RESIZE_MIGRATED, RESIZE_FINISH = "resize_prep", \
    "resize_migrating", "resize_migrated", "resize_finish"
RESIZE_REVERTING, RESIZE_CONFIRMING = "resize_reverting", "resize_confirming"
MIGRATING = "migrating"
IMAGE_SNAPSHOT, IMAGE_BACKUP = "image_snapshot", "image_backup"
IMAGE_SNAPSHOT_PENDING, IMAGE_UPLOADING = "image_snapshot_pending", "image_uploading"
SHELVING, SHELVING_OFFLOADING, UNSHELVING = "shelving", "shelving_offloading", "unshelving"
DELETING, SOFT_DELETING, RESTORING = "deleting", "soft-deleting", "restoring"
UPDATING_PASSWORD = "updating_password"

_REBOOT = {REBOOTING: "REBOOT", REBOOT_PENDING: "REBOOT", REBOOT_STARTED: "REBOOT",
           REBOOTING_HARD: "HARD_REBOOT", REBOOT_PENDING_HARD: "HARD_REBOOT",
           REBOOT_STARTED_HARD: "HARD_REBOOT"}
_REBUILD = {REBUILDING: "REBUILD", REBUILD_SPAWNING: "REBUILD",
            "rebuild_block_device_mapping": "REBUILD"}
_RESIZE = {RESIZE_PREP: "RESIZE", RESIZE_MIGRATING: "RESIZE", RESIZE_MIGRATED: "RESIZE",
           RESIZE_FINISH: "RESIZE"}
STATE_MAP: dict[str, dict[str, str]] = {
    ACTIVE: {"default": "ACTIVE", **_REBOOT, **_REBUILD, **_RESIZE,
             UPDATING_PASSWORD: "PASSWORD", MIGRATING: "MIGRATING"},
    BUILDING: {"default": "BUILD"},
    STOPPED: {"default": "SHUTOFF", **_RESIZE, **_REBUILD},
    RESIZED: {"default": "VERIFY_RESIZE", RESIZE_REVERTING: "REVERT_RESIZE"},
    PAUSED: {"default": "PAUSED", MIGRATING: "MIGRATING"},
    SUSPENDED: {"default": "SUSPENDED"},
    RESCUED: {"default": "RESCUE"},
    ERROR: {"default": "ERROR", **_REBUILD},
    DELETED: {"default": "DELETED"},
    SOFT_DELETED: {"default": "SOFT_DELETED"},
    SHELVED: {"default": "SHELVED"},
    SHELVED_OFFLOADED: {"default": "SHELVED_OFFLOADED"},
}
PROGRESS_STATUSES = ("ACTIVE", "BUILD", "REBUILD", "RESIZE", "VERIFY_RESIZE", "MIGRATING")


def status(vm_state: str, task_state: str | None) -> str:
    table = STATE_MAP.get(vm_state, {"default": "UNKNOWN"})
    return table.get(task_state or "", table["default"])


def states_for_status(value: str) -> tuple[list[str], list[str] | None] | None:
    """(vm_states, task_states or None) matching an API status filter; None if unknown."""
    wanted = value.upper()
    vms: list[str] = []
    tasks: set[str] = set()
    default_only = True
    for vm, table in STATE_MAP.items():
        for task, st in table.items():
            if st != wanted:
                continue
            if vm not in vms:
                vms.append(vm)
            if task != "default":
                tasks.add(task)
                default_only = False
    if not vms:
        return None
    if wanted in ("ACTIVE", "SHUTOFF", "ERROR", "PAUSED"):
        return vms, None  # Nova filters these by vm_state only
    return vms, (None if default_only else sorted(tasks))


def require(instance: Any, method: str, vm_states: Iterable[str] | None = None,
            task_states: Iterable[str | None] | None = (None,)) -> None:
    """409 unless the server is in one of the vm states and task states given."""
    if vm_states is not None and instance.vm_state not in tuple(vm_states):
        raise exc.Conflict(f"Cannot '{method}' instance {instance.id} while it is in "
                           f"vm_state {instance.vm_state}")
    if task_states is not None and instance.task_state not in tuple(task_states):
        raise exc.Conflict(f"Cannot '{method}' instance {instance.id} while it is in "
                           f"task_state {instance.task_state}")


def power_state_for(vm_state: str) -> int:
    return {ACTIVE: RUNNING, PAUSED: PAUSED_POWER, SUSPENDED: SUSPENDED_POWER,
            STOPPED: SHUTDOWN, RESCUED: RUNNING, RESIZED: RUNNING, SHELVED: SHUTDOWN,
            SHELVED_OFFLOADED: NOSTATE, BUILDING: NOSTATE}.get(vm_state, NOSTATE)
