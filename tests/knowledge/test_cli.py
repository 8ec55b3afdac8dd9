"""`buergerbot knowledge …` through typer's runner, in-process (the model is shared with the other tests)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from handover.shell.cli import app
from handover.shell.settings import get_settings


@pytest.fixture
def env(small_kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BUERGERBOT_ARTICLES_DIR", str(small_kb))
    monkeypatch.setenv("BUERGERBOT_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield small_kb
    get_settings.cache_clear()


runner = CliRunner()


def test_check_ok(env: Path) -> None:
    result = runner.invoke(app, ["knowledge", "check"])
    assert result.exit_code == 0, result.output
    assert "3 Artikel geprüft, keine Fehler" in result.output


def test_check_prints_all_errors_and_fails(env: Path) -> None:
    (env / "a.md").write_text("---\nid: a\n", encoding="utf-8")
    (env / "b.md").write_bytes(b"\x00\xff")
    (env / "c.md").write_text("---\nid: c\ntitle: C\n---\n## X\nY\n", encoding="utf-8")
    result = runner.invoke(app, ["knowledge", "check"], terminal_width=200)
    assert result.exit_code == 1
    assert "a.md:1: front_matter: nicht abgeschlossen" in result.output
    assert "b.md: file: ist keine Textdatei (enthält Binärdaten)" in result.output
    for field in ("summary", "office", "updated", "questions"):
        assert f"FEHLER c.md: {field}: Pflichtfeld fehlt" in result.output
    assert "6 Fehler in 3 Datei(en); 3 von 6 Artikeln sind gültig." in result.output


def test_check_names_file_and_limit_of_an_oversized_article(env: Path) -> None:
    text = (env / "hundesteuer.md").read_text(encoding="utf-8").replace("id: hundesteuer", "id: satzung")
    (env / "satzung.md").write_text(text + "Wortlaut der Satzung. " * 240_000, encoding="utf-8")
    result = runner.invoke(app, ["knowledge", "check"], terminal_width=200)
    assert result.exit_code == 1
    assert (
        "FEHLER satzung.md: file: ist zu groß: 5,0 MB (höchstens 64 KB je Artikel); bitte auf mehrere Artikel aufteilen"
        in result.output
    )
    assert "1 Fehler in 1 Datei(en); 3 von 4 Artikeln sind gültig." in result.output


def test_index_then_search(env: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["knowledge", "index"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "3 Artikel" in result.output and "Index flat" in result.output
    assert (tmp_path / "var" / "index" / "manifest.json").exists()
    again = runner.invoke(app, ["knowledge", "index"], terminal_width=200)
    assert "neu eingebettet: 0 Abschnitte aus 0 Artikeln" in again.output

    found = runner.invoke(app, ["knowledge", "search", "Wann holt die Stadt Sperrmüll ab?", "--json"])
    assert found.exit_code == 0, found.output
    body = json.loads(found.output)
    assert body["hits"][0]["article"]["id"] == "sperrmuell"
    table = runner.invoke(app, ["knowledge", "search", "Hundemarke"], terminal_width=200)
    assert "Hundesteuer anmelden (hundesteuer)" in table.output and "Entscheidung:" in table.output


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def test_eval_on_jsonl_files(env: Path, tmp_path: Path) -> None:
    articles = _jsonl(tmp_path / "a.jsonl", [
        {"id": "pass", "title": "Reisepass beantragen", "text": "Den Reisepass beantragen Sie im Bürgerbüro; er kostet 70 Euro."},
        {"id": "hund", "title": "Hundesteuer", "text": "Hunde müssen beim Steueramt angemeldet werden."},
        {"id": "muell", "title": "Biotonne", "text": "Die Biotonne wird jeden Freitag geleert."},
    ])
    questions = _jsonl(tmp_path / "q.jsonl", [
        {"id": "q1", "question": "Was kostet ein Reisepass?", "answer_ids": ["pass"]},
        {"id": "q2", "question": "Muss ich meinen Hund anmelden?", "answer_ids": ["hund"]},
    ])
    oos = _jsonl(tmp_path / "o.jsonl", [{"id": "o1", "question": "Wer gewann 1954 die Fußball-Weltmeisterschaft?"}])
    result = runner.invoke(app, ["knowledge", "eval", "--articles", str(articles), "--questions", str(questions),
                                 "--oos", str(oos), "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    for key in ("top1", "top3", "mrr10", "answered_in_scope", "oos_no_answer", "latency_ms_p50", "latency_ms_p95",
                "build_chunks_per_s"):
        assert key in figures
    assert figures["top1"] == 1.0 and figures["mrr10"] == 1.0
    assert figures["questions"] == 2 and figures["oos_questions"] == 1
    assert figures["latency_ms_p95"] >= figures["latency_ms_p50"] > 0

    table = runner.invoke(app, ["knowledge", "eval", "--articles", str(articles), "--questions", str(questions)],
                          terminal_width=200)
    assert table.exit_code == 0 and "top3" in table.output


def test_eval_leave_one_out_on_a_folder(env: Path) -> None:
    result = runner.invoke(app, ["knowledge", "eval", "--articles", str(env)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "Leave-one-out" in result.output
    figures = json.loads(runner.invoke(app, ["knowledge", "eval", "--json"]).output)
    assert figures["questions"] == 9  # three sample questions per article, each held out once
    assert figures["top3"] >= 0.75
