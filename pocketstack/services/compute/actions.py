"""Server actions: each checks the server's state (409 in the wrong one, as Nova's
check_instance_state), its lock, records an instance action and the operation the host's
agent is to carry out, and returns at once. Moves are in moves.py; image-making actions
(createImage, createBackup, shelve) in snapshots.py."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.db.models.compute_servers import Instance
from pocketstack.services.compute import lifecycle as L
from pocketstack.services.compute import states as S
from pocketstack.services.compute.history import History

if TYPE_CHECKING:
    from pocketstack.services.compute import Compute

ANY = None
REBOOT_TASKS = (None, S.REBOOTING, S.REBOOT_PENDING, S.REBOOT_STARTED, S.REBOOTING_HARD,
                S.REBOOT_PENDING_HARD, S.REBOOT_STARTED_HARD)


@dataclass(frozen=True)
class Simple:
    """A one-step action: allowed vm states, the task state while it runs, the op."""

    vm_states: tuple[str, ...]
    task_state: str
    op: str
    action: str


SIMPLE = {
    "stop": Simple((S.ACTIVE, S.ERROR, S.RESCUED), S.POWERING_OFF, "stop", "stop"),
    "start": Simple((S.STOPPED,), S.POWERING_ON, "start", "start"),
    "pause": Simple((S.ACTIVE,), S.PAUSING, "pause", "pause"),
    "unpause": Simple((S.PAUSED,), S.UNPAUSING, "unpause", "unpause"),
    "suspend": Simple((S.ACTIVE,), S.SUSPENDING, "suspend", "suspend"),
    "resume": Simple((S.SUSPENDED,), S.RESUMING, "resume", "resume"),
    "unrescue": Simple((S.RESCUED,), S.UNRESCUING, "unrescue", "unrescue"),
}


class ActionService:
    def __init__(self, compute: Compute) -> None:
        self.c = compute

    # -- helpers ------------------------------------------------------------------------------
    @staticmethod
    def check_lock(ctx: RequestContext, inst: Instance) -> None:
        if inst.locked and not ctx.is_admin:
            raise exc.Conflict(f"Instance {inst.id} is locked")

    def _act(self, ctx: RequestContext, server_id: str,
             fn: Callable[[Session, Instance], Any], *, lock_check: bool = True,
             kick: bool = True) -> Any:
        def work(s: Session) -> Any:
            inst = self.c.servers.load(s, ctx, server_id, lock=True)
            if lock_check:
                self.check_lock(ctx, inst)
            return fn(s, inst)
        out = self.c.tx.write(work)
        if kick:
            self.c.kick(server_id)
        return out

    # -- one-step actions ---------------------------------------------------------------------
    def simple(self, ctx: RequestContext, server_id: str, name: str) -> None:
        spec = SIMPLE[name]

        def fn(s: Session, inst: Instance) -> None:
            S.require(inst, name, spec.vm_states)
            rid = History.record(s, inst.id, spec.action, ctx)
            L.begin(inst, spec.op, spec.task_state, rid, vm_state=inst.vm_state)
        self._act(ctx, server_id, fn)

    def reboot(self, ctx: RequestContext, server_id: str, kind: str) -> None:
        def fn(s: Session, inst: Instance) -> None:
            if kind == "SOFT":
                S.require(inst, "reboot", (S.ACTIVE,), (None,))
            else:
                S.require(inst, "reboot", (S.ACTIVE, S.STOPPED, S.PAUSED, S.SUSPENDED,
                                           S.ERROR), REBOOT_TASKS)
            rid = History.record(s, inst.id, "reboot", ctx)
            L.begin(inst, "reboot", S.REBOOTING if kind == "SOFT" else S.REBOOTING_HARD, rid,
                    type=kind)
        self._act(ctx, server_id, fn)

    def rescue(self, ctx: RequestContext, server_id: str, admin_pass: str | None,
               image_ref: str | None, *, allow_volume_backed: bool = False) -> str:
        """Rescue mode. A volume-backed server can be rescued only from microversion 2.87
        (``allow_volume_backed``), in stable device mode: the rescue image carries
        ``hw_rescue_device`` or ``hw_rescue_bus`` and the server's disks stay attached."""
        password = admin_pass or secrets.token_urlsafe(9)
        stable = False
        if image_ref:
            try:
                props = self.c.images.get(ctx, image_ref).properties
            except exc.NotFound:
                raise exc.BadRequest(f"Image {image_ref} could not be found.") from None
            stable = bool(props.get("hw_rescue_device") or props.get("hw_rescue_bus"))

        def fn(s: Session, inst: Instance) -> None:
            S.require(inst, "rescue", (S.ACTIVE, S.STOPPED, S.ERROR))
            if (inst.system_metadata or {}).get("boot_from_volume"):
                if not allow_volume_backed:
                    raise exc.BadRequest("Cannot rescue a volume-backed instance")
                if not stable:
                    raise exc.BadRequest(
                        "Cannot rescue a volume-backed instance without a stable device "
                        "rescue image (one with the hw_rescue_device or hw_rescue_bus "
                        "property)")
            rid = History.record(s, inst.id, "rescue", ctx)
            L.begin(inst, "rescue", S.RESCUING, rid, rescue_image=image_ref,
                    vm_state=inst.vm_state)
        self._act(ctx, server_id, fn)
        return password

    def lock(self, ctx: RequestContext, server_id: str, reason: str | None) -> None:
        def fn(s: Session, inst: Instance) -> None:
            History.record(s, inst.id, "lock", ctx)
            inst.locked = True
            inst.locked_by = "admin" if ctx.is_admin and inst.project_id != ctx.project_id \
                else "owner"
            inst.locked_reason = reason
        self._act(ctx, server_id, fn, lock_check=False, kick=False)

    def unlock(self, ctx: RequestContext, server_id: str) -> None:
        def fn(s: Session, inst: Instance) -> None:
            if inst.locked and inst.locked_by == "admin" and not ctx.is_admin:
                raise exc.Forbidden("Policy doesn't allow os_compute_api:os-lock-server:"
                                    "unlock:unlock_override to be performed.")
            History.record(s, inst.id, "unlock", ctx)
            inst.locked, inst.locked_by, inst.locked_reason = False, None, None
        self._act(ctx, server_id, fn, lock_check=False, kick=False)

    def reset_state(self, ctx: RequestContext, server_id: str, state: str) -> None:
        def fn(s: Session, inst: Instance) -> None:
            History.record(s, inst.id, "resetState", ctx)
            L.settle(inst, S.ERROR if state == "error" else S.ACTIVE, inst.power_state)
        self._act(ctx, server_id, fn, lock_check=False, kick=False)

    def change_password(self, ctx: RequestContext, server_id: str, password: str) -> None:
        def fn(s: Session, inst: Instance) -> None:
            S.require(inst, "changePassword", (S.ACTIVE,))
            History.record(s, inst.id, "changePassword", ctx)
            inst.system_metadata = {**(inst.system_metadata or {}), "admin_pass": password}
        self._act(ctx, server_id, fn, kick=False)

    def trigger_crash_dump(self, ctx: RequestContext, server_id: str) -> None:
        def fn(s: Session, inst: Instance) -> None:
            S.require(inst, "trigger_crash_dump", (S.ACTIVE, S.PAUSED, S.RESCUED,
                                                   S.RESIZED, S.ERROR))
            History.record(s, inst.id, "trigger_crash_dump", ctx)
        self._act(ctx, server_id, fn, kick=False)

    def rebuild(self, ctx: RequestContext, server_id: str, image_ref: str,
                changes: dict[str, Any]) -> str:
        image = self._image(ctx, image_ref)
        password = changes.get("adminPass") or secrets.token_urlsafe(9)

        def fn(s: Session, inst: Instance) -> None:
            S.require(inst, "rebuild", (S.ACTIVE, S.STOPPED, S.ERROR))
            self._rebuild_fits(inst, image)
            rid = History.record(s, inst.id, "rebuild", ctx)
            inst.image_ref = image.id
            inst.system_metadata = {**(inst.system_metadata or {}), "image": image.properties,
                                    "admin_pass": password}
            self._rebuild_fields(s, ctx, inst, changes)
            inst.fault = None
            back = inst.vm_state if inst.vm_state != S.ERROR else S.ACTIVE
            L.begin(inst, "rebuild", S.REBUILDING, rid, vm_state=back)
        self._act(ctx, server_id, fn)
        return password

    def _image(self, ctx: RequestContext, image_ref: str) -> Any:
        ref = str(image_ref).rstrip("/").rsplit("/", 1)[-1]
        try:
            image = self.c.images.get(ctx, ref)
        except exc.NotFound:
            raise exc.BadRequest(f"Image {ref} could not be found.") from None
        if image.status != "active":
            raise exc.BadRequest(f"Image {ref} is not active.")
        return image

    @staticmethod
    def _rebuild_fits(inst: Instance, image: Any) -> None:
        flavor = inst.flavor or {}
        if image.min_ram and int(flavor.get("ram", 0)) < image.min_ram:
            raise exc.BadRequest("Flavor's memory is too small for requested image.")
        if image.min_disk and int(flavor.get("disk", 0)) and \
                int(flavor.get("disk", 0)) < image.min_disk:
            raise exc.BadRequest("Flavor's disk is too small for requested image.")

    def _rebuild_fields(self, s: Session, ctx: RequestContext, inst: Instance,
                        changes: dict[str, Any]) -> None:
        for key, attr in (("name", "name"), ("accessIPv4", "access_ip_v4"),
                          ("accessIPv6", "access_ip_v6"), ("description", "description"),
                          ("OS-DCF:diskConfig", "disk_config"), ("user_data", "user_data"),
                          ("hostname", "hostname")):
            if key in changes:
                setattr(inst, attr, changes[key])
        if "metadata" in changes:
            self.c.quotas.check_metadata(s, inst.project_id, len(changes["metadata"]))
            inst.metadata_ = dict(changes["metadata"])
        if "key_name" in changes:
            name = changes["key_name"]
            if name is None:
                inst.key_name = inst.key_data = None
            else:
                kp = self.c.keypairs.lookup(s, ctx.user_id or "", name)
                if kp is None:
                    raise exc.BadRequest("Invalid key_name provided.")
                inst.key_name, inst.key_data = kp.name, kp.public_key
        if "trusted_image_certificates" in changes:
            inst.trusted_certs = changes["trusted_image_certificates"]

    # -- console and diagnostics --------------------------------------------------------------
    def _running(self, ctx: RequestContext, server_id: str) -> Instance:
        inst = self.c.tx.read(lambda s: self.c.servers.load(s, ctx, server_id))
        if not inst.host or inst.vm_state in (S.BUILDING, S.SHELVED_OFFLOADED):
            raise exc.Conflict(f"Instance {server_id} is not ready yet")
        return inst

    def console_output(self, ctx: RequestContext, server_id: str, length: int | None) -> str:
        inst = self._running(ctx, server_id)
        text = self.c.call_host(inst.host, "console_output", inst.id)
        if length is not None:
            text = "\n".join(text.split("\n")[-length:]) if length > 0 else ""
        return str(text)

    def diagnostics(self, ctx: RequestContext, server_id: str) -> dict[str, Any]:
        inst = self._running(ctx, server_id)
        return dict(self.c.call_host(inst.host, "diagnostics", inst.id))

    def password(self, ctx: RequestContext, server_id: str, *, clear: bool = False) -> str:
        def work(s: Session) -> str:
            inst = self.c.servers.load(s, ctx, server_id, lock=clear)
            meta = dict(inst.system_metadata or {})
            value = str(meta.get("encrypted_password", ""))
            if clear:
                meta.pop("encrypted_password", None)
                inst.system_metadata = meta
            return value
        return self.c.tx.write(work) if clear else self.c.tx.read(work)
