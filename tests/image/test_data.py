"""Image data: upload and download (streamed), hashes, virtual size, Range requests, and the
bad cases: wrong state, missing formats, size mismatch, client gone mid-upload."""

from __future__ import annotations

import hashlib
import io
import os
import socket
import time
import uuid
from urllib.parse import urlsplit

import openstack.exceptions as sdk_exc
import pytest

from tests.image.conftest import image_url, qcow2, vmdk


def test_upload_download_with_sdk(admin_conn, unique, tmp_path):
    data = os.urandom(3 * 1024 * 1024 + 17)
    src = tmp_path / "disk.raw"
    src.write_bytes(data)
    image = admin_conn.image.create_image(name=unique, filename=str(src), disk_format="raw",
                                          container_format="bare", wait=True)
    image = admin_conn.image.get_image(image.id)
    assert image.status == "active" and image.size == len(data)
    assert image.checksum == hashlib.md5(data).hexdigest()
    assert image.hash_algo == "sha512" and image.hash_value == hashlib.sha512(data).hexdigest()
    assert image.virtual_size == len(data)
    out = tmp_path / "out.raw"
    admin_conn.image.download_image(image, output=str(out))
    assert out.read_bytes() == data


def test_status_and_hash_fields_through_http(admin_raw):
    img = admin_raw.create(disk_format="raw", container_format="bare")
    empty = admin_raw("GET", f"/v2/images/{img['id']}/file")
    assert empty.status_code == 204 and empty.content == b""
    data = b"0123456789" * 1000
    admin_raw.upload(img["id"], data)
    got = admin_raw.json("GET", f"/v2/images/{img['id']}")
    assert got["status"] == "active" and got["size"] == len(data)
    assert got["stores"] == "local"
    resp = admin_raw("GET", f"/v2/images/{img['id']}/file")
    assert resp.status_code == 200 and resp.content == data
    assert resp.headers["Content-MD5"] == hashlib.md5(data).hexdigest()
    assert resp.headers["Content-Type"] == "application/octet-stream"
    assert int(resp.headers["Content-Length"]) == len(data)


@pytest.mark.parametrize(("header", "status", "body", "content_range"), [
    ("bytes=0-4", 206, b"01234", "bytes 0-4/20"),
    ("bytes=15-", 206, b"56789", "bytes 15-19/20"),
    ("bytes=-3", 206, b"789", "bytes 17-19/20"),
    ("bytes=18-100", 206, b"89", "bytes 18-19/20"),
    ("bytes=20-25", 416, None, None),
    ("bytes=5-2", 416, None, None),
    ("pages=1-2", 416, None, None),
    ("bytes=0-1,4-5", 200, b"01234567890123456789", None),
])
def test_range_requests(admin_raw, header, status, body, content_range):
    img = admin_raw.create(disk_format="raw", container_format="bare")
    admin_raw.upload(img["id"], b"01234567890123456789")
    resp = admin_raw("GET", f"/v2/images/{img['id']}/file", headers={"Range": header})
    assert resp.status_code == status, resp.text
    if body is not None:
        assert resp.content == body
    if content_range:
        assert resp.headers["Content-Range"] == content_range


@pytest.mark.parametrize(("fmt", "data", "vsize"), [
    ("qcow2", qcow2(10 * 1024**3), 10 * 1024**3),
    ("vmdk", vmdk(2 * 1024**3), 2 * 1024**3),
    ("iso", b"i" * 4096, 4096),
    ("vdi", b"not really a vdi" * 10, None),
])
def test_virtual_size_from_headers(admin_raw, fmt, data, vsize):
    img = admin_raw.create(disk_format=fmt, container_format="bare")
    admin_raw.upload(img["id"], data)
    assert admin_raw.json("GET", f"/v2/images/{img['id']}")["virtual_size"] == vsize


def test_upload_to_active_image_is_conflict(admin_raw):
    img = admin_raw.create(disk_format="raw", container_format="bare")
    admin_raw.upload(img["id"], b"first")
    admin_raw.upload(img["id"], b"second", expect=409)
    assert admin_raw("GET", f"/v2/images/{img['id']}/file").content == b"first"


def test_upload_needs_formats(admin_raw):
    img = admin_raw.create()
    resp = admin_raw.upload(img["id"], b"data", expect=400)
    assert "disk_format" in resp.json()["message"]
    assert admin_raw.json("GET", f"/v2/images/{img['id']}")["status"] == "queued"


def test_upload_wrong_content_type_is_415(admin_raw):
    img = admin_raw.create(disk_format="raw", container_format="bare")
    resp = admin_raw("PUT", f"/v2/images/{img['id']}/file", data=b"x",
                     headers={"Content-Type": "application/json"})
    assert resp.status_code == 415


