"""The decision after a search: answer with one article, offer a few ("Meinen Sie …?"), or say honestly that the
knowledge base has nothing on it.

Only articles that *fit* the question take part: an article fits when the question names one of its keywords (and
few other articles share that keyword), when most of the question's topic words occur in it, or when its dense
similarity alone is very high. Articles that merely rank first among unrelated ones are never offered: a menu of
three unrelated services looks like information and is not (docs/knowledge-calibration.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Decision = Literal["answer", "clarify", "no_answer"]

KEYWORD_BONUS = 0.05
COVERAGE_BONUS = 0.03
STRONG_KEYWORD = 0.5  # the question names a keyword that at most two articles have
SPECIFICITY_LEAD = 0.4  # in idf (natural log): the naming word occurs in about a third as many articles or fewer
KEYWORD_LEAD = 0.5  # how much more strongly than the others the one article must be named to be answered
FITTING_COVERAGE = 0.6
# Below this similarity no article fits, whatever words it shares with the question: on de-covid-faq's 300 unrelated
# questions, words of FAQ titles made 13 % of them fit without it; with it none (and no fitting dev-set answer lost).
MIN_SIMILARITY = 0.84
# A noun of the question that fully names a keyword the article's editor gave it, and no other article's, makes the
# article fit even when the small model sees little similarity in a paraphrase (a tree species for the tree felling
# permit scored 0.83). Title words and verbs do not count: de-covid-faq's articles have titles but no keywords, and
# "gefunden" (a keyword of the lost-property office) is said of many things.
KEYWORD_MIN_SIMILARITY = 0.82
MAX_OFFERED = 3
# A question (nearly) the same as one of an article's sample questions: the strongest evidence there is.
SAMPLE_QUESTION_MATCH = 0.97
SAMPLE_QUESTION_LEAD = 0.02
# A question without lexical evidence (written in a language the articles are not): answered only when one article
# leads clearly on similarity alone.
SIMILARITY_ONLY_ANSWER = 0.87
SIMILARITY_ONLY_LEAD = 0.01
SIMILARITY_ONLY_OFFER = 0.87
SIMILARITY_ONLY_OFFER_MARGIN = 0.015
# Below those, the editors' translation of an article in the question's language may name it
# (knowledge/translation_evidence.py): among the articles about as similar as the best (within the window, and at least
# the minimum), the one whose translation shares clearly the rarest words with the question (summed idf, with a lead
# over the next) is answered, or offered alone below TRANSLATION_ANSWER. Calibrated on our own questions in four
# languages (`make bench-languages`); none of the out-of-scope ones comes near the strength.
TRANSLATION_MIN_SIMILARITY = 0.84
TRANSLATION_WINDOW = 0.03
TRANSLATION_STRONG = 4.0
TRANSLATION_LEAD = 2.0
TRANSLATION_ANSWER = 0.85


@dataclass(frozen=True)
class Thresholds:
    """Calibrated on the Musterstadt dev set (`make bench-dialogue`, docs/knowledge-calibration.md)."""

    answer: float  # dense similarity the only fitting article needs to be answered directly
    clarify: float  # dense similarity at which an article fits without lexical evidence
    margin: float  # fitting articles scoring within this of the best are alternatives to it


@dataclass(frozen=True)
class Candidate:
    """One ranked article with what speaks for it."""

    position: int  # index into the search's matches
    similarity: float  # best chunk cosine similarity
    lexical: float  # normalised BM25
    keyword: float  # specificity of the keyword the question names (0: none)
    coverage: float  # share of the question's topic words found in the article
    unknown_noun: bool = False  # the question names a thing no article mentions
    specificity: float = 0.0  # idf of the rarest question word that fully names one of its keywords
    editor_named: bool = False  # a noun of the question fully names a keyword the article's editor gave it
    translated: float = 0.0  # idf of the question's words the article's translation in the question's language uses

    @property
    def score(self) -> float:
        return (self.similarity + 0.05 * self.lexical + KEYWORD_BONUS * self.keyword
                + COVERAGE_BONUS * (self.coverage - 0.5))


def fits(candidate: Candidate, thresholds: Thresholds) -> bool:
    # Most topic words in the article do not make it fit when the question's thing is unknown to every article:
    # "Bienenstock im Garten aufstellen" shares "Garten" and "aufstellen" with the photovoltaic article.
    named_by_editor = candidate.editor_named and candidate.keyword >= 1.0
    if candidate.similarity < (KEYWORD_MIN_SIMILARITY if named_by_editor else MIN_SIMILARITY):
        return False
    by_coverage = candidate.coverage >= FITTING_COVERAGE and not candidate.unknown_noun
    # Similarity alone does not make an article fit that contains none of the question's topic words while the
    # question names a thing no article knows: a question about a supermarket's opening hours is not about the city's offices.
    by_similarity = candidate.similarity >= thresholds.clarify and not (candidate.unknown_noun
                                                                        and candidate.coverage == 0)
    return candidate.keyword >= STRONG_KEYWORD or by_coverage or by_similarity


def named_by_translation(by_similarity: list[Candidate]) -> Candidate | None:
    """The article among the most similar ones whose translation clearly shares the question's words, if any."""
    best = by_similarity[0].similarity
    window = sorted((c for c in by_similarity
                     if c.similarity >= max(TRANSLATION_MIN_SIMILARITY, best - TRANSLATION_WINDOW)),
                    key=lambda c: c.translated, reverse=True)
    if not window:
        return None
    runner_up = window[1].translated if len(window) > 1 else 0.0
    top = window[0]
    return top if top.translated >= TRANSLATION_STRONG and top.translated - runner_up >= TRANSLATION_LEAD else None


