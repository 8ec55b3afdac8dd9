"""Ranking and decisions on the shipped demo knowledge base (whatever articles it holds)."""

from __future__ import annotations

from knowledge.articles import article_files
from knowledge.evaluation import BuiltIndex, evaluate, leave_one_out_setup, weak_articles
from knowledge.decision import Candidate, Thresholds, decide

from .conftest import DEMO_ARTICLES

OUT_OF_SCOPE = [
    "Wie viele Punkte erzielten die Panthers im Super Bowl?",
    "Wer hat die Relativitätstheorie entwickelt?",
    "Wie backe ich einen Käsekuchen?",
    "Welche Hauptstadt hat Australien?",
    "Wann wurde die Chinesische Mauer gebaut?",
]


def test_demo_knowledge_base_is_valid_and_loaded(demo_service) -> None:
    status = demo_service.status()
    assert status.errors == [], [str(e) for e in status.errors]
    assert status.articles >= 3
    assert status.articles == len(article_files(DEMO_ARTICLES))


def test_each_articles_own_sample_questions_find_it(demo_service) -> None:
    misses = []
    for article in demo_service.articles():
        for question in article.questions:
            result = demo_service.search(question, top_k=3)
            if result.hits[0].article.id != article.id:
                misses.append((article.id, question, result.hits[0].article.id))
    assert misses == []


def test_held_out_sample_questions_still_find_their_article(demo_service, model) -> None:
    built, questions, excluded = leave_one_out_setup(BuiltIndex(demo_service.index, 1.0, 0))
    report = evaluate(built, model, questions, demo_service.thresholds, excluded_rows_of=excluded)
    weak = [(w.article_id, w.misses) for w in weak_articles(report) if w.found_top3 < w.questions]
    assert report.top3 >= 0.85, weak
    assert report.answered_in_scope >= 0.9


def test_unrelated_questions_get_no_answer(demo_service) -> None:
    decisions = [demo_service.search(q).decision for q in OUT_OF_SCOPE]
    assert decisions.count("no_answer") >= 4, decisions


def test_answer_carries_article_office_and_best_section(demo_service) -> None:
    article = demo_service.articles()[0]
    result = demo_service.search(article.questions[0])
    hit = result.hits[0]
    assert hit.article.id == article.id
    assert hit.article.office.name
    assert hit.section is None or hit.section in article.sections
    assert result.decision in {"answer", "clarify"}


THRESHOLDS = Thresholds(answer=0.85, clarify=0.90, margin=0.025)


def candidate(similarity: float, keyword: float = 0.0, coverage: float = 0.0, position: int = 0,
              specificity: float = 0.0, unknown_noun: bool = False, editor_named: bool = False) -> Candidate:
    return Candidate(position, similarity, 0.0, keyword, coverage, unknown_noun=unknown_noun,
                     specificity=specificity, editor_named=editor_named)


def test_a_noun_naming_an_editors_keyword_lets_a_less_similar_article_be_offered() -> None:
    named = candidate(0.83, keyword=1.0, coverage=0.5, editor_named=True)
    assert decide([named], THRESHOLDS) == ("clarify", [named])
    by_title_word = candidate(0.83, keyword=1.0, coverage=0.5)
    assert decide([by_title_word], THRESHOLDS) == ("no_answer", [])
    assert decide([candidate(0.81, keyword=1.0, coverage=0.5, editor_named=True)], THRESHOLDS)[0] == "no_answer"


def test_similarity_alone_does_not_fit_an_article_without_any_of_the_words_of_an_unknown_thing() -> None:
    unrelated = candidate(0.92, coverage=0.0, unknown_noun=True)
    assert decide([unrelated], THRESHOLDS) == ("no_answer", [])
    sharing_a_word = candidate(0.92, coverage=0.3, unknown_noun=True)
    assert decide([sharing_a_word], THRESHOLDS) == ("answer", [sharing_a_word])


def test_of_two_named_articles_the_one_named_by_the_much_rarer_word_is_answered() -> None:
    # "Lastenzuschuss für Eigentümer": both named, the Lastenzuschuss is the rarer word by far.
    rare = candidate(0.90, keyword=1.0, coverage=0.6, position=0, specificity=3.7)
    common = candidate(0.905, keyword=1.0, coverage=0.6, position=1, specificity=2.9)
    assert decide([rare, common], THRESHOLDS) == ("answer", [rare])
    # Almost as rare: the citizen chooses.
    close = candidate(0.905, keyword=1.0, coverage=0.6, position=1, specificity=3.5)
    assert decide([rare, close], THRESHOLDS)[0] == "clarify"
    # The other one is named only by a part of its keyword: no comparison, the citizen chooses.
    partly = candidate(0.905, keyword=0.6, coverage=0.6, position=1)
    assert decide([rare, partly], THRESHOLDS)[0] == "clarify"


def test_only_fitting_articles_are_answered_or_offered() -> None:
    assert decide([], THRESHOLDS) == ("no_answer", [])
    # Ranked first, but nothing of the question is in it and its similarity is ordinary: no menu of unrelated topics.
    unrelated = [candidate(0.89, position=0), candidate(0.88, position=1), candidate(0.87, position=2)]
    assert decide(unrelated, THRESHOLDS) == ("no_answer", [])
    named = candidate(0.87, keyword=1.0, coverage=1.0, position=1)
    assert decide([unrelated[0], named], THRESHOLDS) == ("answer", [named])
    # Very similar without lexical evidence fits on its own.
    assert decide([candidate(0.95)], THRESHOLDS)[0] == "answer"
    # Far from the question, a shared word does not make an article fit.
    assert decide([candidate(0.83, keyword=1.0, coverage=1.0)], THRESHOLDS) == ("no_answer", [])


def test_close_fitting_articles_are_offered_unless_one_is_named() -> None:
    first, second = candidate(0.90, coverage=0.8, position=0), candidate(0.89, coverage=0.8, position=1)
    assert decide([first, second], THRESHOLDS) == ("clarify", [first, second])
    named = candidate(0.89, keyword=1.0, coverage=0.8, position=1)
    assert decide([first, named], THRESHOLDS) == ("answer", [named])
    # Far enough ahead: answered.
    lead = candidate(0.96, coverage=0.8, position=0)
    assert decide([lead, second], THRESHOLDS) == ("answer", [lead])


def test_without_lexical_evidence_only_a_clear_lead_is_answered() -> None:
    lead, behind = candidate(0.90, position=0), candidate(0.88, position=1)
    assert decide([lead, behind], THRESHOLDS, lexical_evidence=False) == ("answer", [lead])
    # Neck and neck and both clearly similar: the citizen chooses; one far behind is not offered.
    close = candidate(0.895, position=1)
    assert decide([lead, close, candidate(0.86, position=2)], THRESHOLDS, lexical_evidence=False) == (
        "clarify", [lead, close])
    # Neck and neck but neither clearly similar: nothing rather than a guess.
    assert decide([candidate(0.865), candidate(0.86, position=1)], THRESHOLDS, lexical_evidence=False) == (
        "no_answer", [])
    assert decide([candidate(0.86), candidate(0.84, position=1)], THRESHOLDS, lexical_evidence=False) == ("no_answer", [])


def test_context_helps_follow_up_questions(demo_service) -> None:
    article = demo_service.articles()[0]
    result = demo_service.search("Und was kostet das?", context=article.title, top_k=3)
    assert article.id in [h.article.id for h in result.hits]
