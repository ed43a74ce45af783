"""The HTTP API (CONTRACT §6) through FastAPI's TestClient: every route, French errors, no 500."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

import toolpicker
from toolpicker.interfaces.server import create_app

from .conftest import AS_OF

PROFILE = {"name": "Compagnie La Lanterne", "legal_form": "association", "employees": 2,
           "needs": ["collaboration", "file_sharing"]}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(toolpicker.load_knowledge_base())) as test_client:
        yield test_client


def test_recommend_returns_the_library_object(client: TestClient) -> None:
    response = client.post(f"/api/recommend?as_of={AS_OF}", json=PROFILE)
    assert response.status_code == 200
    assert response.json() == toolpicker.recommend(PROFILE, as_of=AS_OF).model_dump(mode="json")


def test_recommend_in_english(client: TestClient) -> None:
    response = client.post(f"/api/recommend?as_of={AS_OF}&lang=en", json=PROFILE)
    assert response.status_code == 200
    expected = toolpicker.recommend(PROFILE, as_of=AS_OF, lang="en").model_dump(mode="json")
    assert response.json() == expected
    assert response.json()["knowledge_base"]["language"] == "en"


def test_unknown_field_gets_the_cli_message_and_a_suggestion(client: TestClient) -> None:
    response = client.post("/api/recommend", json={"employes": 3})
    assert response.status_code == 422
    assert response.json() == {"error": {"message": "Profil invalide :", "problems": [{
        "field": "employes", "value": None, "message": "champ « employes » inconnu.",
        "suggestion": "Vouliez-vous dire « employees » ?", "code": "extra_forbidden"}]}}


def test_every_bad_field_is_reported_with_its_value(client: TestClient) -> None:
    response = client.post("/api/recommend", json={"siae": "oui", "employees": -1, "legal_form": "asociation"})
    assert response.status_code == 422
    problems = {p["field"]: p for p in response.json()["error"]["problems"]}
    assert problems["siae"]["message"] == "champ « siae » : « oui » n'est pas un booléen ; écrivez true ou false."
    assert problems["employees"]["value"] == -1
    assert problems["legal_form"]["suggestion"] == "Vouliez-vous dire « association » ?"


def test_english_error_messages(client: TestClient) -> None:
    response = client.post("/api/recommend?lang=en", json={"siae": "oui"})
    assert response.status_code == 422
    assert response.json()["error"]["problems"][0]["message"] == \
        "field « siae »: « oui » is not a boolean; write true or false."


@pytest.mark.parametrize(("body", "message"), [
    (b"{bad", "JSON invalide (ligne 1, colonne 2)."),
    (b"", "corps de requête vide : envoyez un profil en JSON, par exemple {}."),
    (b"\xff\xfe", "le fichier n'est pas encodé en UTF-8 (octet invalide à la position 0) ; enregistrez-le en UTF-8."),
    (b'{"employees": NaN}', "JSON invalide : valeur non acceptée (NaN, Infinity, nombre trop long ou imbrication "
                            "trop profonde)."),
    (b"[" * 20000 + b"]" * 20000, "JSON invalide : valeur non acceptée (NaN, Infinity, nombre trop long ou "
                                  "imbrication trop profonde)."),
    (b"[1, 2]", "Profil invalide :"),
    (b"null", "Profil invalide :"),
])
def test_garbage_bodies_get_422_not_500(client: TestClient, body: bytes, message: str) -> None:
    response = client.post("/api/recommend", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["error"]["message"] == message


@pytest.mark.parametrize("profile", [
    {"employees": "trois"}, {"employees": 1.5}, {"employees": 10**40}, {"needs": "website"},
    {"needs": [["website"]]}, {"name": {"a": 1}}, {"sites": 0}, {"current_tools": [""]},
    {"employees": True}, {"digital_budget_eur": None, "sector": 3},
])
def test_garbage_types_get_field_messages(client: TestClient, profile: dict[str, object]) -> None:
    response = client.post("/api/recommend", json=profile)
    assert response.status_code == 422
    problems = response.json()["error"]["problems"]
    assert problems
    assert all(p["field"] in profile and p["message"] for p in problems)


def test_body_over_the_limit_gets_413_in_french(client: TestClient) -> None:
    response = client.post("/api/recommend", content=b" " * (64 * 1024 + 1))
    assert response.status_code == 413
    assert response.json()["error"]["message"] == "requête trop volumineuse : 64 Kio au plus."


def test_chunked_body_over_the_limit_gets_413() -> None:
    app = create_app(toolpicker.load_knowledge_base(), max_body=1024)
    with TestClient(app) as small:
        response = small.post("/api/recommend", content=iter([b"{" + b" " * 600, b" " * 600 + b"}"]))
    assert response.status_code == 413


def test_bad_query_parameters(client: TestClient) -> None:
    assert client.post("/api/recommend?as_of=demain", json={}).json()["error"]["problems"][0]["field"] == "as_of"
    response = client.post("/api/recommend?lang=de", json={})
    assert response.status_code == 422
    assert response.json()["error"]["message"] == "langue « de » inconnue ; choix possibles : fr, en."


def test_unexpected_errors_are_json_without_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(sys.modules["toolpicker.recommendation.recommend"], "build", boom)
    with TestClient(create_app(toolpicker.load_knowledge_base()), raise_server_exceptions=False) as failing:
        response = failing.post("/api/recommend", json={})
    assert response.status_code == 500
    assert response.json() == {"error": {"message": "Erreur inattendue du serveur ; la requête n'a pas abouti.",
                                         "problems": []}}
    assert "secret" not in response.text


def test_unknown_route_and_method(client: TestClient) -> None:
    assert client.get("/api/nope").json() == {"error": {"message": "adresse introuvable.", "problems": []}}
    assert client.get("/api/recommend").status_code == 405


def test_explain_one_item(client: TestClient) -> None:
    from toolpicker.audit.explain import explain

    response = client.post(f"/api/explain?item=crm&as_of={AS_OF}", json=PROFILE)
    assert response.status_code == 200
    expected = explain(PROFILE, item="crm", as_of=AS_OF).model_dump(mode="json")
    assert response.json() == expected


def test_explain_unknown_item_suggests(client: TestClient) -> None:
    response = client.post("/api/explain?item=crn", json=PROFILE)
    assert response.status_code == 422
    assert "« crm »" in response.json()["error"]["message"]


def test_near_misses_say_what_would_tip_them(client: TestClient) -> None:
    response = client.post(f"/api/near-misses?as_of={AS_OF}", json=PROFILE)
    assert response.status_code == 200
    misses = response.json()["near_misses"]
    recommended = toolpicker.recommend(PROFILE, as_of=AS_OF).item_ids()
    assert all(m["id"] not in recommended and m["counterfactual"]["sentence"] for m in misses)


def test_report_formats(client: TestClient) -> None:
    markdown = client.post(f"/api/report?format=markdown&as_of={AS_OF}", json=PROFILE)
    assert markdown.status_code == 200
    assert markdown.text.startswith("# Recommandation numérique pour Compagnie La Lanterne")
    assert markdown.headers["content-type"].startswith("text/markdown")
    html = client.post(f"/api/report?format=html&as_of={AS_OF}", json=PROFILE)
    assert html.text.startswith("<!doctype html>")
    bad = client.post("/api/report?format=pdf", json=PROFILE)
    assert bad.status_code == 422
    assert bad.json()["error"]["problems"][0]["field"] == "format"


def test_profile_as_yaml_round_trips(client: TestClient) -> None:
    from toolpicker.knowledge.profile import load_profile

    response = client.post("/api/profile.yaml", json=PROFILE)
    assert response.status_code == 200
    assert load_profile(response.text, "profil.yaml") == toolpicker.Profile(**PROFILE)  # type: ignore[arg-type]


def test_schema_is_the_profile_schema_in_french(client: TestClient) -> None:
    schema = client.get("/api/schema").json()
    assert set(schema["properties"]) == set(toolpicker.Profile.model_fields)
    assert schema["properties"]["employees"]["title"] == "Salarié·es"
    assert schema["properties"]["legal_form"]["x-labels"]["cooperative"] == "Coopérative (SCOP, SCIC…)"
    assert client.get("/api/schema?lang=en").json()["properties"]["employees"]["title"] == "Employees"


def test_catalog_is_the_catalog_listing(client: TestClient) -> None:
    kb = toolpicker.load_knowledge_base()
    assert client.get("/api/catalog").json() == json.loads(json.dumps(kb.catalog_listing()))


def test_questions_carry_labels_and_values(client: TestClient) -> None:
    fields = {f["field"]: f for f in client.get("/api/questions").json()["fields"]}
    assert "name" not in fields
    assert fields["needs"]["kind"] == "list_enum"
    assert {"value": "website", "label": "Site internet"} in fields["needs"]["values"]
    assert fields["siae"]["values"] == [{"value": "true", "label": "Oui"}, {"value": "false", "label": "Non"}]
    assert fields["employees"]["minimum"] == 0
    assert fields["employees"]["question"].startswith("Combien de salarié·es")


def test_openapi_describes_every_route(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/api/recommend", "/api/explain", "/api/schema", "/api/catalog", "/api/questions"} <= set(spec["paths"])
    body = spec["paths"]["/api/recommend"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert "employees" in body["properties"]


def test_web_page_and_assets(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert '<html lang="fr">' in page.text
    assert "Content-Security-Policy" in page.headers
    assert "questionnaire" in page.text.lower()
    assert '<html lang="en">' in client.get("/?lang=en").text
    assert client.get("/web/app.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/web/style.css").status_code == 200
    assert client.get("/web/../server.py").status_code == 404
    assert client.get("/web/index.html").status_code == 404


def test_import_toolpicker_does_not_load_fastapi() -> None:
    import subprocess

    code = "import sys, toolpicker, toolpicker.interfaces.cli; print('fastapi' in sys.modules, 'uvicorn' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False False"


def test_a_lone_surrogate_is_a_422_never_a_500(client: TestClient) -> None:
    response = client.post("/api/recommend", content=b'{"name": "\\ud800"}',
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert "caractère U+D800 interdit" in response.json()["error"]["problems"][0]["message"]


def test_a_key_given_twice_is_refused_as_the_cli_does(client: TestClient) -> None:
    response = client.post("/api/recommend", content=b'{"employees": 3, "employees": 300}',
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["error"]["message"] == "la clé « employees » apparaît deux fois dans le JSON ; gardez une seule occurrence."


def test_an_unknown_query_parameter_is_a_422_naming_it(client: TestClient) -> None:
    response = client.post("/api/recommend?asof=2026-01-01", json=PROFILE)
    assert response.status_code == 422
    problem = response.json()["error"]["problems"][0]
    assert problem["field"] == "asof"
    assert problem["suggestion"] == "Vouliez-vous dire « as_of » ?"


@pytest.mark.parametrize("value", ["2026W011", "20260101"])
def test_only_plain_iso_dates_are_accepted(client: TestClient, value: str) -> None:
    assert client.post(f"/api/recommend?as_of={value}", json=PROFILE).status_code == 422


def test_the_html_report_carries_a_content_security_policy(client: TestClient) -> None:
    response = client.post(f"/api/report?format=html&as_of={AS_OF}", json=PROFILE)
    assert response.status_code == 200
    assert "default-src 'none'" in response.headers["content-security-policy"]


def test_healthz_gives_the_versions(client: TestClient) -> None:
    data = client.get("/healthz").json()
    assert data["status"] == "ok"
    assert data["version"] == toolpicker.__version__
    assert data["knowledge_base"]["version"] == toolpicker.load_knowledge_base().version


def test_the_interactive_api_page_is_served_locally(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "/docs-assets/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower()
    assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200


def test_a_saved_profile_is_read_from_yaml_or_json(client: TestClient) -> None:
    yaml_text = "name: Compagnie\nemployees: 2\nneeds: [file_sharing]\n"
    response = client.post("/api/profile/parse", content=yaml_text, headers={"Content-Type": "text/plain"})
    assert response.json() == {"profile": {"name": "Compagnie", "employees": 2, "needs": ["file_sharing"]}}
    bad = client.post("/api/profile/parse", content="employes: 2\n", headers={"Content-Type": "text/plain"})
    assert bad.status_code == 422
    assert "champ « employes » inconnu" in bad.json()["error"]["problems"][0]["message"]


def test_the_report_fragment_is_the_report_body(client: TestClient) -> None:
    response = client.post(f"/api/report?format=fragment&as_of={AS_OF}", json=PROFILE)
    assert response.status_code == 200
    assert response.text.lstrip().startswith("<header>")
    assert "<html" not in response.text
    detail = client.post(f"/api/report?format=fragment&detail=true&as_of={AS_OF}", json=PROFILE)
    assert len(detail.text) > len(response.text)


def test_cross_origin_calls_are_off_by_default_and_configurable() -> None:
    origin = {"Origin": "https://intranet.example.org"}
    with TestClient(create_app(toolpicker.load_knowledge_base())) as closed:
        assert "access-control-allow-origin" not in closed.get("/api/schema", headers=origin).headers
    with TestClient(create_app(toolpicker.load_knowledge_base(), cors_origins=("https://intranet.example.org",))) as open_:
        assert open_.get("/api/schema", headers=origin).headers["access-control-allow-origin"] == origin["Origin"]


def test_an_unsupported_language_is_an_error_in_the_library_too() -> None:
    with pytest.raises(toolpicker.InputError, match="langue « de » inconnue"):
        toolpicker.recommend({"employees": 2}, lang="de")
