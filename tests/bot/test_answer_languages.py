"""The answer text in the citizen's language: the editors' translation, or the German article with a note."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.actions.answer_text import localized_title, service_answer
from bot.actions.knowledge_answers import article_payload
from bot.actions.texts import say
from knowledge.articles import Article, scan_folder

ARTICLES = Path(__file__).resolve().parents[2] / "knowledge" / "articles"


@pytest.fixture(scope="module")
def articles() -> dict[str, Article]:
    return scan_folder(ARTICLES).articles


@pytest.mark.parametrize("language", ["en", "tr", "uk", "ar"])
def test_a_translated_article_answers_in_the_citizens_language(articles: dict[str, Article], language: str) -> None:
    article = articles["personalausweis"]
    text = service_answer(article, None, language, 400)
    translation = article.translation(language)
    assert text.split(" ")[0] == translation.summary.split(" ")[0]
    assert "Bürgerbüro" in text and say("german_only", language) not in text
    payload = article_payload(article, None, language)
    assert (payload.title, payload.summary) == (translation.title, translation.summary)
    assert localized_title(article, language) == translation.title


@pytest.mark.parametrize("language", ["tr", "uk", "ar"])
def test_german_text_gets_one_sentence_in_the_citizens_language(articles: dict[str, Article], language: str) -> None:
    # Every demo article is translated now; an editor's new article starts without.
    untranslated = articles["hundesteuer"].model_copy(update={"translations": {}})
    text = service_answer(untranslated, untranslated.section("Kosten"), language, 300)
    assert text.startswith(untranslated.summary.split(".")[0])
    assert text.endswith(say("german_only", language))
    # A translated summary above a German section: the section is German, so the note is given too.
    article = articles["personalausweis"]
    assert service_answer(article, article.section("Kosten"), language, 300).endswith(say("german_only", language))


def test_german_answers_have_no_note(articles: dict[str, Article]) -> None:
    article = articles["personalausweis"]
    assert service_answer(article, None, "de", 300) == " ".join(article.summary.split())
    assert article_payload(article, None).title == "Personalausweis beantragen"


def test_leichte_sprache_replaces_summary_and_section_when_switched_on(articles: dict[str, Article]) -> None:
    article = articles["wohnsitz-anmelden"]
    assert service_answer(article, article.section("Kosten"), "de", 300, leichte_sprache=True) == \
        article.leichte_sprache.strip()
    # Without Leichte Sprache for the article, the usual answer.
    other = articles["hundesteuer"]
    assert not other.leichte_sprache
    assert service_answer(other, None, "de", 300, leichte_sprache=True) == service_answer(other, None, "de", 300)
    # A translation in the citizen's language goes first: Leichte Sprache is German.
    assert service_answer(article, None, "tr", 300, leichte_sprache=True) == service_answer(article, None, "tr", 300)
