"""Per-project image quotas, with Glance's unified-limit resource names.

image_count_total (images owned), image_size_total (MiB stored), image_stage_total (MiB
staged for import) and image_count_uploading (uploads and imports under way). Checks run
inside the caller's write transaction, so two requests cannot both take the last unit; the
byte quotas are checked again when data is committed, with the real size.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.db.repositories.image.images import ImageRepo
from pocketstack.services.image.options import ImageOptions

MIB = 1 << 20


@dataclass(frozen=True)
class Usage:
    limit: int
    usage: int


class Quotas:
    def __init__(self, options: ImageOptions) -> None:
        self.options = options

    def usage(self, s: Session, owner: str) -> dict[str, Usage]:
        repo = ImageRepo(s)
        o = self.options
        return {
            "image_size_total": Usage(o.size_total, repo.stored_bytes(owner) // MIB),
            "image_count_total": Usage(o.count_total, repo.count_owned(owner)),
            "image_stage_total": Usage(o.stage_total, self.staged_bytes(s, owner) // MIB),
            "image_count_uploading": Usage(o.count_uploading, repo.count_uploading(owner)),
        }

    @staticmethod
    def staged_bytes(s: Session, owner: str) -> int:
        return sum(int((i.staged or {}).get("size", 0)) for i in ImageRepo(s).staged_images(owner))

    @staticmethod
    def _locked(s: Session, owner: str) -> ImageRepo:
        repo = ImageRepo(s)
        repo.lock_owner(owner)
        return repo

    def check_count(self, s: Session, owner: str | None) -> None:
        limit = self.options.count_total
        if owner and limit >= 0 and self._locked(s, owner).count_owned(owner) + 1 > limit:
            raise exc.OverQuota(f"Maximum number of images exceeded: the quota "
                                f"image_count_total is {limit}.")

    def check_uploading(self, s: Session, owner: str | None) -> None:
        limit = self.options.count_uploading
        if owner and limit >= 0 and self._locked(s, owner).count_uploading(owner) + 1 > limit:
            raise exc.OverQuota(f"Maximum number of concurrent uploads exceeded: the quota "
                                f"image_count_uploading is {limit}.")

    def bytes_left(self, s: Session, owner: str | None, image_id: str, *,
                   staging: bool) -> int:
        """How many more bytes this project may write (image_size_cap at most)."""
        cap = self.options.image_size_cap
        limit = self.options.stage_total if staging else self.options.size_total
        if not owner or limit < 0:
            return cap
        repo = self._locked(s, owner)
        used = (self.staged_bytes(s, owner) if staging
                else repo.stored_bytes(owner, exclude=image_id))
        left = limit * MIB - used
        if left <= 0:
            name = "image_stage_total" if staging else "image_size_total"
            raise exc.OverQuota(f"Denying attempt to upload image because it exceeds the "
                                f"quota: {name} is {limit} MiB, {used // MIB} MiB used.")
        return min(cap, left)
