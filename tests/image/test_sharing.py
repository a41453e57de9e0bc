"""Visibility and image members, with the rules Glance enforces."""

from __future__ import annotations

import uuid

import openstack.exceptions as sdk_exc
import pytest


def _ids(raw, **params) -> set[str]:
    return {i["id"] for i in raw.json("GET", "/v2/images", params={"limit": 1000,
                                                                   **params})["images"]}


@pytest.fixture()
def four(demo_raw):
    """One image of each visibility, owned by the demo project."""
    return {vis: demo_raw.create(visibility=vis)["id"]
            for vis in ("private", "shared", "community")}


def test_only_admin_publicizes(admin_raw, demo_raw, demo_conn, unique):
    assert demo_raw("POST", "/v2/images", json={"visibility": "public"}).status_code == 403
    img = demo_raw.create()
    demo_raw.patch(img["id"], [{"op": "replace", "path": "/visibility", "value": "public"}],
                   expect=403)
    admin_raw.patch(img["id"], [{"op": "replace", "path": "/visibility", "value": "public"}])
    with pytest.raises(sdk_exc.ForbiddenException):
        demo_conn.image.create_image(name=unique, visibility="public")


def test_who_sees_what(admin_raw, demo_raw, other_project, four):
    other = other_project["raw"]
    public = admin_raw.create(visibility="public")["id"]
    for raw in (demo_raw, admin_raw):
        for image_id in (*four.values(), public):
            assert raw("GET", f"/v2/images/{image_id}").status_code == 200
    assert other("GET", f"/v2/images/{four['private']}").status_code == 404
    assert other("GET", f"/v2/images/{four['shared']}").status_code == 404
    assert other("GET", f"/v2/images/{four['community']}").status_code == 200
    assert other("GET", f"/v2/images/{public}").status_code == 200
    # Default lists: own images, public ones; community only when asked for.
    listed = _ids(other)
    assert public in listed and not set(four.values()) & listed
    assert four["community"] in _ids(other, visibility="community")
    assert set(four.values()) <= _ids(demo_raw)
    assert four["community"] in _ids(other, visibility="all")
    # Admins see every project's images.
    assert four["private"] in _ids(admin_raw, visibility="private")


def test_non_owner_cannot_change_or_delete(other_project, four):
    other = other_project["raw"]
    community = four["community"]
    other.patch(community, [{"op": "replace", "path": "/name", "value": "mine"}], expect=403)
    assert other("DELETE", f"/v2/images/{community}").status_code == 403
    assert other("PUT", f"/v2/images/{community}/tags/x").status_code == 403


def test_reader_role_reads_but_cannot_write(reader, demo_raw):
    img = demo_raw.create(disk_format="raw", container_format="bare")
    assert reader("GET", f"/v2/images/{img['id']}").status_code == 200
    assert reader("POST", "/v2/images", json={"name": "r"}).status_code == 403
    reader.patch(img["id"], [{"op": "replace", "path": "/name", "value": "r"}], expect=403)
    assert reader("DELETE", f"/v2/images/{img['id']}").status_code == 403


def test_owner_param_is_admin_only(admin_raw, demo_raw):
    someone = uuid.uuid4().hex
    assert demo_raw("POST", "/v2/images", json={"owner": someone}).status_code == 403
    img = admin_raw.create(owner=someone)
    assert img["owner"] == someone
    other = uuid.uuid4().hex
    out = admin_raw.patch(img["id"], [{"op": "replace", "path": "/owner", "value": other}])
    assert out["owner"] == other
    mine = demo_raw.create()
    demo_raw.patch(mine["id"], [{"op": "replace", "path": "/owner", "value": other}],
                   expect=403)


def test_member_workflow_with_sdk(demo_conn, other_project, unique):
    other_conn, other_pid = other_project["conn"], other_project["project"].id
    image = demo_conn.image.create_image(name=unique)  # shared by default
    member = demo_conn.image.add_member(image, member_id=other_pid)
    assert member.status == "pending"
    assert image.id not in {i.id for i in other_conn.image.images()}
    assert other_conn.image.get_image(image.id).id == image.id  # visible by id while pending
    pending = {i.id for i in other_conn.image.images(member_status="pending",
                                                      visibility="shared")}
    assert pending == {image.id}
    other_conn.image.update_member(member, image, status="accepted")
    assert image.id in {i.id for i in other_conn.image.images()}
    assert [m.member_id for m in demo_conn.image.members(image)] == [other_pid]
    other_conn.image.update_member(member, image, status="rejected")
    assert image.id not in {i.id for i in other_conn.image.images()}
    assert image.id in {i.id for i in other_conn.image.images(member_status="rejected")}
    demo_conn.image.remove_member(member, image)
    with pytest.raises(sdk_exc.NotFoundException):
        other_conn.image.get_image(image.id)


def test_member_rules(demo_raw, other_project, admin_raw):
    other, other_pid = other_project["raw"], other_project["project"].id
    img = demo_raw.create()["id"]
    members = f"/v2/images/{img}/members"
    created = demo_raw.json("POST", members, {"member": other_pid})
    assert created["member_id"] == other_pid and created["image_id"] == img
    assert created["schema"] == "/v2/schemas/member"
    assert demo_raw("POST", members, json={"member": other_pid}).status_code == 409
    assert demo_raw("POST", members, json={}).status_code == 400
    # The owner may not accept on the member's behalf; the member may not add members.
    assert demo_raw("PUT", f"{members}/{other_pid}", json={"status": "accepted"}).status_code == 403
    assert other("POST", members, json={"member": uuid.uuid4().hex}).status_code == 403
    assert other("PUT", f"{members}/{other_pid}", json={"status": "maybe"}).status_code == 400
    assert other.json("PUT", f"{members}/{other_pid}", {"status": "accepted"})["status"] == \
        "accepted"
    # A member sees only its own membership; the owner sees all.
    third = uuid.uuid4().hex
    demo_raw.json("POST", members, {"member": third})
    assert {m["member_id"] for m in demo_raw.json("GET", members)["members"]} == {
        other_pid, third}
    assert [m["member_id"] for m in other.json("GET", members)["members"]] == [other_pid]
    assert other("GET", f"{members}/{third}").status_code == 404
    assert other("DELETE", f"{members}/{other_pid}").status_code == 403
    assert admin_raw("DELETE", f"{members}/{third}").status_code == 204
    assert demo_raw("DELETE", f"{members}/{third}").status_code == 404


def test_members_only_on_shared_images(demo_raw, other_project):
    other_pid = other_project["project"].id
    img = demo_raw.create(visibility="private")["id"]
    resp = demo_raw("POST", f"/v2/images/{img}/members", json={"member": other_pid})
    assert resp.status_code == 403
    assert demo_raw("GET", f"/v2/images/{img}/members").status_code == 403
    shared = demo_raw.create()["id"]
    demo_raw.json("POST", f"/v2/images/{shared}/members", {"member": other_pid})
    demo_raw.patch(shared, [{"op": "replace", "path": "/visibility", "value": "private"}])
    # Membership of a no-longer-shared image gives no access.
    assert other_project["raw"]("GET", f"/v2/images/{shared}").status_code == 404


def test_members_of_unknown_or_invisible_image(other_project, demo_raw):
    assert demo_raw("GET", f"/v2/images/{uuid.uuid4()}/members").status_code == 404
    img = demo_raw.create()["id"]
    assert other_project["raw"]("GET", f"/v2/images/{img}/members").status_code == 404
