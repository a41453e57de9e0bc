"""Image records through openstacksdk and plain HTTP: create, show, list (filters, sorting,
pagination), JSON Patch updates, delete, deactivate / reactivate, tags, schemas, versions."""

from __future__ import annotations

import uuid

import openstack.exceptions as sdk_exc
import pytest
import requests

from tests.image.conftest import image_url


def test_version_discovery(cloud):
    bare = requests.get(image_url(cloud), timeout=10)
    assert bare.status_code == 300
    versions = {v["id"]: v for v in bare.json()["versions"]}
    assert versions["v2.15"]["status"] == "CURRENT"
    assert versions["v2.0"]["links"][0]["href"] == image_url(cloud) + "/v2/"
    listed = requests.get(image_url(cloud) + "/versions", timeout=10)
    assert listed.status_code == 200 and listed.json() == bare.json()


def test_create_show_delete_with_sdk(admin_conn, unique):
    image = admin_conn.image.create_image(name=unique, disk_format="qcow2",
                                          container_format="bare", visibility="private",
                                          properties={"os_distro": "debian"})
    assert image.status == "queued" and image.visibility == "private"
    got = admin_conn.image.get_image(image.id)
    assert got.name == unique and got.os_distro == "debian"
    assert got.size is None and got.checksum is None
    admin_conn.image.delete_image(image.id)
    with pytest.raises(sdk_exc.NotFoundException):
        admin_conn.image.get_image(image.id)


def test_create_response_shape(admin_raw):
    body = {"name": "shape", "disk_format": "raw", "container_format": "bare",
            "tags": ["a", "b"], "min_ram": 64, "hw_disk_bus": "virtio"}
    resp = admin_raw("POST", "/v2/images", json=body)
    assert resp.status_code == 201
    img = resp.json()
    assert resp.headers["Location"].endswith(f"/image/v2/images/{img['id']}")
    assert "glance-direct" in resp.headers["OpenStack-image-import-methods"]
    assert resp.headers["OpenStack-image-store-ids"] == "local"
    for key in ("checksum", "os_hash_algo", "os_hash_value", "size", "virtual_size"):
        assert key in img and img[key] is None
    assert img["self"] == f"/v2/images/{img['id']}" and img["schema"] == "/v2/schemas/image"
    assert img["visibility"] == "shared" and img["protected"] is False
    assert img["os_hidden"] is False and sorted(img["tags"]) == ["a", "b"]
    assert img["hw_disk_bus"] == "virtio" and img["min_ram"] == 64
    assert img["created_at"].endswith("Z") and len(img["created_at"]) == 20


def test_create_with_explicit_id_and_reuse_conflicts(admin_raw):
    image_id = str(uuid.uuid4())
    admin_raw.create(id=image_id)
    admin_raw.create(expect=409, id=image_id)
    admin_raw("DELETE", f"/v2/images/{image_id}")
    # A deleted image's id is never reused (Glance keeps the record).
    admin_raw.create(expect=409, id=image_id)


@pytest.mark.parametrize(("body", "code"), [
    ({"container_format": "wrong", "disk_format": "raw"}, 400),
    ({"container_format": "bare", "disk_format": "wrong"}, 400),
    ({"visibility": "everyone"}, 400),
    ({"min_disk": -1}, 400),
    ({"min_ram": "1"}, 400),
    ({"protected": "yes"}, 400),
    ({"name": "x" * 256}, 400),
    ({"id": "not-a-uuid"}, 400),
    ({"tags": "a,b"}, 400),
    ({"my_prop": 5}, 400),
    ({"x" * 256: "v"}, 400),
    ({"os_glance_foo": "bar"}, 403),
    ({"status": "active"}, 403),
    ({"size": 5}, 403),
    ({"checksum": "0" * 32}, 403),
    ({"self": "/x"}, 403),
    ({"locations": []}, 403),
    ({"deleted": True}, 403),
])
def test_create_bad_input(admin_raw, body, code):
    resp = admin_raw("POST", "/v2/images", json=body)
    assert resp.status_code == code, resp.text
    assert resp.json()["message"]


def test_create_bad_json_and_not_an_object(admin_raw):
    resp = admin_raw("POST", "/v2/images", data=b"{not json",
                     headers={"Content-Type": "application/json"})
    assert resp.status_code == 400
    assert admin_raw("POST", "/v2/images", json=[1, 2]).status_code == 400


