"""virtual_size from an image's header (or footer), for the formats that record it.

qcow2: big-endian virtual size at byte 24 after the 'QFI\\xfb' magic. vmdk: a sparse extent
('KDMV') records its capacity in 512-byte sectors at byte 12 (little-endian); a monolithic
descriptor lists its extents' sectors. vhd: the 'conectix' footer (copied at the start of
dynamic disks) holds the current size at byte 48. vdi: disk size at byte 368. raw and iso
disks are as large as their data. Anything unrecognised stays unknown (null), as in Glance.
"""

from __future__ import annotations

import re
import struct

SECTOR = 512


def virtual_size(disk_format: str | None, head: bytes, tail: bytes, size: int) -> int | None:
    try:
        if disk_format in ("raw", "iso"):
            return size
        if disk_format == "qcow2":
            return _qcow2(head)
        if disk_format == "vmdk":
            return _vmdk(head)
        if disk_format == "vhd":
            return _vhd(head) or _vhd(tail)
        if disk_format == "vdi":
            return _vdi(head)
    except (struct.error, ValueError):
        return None
    return None


def _qcow2(head: bytes) -> int | None:
    if len(head) < 32 or head[:4] != b"QFI\xfb":
        return None
    version = struct.unpack(">I", head[4:8])[0]
    if version not in (2, 3):
        return None
    return int(struct.unpack(">Q", head[24:32])[0])


def _vmdk(head: bytes) -> int | None:
    if head[:4] == b"KDMV" and len(head) >= 20:
        return int(struct.unpack("<Q", head[12:20])[0]) * SECTOR
    text = head[:16384].decode("ascii", errors="ignore")
    if "# Disk DescriptorFile" not in text:
        return None
    sectors = [int(m) for m in re.findall(r"^\s*(?:RW|RDONLY|NOACCESS)\s+(\d+)\s", text,
                                          re.MULTILINE)]
    return sum(sectors) * SECTOR if sectors else None


def _vhd(block: bytes) -> int | None:
    idx = block.find(b"conectix")
    if idx < 0 or len(block) < idx + 56:
        return None
    return int(struct.unpack(">Q", block[idx + 48:idx + 56])[0])


def _vdi(head: bytes) -> int | None:
    if len(head) < 376 or struct.unpack("<I", head[64:68])[0] != 0xBEDA107F:
        return None
    return int(struct.unpack("<Q", head[368:376])[0])
