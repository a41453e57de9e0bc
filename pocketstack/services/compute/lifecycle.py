"""The server state machine: which steps carry out each operation, and how a server
settles, fails or is given its next step.

An operation (build, reboot, resize...) is recorded on the server as ``task`` =
{"op", "i" (the step reached), "rid" (the request), ...parameters} plus a Nova task_state.
Its plan is a list of steps:

- ``@name`` — host work: the agent of the server's host runs driver operation ``name``
  (``@name>key``: on the host named by task[key], e.g. a migration's destination);
- ``=state`` — settle: vm_state becomes ``state`` (``=keep``: the one saved in the task);
- anything else — a control-plane step run by the conductor (scheduling, cleanup).

Moving to the next step skips the ones that do not apply (no volumes to prepare, no host
to destroy on), and settles at once, so a boot costs three write transactions: the
request, the scheduling, and the host's report.
"""

from __future__ import annotations

from typing import Any

from pocketstack.common.timeutils import iso, utcnow
from pocketstack.db.models.compute_servers import Instance
from pocketstack.drivers.compute.base import InstanceSpec
from pocketstack.services.compute import states as S

PLANS: dict[str, list[str]] = {
    "build": ["volumes", "schedule", "attach", "@spawn", "=active"],
    "delete": ["@destroy", "finish_delete"],
    "stop": ["@power_off", "=stopped"],
    "start": ["@power_on", "=active"],
    "reboot": ["@reboot", "=active"],
    "pause": ["@pause", "=paused"],
    "unpause": ["@unpause", "=active"],
    "suspend": ["@suspend", "=suspended"],
    "resume": ["@resume", "=active"],
    "rescue": ["@rescue", "=rescued"],
    "unrescue": ["@unrescue", "=active"],
    "rebuild": ["@rebuild", "=keep"],
    "snapshot": ["@snapshot", "=keep"],
    "resize": ["@migrate_out", "@migrate_in>dest", "finish_resize"],
    "confirm_resize": ["finish_confirm"],
    "revert_resize": ["@destroy>dest", "@migrate_in>source", "finish_revert"],
    "live_migrate": ["@live_migrate", "finish_live"],
    "shelve": ["@snapshot", "@power_off", "shelved"],
    "shelve_offload": ["@destroy", "finish_offload"],
    "unshelve": ["schedule", "@spawn", "finish_unshelve"],
}
# Task states while each host step runs (the API status follows from them).
STEP_TASK_STATES = {
    ("build", "@spawn"): S.SPAWNING, ("resize", "@migrate_out"): S.RESIZE_MIGRATING,
    ("resize", "@migrate_in>dest"): S.RESIZE_FINISH, ("shelve", "@power_off"): S.SHELVING,
    ("unshelve", "@spawn"): S.SPAWNING,
}
# Operations whose failure leaves the server in ERROR (others go back to where they were).
FATAL = ("build", "rebuild", "resize", "revert_resize", "unshelve", "live_migrate")


def plan(task: dict[str, Any]) -> list[str]:
    return PLANS.get(str(task.get("op")), [])


def current(task: dict[str, Any] | None) -> str | None:
    if not task:
        return None
    steps = plan(task)
    i = int(task.get("i", 0))
    return steps[i] if i < len(steps) else None


def host_step(step: str) -> tuple[str, str | None] | None:
    """('spawn', None) for '@spawn'; ('destroy', 'dest') for '@destroy>dest'."""
    if not step.startswith("@"):
        return None
    name, _, key = step[1:].partition(">")
    return name, key or None


def target_host(instance: Instance, step: str) -> str | None:
    parsed = host_step(step)
    if parsed is None:
        return None
    _, key = parsed
    task = instance.task or {}
    return task.get(key) if key else instance.host


def begin(instance: Instance, op: str, task_state: str | None, rid: str,
          **params: Any) -> None:
    """Record a new operation on the server, positioned on its first step (the caller's
    transaction commits it)."""
    instance.task = {"op": op, "i": -1, "rid": rid, **params}
    instance.task_state = task_state
    instance.updated_at = utcnow()
    advance(instance)


def _applies(instance: Instance, step: str) -> bool:
    task = instance.task or {}
    if step in ("volumes", "attach"):
        return bool(task.get("volumes"))
    if step.startswith("@") and target_host(instance, step) is None:
        return False
    if step == "@snapshot" and task.get("op") == "shelve":
        return bool(instance.image_ref) and not task.get("image_done")
    return True


def advance(instance: Instance) -> str | None:
    """Move to the next step that applies; settle at once when it is '=state'.
    Returns the step now waiting (None when the operation is over)."""
    task = dict(instance.task or {})
    steps = plan(task)
    i = int(task.get("i", 0)) + 1
    instance.task = {**task, "i": i}
    while i < len(steps):
        step = steps[i]
        if step.startswith("="):
            state = task.get("vm_state", instance.vm_state) if step == "=keep" else step[1:]
            settle(instance, state)
            return None
        if _applies(instance, step):
            instance.task = {**task, "i": i}
            ts = STEP_TASK_STATES.get((str(task.get("op")), step))
            if ts is not None:
                instance.task_state = ts
            instance.updated_at = utcnow()
            return step
        i += 1
    settle(instance, instance.vm_state)
    return None


def start(instance: Instance) -> str | None:
    """Position a freshly recorded task on its first step that applies."""
    instance.task = {**(instance.task or {}), "i": -1}
    return advance(instance)


def settle(instance: Instance, vm_state: str, power_state: int | None = None) -> None:
    instance.vm_state = vm_state
    instance.task_state = None
    instance.task = None
    instance.power_state = power_state if power_state is not None else \
        S.power_state_for(vm_state)
    instance.progress = 0
    instance.updated_at = utcnow()


def fail(instance: Instance, message: str, *, code: int = 500, details: str | None = None,
         fatal: bool | None = None) -> None:
    """The operation failed: record the fault; ERROR for builds and moves."""
    op = str((instance.task or {}).get("op", ""))
    instance.fault = {"code": code, "message": message[:255], "details": details or message,
                      "created": iso(utcnow(), micro=False)}
    if fatal if fatal is not None else op in FATAL:
        settle(instance, S.ERROR, instance.power_state)
    else:
        previous = (instance.task or {}).get("vm_state", instance.vm_state)
        settle(instance, previous, instance.power_state)


def instance_name(instance: Instance) -> str:
    return f"instance-{instance.id[:8]}"


def spec(instance: Instance, block_devices: list[dict[str, Any]] | None = None
         ) -> InstanceSpec:
    return InstanceSpec(
        id=instance.id, name=instance_name(instance), hostname=instance.hostname,
        vcpus=instance.vcpus, memory_mb=instance.memory_mb, root_gb=instance.root_gb,
        image_ref=instance.image_ref,
        image_meta=dict((instance.system_metadata or {}).get("image", {})),
        network_info=list(instance.network_info or []), block_devices=block_devices or [],
        user_data=instance.user_data, key_data=instance.key_data,
        metadata=dict(instance.metadata_ or {}), config_drive=bool(instance.config_drive))
