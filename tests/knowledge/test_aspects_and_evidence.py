"""What a question asks about, and the words that tie it to an article (knowledge/aspects.py, evidence.py)."""

from __future__ import annotations

import pytest

from knowledge.articles import Article, Office, Section
from knowledge.aspects import aspect_section, detect_aspect, topic_text
from knowledge.decision import STRONG_KEYWORD
from knowledge.evidence import EvidenceIndex, topic_terms
from knowledge.index import article_lexical_text


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        ("Was kostet ein neuer Reisepass?", "costs"),
        ("und wie teuer ist das?", "costs"),
        ("Welche Unterlagen brauche ich für die Anmeldung?", "documents"),
        ("was muss ich mitbringen", "documents"),
        ("Wie lange dauert es, bis der Ausweis fertig ist?", "deadlines"),
        ("bis wann muss ich das erledigen?", "deadlines"),
        ("Wie läuft die Eheschließung ab?", "procedure"),
        ("Wer hat Anspruch auf Wohngeld?", "requirements"),
        ("wo muss ich hin?", "contact"),
        ("Wann hat das Standesamt geöffnet?", "contact"),
        ("geht das online?", "online"),
        ("How much does it cost?", "costs"),
        ("Which documents do I need?", "documents"),
        ("Ich möchte einen Hund anmelden", None),
    ],
)
def test_detects_the_aspect_asked(question: str, aspect: str | None) -> None:
    assert detect_aspect(question) == aspect


def test_the_first_aspect_asked_wins() -> None:
    assert detect_aspect("Was kostet das und wie lange dauert es?") == "costs"


def test_topic_text_drops_aspect_and_filler() -> None:
    assert topic_text("Reisepass beantragen was mitbringen") == "Reisepass beantragen"
    assert topic_text("und was kostet das?") == ""


def article(article_id: str, title: str, keywords: list[str], text: str) -> Article:
    return Article(
        id=article_id, title=title, summary=text, keywords=keywords, updated="2026-01-01",
        office=Office(key="amt", name="Amt", department="amt"),
        sections=[Section(heading="Kosten", text="- 10 €"), Section(heading="Unterlagen", text="- Ausweis")],
    )


ARTICLES = [
    article("kita-platz", "Kita-Platz finden", ["Kita", "Kindergarten", "Krippe"], "Betreuung für Kinder."),
    article("personalausweis", "Personalausweis beantragen", ["Personalausweis", "Perso", "Ausweis"],
            "Den Ausweis beantragen Sie im Bürgerbüro."),
    article("wohnsitz-anmelden", "Wohnsitz anmelden", ["Anmeldung", "Umzug", "Wohnsitz"], "Nach dem Umzug melden."),
    article("halteverbot", "Halteverbot für einen Umzug", ["Halteverbot", "Umzug"], "Schilder für den Umzug."),
    article("briefwahl", "Briefwahl beantragen", ["Briefwahl", "Wahl", "Wahlschein"], "Per Brief wählen."),
]


@pytest.fixture(scope="module")
def evidence() -> EvidenceIndex:
    return EvidenceIndex.build(ARTICLES, article_lexical_text)


def test_compounds_name_their_first_part_not_their_last(evidence: EvidenceIndex) -> None:
    named = evidence.naming_terms(topic_terms("Gibt es im Westend noch einen freien Kindergartenplatz?"))
    assert set(named) == {"kita-platz"}
    # A library card is no identity card.
    assert evidence.naming_terms(topic_terms("Ich brauche einen Bibliotheksausweis für meine Tochter")) == {}


def test_a_compound_is_a_kind_of_its_last_part(evidence: EvidenceIndex) -> None:
    # A step of the service ("…antrag", "…termin", "…platz") names it fully; another thing named after it does not:
    # an election poster is no postal vote.
    steps = evidence.evidence("Wie lange dauert mein Wahlscheinantrag?", ["briefwahl"])
    assert steps["briefwahl"].keyword_weight >= STRONG_KEYWORD
    poster = evidence.evidence("Wahlplakate aufhängen", ["briefwahl"])
    assert 0 < poster["briefwahl"].keyword_weight < STRONG_KEYWORD
    assert poster["briefwahl"].unknown_noun


def test_short_forms_name_the_keyword(evidence: EvidenceIndex) -> None:
    assert set(evidence.naming_terms(topic_terms("Perso verloren"))) == {"personalausweis"}


def test_a_shared_keyword_counts_less_than_one_article_has_alone(evidence: EvidenceIndex) -> None:
    found = evidence.evidence("Halteverbot für den Umzug", ["halteverbot", "wohnsitz-anmelden"])
    assert found["halteverbot"].keyword_weight > 1.0 > found["wohnsitz-anmelden"].keyword_weight > 0


def test_coverage_is_low_for_words_the_article_does_not_contain(evidence: EvidenceIndex) -> None:
    found = evidence.evidence("Urnengrab auf dem Waldfriedhof", ["personalausweis"])
    assert found["personalausweis"].coverage == 0.0


def test_other_scripts_have_no_lexical_evidence(evidence: EvidenceIndex) -> None:
    assert not evidence.has_lexical_evidence("Де я можу зробити нову ID-картку?")
    assert not evidence.has_lexical_evidence("Yeni bir eve taşındık")
    assert evidence.has_lexical_evidence("Wie beantrage ich einen Reisepass?")


def test_aspect_section_prefers_the_aspects_heading() -> None:
    kita = ARTICLES[0]
    assert aspect_section(kita, "costs").heading == "Kosten"
    assert aspect_section(kita, "documents").heading == "Unterlagen"
    assert aspect_section(kita, "deadlines") is None
    assert aspect_section(kita, None) is None
