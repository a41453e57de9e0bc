"""Pure logic of the image service, without a server: JSON Patch parsing, list parameters,
virtual size, the filesystem store's atomic writes, hashing while streaming."""

from __future__ import annotations

import errno
import hashlib
import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.drivers.image.base import StoreFull
from pocketstack.drivers.image.filesystem import FilesystemStore
from pocketstack.drivers.image.hashing import HashingSink
from pocketstack.services.image import formats, listing, patch
from pocketstack.services.image.options import ImageOptions
from tests.image.conftest import qcow2, vmdk

V21 = "application/openstack-images-v2.1-json-patch"
V20 = "application/openstack-images-v2.0-json-patch"


def test_patch_parse_both_media_types():
    [c] = patch.parse(V21, [{"op": "add", "path": "/a~1b~0c", "value": "v"}])
    assert (c.op, c.path, c.value, c.draft) == ("add", "a/b~c", "v", 10)
    [c] = patch.parse(V20 + "; charset=utf-8", [{"remove": "/x"}])
    assert (c.op, c.path, c.draft) == ("remove", "x", 4)
    with pytest.raises(exc.UnsupportedMediaType):
        patch.parse("application/json-patch+json", [])
    with pytest.raises(exc.BadRequest):
        patch.parse(V20, [{"add": "/x", "remove": "/y", "value": 1}])


def _draft(**props):
    return patch.Draft(base={"name": "n", "visibility": "shared", "owner": "p",
                             "disk_format": None, "container_format": None},
                       properties=dict(props), tags=[], status="queued")


def test_patch_apply_semantics():
    ctx = RequestContext(user_id="u", project_id="p", roles=("member",))
    options = ImageOptions()
    draft = patch.apply(ctx, _draft(a="1"), patch.parse(V21, [
        {"op": "add", "path": "/a", "value": "2"},          # add overwrites (v2.1)
        {"op": "replace", "path": "/name", "value": None},
        {"op": "add", "path": "/tags", "value": ["t"]},
    ]), options)
    assert draft.properties == {"a": "2"} and draft.base["name"] is None
    assert draft.tags == ["t"] and draft.changed_properties == {"a": "2"}
    with pytest.raises(exc.Forbidden):
        patch.apply(ctx, _draft(), patch.parse(V21, [
            {"op": "replace", "path": "/visibility", "value": "public"}]), options)
    with pytest.raises(exc.Forbidden):
        patch.apply(ctx, _draft(), patch.parse(V21, [
            {"op": "replace", "path": "/owner", "value": "q"}]), options)


def test_listing_parse():
    ctx = RequestContext(user_id="u", project_id="p", roles=("member",))
    q, marker = listing.parse(ctx, [
        ("name", 'in:"a,b",c'), ("tag", "x"), ("tag", "y"), ("size_min", "5"),
        ("created_at", "gte:2020-01-01T00:00:00Z"), ("os_distro", "debian"),
        ("sort_key", "name"), ("sort_key", "size"), ("sort_dir", "asc"), ("marker", "m"),
        ("limit", "5000")], ImageOptions())
    assert q.one_of == {"name": ["a,b", "c"]} and q.tags == ["x", "y"]
    assert ("size", "gte", 5) in q.compare and q.properties == {"os_distro": "debian"}
    assert q.sort == [("name", "asc"), ("size", "asc")] and marker == "m"
    assert q.limit == 1000 and q.equal["os_hidden"] is False


@pytest.mark.parametrize(("fmt", "data", "expected"), [
    ("qcow2", qcow2(12345 * 512), 12345 * 512),
    ("qcow2", b"QFI\xfb" + b"\0" * 10, None),
    ("vmdk", vmdk(4 << 30), 4 << 30),
    ("vmdk", b'# Disk DescriptorFile\nRW 2048 SPARSE "a.vmdk"\nRW 1024 FLAT "b"\n', 3072 * 512),
    ("raw", b"xyz", 3),
    ("ami", b"xyz", None),
])
def test_virtual_size(fmt, data, expected):
    assert formats.virtual_size(fmt, data[:65536], data[-512:], len(data)) == expected


def test_virtual_size_vhd_footer():
    footer = b"conectix" + b"\0" * 40 + (7 << 20).to_bytes(8, "big") + b"\0" * 456
    assert formats.virtual_size("vhd", b"\0" * 1024, footer, 2048) == 7 << 20


def test_filesystem_store_is_atomic(tmp_path):
    store = FilesystemStore(tmp_path)
    writer = store.open_writer("img")
    writer.write(b"hello ")
    assert not (tmp_path / "img").exists()      # invisible until committed
    writer.write(b"world")
    assert store.read(writer.commit(), 6, 100) == b"world"
    aborted = store.open_writer("other")
    aborted.write(b"partial")
    aborted.abort()
    assert not (tmp_path / "other").exists() and not list((tmp_path / ".tmp").iterdir())
    assert b"".join(store.iter_range("img", 2, 5, chunk_size=2)) == b"llo w"


def test_filesystem_store_full_disk(tmp_path, monkeypatch):
    store = FilesystemStore(tmp_path)
    writer = store.open_writer("img")

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "writev", full)
    with pytest.raises(StoreFull):
        writer.write(b"x")
    monkeypatch.undo()
    writer.abort()
    assert not list((tmp_path / ".tmp").iterdir())


def test_store_recovers_leftovers_of_dead_writers(tmp_path):
    store = FilesystemStore(tmp_path)
    (tmp_path / ".tmp" / "img.999999999.abcd.part").write_bytes(b"x")
    live = store.open_writer("live")
    assert store.recover(set()) == 1
    assert live.tmp.exists()
    live.abort()


def test_hashing_sink(tmp_path):
    store = FilesystemStore(tmp_path)
    data = [os.urandom(100_000) for _ in range(5)]
    with ThreadPoolExecutor(2) as pool:
        sink = HashingSink(store.open_writer("h"), pool)
        for block in data:
            sink.feed(bytearray(block))
        sink.writer.commit()
    digest = sink.digest()
    whole = b"".join(data)
    assert digest.size == len(whole) and digest.checksum == hashlib.md5(whole).hexdigest()
    assert digest.hash_value == hashlib.sha512(whole).hexdigest()
    assert digest.head == whole[:65536] and digest.tail == whole[-512:]


def test_import_uri_filtering():
    from pocketstack.services.image.importers import uri_allowed

    options = ImageOptions()
    assert uri_allowed("http://127.0.0.1:8000/x.img", options)
    assert uri_allowed("https://example.org/x.img", options)
    assert not uri_allowed("ftp://example.org/x.img", options)
    assert not uri_allowed("http://169.254.169.254/latest", options)
    assert not uri_allowed("http:///nohost", options)
    strict = ImageOptions(allowed_ports=[80, 443])
    assert uri_allowed("http://example.org/x", strict)
    assert not uri_allowed("http://example.org:8080/x", strict)
