"""A question in another language than German: the editors' translation of an article may name it when the
similarity alone is too weak to answer (knowledge/translation_evidence.py, decision.named_by_translation)."""

from __future__ import annotations

import pytest

from knowledge import decision
from knowledge.decision import Candidate, Thresholds, decide
from knowledge.translation_evidence import stems

THRESHOLDS = Thresholds(answer=0.85, clarify=0.90, margin=0.025)


def candidate(position: int, similarity: float, translated: float) -> Candidate:
    return Candidate(position, similarity, 0.0, 0.0, 0.0, translated=translated)


def test_the_article_whose_translation_clearly_shares_the_rare_words_is_answered() -> None:
    named = candidate(1, 0.858, 6.2)
    result, chosen = decide([candidate(0, 0.862, 0.0), named, candidate(2, 0.85, 2.1)], THRESHOLDS,
                            lexical_evidence=False)
    assert (result, chosen) == ("answer", [named])


def test_named_but_less_similar_than_the_answer_threshold_is_offered_alone() -> None:
    named = candidate(0, 0.842, 6.2)
    assert decide([named, candidate(1, 0.84, 0.0)], THRESHOLDS, lexical_evidence=False) == ("clarify", [named])


def test_two_translations_sharing_the_words_about_as_much_name_neither() -> None:
    assert decide([candidate(0, 0.86, 6.2), candidate(1, 0.855, 5.0)], THRESHOLDS,
                  lexical_evidence=False)[0] == "no_answer"


def test_weak_words_or_too_little_similarity_leave_the_honest_no_answer() -> None:
    assert decide([candidate(0, 0.86, decision.TRANSLATION_STRONG - 0.5)], THRESHOLDS,
                  lexical_evidence=False)[0] == "no_answer"
    assert decide([candidate(0, 0.83, 9.0)], THRESHOLDS, lexical_evidence=False)[0] == "no_answer"
    # Outside the window below the best one: the best is about something else.
    assert decide([candidate(0, 0.869, 0.0), candidate(1, 0.835, 9.0)], THRESHOLDS,
                  lexical_evidence=False)[0] == "no_answer"


def test_a_german_question_is_decided_as_before() -> None:
    """The translations never speak for German questions: their words are the articles' own."""
    only = candidate(0, 0.80, 9.0)
    assert decide([only], THRESHOLDS, lexical_evidence=True)[0] == "no_answer"


def test_words_are_compared_by_their_start_across_inflection() -> None:
    assert stems("certified", "en") == stems("certify", "en")
    assert stems("документи", "uk") == stems("документів", "uk")
    assert stems("والقمامة", "ar") == stems("قمامة", "ar")
    assert stems("what is this", "en") == []


@pytest.mark.parametrize("language, question, article_id", [
    ("uk", "Я загубив ключі в парку, де їх можуть зберігати?", "fundbuero"),
    ("ar", "فقدت مفاتيحي في الحديقة، أين يمكن أن تكون؟", "fundbuero"),
    ("uk", "Скажіть, будь ласка, коли працює ратуша?", "oeffnungszeiten"),
])
def test_on_the_demo_articles_a_translation_turns_a_no_answer_into_the_right_article(
        demo_service, language, question, article_id, monkeypatch) -> None:
    result = demo_service.search(question, top_k=3, language=language)
    assert result.decision in ("answer", "clarify") and result.hits[0].article.id == article_id
    monkeypatch.setattr(decision, "TRANSLATION_STRONG", float("inf"))
    assert demo_service.search(question, top_k=3, language=language).decision == "no_answer"


@pytest.mark.parametrize("language, question", [
    ("en", "Can you recommend a good Italian restaurant in the old town?"),
    ("tr", "Bu akşam hangi maç var?"),
    ("uk", "Як приготувати борщ?"),
    ("ar", "كيف أتعلم العزف على الجيتار؟"),
])
def test_questions_the_city_cannot_answer_are_still_declined(demo_service, language, question) -> None:
    assert demo_service.search(question, top_k=3, language=language).decision == "no_answer"
