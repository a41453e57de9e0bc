"""Credentials (/v3/credentials) and EC2 credentials (/v3/users/{id}/credentials/OS-EC2)
through the real API: CRUD, filters, owner-only access, encrypted storage, and the EC2 id
being the SHA-256 of the access key.

Keystone API reference: identity/v3 "Credentials" and identity/v3-ext "OS-EC2"."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.postgres


# -- helpers --------------------------------------------------------------------------------
class Api:
    """An authenticated httpx client speaking to the identity API as one user."""

    def __init__(self, client: httpx.Client, token: str) -> None:
        self.client, self.token = client, token

    def __call__(self, method: str, path: str, body: Any = None, **params: Any) -> httpx.Response:
        return self.client.request(method, f"/v3/{path}", json=body, params=params or None,
                                   headers={"X-Auth-Token": self.token})


def login(client: httpx.Client, user_id: str, password: str, project_id: str | None) -> str:
    auth: dict[str, Any] = {"identity": {"methods": ["password"], "password": {
        "user": {"id": user_id, "password": password}}}}
    if project_id:
        auth["scope"] = {"project": {"id": project_id}}
    resp = client.post("/v3/auth/tokens", json={"auth": auth})
    assert resp.status_code == 201, resp.text
    return resp.headers["X-Subject-Token"]


def error(resp: httpx.Response, code: int) -> str:
    assert resp.status_code == code, resp.text
    body = resp.json()["error"]
    assert body["code"] == code
    return str(body["message"])


@pytest.fixture(scope="module")
def http(cloud: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=cloud.url, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def admin(http: httpx.Client, admin_conn: Any) -> Api:
    return Api(http, str(admin_conn.auth_token))


@pytest.fixture(scope="module")
def member(http: httpx.Client, admin: Api) -> dict[str, Any]:
    """A fresh user with the member role on a fresh project, and an Api as that user."""
    name = "cred-" + uuid.uuid4().hex[:8]
    project = admin("POST", "projects", {"project": {"name": name}}).json()["project"]
    user = admin("POST", "users", {"user": {"name": name, "password": "pw-" + name}}).json()["user"]
    role = admin("GET", "roles", name="member").json()["roles"][0]
    assert admin("PUT", f"projects/{project['id']}/users/{user['id']}/roles/{role['id']}") \
        .status_code == 204
    token = login(http, user["id"], "pw-" + name, project["id"])
    return {"user": user, "project": project, "api": Api(http, token)}


def ec2_blob(access: str | None = None) -> str:
    return json.dumps({"access": access or uuid.uuid4().hex, "secret": uuid.uuid4().hex})


# -- /v3/credentials ------------------------------------------------------------------------
def test_create_show_update_delete_with_sdk(admin_conn: Any, member: dict[str, Any]) -> None:
    blob = ec2_blob()
    cred = admin_conn.identity.create_credential(
        user_id=member["user"]["id"], project_id=member["project"]["id"], type="ec2",
        blob=blob)
    assert cred.id == hashlib.sha256(json.loads(blob)["access"].encode()).hexdigest()
    assert json.loads(cred.blob) == json.loads(blob)
    assert admin_conn.identity.get_credential(cred.id).blob == cred.blob
    new_blob = ec2_blob()
    updated = admin_conn.identity.update_credential(cred.id, blob=new_blob)
    assert json.loads(updated.blob) == json.loads(new_blob)
    assert updated.id == cred.id and updated.project_id == member["project"]["id"]
    ids = [c.id for c in admin_conn.identity.credentials(user_id=member["user"]["id"])]
    assert cred.id in ids
    admin_conn.identity.delete_credential(cred.id)
    assert cred.id not in [c.id for c in admin_conn.identity.credentials()]


def test_wire_format_and_extra_attributes(admin: Api, member: dict[str, Any], cloud: Any) -> None:
    resp = admin("POST", "credentials", {"credential": {
        "user_id": member["user"]["id"], "type": "cert", "blob": "-----BEGIN top-secret",
        "colour": "blue"}})
    assert resp.status_code == 201, resp.text
    cred = resp.json()["credential"]
    assert set(cred) == {"id", "user_id", "project_id", "type", "blob", "links", "colour"}
    assert cred["project_id"] is None and cred["colour"] == "blue"
    assert cred["links"]["self"].endswith(f"/v3/credentials/{cred['id']}")
    assert len(cred["id"]) == 32
    # The blob is stored encrypted: the plain text is nowhere in the database file.
    if cloud.database_url is None:
        db = sqlite3.connect(cloud.data_dir / "pocketstack.db")
        stored = db.execute("SELECT encrypted_blob FROM identity_credentials WHERE id = ?",
                            (cred["id"],)).fetchone()[0]
        db.close()
        assert "top-secret" not in stored
    assert admin("DELETE", f"credentials/{cred['id']}").status_code == 204
    error(admin("GET", f"credentials/{cred['id']}"), 404)


def test_filters_by_user_and_type(admin: Api, member: dict[str, Any]) -> None:
    uid = member["user"]["id"]
    made = [admin("POST", "credentials", {"credential": {
        "user_id": uid, "type": t, "blob": ec2_blob() if t == "ec2" else "x",
        "project_id": member["project"]["id"]}}).json()["credential"] for t in ("ec2", "totp")]
    listed = admin("GET", "credentials", user_id=uid).json()["credentials"]
    assert {c["id"] for c in listed} == {c["id"] for c in made}
    totp = admin("GET", "credentials", user_id=uid, type="totp").json()["credentials"]
    assert [c["id"] for c in totp] == [made[1]["id"]]
    for c in made:
        admin("DELETE", f"credentials/{c['id']}")


def test_ec2_credentials_need_project_and_access(admin: Api, member: dict[str, Any]) -> None:
    uid = member["user"]["id"]
    error(admin("POST", "credentials", {"credential": {
        "user_id": uid, "type": "ec2", "blob": ec2_blob()}}), 400)
    error(admin("POST", "credentials", {"credential": {
        "user_id": uid, "type": "ec2", "blob": "not json", "project_id": member["project"]["id"]
    }}), 400)
    error(admin("POST", "credentials", {"credential": {
        "user_id": uid, "type": "ec2", "blob": json.dumps({"secret": "s"}),
        "project_id": member["project"]["id"]}}), 400)
    error(admin("POST", "credentials", {"credential": {"user_id": uid, "blob": "x"}}), 400)
    error(admin("POST", "credentials", {"credential": {
        "user_id": uid, "type": "x", "blob": 5}}), 400)
    # The same access key twice is a conflict (the id is derived from it).
    body = {"credential": {"user_id": uid, "type": "ec2", "blob": ec2_blob("dup-" + uid),
                           "project_id": member["project"]["id"]}}
    first = admin("POST", "credentials", body)
    assert first.status_code == 201
    error(admin("POST", "credentials", body), 409)
    admin("DELETE", f"credentials/{first.json()['credential']['id']}")


def test_users_manage_only_their_own(admin: Api, member: dict[str, Any], admin_conn: Any) -> None:
    me, api = member["user"]["id"], member["api"]
    mine = api("POST", "credentials", {"credential": {"user_id": me, "type": "cert",
                                                       "blob": "mine"}})
    assert mine.status_code == 201, mine.text
    cred_id = mine.json()["credential"]["id"]
    admin_id = admin_conn.current_user_id
    error(api("POST", "credentials", {"credential": {"user_id": admin_id, "type": "cert",
                                                      "blob": "theirs"}}), 403)
    theirs = admin("POST", "credentials", {"credential": {
        "user_id": admin_id, "type": "cert", "blob": "admin's"}}).json()["credential"]
    listed = api("GET", "credentials").json()["credentials"]
    assert [c["id"] for c in listed] == [cred_id]
    assert api("GET", "credentials", user_id=admin_id).json()["credentials"] == []
    error(api("GET", f"credentials/{theirs['id']}"), 403)
    error(api("PATCH", f"credentials/{theirs['id']}", {"credential": {"blob": "x"}}), 403)
    error(api("DELETE", f"credentials/{theirs['id']}"), 403)
    error(api("PATCH", f"credentials/{cred_id}", {"credential": {"user_id": admin_id}}), 403)
    resp = api("PATCH", f"credentials/{cred_id}", {"credential": {"blob": "changed"}})
    assert resp.json()["credential"]["blob"] == "changed"
    error(api("PATCH", f"credentials/{cred_id}", {"credential": {}}), 400)
    assert api("DELETE", f"credentials/{cred_id}").status_code == 204
    admin("DELETE", f"credentials/{theirs['id']}")


def test_missing_credential_is_404(admin: Api) -> None:
    error(admin("GET", "credentials/nope"), 404)
    error(admin("PATCH", "credentials/nope", {"credential": {"blob": "x"}}), 404)
    error(admin("DELETE", "credentials/nope"), 404)


# -- OS-EC2 ---------------------------------------------------------------------------------
def test_ec2_create_list_show_delete(member: dict[str, Any]) -> None:
    api, uid, pid = member["api"], member["user"]["id"], member["project"]["id"]
    resp = api("POST", f"users/{uid}/credentials/OS-EC2", {"tenant_id": pid})
    assert resp.status_code == 201, resp.text
    cred = resp.json()["credential"]
    assert cred["user_id"] == uid and cred["tenant_id"] == pid and cred["trust_id"] is None
    assert cred["access"] and cred["secret"]
    assert cred["links"]["self"].endswith(f"/v3/users/{uid}/credentials/OS-EC2/"
                                          f"{cred['access']}")
    listed = api("GET", f"users/{uid}/credentials/OS-EC2").json()["credentials"]
    assert cred["access"] in [c["access"] for c in listed]
    shown = api("GET", f"users/{uid}/credentials/OS-EC2/{cred['access']}").json()["credential"]
    assert {k: shown[k] for k in ("access", "secret", "user_id", "tenant_id")} == \
        {k: cred[k] for k in ("access", "secret", "user_id", "tenant_id")}
    # ...and it is an ordinary 'ec2' credential whose id is the hash of the access key.
    cred_id = hashlib.sha256(cred["access"].encode()).hexdigest()
    plain = api("GET", f"credentials/{cred_id}").json()["credential"]
    assert plain["type"] == "ec2" and json.loads(plain["blob"])["secret"] == cred["secret"]
    assert api("DELETE", f"users/{uid}/credentials/OS-EC2/{cred['access']}").status_code == 204
    error(api("GET", f"users/{uid}/credentials/OS-EC2/{cred['access']}"), 404)
    error(api("DELETE", f"users/{uid}/credentials/OS-EC2/{cred['access']}"), 404)


def test_ec2_policy_and_validation(admin: Api, member: dict[str, Any], admin_conn: Any) -> None:
    api, uid, pid = member["api"], member["user"]["id"], member["project"]["id"]
    admin_id = admin_conn.current_user_id
    error(api("POST", f"users/{admin_id}/credentials/OS-EC2", {"tenant_id": pid}), 403)
    error(api("GET", f"users/{admin_id}/credentials/OS-EC2"), 403)
    error(api("POST", f"users/{uid}/credentials/OS-EC2", {"tenant_id": "no-such"}), 404)
    error(api("POST", f"users/{uid}/credentials/OS-EC2", {}), 400)
    error(admin("GET", "users/no-such/credentials/OS-EC2"), 404)
    # The admin may manage anyone's EC2 credentials.
    cred = admin("POST", f"users/{uid}/credentials/OS-EC2", {"tenant_id": pid}).json()
    access = cred["credential"]["access"]
    assert admin("GET", f"users/{uid}/credentials/OS-EC2/{access}").status_code == 200
    # The access key of one user is not found under another user.
    error(admin("GET", f"users/{admin_id}/credentials/OS-EC2/{access}"), 404)
    assert admin("DELETE", f"users/{uid}/credentials/OS-EC2/{access}").status_code == 204
