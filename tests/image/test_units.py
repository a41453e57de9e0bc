"""Pure logic of the image service, without a server: JSON Patch parsing, list parameters,
virtual size, the filesystem store's atomic writes, hashing while streaming."""

from __future__ import annotations

import errno
import hashlib
import os
import threading

import pytest

from pocketstack.common import exceptions as exc
from pocketstack.common.context import RequestContext
from pocketstack.drivers.image.base import StoreFull
from pocketstack.drivers.image.filesystem import FilesystemStore, FileWriter
from pocketstack.drivers.image.hashing import HashingSink, SinkClosed
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


@pytest.mark.parametrize("direct", [True, False])
def test_filesystem_store_full_disk(tmp_path, monkeypatch, direct):
    store = FilesystemStore(tmp_path, direct_io=direct)
    writer = store.open_writer("img")

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    monkeypatch.setattr(os, "writev", full)
    with pytest.raises(StoreFull) as info:
        writer.write(b"x" * (8 << 20))
    monkeypatch.undo()
    writer.abort()  # even while the error (and its traceback) is still around
    assert info.value and not list((tmp_path / ".tmp").iterdir())


@pytest.mark.parametrize("sizes", [[1], [4095, 1], [4 << 20], [(4 << 20) + 1, 4095],
                                   [3 << 20, 3 << 20, 100_000, 0, 7]])
def test_filesystem_store_direct_writes(tmp_path, sizes):
    """Direct I/O: any block sizes, aligned or not, come out byte for byte."""
    store = FilesystemStore(tmp_path)
    writer = store.open_writer("img")
    assert writer._view is not None or not hasattr(os, "O_DIRECT")
    blocks = [os.urandom(n) for n in sizes]
    writer.write_many(blocks[:1])
    writer.write_many([memoryview(b) for b in blocks[1:]])
    assert not (tmp_path / "img").exists()
    assert (tmp_path / writer.commit()).read_bytes() == b"".join(blocks)
    assert not list((tmp_path / ".tmp").iterdir())


def test_filesystem_store_direct_io_falls_back(tmp_path, monkeypatch):
    """A device that refuses an aligned direct write (EINVAL) gets buffered writes."""
    store = FilesystemStore(tmp_path)
    writer = store.open_writer("img")
    real_write = os.write
    calls = []

    def picky(fd, data):
        calls.append(len(data))
        if len(calls) == 1:
            raise OSError(errno.EINVAL, "Invalid argument")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", picky)
    data = os.urandom((4 << 20) + 10)
    writer.write(data)
    writer.commit()
    assert (tmp_path / "img").read_bytes() == data and len(calls) >= 3


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
    sink = HashingSink(store.open_writer("h"), max_bytes=250_000)
    for block in data:
        sink.feed(bytearray(block))
    sink.put([b"", data[0][:10], memoryview(data[1])[:1000]])  # several chunks, one block
    digest = sink.finish()  # everything written and hashed: now the writer may commit
    sink.writer.commit()
    whole = b"".join(data) + data[0][:10] + data[1][:1000]
    assert digest.size == len(whole) and digest.checksum == hashlib.md5(whole).hexdigest()
    assert digest.hash_value == hashlib.sha512(whole).hexdigest()
    assert digest.head == whole[:65536] and digest.tail == whole[-512:]
    assert (tmp_path / "h").read_bytes() == whole
    assert sink.digest() is digest


def test_hashing_sink_holds_a_bounded_window(tmp_path):
    """The producer never gets more than max_bytes (plus one block) ahead of the slowest
    consumer, and each consumer sees every block once, in order."""
    gate = threading.Event()
    seen: list[int] = []

    class SlowWriter(FileWriter):
        def write_many(self, blocks):
            gate.wait()
            seen.extend(len(b) for b in blocks)
            super().write_many(blocks)

    store = FilesystemStore(tmp_path)
    sink = HashingSink(SlowWriter(store, "slow"), max_bytes=4 << 20)
    block = os.urandom(1 << 20)
    for _ in range(5):
        sink.put([block])
    assert sink.full and not sink.room().done()  # the writer has not taken anything yet
    gate.set()
    sink.room().result(timeout=10)
    for _ in range(20):
        sink.feed(block)
        assert sink._window._held <= (4 << 20) + len(block)
    digest = sink.finish()
    assert seen == [1 << 20] * 25 and digest.size == 25 << 20
    assert digest.checksum == hashlib.md5(block * 25).hexdigest()
    sink.writer.abort()
    assert not list((tmp_path / ".tmp").iterdir())


def test_hashing_sink_reports_a_full_disk_and_cancels(tmp_path, monkeypatch):
    store = FilesystemStore(tmp_path, direct_io=False)
    writer = store.open_writer("full")

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "writev", full)
    sink = HashingSink(writer, max_bytes=1 << 20)
    sink.put([b"x" * 1000])
    with pytest.raises(StoreFull):
        sink.finish()
    with pytest.raises(StoreFull):
        sink.put([b"more"])
    sink.cancel()
    writer.abort()
    monkeypatch.undo()
    assert not list((tmp_path / ".tmp").iterdir())
    # cancelled while data is still flowing: the threads stop, the producer is told
    other = HashingSink(store.open_writer("other"), max_bytes=1 << 20)
    other.put([os.urandom(2 << 20)])
    other.cancel()
    with pytest.raises(SinkClosed):
        other.put([b"late"])
    assert other.room().done()
    other.writer.abort()
    assert not list((tmp_path / ".tmp").iterdir())


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


def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path, **env: str):
    from pocketstack.config import Settings

    for key in list(os.environ):
        if key.startswith("POCKETSTACK_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("POCKETSTACK_DATA_DIR", str(tmp_path))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return Settings()


def test_image_options_defaults_match_settings(monkeypatch, tmp_path):
    options = ImageOptions.from_settings(_isolated_settings(monkeypatch, tmp_path))
    assert options.store_dir == tmp_path / "images"
    assert options == ImageOptions(store_dir=tmp_path / "images")


def test_image_options_from_environment(monkeypatch, tmp_path):
    settings = _isolated_settings(
        monkeypatch, tmp_path, POCKETSTACK_IMAGE_COUNT_TOTAL="3",
        POCKETSTACK_IMAGE_SIZE_TOTAL="2", POCKETSTACK_IMAGE_SIZE_CAP="4096",
        POCKETSTACK_IMAGE_STORE_DIR=str(tmp_path / "store"),
        POCKETSTACK_IMAGE_ALLOWED_PORTS="[80, 443]",
        POCKETSTACK_IMAGE_IMPORT_METHODS='["glance-direct"]')
    options = ImageOptions.from_settings(settings)
    assert (options.count_total, options.size_total, options.image_size_cap) == (3, 2, 4096)
    assert options.store_dir == tmp_path / "store"
    assert options.allowed_ports == [80, 443] and options.import_methods == ["glance-direct"]
    with pytest.raises(ValueError):
        _isolated_settings(monkeypatch, tmp_path, POCKETSTACK_IMAGE_TAG_QUOTA="many")