def decide(candidates: list[Candidate], thresholds: Thresholds, *, lexical_evidence: bool = True,
           ) -> tuple[Decision, list[Candidate]]:
    """The decision and the candidates it names (the answer first, or the offered ones), best first.

    Without lexical evidence (a question in a language the articles are not written in) the dense similarity
    speaks: a direct answer needs a clear lead; articles neck and neck that are all clearly similar are offered;
    below that, an article its translation names clearly; otherwise the bot says it has nothing.
    """
    if not candidates:
        return "no_answer", []
    if not lexical_evidence:
        by_similarity = sorted(candidates, key=lambda c: c.similarity, reverse=True)
        best = by_similarity[0]
        second = by_similarity[1].similarity if len(by_similarity) > 1 else 0.0
        if best.similarity >= SIMILARITY_ONLY_ANSWER and best.similarity - second >= SIMILARITY_ONLY_LEAD:
            return "answer", [best]
        # Several articles close together and all clearly similar: the citizen chooses ("register my address" is
        # the Anmeldung or the Abmeldung); below that the bot says it has nothing rather than guess.
        close = [c for c in by_similarity if c.similarity >= max(SIMILARITY_ONLY_OFFER,
                                                                  best.similarity - SIMILARITY_ONLY_OFFER_MARGIN)]
        if close:
            return "clarify", close[:MAX_OFFERED]
        named = named_by_translation(by_similarity)
        if named is not None:
            return ("answer" if named.similarity >= TRANSLATION_ANSWER else "clarify"), [named]
        return "no_answer", []
    by_similarity = sorted(candidates, key=lambda c: c.similarity, reverse=True)
    second = by_similarity[1].similarity if len(by_similarity) > 1 else 0.0
    if by_similarity[0].similarity >= SAMPLE_QUESTION_MATCH and by_similarity[0].similarity - second >= SAMPLE_QUESTION_LEAD:
        return "answer", [by_similarity[0]]
    fitting = sorted((c for c in candidates if fits(c, thresholds)), key=lambda c: c.score, reverse=True)
    if not fitting:
        return "no_answer", []
    best = fitting[0]
    near = [c for c in fitting[1:] if c.score >= best.score - thresholds.margin][: MAX_OFFERED - 1]
    if not near:
        return ("answer", [best]) if best.similarity >= thresholds.answer else ("clarify", [best])
    close = [best, *near]
    named = max(close, key=lambda c: c.keyword)
    if named.keyword >= STRONG_KEYWORD and all(c.keyword + KEYWORD_LEAD <= named.keyword for c in close if c is not named):
        # Close on similarity, but only one of them is what the question names ("Kindergartenplatz": the Kita
        # article, not Kindergeld).
        return "answer", [named]
    specific = max(close, key=lambda c: c.specificity)
    if specific.keyword >= STRONG_KEYWORD and all(0 < c.specificity <= specific.specificity - SPECIFICITY_LEAD
                                                  for c in close if c is not specific):
        # Each is named, but one by a much rarer word: "Lastenzuschuss für Eigentümer" is about the Lastenzuschuss
        # (Wohngeld for owners), not about what owners do at the land register.
        return "answer", [specific]
    return "clarify", close
