"""A form starts only when the citizen means it (bot/actions/form_entry.py), decided on the real demo index: a
question the NLU read as a defect report or a status query is answered when it names another service or follows up
on the article just answered; a real report or status query starts the form."""

from __future__ import annotations

import pytest

from bot.actions.form_entry import is_misread_question
from knowledge.service import KnowledgeService

MAX_WORDS = 8


def misread(service: KnowledgeService, text: str, intent: str, current: str | None = None,
            language: str = "de") -> bool:
    return is_misread_question(text, intent, service.search(text, top_k=1, language=language), current, MAX_WORDS,
                               language)


@pytest.mark.parametrize("text", ["Ich möchte unseren neuen Hund anmelden", "Wo melde ich meinen Zweitwohnsitz an?"])
def test_another_service_named_outright_is_answered(demo_service: KnowledgeService, text: str) -> None:
    assert misread(demo_service, text, "report_defect")


@pytest.mark.parametrize("text", ["Die Straßenlaterne vor unserem Haus ist kaputt",
                                  "Der Altkleidercontainer am Markt ist beschädigt",
                                  "Ich möchte einen Schaden melden"])
def test_a_defect_starts_the_report(demo_service: KnowledgeService, text: str) -> None:
    assert not misread(demo_service, text, "report_defect")


def test_a_follow_up_on_the_answer_is_answered(demo_service: KnowledgeService) -> None:
    assert misread(demo_service, "bis wann muss ich das einreichen?", "check_status", current="elterngeld")
    # Without an answer before it, a short question is no follow-up.
    assert not misread(demo_service, "bis wann muss ich das einreichen?", "check_status")


@pytest.mark.parametrize("text", ["Wie weit ist mein Wohngeldantrag?", "MS-2026-000123",
                                  "Ist mein Antrag schon bearbeitet?"])
def test_a_status_query_starts_the_lookup(demo_service: KnowledgeService, text: str) -> None:
    assert not misread(demo_service, text, "check_status", current="wohngeld")


@pytest.mark.parametrize(("text", "language"), [("I would like to apply for a postal vote", "en"),
                                                ("Posta yoluyla oy vermek için ne yapmam gerekiyor?", "tr")])
def test_in_other_languages_a_direct_answer_is_enough(demo_service: KnowledgeService, text: str,
                                                      language: str) -> None:
    # No German keyword can be named in English or Turkish: the search's direct answer decides.
    assert misread(demo_service, text, "report_defect", language=language)


@pytest.mark.parametrize(("text", "language"), [("The street light in front of our house is broken", "en"),
                                                ("Sokak lambası yanmıyor, kime haber vereyim?", "tr")])
def test_in_other_languages_a_defect_still_starts_the_report(demo_service: KnowledgeService, text: str,
                                                             language: str) -> None:
    assert not misread(demo_service, text, "report_defect", language=language)


@pytest.mark.parametrize(("text", "language"), [("Which day does the bin lorry come to Lindenallee?", "en"),
                                                ("Bulunan eşyalar nereye götürülür?", "tr"),
                                                ("Як записати доньку до дитячого садка?", "uk"),
                                                ("كيف أطبخ الأرز بالدجاج؟", "ar")])
def test_in_other_languages_a_question_without_a_defect_is_searched(demo_service: KnowledgeService, text: str,
                                                                    language: str) -> None:
    # The knowledge action answers, offers a menu or declines: a form would only ask where the defect is.
    assert misread(demo_service, text, "report_defect", language=language)


@pytest.mark.parametrize(("text", "language"), [("There is a deep pothole outside the bakery, who fixes it?", "en"),
                                                ("Parktaki salıncak kırık, kime bildireyim?", "tr"),
                                                ("На дитячому майданчику зламана гірка, що робити?", "uk"),
                                                ("عمود الإنارة في شارعنا لا يعمل، ماذا أفعل؟", "ar")])
def test_in_other_languages_a_question_about_a_defect_starts_the_report(demo_service: KnowledgeService, text: str,
                                                                        language: str) -> None:
    assert not misread(demo_service, text, "report_defect", language=language)


@pytest.mark.parametrize(("text", "language"), [("Başvurum ne aşamada?", "tr"), ("Який стан моєї заяви?", "uk"),
                                                ("ما حالة طلبي؟", "ar")])
def test_in_other_languages_a_status_query_starts_the_lookup(demo_service: KnowledgeService, text: str,
                                                             language: str) -> None:
    assert not misread(demo_service, text, "check_status", language=language)
