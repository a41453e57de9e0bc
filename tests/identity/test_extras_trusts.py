"""Trusts (OS-TRUST) through the real API: create (roles by id or name, impersonation,
expiry, remaining uses), show/list with the policy Keystone applies, trust roles, trust-scoped
tokens (whose user and roles they carry), and deletion revoking them.

Keystone API reference: identity/v3-ext "OS-TRUST"."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.postgres


class Api:
    def __init__(self, client: httpx.Client, token: str) -> None:
        self.client, self.token = client, token

    def __call__(self, method: str, path: str, body: Any = None, **params: Any) -> httpx.Response:
        return self.client.request(method, f"/v3/{path}", json=body, params=params or None,
                                   headers={"X-Auth-Token": self.token})


def error(resp: httpx.Response, code: int) -> str:
    assert resp.status_code == code, resp.text
    assert resp.json()["error"]["code"] == code
    return str(resp.json()["error"]["message"])


def password(user: dict[str, Any], scope: dict[str, Any] | None = None) -> dict[str, Any]:
    auth: dict[str, Any] = {"identity": {"methods": ["password"], "password": {
        "user": {"id": user["id"], "password": user["password"]}}}}
    if scope:
        auth["scope"] = scope
    return {"auth": auth}


def trust_scoped(token: str, trust_id: str) -> dict[str, Any]:
    return {"auth": {"identity": {"methods": ["token"], "token": {"id": token}},
                     "scope": {"OS-TRUST:trust": {"id": trust_id}}}}


@pytest.fixture(scope="module")
def http(cloud: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=cloud.url, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def admin(http: httpx.Client, admin_conn: Any) -> Api:
    return Api(http, str(admin_conn.auth_token))


@pytest.fixture()
def setup(http: httpx.Client, admin: Api) -> dict[str, Any]:
    """A trustor with a delegated and a kept role on a project, and a trustee."""
    tag = uuid.uuid4().hex[:8]
    project = admin("POST", "projects", {"project": {"name": "tp-" + tag}}).json()["project"]
    users = {}
    for who in ("trustor", "trustee"):
        pw = f"pw-{who}-{tag}"
        user = admin("POST", "users", {"user": {"name": f"{who}-{tag}", "password": pw}})
        users[who] = {**user.json()["user"], "password": pw}
    roles = {k: admin("POST", "roles", {"role": {"name": f"{k}-{tag}"}}).json()["role"]
             for k in ("delegated", "kept")}
    for role in roles.values():
        admin("PUT", f"projects/{project['id']}/users/{users['trustor']['id']}/roles/"
                     f"{role['id']}")
    tokens = {}
    for who, scope in (("trustor", {"project": {"id": project["id"]}}), ("trustee", None)):
        tokens[who] = http.post("/v3/auth/tokens", json=password(users[who], scope)) \
            .headers["X-Subject-Token"]
    return {"project": project, "roles": roles, **users,
            "trustor_api": Api(http, tokens["trustor"]),
            "trustee_api": Api(http, tokens["trustee"]), "trustee_token": tokens["trustee"]}


def make(s: dict[str, Any], **over: Any) -> httpx.Response:
    body = {"trustor_user_id": s["trustor"]["id"], "trustee_user_id": s["trustee"]["id"],
            "project_id": s["project"]["id"], "impersonation": False,
            "roles": [{"name": s["roles"]["delegated"]["name"]}], **over}
    return s["trustor_api"]("POST", "OS-TRUST/trusts", {"trust": body})


# -- CRUD -----------------------------------------------------------------------------------
def test_create_show_roles_delete(setup: dict[str, Any]) -> None:
    api = setup["trustor_api"]
    resp = make(setup, impersonation=True)
    assert resp.status_code == 201, resp.text
    trust = resp.json()["trust"]
    assert trust["impersonation"] is True and trust["expires_at"] is None
    assert trust["remaining_uses"] is None
    assert trust["trustor_user_id"] == setup["trustor"]["id"]
    assert trust["trustee_user_id"] == setup["trustee"]["id"]
    assert trust["project_id"] == setup["project"]["id"]
    assert trust["links"]["self"].endswith(f"/v3/OS-TRUST/trusts/{trust['id']}")
    assert trust["roles_links"]["self"].endswith(f"/v3/OS-TRUST/trusts/{trust['id']}/roles")
    delegated, kept = setup["roles"]["delegated"], setup["roles"]["kept"]
    assert [r["id"] for r in trust["roles"]] == [delegated["id"]]
    assert trust["roles"][0]["links"]["self"].endswith(f"/v3/roles/{delegated['id']}")
    assert api("GET", f"OS-TRUST/trusts/{trust['id']}").json()["trust"] == trust
    roles = api("GET", f"OS-TRUST/trusts/{trust['id']}/roles").json()["roles"]
    assert [r["name"] for r in roles] == [delegated["name"]]
    role = api("GET", f"OS-TRUST/trusts/{trust['id']}/roles/{delegated['id']}").json()["role"]
    assert role["id"] == delegated["id"]
    assert api("HEAD", f"OS-TRUST/trusts/{trust['id']}/roles/{delegated['id']}") \
        .status_code == 200
    error(api("GET", f"OS-TRUST/trusts/{trust['id']}/roles/{kept['id']}"), 404)
    assert api("HEAD", f"OS-TRUST/trusts/{trust['id']}/roles/{kept['id']}").status_code == 404
    # The trustee reads it too, but only the trustor deletes it.
    assert setup["trustee_api"]("GET", f"OS-TRUST/trusts/{trust['id']}").status_code == 200
    error(setup["trustee_api"]("DELETE", f"OS-TRUST/trusts/{trust['id']}"), 403)
    assert api("DELETE", f"OS-TRUST/trusts/{trust['id']}").status_code == 204
    error(api("GET", f"OS-TRUST/trusts/{trust['id']}"), 404)
    error(api("DELETE", f"OS-TRUST/trusts/{trust['id']}"), 404)


def test_expiry(setup: dict[str, Any]) -> None:
    when = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0, tzinfo=None)
    expires = when.isoformat() + "Z"
    trust = make(setup, expires_at=expires).json()["trust"]
    assert re.sub(r"\.\d{6}", "", trust["expires_at"]) == expires
    shown = setup["trustor_api"]("GET", f"OS-TRUST/trusts/{trust['id']}").json()["trust"]
    assert re.sub(r"\.\d{6}", "", shown["expires_at"]) == expires
    error(make(setup, expires_at="bad.123Z"), 400)
    error(make(setup, expires_at="2000-01-01T00:00:00Z"), 400)


def test_validation_and_policy(setup: dict[str, Any], admin: Api) -> None:
    error(make(setup, trustor_user_id=setup["trustee"]["id"]), 403)   # not the caller
    error(make(setup, roles=[]), 403)                                 # project without roles
    error(make(setup, trustee_user_id="no-such-user"), 404)
    error(make(setup, roles=[{"name": "no-such-role"}]), 404)
    error(make(setup, roles=[{"name": "admin"}]), 404)                # not held by trustor
    error(make(setup, project_id="no-such-project"), 404)
    error(make(setup, remaining_uses=0), 400)
    error(make(setup, impersonation="yes"), 400)
    error(make(setup, roles=[{"id": "a", "name": "b"}]), 400)
    resp = setup["trustor_api"]("POST", "OS-TRUST/trusts", {"trust": {
        "trustor_user_id": setup["trustor"]["id"]}})
    error(resp, 400)
    trust = make(setup, roles=[{"id": setup["roles"]["delegated"]["id"]}]).json()["trust"]
    # Listing: by trustor or trustee for oneself, everything only for the admin.
    api, tid = setup["trustor_api"], trust["id"]
    mine = api("GET", "OS-TRUST/trusts", trustor_user_id=setup["trustor"]["id"]).json()
    assert [t["id"] for t in mine["trusts"]] == [tid]
    assert "roles" not in mine["trusts"][0]
    theirs = setup["trustee_api"]("GET", "OS-TRUST/trusts",
                                  trustee_user_id=setup["trustee"]["id"]).json()
    assert [t["id"] for t in theirs["trusts"]] == [tid]
    error(api("GET", "OS-TRUST/trusts"), 403)
    error(api("GET", "OS-TRUST/trusts", trustee_user_id=setup["trustee"]["id"]), 403)
    assert tid in [t["id"] for t in admin("GET", "OS-TRUST/trusts").json()["trusts"]]
    assert admin("GET", f"OS-TRUST/trusts/{tid}").status_code == 200


# -- trust-scoped tokens --------------------------------------------------------------------
def test_tokens_impersonating_or_not(http: httpx.Client, setup: dict[str, Any]) -> None:
    delegated = setup["roles"]["delegated"]
    for impersonation, who in ((False, "trustee"), (True, "trustor")):
        trust = make(setup, impersonation=impersonation).json()["trust"]
        resp = http.post("/v3/auth/tokens", json=trust_scoped(setup["trustee_token"],
                                                             trust["id"]))
        assert resp.status_code == 201, resp.text
        token = resp.json()["token"]
        assert token["user"]["id"] == setup[who]["id"]
        assert token["project"]["id"] == setup["project"]["id"]
        assert [r["id"] for r in token["roles"]] == [delegated["id"]]
        assert token["OS-TRUST:trust"] == {
            "id": trust["id"], "impersonation": impersonation,
            "trustee_user": {"id": setup["trustee"]["id"]},
            "trustor_user": {"id": setup["trustor"]["id"]}}
        # A trust token may not create another trust (this trust does not redelegate).
        trust_api = Api(http, resp.headers["X-Subject-Token"])
        error(trust_api("POST", "OS-TRUST/trusts", {"trust": {
            "trustor_user_id": token["user"]["id"], "trustee_user_id": setup["trustee"]["id"],
            "project_id": setup["project"]["id"], "impersonation": False,
            "roles": [{"id": delegated["id"]}]}}), 403)


def test_only_the_trustee_uses_it(http: httpx.Client, setup: dict[str, Any]) -> None:
    trust = make(setup).json()["trust"]
    trustor_token = setup["trustor_api"].token
    error(http.post("/v3/auth/tokens", json=trust_scoped(trustor_token, trust["id"])), 403)
    error(http.post("/v3/auth/tokens", json=trust_scoped(setup["trustee_token"], "nope")), 404)


def test_remaining_uses(http: httpx.Client, setup: dict[str, Any]) -> None:
    trust = make(setup, remaining_uses=2).json()["trust"]
    assert trust["remaining_uses"] == 2
    tokens = []
    for _ in range(2):
        resp = http.post("/v3/auth/tokens", json=trust_scoped(setup["trustee_token"],
                                                             trust["id"]))
        assert resp.status_code == 201, resp.text
        tokens.append(resp.headers["X-Subject-Token"])
    error(http.post("/v3/auth/tokens", json=trust_scoped(setup["trustee_token"],
                                                        trust["id"])), 404)
    # Tokens already issued stay valid; the used-up trust is gone from the API.
    check = http.get("/v3/auth/tokens", headers={"X-Auth-Token": tokens[0],
                                                 "X-Subject-Token": tokens[1]})
    assert check.status_code == 200, check.text
    error(setup["trustor_api"]("GET", f"OS-TRUST/trusts/{trust['id']}"), 404)


def test_delete_revokes_its_tokens(http: httpx.Client, setup: dict[str, Any],
                                   admin: Api) -> None:
    trust = make(setup).json()["trust"]
    token = http.post("/v3/auth/tokens", json=trust_scoped(setup["trustee_token"],
                                                          trust["id"])).headers["X-Subject-Token"]
    ok = http.get("/v3/auth/tokens", headers={"X-Auth-Token": admin.token,
                                              "X-Subject-Token": token})
    assert ok.status_code == 200
    assert setup["trustor_api"]("DELETE", f"OS-TRUST/trusts/{trust['id']}").status_code == 204
    gone = http.get("/v3/auth/tokens", headers={"X-Auth-Token": admin.token,
                                                "X-Subject-Token": token})
    assert gone.status_code == 404


def test_redelegation(http: httpx.Client, setup: dict[str, Any], admin: Api) -> None:
    trust = make(setup, allow_redelegation=True).json()["trust"]
    assert trust["redelegation_count"] == 3
    error(make(setup, allow_redelegation=True, redelegation_count=10), 403)
    error(make(setup, allow_redelegation=True, remaining_uses=1), 400)
    resp = http.post("/v3/auth/tokens", json=trust_scoped(setup["trustee_token"], trust["id"]))
    trust_api = Api(http, resp.headers["X-Subject-Token"])
    third = admin("POST", "users", {"user": {"name": "third-" + uuid.uuid4().hex[:6]}}) \
        .json()["user"]
    body = {"trustor_user_id": setup["trustee"]["id"], "trustee_user_id": third["id"],
            "project_id": setup["project"]["id"], "impersonation": False,
            "allow_redelegation": True, "roles": [{"id": setup["roles"]["delegated"]["id"]}]}
    child = trust_api("POST", "OS-TRUST/trusts", {"trust": body})
    assert child.status_code == 201, child.text
    assert child.json()["trust"]["redelegated_trust_id"] == trust["id"]
    assert child.json()["trust"]["redelegation_count"] == 2
    error(trust_api("POST", "OS-TRUST/trusts", {"trust": {**body, "impersonation": True}}), 403)
    # Deleting the parent deletes the redelegated trust too.
    setup["trustor_api"]("DELETE", f"OS-TRUST/trusts/{trust['id']}")
    error(admin("GET", f"OS-TRUST/trusts/{child.json()['trust']['id']}"), 404)


def test_openstacksdk_trusts(cloud: Any, setup: dict[str, Any]) -> None:
    trustor = setup["trustor"]
    conn = cloud.connect(trustor["name"], password=trustor["password"], project=None,
                         project_id=setup["project"]["id"])
    trust = conn.identity.create_trust(
        trustor_user_id=trustor["id"], trustee_user_id=setup["trustee"]["id"],
        project_id=setup["project"]["id"], is_impersonation=True,
        roles=[{"name": setup["roles"]["delegated"]["name"]}])
    assert trust.is_impersonation is True and trust.project_id == setup["project"]["id"]
    assert conn.identity.get_trust(trust.id).trustee_user_id == setup["trustee"]["id"]
    assert [t.id for t in conn.identity.trusts(trustor_user_id=trustor["id"])] == [trust.id]
    conn.identity.delete_trust(trust)
    assert list(conn.identity.trusts(trustor_user_id=trustor["id"])) == []
