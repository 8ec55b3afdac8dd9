"""The insights over HTTP on the real app (SQLite): who sees what (agents no reports, editors only the knowledge
insights and nothing of the conversations, supervisors everything), the overview and its CSV export, and the
knowledge gaps: seeded questions clustered by meaning with the real embedding model and index (sizes, labels,
examples, nearest article, the questions: entry, trend, small groups only counted), the editors' marks, the CSV,
and `buergerbot insights gaps` printing the same."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import insert
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from handover.domain.insights.recording import local_parts, text_hash
from handover.domain.models.analytics import QuestionFacts
from tests.handover.conftest import INDEX_CACHE, PASSWORD

TZ = ZoneInfo("Europe/Berlin")
DEPARTMENT = "gaptest"  # the seeded questions carry it, so other tests' data never mixes in
RATS = ["Wer hilft bei Ratten im Hinterhof?", "Ratten im Keller melden", "Wir haben Ratten im Garten, was tun?"]
PASSPORT = ["Reisepass kostet wie viel", "Was kostet ein Reisepass für Erwachsene?", "Preis Reisepass",
            "Reisepass Gebühr", "wie teuer ist der reisepass"]
MUSIC = ["Brauche ich eine Genehmigung für Straßenmusik?", "Straßenmusik Innenstadt erlaubt",
         "Als Straßenmusiker auftreten Regeln"]


def login(server, role: str, departments=("servicecenter",)) -> httpx.Client:
    account = server.add_agent(role=role, departments=departments)
    client = httpx.Client(base_url=server.base, follow_redirects=False)
    response = client.post("/console/login", data={"username": account["username"], "password": PASSWORD},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return client


@pytest.fixture(scope="module")
def seeded_gaps(sqlite_server):
    """Three topics with at least five conversations each and one small one, asked over the last eight days."""
    now = datetime.now(timezone.utc)
    rows = []

    def ask(text: str, days_ago: float, **fields):
        asked = now - timedelta(days=days_ago)
        rows.append(dict(conversation_id=uuid.uuid4().hex, seq=3, asked_at=asked, local_day=local_parts(asked, TZ)[0],
                         question=text, text_hash=text_hash(text), decision="no_answer", article_id=None,
                         article_kind=None, decline="not_covered", concern=None, score=0.6, candidates=None,
                         language="de", department=DEPARTMENT, lebenslage=None, picked=None, helpful=None,
                         handover_reason=None) | fields)

    for i in range(7):  # rats: no answer, all in the last days (rising)
        ask(RATS[i % 3], 0.1 + i * 0.01)
    for i in range(6):  # passport costs: answered, "hat nicht geholfen"
        ask(PASSPORT[i % 5], 2 + i, decision="answer", article_id="reisepass", decline=None, helpful=False)
    for i in range(6):  # street music: a menu nobody picked, then a handover
        ask(MUSIC[i % 3], 1 + i, decision="clarify", decline=None, picked=False, handover_reason="low_confidence")
    for i in range(2):  # a small group: only counted
        ask("Wie wird das Wetter morgen?", 3, decline="offtopic")
    ask("Reisepass beantragen", 1, decision="answer", article_id="reisepass", decline=None, helpful=True)  # no gap
    sqlite_server.db.run_sync(lambda s: s.execute(insert(QuestionFacts), rows))
    return sqlite_server


def test_role_access(sqlite_server):
    anonymous = httpx.Client(base_url=sqlite_server.base, follow_redirects=False)
    assert anonymous.get("/api/insights/meta").status_code == 401
    assert anonymous.get("/console/insights").headers["location"] == "/console/login"

    agent = login(sqlite_server, "agent")
    assert agent.get("/api/insights/meta").status_code == 403
    assert agent.get("/api/insights/reports/overview").status_code == 403
    assert agent.get("/api/insights/gaps").status_code == 403
    assert agent.get("/console/insights").headers["location"] == "/console"

    editor = login(sqlite_server, "editor", departments=())
    meta = editor.get("/api/insights/meta").json()
    assert meta["role"] == "editor" and [r["id"] for r in meta["reports"]] == ["articles", "gaps"]
    for report in ("overview", "volume", "outcomes", "people", "satisfaction"):
        assert editor.get(f"/api/insights/reports/{report}").status_code == 403, report
        assert editor.get(f"/api/insights/reports/{report}/bot_summary.csv").status_code == 403, report
    articles = editor.get("/api/insights/reports/articles")
    assert articles.status_code == 200
    assert [t["id"] for t in articles.json()["tables"]] == [
        "article_feedback", "articles_poor_feedback", "articles_no_hits", "articles_stale"]
    # nothing of the conversations: no console API, no agent socket, the console page sends them on
    assert editor.get("/api/console/me").status_code == 200
    for path in ("/api/console/tickets", "/api/console/canned", "/api/console/departments", "/api/console/agents"):
        assert editor.get(path).status_code == 403, path
    assert editor.get("/console").headers["location"] == "/console/insights"
    assert editor.get("/console/insights").status_code == 200

    supervisor = login(sqlite_server, "supervisor")
    meta = supervisor.get("/api/insights/meta").json()
    assert [r["id"] for r in meta["reports"]] == ["overview", "volume", "outcomes", "people", "satisfaction",
                                                  "articles", "gaps"]
    assert {"key": "servicecenter", "name": "Servicecenter"} in meta["departments"]
    overview = supervisor.get("/api/insights/reports/overview", params={"since": "7d"}).json()
    assert [t["id"] for t in overview["tables"]] == ["volume_days", "bot_summary", "bot_outcomes"]
    assert len(overview["tables"][0]["rows"]) == 7
    assert supervisor.get("/api/insights/reports/overview", params={"from": "gestern"}).status_code == 422
    assert supervisor.get("/api/insights/reports/nothing").status_code == 404


async def test_editors_cannot_open_the_agent_socket(sqlite_server):
    editor = login(sqlite_server, "editor", departments=())
    cookie = editor.cookies["bb_session"]
    with pytest.raises(ConnectionClosed) as refused:
        async with connect(f"{sqlite_server.ws_base}/ws/agent",
                           additional_headers={"Cookie": f"bb_session={cookie}"}) as ws:
            await ws.recv()
    assert refused.value.rcvd.code == 4403


def test_csv_export_of_a_report_table(sqlite_server):
    supervisor = login(sqlite_server, "supervisor")
    response = supervisor.get("/api/insights/reports/outcomes/bot_summary.csv", params={"since": "30d"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Kennzahl;Anzahl;von (Nenner);Quote;Definition"
    assert lines[1].startswith("Antwortquote;") and len(lines) == 11
    assert supervisor.get("/api/insights/reports/outcomes/nope.csv").status_code == 404


def test_knowledge_gaps_are_clustered_by_meaning(seeded_gaps):
    editor = login(seeded_gaps, "editor", departments=())
    result = editor.get("/api/insights/gaps", params={"since": "30d", "department": DEPARTMENT}).json()
    assert result["total_questions"] == 21  # the helpful answer is no gap
    assert result["small"] == {"clusters": 1, "questions": 2}  # the weather: two conversations, only counted
    clusters = {tuple(sorted(set(c["examples"]))): c for c in result["clusters"]}
    assert set(clusters) == {tuple(sorted(RATS)), tuple(sorted(PASSPORT)), tuple(sorted(MUSIC))}
    rats, passport, music = (clusters[tuple(sorted(t))] for t in (RATS, PASSPORT, MUSIC))
    assert (rats["conversations"], rats["questions"], rats["kinds"]["no_answer"]) == (7, 7, 7)
    assert rats["trend"] == "rising" and rats["recent"] == 7
    assert "ratten" in rats["label"]
    assert passport["kinds"]["not_helpful"] == 6 and "reisepass" in passport["label"]
    assert passport["article"]["id"] == "reisepass" and passport["article"]["path"].endswith("reisepass.md")
    assert music["kinds"]["unpicked"] == 6 and music["kinds"]["handover"] == 6
    assert passport["questions_yaml"].startswith("questions:\n  - ")
    # as article questions: starting with a capital letter (and without a greeting)
    assert all(f"  - {example[0].upper()}{example[1:]}\n" in passport["questions_yaml"] for example in PASSPORT)
    assert "_centroid" not in rats  # stays on the server

    # marks stick to the meaning: the next view shows them, out of scope goes last; clearing removes them
    query = {"since": "30d", "department": DEPARTMENT}
    marked = editor.post("/api/insights/gaps/marks", params=query, json={"key": rats["key"], "status": "new_article"})
    assert marked.status_code == 200 and marked.json()["mark"]["status"] == "new_article"
    assert editor.post("/api/insights/gaps/marks", params=query,
                       json={"key": passport["key"], "status": "out_of_scope"}).status_code == 200
    again = editor.get("/api/insights/gaps", params=query).json()
    marks = {c["key"]: (c["mark"] or {}).get("status") for c in again["clusters"]}
    assert marks == {rats["key"]: "new_article", passport["key"]: "out_of_scope", music["key"]: None}
    assert again["clusters"][-1]["key"] == passport["key"]
    assert editor.post("/api/insights/gaps/marks", params=query,
                       json={"key": rats["key"], "status": "clear"}).json()["mark"] is None
    assert editor.post("/api/insights/gaps/marks", params=query,
                       json={"key": "0000", "status": "new_article"}).status_code == 409
    no_csrf = httpx.Client(base_url=seeded_gaps.base, cookies=editor.cookies)
    assert no_csrf.post("/api/insights/gaps/marks", params=query,
                        json={"key": music["key"], "status": "new_article"}).status_code == 403
    editor.post("/api/insights/gaps/marks", params=query, json={"key": passport["key"], "status": "clear"})

    csv = editor.get("/api/insights/reports/gaps/gaps_clusters.csv", params=query)
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Thema (häufige Wörter);Gespräche;Fragen;Trend;Art;Nächster Artikel")
    assert len(lines) == 4 and any("Reisepass kostet wie viel" in line for line in lines)


def test_the_cli_prints_the_same_gaps(seeded_gaps, tmp_path):
    index = tmp_path / "index"
    shutil.copytree(INDEX_CACHE, index)
    env = {**os.environ, "BUERGERBOT_DATA_DIR": str(seeded_gaps.settings.data_dir), "BUERGERBOT_INDEX_DIR": str(index),
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "BUERGERBOT_LOG_LEVEL": "WARNING",
           "BUERGERBOT_DEPARTMENTS_FILE": str(seeded_gaps.settings.departments_file)}
    cli = [sys.executable, "-m", "handover.shell.cli", "insights", "gaps", "--since", "30d", "--department", DEPARTMENT]
    printed = subprocess.run(cli, env=env, capture_output=True, text=True, timeout=300)
    assert printed.returncode == 0, printed.stderr
    assert "21 Fragen ohne befriedigende Antwort, 3 Gruppen" in printed.stdout
    assert "Nächster Artikel: Reisepass" in printed.stdout and "  - Preis Reisepass" in printed.stdout
    as_csv = subprocess.run(cli + ["--csv"], env=env, capture_output=True, text=True, timeout=300)
    assert as_csv.returncode == 0 and as_csv.stdout.lstrip("\ufeff").startswith("Thema (häufige Wörter);")
    assert len(as_csv.stdout.strip().splitlines()) == 4
    wrong = subprocess.run(cli[:-4] + ["--since", "lange"], env=env, capture_output=True, text=True, timeout=300)
    assert wrong.returncode == 2 and "nicht verstanden" in wrong.stderr
