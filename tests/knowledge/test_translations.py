"""Translations and Leichte Sprache in an article's front matter, and the warnings `knowledge check` prints."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from handover.shell.cli import app
from handover.shell.settings import get_settings
from knowledge.article_warnings import article_warnings, leichte_sprache_warnings, translation_warnings
from knowledge.articles import TRANSLATION_LANGUAGES, parse_article, scan_folder

REPO_ARTICLES = Path(__file__).resolve().parents[2] / "knowledge" / "articles"
MOST_ASKED = ["wohnsitz-anmelden", "personalausweis", "reisepass", "kindergeld", "kita-platz", "wohngeld",
              "buergergeld", "aufenthaltstitel", "einbuergerung", "kfz-zulassung", "geburt-anzeigen", "sperrmuell",
              "termin-buergerbuero", "oeffnungszeiten", "fuehrungszeugnis"]

HEAD = "---\nid: test\ntitle: Test\nsummary: Kurz.\noffice: {name: Amt, department: amt}\nupdated: 2026-03-01\n" \
       "questions: [a, b, c]\n"
BODY = "---\n## Kosten\n10 Euro.\n"


def parse(front: str):
    return parse_article("test.md", (HEAD + front + BODY).encode(), {})


def test_translations_are_read_per_language() -> None:
    parsed = parse("translations:\n  tr:\n    title: Deneme\n    summary: Kısa.\n    sections:\n"
                   "      - {heading: Kosten, text: 10 avro.}\n  ar:\n    title: تجربة\n    summary: قصير.\n")
    assert parsed.errors == []
    article = parsed.article
    assert article.translation("tr").title == "Deneme"
    assert article.translation("tr").sections[0].text == "10 avro."
    assert article.translation("ar").summary == "قصير."
    assert article.translation("uk") is None and article.translation("de") is None


def test_a_translation_into_an_unknown_language_or_without_summary_is_an_error() -> None:
    parsed = parse("translations:\n  fr:\n    title: Essai\n    summary: Court.\n")
    assert parsed.article is None
    assert parsed.errors[0].field.startswith("translations.fr")
    parsed = parse("translations:\n  en:\n    title: Test\n")
    assert [(e.field, e.message) for e in parsed.errors] == [("translations.en.summary", "Pflichtfeld fehlt")]


def test_incomplete_translations_and_hard_leichte_sprache_are_warnings() -> None:
    article = parse("translations:\n  en:\n    title: Test\n    summary: Short.\n    sections:\n"
                    "      - {heading: Costs, text: 10 euros.}\n"
                    "leichte_sprache: |-\n  Das kostet 10 Euro.\n"
                    "  Wenn Sie den Antrag stellen, brauchen Sie Ihren Ausweis, Ihre Meldebescheinigung und außerdem "
                    "noch ein aktuelles Foto von sich.\n  Bringen Sie die Wohnungsgeberbestätigung mit.\n").article
    assert article is not None
    messages = [(w.field, w.message) for w in translation_warnings(article)]
    assert messages[0] == ("translations", "unvollständig: keine Übersetzung für tr, uk, ar")
    assert messages[1][0] == "translations.en.sections" and "'Costs'" in messages[1][1]
    hard = [w.message for w in leichte_sprache_warnings(article)]
    assert len(hard) == 2
    assert hard[0].startswith("Satz zu lang für Leichte Sprache (19 Wörter, höchstens 15)")
    assert "Wohnungsgeberbestätigung" in hard[1]


def test_the_demo_base_translates_the_most_asked_articles_and_has_leichte_sprache() -> None:
    scan = scan_folder(REPO_ARTICLES)
    assert scan.errors == []
    for article_id in MOST_ASKED:
        assert set(scan.articles[article_id].translations) == set(TRANSLATION_LANGUAGES), article_id
    assert sum(1 for article in scan.articles.values() if article.leichte_sprache) >= 10
    assert article_warnings(scan.articles) == []


@pytest.fixture
def env(small_kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BUERGERBOT_ARTICLES_DIR", str(small_kb))
    monkeypatch.setenv("BUERGERBOT_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield small_kb
    get_settings.cache_clear()


def test_check_prints_warnings_and_still_passes(env: Path) -> None:
    text = (env / "hundesteuer.md").read_text(encoding="utf-8")
    translations = "\ntranslations:\n  en:\n    title: Dog tax\n    summary: Register your dog.\n---\n"
    text = text.replace("\n---\n", translations, 1)
    (env / "hundesteuer.md").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["knowledge", "check"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "HINWEIS hundesteuer.md: translations: unvollständig: keine Übersetzung für tr, uk, ar" in result.output


def test_translations_are_indexed_as_title_and_summary_chunks() -> None:
    from knowledge.chunking import chunk_article

    article = scan_folder(REPO_ARTICLES).articles["kindergeld"]
    texts = [chunk.text for chunk in chunk_article(article) if chunk.kind in ("title", "summary")]
    for language in TRANSLATION_LANGUAGES:
        translation = article.translation(language)
        assert translation.title in texts
        assert any(text.startswith(translation.title) and translation.summary.split(".")[0] in text for text in texts)
    # The translated title also as a query, matched like a sample question by a question in that language.
    queries = [chunk.text for chunk in chunk_article(article) if chunk.embed_as_query]
    assert all(article.translation(language).title in queries for language in TRANSLATION_LANGUAGES)
    assert not any(chunk.kind == "question" and chunk.question_index is None for chunk in chunk_article(article))