def test_size_mismatch_leaves_image_queued(admin_raw, cloud):
    img = admin_raw.create(disk_format="raw", container_format="bare")
    admin_raw.upload(img["id"], b"x" * 1000, expect=400, **{"x-openstack-image-size": "999"})
    got = admin_raw.json("GET", f"/v2/images/{img['id']}")
    assert got["status"] == "queued" and got["size"] is None and got["checksum"] is None
    assert not _store_files(cloud)["tmp"]
    admin_raw.upload(img["id"], b"x" * 1000, **{"x-openstack-image-size": "1000"})
    assert admin_raw.json("GET", f"/v2/images/{img['id']}")["status"] == "active"


def test_chunked_upload_streams(admin_raw):
    img = admin_raw.create(disk_format="raw", container_format="bare")
    blocks = [os.urandom(1 << 20) for _ in range(9)]

    def gen():
        yield from blocks

    admin_raw.upload(img["id"], gen())
    data = b"".join(blocks)
    got = admin_raw.json("GET", f"/v2/images/{img['id']}")
    assert got["size"] == len(data) and got["checksum"] == hashlib.md5(data).hexdigest()


def _store_files(cloud) -> dict[str, list[str]]:
    root = cloud.data_dir / "images"
    return {"tmp": sorted(p.name for p in (root / ".tmp").iterdir()),
            "data": sorted(p.name for p in root.iterdir() if p.is_file())}


def _raw_upload_then_vanish(cloud, token: str, image_id: str, declared: int,
                            sent: bytes) -> None:
    url = urlsplit(image_url(cloud))
    sock = socket.create_connection((url.hostname, url.port), timeout=10)
    head = (f"PUT {url.path}/v2/images/{image_id}/file HTTP/1.1\r\n"
            f"Host: {url.hostname}:{url.port}\r\nX-Auth-Token: {token}\r\n"
            f"Content-Type: application/octet-stream\r\nContent-Length: {declared}\r\n\r\n")
    sock.sendall(head.encode() + sent)
    time.sleep(0.3)
    sock.close()


def _wait_status(raw, image_id: str, status: str, timeout: float = 10) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        got = raw.json("GET", f"/v2/images/{image_id}")
        if got["status"] == status or time.monotonic() > deadline:
            return got
        time.sleep(0.1)


def test_client_disconnect_mid_upload(cloud, admin_conn, admin_raw):
    img = admin_raw.create(disk_format="raw", container_format="bare")
    _raw_upload_then_vanish(cloud, admin_conn.auth_token, img["id"], 50 << 20,
                            os.urandom(6 << 20))
    got = _wait_status(admin_raw, img["id"], "queued")
    assert got["status"] == "queued" and got["size"] is None and got["checksum"] is None
    deadline = time.monotonic() + 5
    while _store_files(cloud)["tmp"] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _store_files(cloud)["tmp"]
    assert img["id"] not in _store_files(cloud)["data"]
    # The image can be uploaded again, completely this time.
    admin_raw.upload(img["id"], b"complete")
    assert admin_raw("GET", f"/v2/images/{img['id']}/file").content == b"complete"


def test_delete_during_upload_is_gone_and_cleans_up(cloud, admin_raw):
    img = admin_raw.create(disk_format="raw", container_format="bare")

    def slow():
        yield b"a" * (1 << 20)
        _wait_status(admin_raw, img["id"], "saving")  # the upload has begun
        admin_raw("DELETE", f"/v2/images/{img['id']}")
        yield b"b" * (1 << 20)

    resp = admin_raw("PUT", f"/v2/images/{img['id']}/file", data=slow(),
                     headers={"Content-Type": "application/octet-stream"})
    assert resp.status_code == 410, resp.text
    assert admin_raw("GET", f"/v2/images/{img['id']}").status_code == 404
    assert img["id"] not in _store_files(cloud)["data"] and not _store_files(cloud)["tmp"]


def test_delete_removes_data(cloud, admin_raw):
    img = admin_raw.create(disk_format="raw", container_format="bare")
    admin_raw.upload(img["id"], b"bytes")
    assert img["id"] in _store_files(cloud)["data"]
    admin_raw("DELETE", f"/v2/images/{img['id']}")
    assert img["id"] not in _store_files(cloud)["data"]


def test_others_cannot_upload_or_download_private(admin_raw, demo_raw):
    img = admin_raw.create(disk_format="raw", container_format="bare", visibility="private")
    demo_raw.upload(img["id"], b"x", expect=404)
    admin_raw.upload(img["id"], b"secret")
    assert demo_raw("GET", f"/v2/images/{img['id']}/file").status_code == 404


def test_sdk_upload_rejects_second_upload(admin_conn, unique):
    image = admin_conn.image.create_image(name=unique, data=io.BytesIO(b"once"),
                                          disk_format="raw", container_format="bare",
                                          validate_checksum=False)
    image = admin_conn.image.get_image(image.id)
    image.data = io.BytesIO(b"twice")
    resp = image.upload(admin_conn.image)
    assert resp.status_code == 409
    with pytest.raises(sdk_exc.NotFoundException):
        admin_conn.image.get_image(str(uuid.uuid4()))
