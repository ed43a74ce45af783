"""`/api/dossiers` through FastAPI's TestClient: the CLI's operations and JSON, the bearer token beyond loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

import toolpicker
from toolpicker.dossiers import open_dossiers
from toolpicker.interfaces.cli import main
from toolpicker.interfaces.server import create_app

from . import dossiers_support as support
from .dossiers_support import AS_OF, LANTERNE, LANTERNE_LATER

db_url = support.db_url
TOKEN = "s3cret-token-for-tests-0123456789"  # noqa: S105 - a test token


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(toolpicker.load_knowledge_base(), dossier_db=db_url)) as test_client:
        yield test_client


@pytest.fixture
def guarded(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(toolpicker.load_knowledge_base(), dossier_db=f"sqlite:///{tmp_path / 'd.sqlite3'}",
                     dossier_token=TOKEN, require_token=True)
    with TestClient(app) as test_client:
        yield test_client


def test_the_follow_up_over_http_matches_the_library(client: TestClient, db_url: str) -> None:
    created = client.post(f"/api/dossiers?as_of={AS_OF}", json={"profile": LANTERNE, "note": "Mme Martin"})
    assert created.status_code == 201
    dossier_id = created.json()["dossier"]
    assert created.json() == {"dossier": dossier_id, "diagnosis": 1}
    again = client.post(f"/api/dossiers/{dossier_id}/diagnoses?as_of={AS_OF}", json={"profile": LANTERNE_LATER})
    assert again.json() == {"dossier": dossier_id, "diagnosis": 2}

    store = open_dossiers(db_url)
    assert client.get("/api/dossiers").json() == [s.model_dump(mode="json") for s in store.list()]
    assert client.get(f"/api/dossiers/{dossier_id}").json() == store.get(dossier_id).model_dump(mode="json")
    assert client.get(f"/api/dossiers/{dossier_id}/diff").json() == store.diff(dossier_id).model_dump(mode="json")
    assert client.get(f"/api/dossiers/{dossier_id}/diff?from=2&to=1").json()["profile"][0] == {
        "field": "employees", "before": 14, "after": 2}
    rerun = client.get(f"/api/dossiers/{dossier_id}/rerun?as_of={AS_OF}").json()
    assert (rerun["profile"], rerun["items"]) == ([], [])
    report = client.get(f"/api/dossiers/{dossier_id}/report")
    assert report.headers["content-type"].startswith("text/html")
    assert "Depuis le dernier diagnostic…" in report.text and "Mme Martin" in report.text
    fragment = client.get(f"/api/dossiers/{dossier_id}/report?format=fragment").text
    assert fragment.startswith('<article class="followup">')

    exported = client.get("/api/dossiers/export").json()
    assert exported == store.export().model_dump(mode="json")
    assert client.get(f"/api/dossiers/{dossier_id}/export").json() == exported
    assert client.delete(f"/api/dossiers/{dossier_id}").json() == {"deleted": dossier_id}
    assert client.get("/api/dossiers").json() == []
    restored = client.post("/api/dossiers/import", content=json.dumps(exported))
    assert restored.json() == {"imported": [dossier_id]}
    assert client.get("/api/dossiers/export").json() == exported
    conflict = client.post("/api/dossiers/import", content=json.dumps(exported))
    assert conflict.status_code == 409
    assert client.post("/api/dossiers/import?replace=true", content=json.dumps(exported)).status_code == 200
    store.close()


def test_errors_are_french_json_with_the_right_status(client: TestClient) -> None:
    missing = client.get("/api/dossiers/absent")
    assert (missing.status_code, missing.json()["error"]["message"]) == (404, "dossier « absent » introuvable.")
    bad_profile = client.post("/api/dossiers", json={"profile": {"employes": 3}})
    assert bad_profile.status_code == 422
    assert bad_profile.json()["error"]["problems"][0]["suggestion"] == "Vouliez-vous dire « employees » ?"
    typo = client.post("/api/dossiers", json={"profile": LANTERNE, "notes": "x"})
    assert typo.status_code == 422
    assert typo.json()["error"]["problems"][0]["suggestion"] == "Vouliez-vous dire « note » ?"
    assert client.post("/api/dossiers", json=LANTERNE).status_code == 422  # the profile must be under "profile"
    assert client.get("/api/dossiers/absent/diff?from=zero").status_code == 422
    english = client.get("/api/dossiers/absent?lang=en")
    assert english.json()["error"]["message"] == "no dossier « absent »."
    assert client.get("/api/dossiers?sort=name").status_code == 422  # unknown parameters are named, not ignored


def test_an_unusable_database_is_503_with_one_message(tmp_path: Path) -> None:
    app = create_app(toolpicker.load_knowledge_base(), dossier_db="sqlite:////nulle/part/d.sqlite3")
    with TestClient(app) as test_client:
        response = test_client.get("/api/dossiers")
    assert response.status_code == 503
    assert response.json()["error"]["message"] == ("base sqlite:////nulle/part/d.sqlite3 : le dossier /nulle/part "
                                                   "n'existe pas.")


def test_beyond_loopback_every_dossier_route_needs_the_token(guarded: TestClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    dossier_id = guarded.post("/api/dossiers", json={"profile": LANTERNE}, headers=auth).json()["dossier"]
    attempts = [("GET", "/api/dossiers"), ("POST", "/api/dossiers"), ("GET", f"/api/dossiers/{dossier_id}"),
                ("GET", "/api/dossiers/absent"), ("GET", f"/api/dossiers/{dossier_id}/diff"),
                ("GET", f"/api/dossiers/{dossier_id}/rerun"), ("GET", f"/api/dossiers/{dossier_id}/report"),
                ("GET", "/api/dossiers/export"), ("GET", f"/api/dossiers/{dossier_id}/export"),
                ("POST", "/api/dossiers/import"), ("POST", f"/api/dossiers/{dossier_id}/diagnoses"),
                ("DELETE", f"/api/dossiers/{dossier_id}")]
    for headers in ({}, {"Authorization": "Bearer wrong-token-wrong-token"}, {"Authorization": TOKEN},
                    {"Authorization": f"Basic {TOKEN}"}):
        bodies = set()
        for method, path in attempts:
            response = guarded.request(method, path, headers=headers, json={"profile": LANTERNE})
            assert response.status_code == 401, (method, path, headers)
            assert response.headers["www-authenticate"] == "Bearer"
            bodies.add(response.text)
        assert len(bodies) == 1  # the same answer for an existing and an unknown dossier
        (body,) = bodies
        assert dossier_id not in body and "Lanterne" not in body
    assert guarded.get("/api/dossiers", headers=auth).json()[0]["id"] == dossier_id
    assert guarded.post("/api/recommend", json=LANTERNE).status_code == 200  # the rest of the API is unchanged


def test_without_a_token_configured_nothing_gets_through(tmp_path: Path) -> None:
    app = create_app(toolpicker.load_knowledge_base(), dossier_db=f"sqlite:///{tmp_path / 'd.sqlite3'}",
                     require_token=True)
    with TestClient(app) as test_client:
        assert test_client.get("/api/dossiers", headers={"Authorization": "Bearer "}).status_code == 401
        assert test_client.get("/api/dossiers").status_code == 401


def test_the_dossier_routes_are_in_the_openapi_description(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in ("/api/dossiers", "/api/dossiers/{dossier_id}", "/api/dossiers/{dossier_id}/diff",
                 "/api/dossiers/{dossier_id}/rerun", "/api/dossiers/{dossier_id}/diagnoses",
                 "/api/dossiers/export", "/api/dossiers/import", "/api/dossiers/{dossier_id}/report"):
        assert path in paths, path
    assert "delete" in paths["/api/dossiers/{dossier_id}"]
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def test_serve_reads_its_token_file(tmp_path: Path) -> None:
    short = tmp_path / "jeton"
    short.write_text("court\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["serve", "--token-file", str(short)])
    assert (result.exit_code, result.output) == (
        2, f"Erreur : le fichier de jeton {short} doit contenir un jeton imprimable d'au moins 16 caractères sur sa "
           "première ligne.\n")
    from toolpicker.interfaces.dossier_api import read_token

    short.write_text(f"{TOKEN}\n", encoding="utf-8")
    assert read_token(str(short)) == TOKEN