def test_unauthenticated_is_401_in_keystone_format(cloud):
    resp = requests.get(image_url(cloud) + "/v2/images", timeout=10)
    assert resp.status_code == 401
    assert resp.json()["error"]["code"] == 401
    assert resp.headers["WWW-Authenticate"].startswith("Keystone uri=")


def test_not_found_and_empty_id(admin_raw):
    missing = str(uuid.uuid4())
    resp = admin_raw("GET", f"/v2/images/{missing}")
    assert resp.status_code == 404 and missing in resp.json()["message"]
    assert admin_raw("DELETE", f"/v2/images/{missing}").status_code == 404


def test_empty_image_id_is_not_found(admin_raw):
    assert admin_raw("GET", "/v2/images/").status_code == 404
    assert admin_raw("DELETE", "/v2/images/").status_code in (404, 405)


def test_patch_core_custom_and_tags(admin_raw):
    img = admin_raw.create(disk_format="raw", container_format="bare")
    out = admin_raw.patch(img["id"], [
        {"op": "replace", "path": "/name", "value": "renamed"},
        {"op": "add", "path": "/os_distro", "value": "debian"},
        {"op": "add", "path": "/hw~1x", "value": "slash"},
        {"op": "replace", "path": "/min_disk", "value": 3},
        {"op": "replace", "path": "/min_ram", "value": 512},
        {"op": "replace", "path": "/protected", "value": True},
        {"op": "replace", "path": "/os_hidden", "value": True},
        {"op": "replace", "path": "/tags", "value": ["x", "y", "x"]},
    ])
    assert out["name"] == "renamed" and out["os_distro"] == "debian" and out["hw/x"] == "slash"
    assert out["min_disk"] == 3 and out["min_ram"] == 512 and out["protected"] is True
    assert out["os_hidden"] is True and sorted(out["tags"]) == ["x", "y"]
    out = admin_raw.patch(img["id"], [{"op": "replace", "path": "/os_distro", "value": "fedora"},
                                      {"op": "remove", "path": "/hw~1x"},
                                      {"op": "replace", "path": "/protected", "value": False}])
    assert out["os_distro"] == "fedora" and "hw/x" not in out
    shown = admin_raw.json("GET", f"/v2/images/{img['id']}")
    assert shown["os_distro"] == "fedora" and shown["protected"] is False


def test_patch_draft4_media_type(admin_raw):
    img = admin_raw.create()
    media = "application/openstack-images-v2.0-json-patch"
    out = admin_raw.patch(img["id"], [{"replace": "/name", "value": "d4"},
                                      {"add": "/k", "value": "v"}], media=media)
    assert out["name"] == "d4" and out["k"] == "v"
    admin_raw.patch(img["id"], [{"add": "/k", "value": "again"}], expect=409, media=media)


@pytest.mark.parametrize(("ops", "code"), [
    ([{"op": "replace", "path": "/id", "value": str(uuid.uuid4())}], 403),
    ([{"op": "replace", "path": "/status", "value": "active"}], 403),
    ([{"op": "replace", "path": "/checksum", "value": "x"}], 403),
    ([{"op": "add", "path": "/os_glance_x", "value": "x"}], 403),
    ([{"op": "remove", "path": "/name"}], 403),
    ([{"op": "replace", "path": "/locations", "value": []}], 403),
    ([{"op": "replace", "path": "/missing", "value": "x"}], 409),
    ([{"op": "remove", "path": "/missing"}], 409),
    ([{"op": "move", "path": "/name", "from": "/x"}], 400),
    ([{"op": "test", "path": "/name", "value": "x"}], 400),
    ([{"op": "replace", "path": "name", "value": "x"}], 400),
    ([{"op": "replace", "path": "/a/b", "value": "x"}], 400),
    ([{"op": "replace", "path": "//", "value": "x"}], 400),
    ([{"op": "replace", "path": "/a~2", "value": "x"}], 400),
    ([{"op": "replace", "path": "/name"}], 400),
    ([{"path": "/name", "value": "x"}], 400),
    ([{"op": "replace", "path": "/visibility", "value": "bogus"}], 400),
    ([{"op": "replace", "path": "/min_ram", "value": -5}], 400),
    ([{"op": "add", "path": "/prop", "value": 12}], 400),
    ([{"op": "replace", "path": "/disk_format", "value": "floppy"}], 400),
    ({"op": "replace"}, 400),
    (["not an object"], 400),
])
def test_patch_bad_input(admin_raw, ops, code):
    img = admin_raw.create(name="keep")
    admin_raw.patch(img["id"], ops, expect=code)
    assert admin_raw.json("GET", f"/v2/images/{img['id']}")["name"] == "keep"


