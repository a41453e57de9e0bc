"""Metadata definitions: namespaces with resource types, objects, properties and tags."""

from __future__ import annotations

import uuid


def test_namespace_lifecycle(admin_raw, demo_raw):
    types = admin_raw.json("GET", "/v2/metadefs/resource_types")["resource_types"]
    assert "OS::Glance::Image" in {t["name"] for t in types}
    name = "PS::Test::" + uuid.uuid4().hex[:6]
    created = admin_raw.json("POST", "/v2/metadefs/namespaces", {
        "namespace": name, "visibility": "public", "protected": True,
        "resource_type_associations": [{"name": "OS::Glance::Image", "prefix": "hw_"}],
        "properties": {"cpu": {"title": "CPU", "type": "string", "enum": ["a", "b"]}},
        "tags": [{"name": "t1"}]}, expect=201)
    assert created["self"] == f"/v2/metadefs/namespaces/{name}"
    assert created["properties"]["cpu"]["enum"] == ["a", "b"]
    assert admin_raw("POST", "/v2/metadefs/namespaces",
                     json={"namespace": name}).status_code == 409
    assert demo_raw("POST", "/v2/metadefs/namespaces",
                    json={"namespace": name + "x"}).status_code == 403
    listed = demo_raw.json("GET", "/v2/metadefs/namespaces",
                           params={"resource_types": "OS::Glance::Image"})
    assert name in {n["namespace"] for n in listed["namespaces"]}
    assert admin_raw("DELETE", f"/v2/metadefs/namespaces/{name}").status_code == 403
    updated = admin_raw.json("PUT", f"/v2/metadefs/namespaces/{name}", {
        "namespace": name, "visibility": "private", "protected": False})
    assert updated["visibility"] == "private" and updated["protected"] is False
    assert demo_raw("GET", f"/v2/metadefs/namespaces/{name}").status_code == 404
    assert admin_raw("DELETE", f"/v2/metadefs/namespaces/{name}").status_code == 204
    assert admin_raw("GET", f"/v2/metadefs/namespaces/{name}").status_code == 404


def test_objects_properties_tags(admin_raw):
    ns = "PS::Parts::" + uuid.uuid4().hex[:6]
    base = f"/v2/metadefs/namespaces/{ns}"
    admin_raw.json("POST", "/v2/metadefs/namespaces", {"namespace": ns}, expect=201)
    obj = admin_raw.json("POST", f"{base}/objects", {"name": "o1", "required": []}, expect=201)
    assert obj["name"] == "o1"
    assert admin_raw.json("PUT", f"{base}/objects/o1", {"name": "o2"})["name"] == "o2"
    assert [o["name"] for o in admin_raw.json("GET", f"{base}/objects")["objects"]] == ["o2"]
    prop = admin_raw.json("POST", f"{base}/properties",
                          {"name": "p", "title": "P", "type": "string"}, expect=201)
    assert prop["title"] == "P"
    assert admin_raw("POST", f"{base}/properties",
                     json={"name": "q", "type": "string"}).status_code == 400
    assert list(admin_raw.json("GET", f"{base}/properties")["properties"]) == ["p"]
    admin_raw.json("POST", f"{base}/tags", {"tags": [{"name": "a"}, {"name": "b"}]},
                   expect=201)
    admin_raw.json("POST", f"{base}/tags/c", expect=201)
    assert admin_raw.json("PUT", f"{base}/tags/c", {"name": "d"})["name"] == "d"
    assert {t["name"] for t in admin_raw.json("GET", f"{base}/tags")["tags"]} == {"a", "b", "d"}
    assert admin_raw("DELETE", f"{base}/tags").status_code == 204
    assert admin_raw.json("GET", f"{base}/tags")["tags"] == []
    assoc = admin_raw.json("POST", f"{base}/resource_types", {"name": "OS::Nova::Flavor"},
                           expect=201)
    assert assoc["name"] == "OS::Nova::Flavor"
    assert admin_raw("DELETE", f"{base}/resource_types/OS::Nova::Flavor").status_code == 204
    assert admin_raw.json("GET", f"{base}/resource_types")["resource_type_associations"] == []
    assert admin_raw("DELETE", base).status_code == 204


def test_metadef_schemas(admin_raw):
    expected = {"namespace": "namespace", "namespaces": "namespaces",
                "resource_type": "resource_type_association",
                "resource_types": "resource_type_associations", "object": "object",
                "objects": "objects", "property": "property", "properties": "properties",
                "tag": "tag", "tags": "tags"}
    for path, name in expected.items():
        assert admin_raw.json("GET", f"/v2/schemas/metadefs/{path}")["name"] == name
