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
    article("wohnsitz-abmelden", "Wohnsitz abmelden", ["Abmeldung", "Auswanderung", "Ausland"],
            "Wer ins Ausland zieht, meldet sich ab."),
    article("gaststaette", "Gaststättenerlaubnis", ["Gaststätte", "Konzession", "Ausschank"],
            "Für den Ausschank von Alkohol brauchen Sie eine Konzession."),
    article("baumfaellung", "Baum fällen", ["Fällgenehmigung", "Linde", "Birke"], "Geschützt sind Linde und Birke."),
    article("fundbuero", "Fundbüro", ["Fundsache", "gefunden"], "Was Sie gefunden haben, geben Sie hier ab."),
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


def test_a_separable_verb_is_read_with_its_particle(evidence: EvidenceIndex) -> None:
    named = evidence.naming_terms(evidence.question_terms("Ich melde meinen Zweitwohnsitz im Mai ab")[0])
    assert "wohnsitz-abmelden" in named
    # Without the particle at the clause's end the verb stays what it is.
    assert "abmeld" not in evidence.question_terms("Ich melde mich im Mai an")[0]


def test_a_hyphenated_compound_with_an_unknown_first_part_is_a_thing_of_its_own(evidence: EvidenceIndex) -> None:
    kiosk = evidence.evidence("Wo beantrage ich eine Kiosk-Konzession?", ["gaststaette"])["gaststaette"]
    assert kiosk.keyword_weight < STRONG_KEYWORD
    assert kiosk.unknown_noun
    # A first part the articles know keeps naming: a Gaststätten-Konzession is the Gaststätte's.
    own = evidence.evidence("Wo beantrage ich eine Gaststätten-Konzession?", ["gaststaette"])["gaststaette"]
    assert own.keyword_weight >= STRONG_KEYWORD


def test_street_names_and_times_name_no_unknown_thing(evidence: EvidenceIndex) -> None:
    street = evidence.evidence("Halteverbot vor der Schillerstraße 12", ["halteverbot"])["halteverbot"]
    assert not street.unknown_noun
    assert street.coverage == 1.0
    assert not evidence.evidence("Briefwahl am Sonntag Nachmittag", ["briefwahl"])["briefwahl"].unknown_noun
    assert evidence.evidence("Briefwahl im Bienenstock", ["briefwahl"])["briefwahl"].unknown_noun


def test_only_a_noun_naming_an_editors_keyword_counts_as_named_by_the_editor(evidence: EvidenceIndex) -> None:
    assert evidence.evidence("Darf die Birke hinter dem Haus gefällt werden?", ["baumfaellung"])[
        "baumfaellung"].editor_named
    # "Baum" is a word of the title, not a keyword the editor chose.
    assert not evidence.evidence("Der Baum hinter dem Haus", ["baumfaellung"])["baumfaellung"].editor_named
    # A verb keyword says what happened, not what it happened to.
    assert not evidence.evidence("Ich habe einen Igel gefunden", ["fundbuero"])["fundbuero"].editor_named