def test_patch_is_atomic(admin_raw):
    img = admin_raw.create(name="before")
    admin_raw.patch(img["id"], [{"op": "replace", "path": "/name", "value": "after"},
                                {"op": "replace", "path": "/status", "value": "x"}], expect=403)
    assert admin_raw.json("GET", f"/v2/images/{img['id']}")["name"] == "before"


def test_patch_wrong_media_type_is_415(admin_raw):
    img = admin_raw.create()
    resp = admin_raw("PATCH", f"/v2/images/{img['id']}",
                     json=[{"op": "replace", "path": "/name", "value": "x"}])
    assert resp.status_code == 415


def test_formats_only_change_while_queued(admin_raw):
    img = admin_raw.create(disk_format="raw", container_format="bare")
    admin_raw.patch(img["id"], [{"op": "replace", "path": "/disk_format", "value": "qcow2"}])
    admin_raw.upload(img["id"], b"x" * 100)
    admin_raw.patch(img["id"], [{"op": "replace", "path": "/disk_format", "value": "raw"}],
                    expect=403)


def test_protected_image_cannot_be_deleted(admin_conn, unique):
    image = admin_conn.image.create_image(name=unique, is_protected=True)
    with pytest.raises(sdk_exc.ForbiddenException):
        admin_conn.image.delete_image(image.id)
    admin_conn.image.update_image(image, is_protected=False)
    admin_conn.image.delete_image(image.id)


def test_deactivate_reactivate(admin_raw, demo_raw):
    img = admin_raw.create(disk_format="raw", container_format="bare", visibility="public")
    assert admin_raw("POST", f"/v2/images/{img['id']}/actions/deactivate").status_code == 403
    admin_raw.upload(img["id"], b"payload")
    assert admin_raw("POST", f"/v2/images/{img['id']}/actions/deactivate").status_code == 204
    assert admin_raw.json("GET", f"/v2/images/{img['id']}")["status"] == "deactivated"
    assert demo_raw("GET", f"/v2/images/{img['id']}/file").status_code == 403
    assert admin_raw("GET", f"/v2/images/{img['id']}/file").content == b"payload"
    assert demo_raw("POST", f"/v2/images/{img['id']}/actions/reactivate").status_code == 403
    assert admin_raw("POST", f"/v2/images/{img['id']}/actions/reactivate").status_code == 204
    assert demo_raw("GET", f"/v2/images/{img['id']}/file").content == b"payload"


def test_tags(admin_conn, admin_raw):
    img = admin_raw.create()
    image = admin_conn.image.get_image(img["id"])
    admin_conn.image.add_tag(image, "web")
    assert admin_raw("PUT", f"/v2/images/{img['id']}/tags/web").status_code == 204
    assert admin_raw.json("GET", f"/v2/images/{img['id']}")["tags"] == ["web"]
    admin_conn.image.remove_tag(image, "web")
    assert admin_raw("DELETE", f"/v2/images/{img['id']}/tags/web").status_code == 404
    assert admin_raw("PUT", f"/v2/images/{uuid.uuid4()}/tags/x").status_code == 404
    assert admin_raw("PUT", f"/v2/images/{img['id']}/tags/{'t' * 256}").status_code == 400


def test_schemas(admin_raw):
    image = admin_raw.json("GET", "/v2/schemas/image")
    assert image["name"] == "image" and "os_hash_value" in image["properties"]
    assert image["properties"]["visibility"]["enum"] == ["community", "public", "private",
                                                         "shared"]
    assert "qcow2" in image["properties"]["disk_format"]["enum"]
    assert admin_raw.json("GET", "/v2/schemas/images")["name"] == "images"
    assert admin_raw.json("GET", "/v2/schemas/member")["name"] == "member"
    assert admin_raw.json("GET", "/v2/schemas/members")["name"] == "members"
    assert admin_raw("GET", "/v2/schemas/nothing").status_code == 404


@pytest.fixture(scope="module")
def images(admin_raw):
    """Four uploaded images sharing a tag, and a hidden one."""
    tag = "lst-" + uuid.uuid4().hex[:6]
    made = []
    for i, (disk, size) in enumerate([("raw", 100), ("qcow2", 300), ("raw", 200),
                                      ("iso", 50)]):
        img = admin_raw.create(name=f"{tag}-{i}", disk_format=disk,
                               container_format="bare", tags=[tag, f"n{i}"],
                               visibility="private", flavor=f"f{i % 2}")
        admin_raw.upload(img["id"], b"z" * size)
        made.append(img["id"])
    hidden = admin_raw.create(name=f"{tag}-hidden", os_hidden=True, tags=[tag])
    return {"tag": tag, "ids": made, "hidden": hidden["id"]}


