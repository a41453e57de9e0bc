"""Image members (projects an image is shared with)."""

from __future__ import annotations

from collections.abc import Sequence

from pocketstack.db.models.image import ImageMember
from pocketstack.db.repositories.base import Repository


class MemberRepo(Repository[ImageMember]):
    model = ImageMember

    def of(self, image_id: str, member: str) -> ImageMember | None:
        return self.get((image_id, member))

    def for_image(self, image_id: str) -> Sequence[ImageMember]:
        return self.find(ImageMember.image_id == image_id, order_by=ImageMember.created_at)

    def count_for(self, image_id: str) -> int:
        return self.count(ImageMember.image_id == image_id)