class TestListing:
    def _names(self, raw, **params):
        return [i["name"] for i in raw.json("GET", "/v2/images", params=params)["images"]]

    def test_filters(self, admin_raw, images):
        tag = images["tag"]
        assert len(self._names(admin_raw, tag=tag)) == 4
        assert self._names(admin_raw, tag=tag, disk_format="raw", sort="name:asc") == [
            f"{tag}-0", f"{tag}-2"]
        assert self._names(admin_raw, tag=tag, size_min=150, size_max=250) == [f"{tag}-2"]
        assert self._names(admin_raw, tag=tag, size=300) == [f"{tag}-1"]
        assert self._names(admin_raw, name=f"{tag}-3") == [f"{tag}-3"]
        assert self._names(admin_raw, tag=tag, flavor="f1", sort="name:asc") == [
            f"{tag}-1", f"{tag}-3"]
        assert self._names(admin_raw, tag=[tag, "n2"]) == [f"{tag}-2"]
        assert sorted(self._names(admin_raw, tag=tag, disk_format="in:iso,qcow2")) == [
            f"{tag}-1", f"{tag}-3"]
        assert self._names(admin_raw, name=f'in:"{tag}-0",nope') == [f"{tag}-0"]
        assert self._names(admin_raw, tag=tag, status="queued") == []
        assert self._names(admin_raw, tag=tag, visibility="public") == []

    def test_hidden_images(self, admin_raw, images):
        tag = images["tag"]
        assert f"{tag}-hidden" not in self._names(admin_raw, tag=tag)
        assert self._names(admin_raw, tag=tag, os_hidden="true") == [f"{tag}-hidden"]

    def test_sorting(self, admin_raw, images):
        tag = images["tag"]
        sizes = [i["size"] for i in admin_raw.json(
            "GET", "/v2/images", params={"tag": tag, "sort": "size:desc"})["images"]]
        assert sizes == [300, 200, 100, 50]
        sizes = [i["size"] for i in admin_raw.json(
            "GET", "/v2/images", params={"tag": tag, "sort_key": "size",
                                         "sort_dir": "asc"})["images"]]
        assert sizes == [50, 100, 200, 300]
        names = self._names(admin_raw, tag=tag, sort_key=["disk_format", "size"],
                            sort_dir=["asc", "desc"])
        assert names == [f"{tag}-3", f"{tag}-1", f"{tag}-2", f"{tag}-0"]

    def test_pagination_with_next_links(self, admin_raw, images):
        tag = images["tag"]
        seen, url = [], f"/v2/images?tag={tag}&limit=3&sort=name:asc"
        while url:
            page = admin_raw.json("GET", url)
            assert page["first"].startswith("/v2/images?") and "marker" not in page["first"]
            seen += [i["name"] for i in page["images"]]
            url = page.get("next")
        assert seen == [f"{tag}-{i}" for i in range(4)]
        sdk_names = sorted(i["name"] for i in admin_raw.json(
            "GET", "/v2/images", params={"tag": tag, "limit": 1})["images"])
        assert len(sdk_names) == 1

    def test_sdk_paginates(self, admin_conn, images):
        found = [i.name for i in admin_conn.image.images(tag=images["tag"], limit=1)]
        assert sorted(found) == sorted(f"{images['tag']}-{i}" for i in range(4))

    def test_time_filters(self, admin_raw, images):
        tag = images["tag"]
        assert len(self._names(admin_raw, tag=tag, created_at="gte:2000-01-01T00:00:00Z")) == 4
        assert self._names(admin_raw, tag=tag, updated_at="lt:2000-01-01T00:00:00Z") == []

    @pytest.mark.parametrize("params", [
        {"limit": "x"}, {"limit": "-1"}, {"sort_key": "bogus"}, {"sort_dir": "up"},
        {"sort": "size:sideways"}, {"sort": "size", "sort_key": "name"},
        {"visibility": "everyone"}, {"member_status": "maybe"}, {"os_hidden": "maybe"},
        {"protected": "perhaps"}, {"size_min": "big"}, {"created_at": "soon:2020"},
        {"created_at": "gt:not-a-date"}, {"marker": str(uuid.uuid4())},
        {"changes-since": "2020-01-01"},
    ])
    def test_bad_parameters(self, admin_raw, params):
        resp = admin_raw("GET", "/v2/images", params=params)
        assert resp.status_code == 400, resp.text
