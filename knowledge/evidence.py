"""Lexical evidence that an article is about what the citizen asks: its keywords named in the question, and how much of
the question's topic words the article contains.

The dense similarity of the small multilingual model ranks well but separates badly: a question the knowledge base
does not cover ("Bibliotheksausweis", "Grabstelle verlängern") scores as high against some unrelated article as many
covered questions score against their own. What does separate them is whether the question's topic words occur in
the article at all. German compounds are matched by their first part when the rest
is a step of that service ("Kindergartenplatz" names the keyword "Kindergarten", "Wohngeldantrag" names "Wohngeld");
otherwise the compound is another thing named after it and names the keyword only weakly ("Wahlplakat" is no postal
vote). The last part alone names a keyword only weakly too: "Bibliotheksausweis" is not a Personalausweis.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

from knowledge.articles import Article
from knowledge.aspects import topic_text
from knowledge.lexical import normalise

# Words that say what the citizen wants to do, not which service: they name no topic.
GENERIC = frozenset(
    normalise(
        """
        beantragen beantrage beantragt antrag antraege anträge möchte möchten moechte brauche brauchen benötige
        bekommen bekomme kriege machen mache erledigen erledige stellen stelle abgeben holen abholen wissen weiss
        weiß frage fragen info infos information informationen hilfe helfen hilft stadt musterstadt amt ämter
        behörde behoerde verwaltung rathaus bürger buerger leider gern gerne neu neue neuen neuer mein meine
        meinen meiner meines unser unsere heute morgen jetzt schon immer mal eigentlich genau einfach gibt geht
        gehen kann können koennen muss müssen darf dürfen soll sollen will wollen würde würden hätte gerade
        suche suchen sucht finden finde kaufen verlängern verlaengern ändern aendern erneuern lassen lasse wurde
        zeigen melden meldet tun passiert seit wegen während waehrend trotz
        please want need get help city office would like know question new find buy change renew my your our can
        could go do does did have has the a an of in on at for to with from and or is are was it this that there
        where what when how which who
        """
    )
)
# Words of a title that belong to a body's name ("Deutsche Rentenversicherung", "Deutsche Post"): they name the body,
# not the article's topic ("Deutscher werden" is about naturalisation, not the pension).
NAME_PARTS = frozenset(normalise("deutsche deutschen deutscher"))
# Letters of scripts and languages the articles are not written in (Cyrillic, Arabic, Turkish ş/ğ/ı …): such a
# question shares no words with the articles, so only the dense similarity can speak for an article.
_OTHER_SCRIPT = re.compile(r"[\u0250-\u1fff\u2c00-\ud7ff\uf900-\ufdff\ufe70-\ufeffşğıİŞĞ]")
MIN_PREFIX = 4  # a question word of at least this length may name a longer keyword ("Perso" → "Personalausweis")
MIN_COMPOUND_REST = 3
MAX_KEYWORD_WEIGHT = 2.0
# Question words whose reading (keywords named, articles and vocabulary knowing them) is kept per index version.
WORD_CACHE_SIZE = 4096
MIN_HEAD = 6  # "Genehmigung" may name "Baugenehmigung"; "Platz" names too many compounds to mean one  # "Kindergartenplatz" = "Kindergarten" + at least three more letters


# Last parts of a compound that make it a step of the first part's service, not a thing of its own (normalised:
# "Wohngeldantrag", "Sperrmülltermin", "Kindergartenplatz", "Zulassungsstelle", "Grundbuchauszug").
PROCEDURE_HEADS = ("antrag", "antraeg", "termi", "platz", "plaetz", "stell", "gebuehr", "kost", "formular", "frist",
                   "bescheid", "bescheinig", "auszug", "unterlag", "verfahr", "status", "nummer", "pflicht")
LINKING = ("", "s", "es", "n", "en", "er")
MODIFIER_ONLY = 0.3  # below STRONG_KEYWORD: related, but not what the question is about


def topic_terms(question: str) -> list[str]:
    """The question's normalised words that can name a topic (no aspect phrases, filler or generic words)."""
    seen: list[str] = []
    for term in normalise(topic_text(question)):
        if term not in GENERIC and term not in seen:
            seen.append(term)
    return seen


_CAPITALISED = re.compile(r"\b[A-ZÄÖÜ][\wäöüß-]+")
# A street name says where, not what: "Halteverbot vor der Schillerstraße 12" asks for a no-parking zone, and the
# street is no unknown thing.
_ADDRESS = re.compile(r"\b[A-ZÄÖÜ][\wäöüß-]*(?:straße|strasse|str\.|gasse|allee)(?![\wäöüß])(?:\s*\d+\s?[a-z]?\b)?",
                      re.IGNORECASE)
# A time says when, not what: "heute Nachmittag", "am Sonntag" name no thing the articles could lack.
TIMES = frozenset(normalise(
    "Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonnabend Sonntag Wochenende Feiertag Feiertagen Vormittag "
    "Nachmittag Mittag Abend Morgen Nacht Uhr Woche Wochen Monat Monate Jahr Jahre Jahren Januar Februar März April "
    "Mai Juni Juli August September Oktober November Dezember"))
_HYPHENATED = re.compile(r"\b([A-Za-zÄÖÜäöüß]{2,})-([A-Za-zÄÖÜäöüß]{2,})\b")
# The particle of a German separable verb stands at the clause's end ("Wir ziehen im Mai um", "Ich melde mich ab");
# rejoined with the verb it is the word the articles use (umziehen, abmelden).
SEPARABLE_PARTICLES = ("ab", "an", "auf", "aus", "ein", "um", "weg", "zu", "zurück", "fort", "los", "nach")
_CLAUSE = re.compile(r"[^,.;:!?]+")
_LOWER_WORD = re.compile(r"(?<![\wäöüß-])[a-zäöüß]{3,}(?![\wäöüß-])")


def noun_terms(question: str) -> set[str]:
    """Normalised forms of the question's capitalised words: in German, its nouns (and the first word)."""
    return {term for word in _CAPITALISED.findall(question) for term in normalise(word)}


def address_terms(question: str) -> set[str]:
    return {term for word in _ADDRESS.findall(question) for term in normalise(word)}


def separable_verbs(question: str) -> list[tuple[str, str]]:
    """(verb, particle + verb) for each clause that ends in a separable particle, normalised: ("zieh", "umzieh")
    for "Wir ziehen im Mai um"."""
    found = []
    for clause in _CLAUSE.findall(question):
        words = clause.split()
        if len(words) < 3 or words[-1].lower() not in SEPARABLE_PARTICLES:
            continue
        particle = words[-1].lower()
        for verb in _LOWER_WORD.findall(" ".join(words[1:-1])):
            joined = normalise(particle + verb)
            own = normalise(verb)
            if joined and own:
                found.append((own[0], joined[0]))
    return found


def is_compound_of(term: str, keyword: str) -> bool:
    return len(keyword) >= MIN_PREFIX and term.startswith(keyword) and len(term) - len(keyword) >= MIN_COMPOUND_REST


def is_procedure_step(term: str, keyword: str) -> bool:
    """Whether the compound's last part, after a linking letter or two ("Kindergarten-platz", "Wohnung-s-…"), is a
    step of the first part's service."""
    rest = term[len(keyword):]
    return any(rest[len(link):].startswith(PROCEDURE_HEADS) for link in LINKING if rest.startswith(link))


def names(term: str, keyword: str, *, as_last_part: bool = True) -> bool:
    """Whether a question word names a keyword: the same word, the keyword as the compound's first part, or the
    word as the start of a longer keyword (a short form)."""
    if term == keyword:
        return True
    if is_compound_of(term, keyword) and is_procedure_step(term, keyword):
        return True
    # The question's word is the last part of the keyword: a "Genehmigung" may be the "Baugenehmigung" (the vote is
    # shared among every article whose keyword ends so).
    if (as_last_part and len(term) >= MIN_HEAD and keyword.endswith(term)
            and len(keyword) - len(term) >= MIN_COMPOUND_REST):
        return True
    return len(term) >= MIN_PREFIX + 1 and keyword.startswith(term)


@dataclass(frozen=True)
class ArticleEvidence:
    keyword_weight: float  # specificity of the keywords the question names (0: none)
    coverage: float  # share of the question's topic words (idf-weighted) found in the article
    unknown_noun: bool = False  # the question names a thing no article mentions ("Bienenstock")
    specificity: float = 0.0  # idf of the rarest word that fully names one of its keywords ("Lastenzuschuss")
    editor_named: bool = False  # a noun of the question fully names a keyword its editor gave it (not a title word)


@dataclass
class EvidenceIndex:
    """Keywords and vocabulary of every article of one index version."""

    keywords: dict[str, list[tuple[str, ...]]]  # article id -> normalised keywords (multi-word ones as tuples)
    vocabulary: dict[str, frozenset[str]]  # article id -> normalised words of title, keywords, questions, text
    all_words: frozenset[str] = field(default_factory=frozenset)
    document_frequency: dict[str, int] = field(default_factory=dict)
    editor_keywords: dict[str, frozenset[tuple[str, ...]]] = field(default_factory=dict)  # `keywords:` only

    @classmethod
    def build(cls, articles: list[Article], lexical_text) -> "EvidenceIndex":
        keywords: dict[str, list[tuple[str, ...]]] = {}
        vocabulary: dict[str, frozenset[str]] = {}
        editor_keywords: dict[str, frozenset[tuple[str, ...]]] = {}
        for article in articles:
            entries = [tuple(normalise(keyword)) for keyword in article.keywords]
            editor_keywords[article.id] = frozenset(entry for entry in entries if entry)
            entries += [(term,) for term in normalise(article.title)
                        if term not in GENERIC and term not in NAME_PARTS and len(term) >= MIN_PREFIX]
            keywords[article.id] = [entry for entry in dict.fromkeys(entries) if entry]
            vocabulary[article.id] = frozenset(normalise(lexical_text(article)))
        frequency: dict[str, int] = {}
        for words in vocabulary.values():
            for word in words:
                frequency[word] = frequency.get(word, 0) + 1
        return cls(keywords, vocabulary, frozenset(frequency), frequency, editor_keywords)

    def _naming_strength(self, term: str, keyword: str) -> float:
        """1 when the question's word is the keyword or a compound starting with it; 0.5 when it is only the
        keyword's last part or a short form of it (a "Reisepass" question names the Kinderreisepass too, less);
        0 when it does not name it."""
        if term == keyword:
            return 1.0
        if is_compound_of(term, keyword):
            # A German compound is a kind of its last part: a "Wohngeldantrag" is about Wohngeld, a "Wahlplakat" is
            # a poster, not the postal vote. The keyword as first part names the article fully only when the rest
            # is a word of procedure or the articles use the whole compound themselves.
            if term in self.all_words or is_procedure_step(term, keyword):
                return 1.0
            return MODIFIER_ONLY
        # A question word that is an ordinary word of the articles ("zweiter") is no short form of a longer
        # keyword ("Zweitwohnung"); one that is not ("Perso") may be. Only a word the articles use on its own is
        # the last part of a compound keyword ("Genehmigung" of "Baugenehmigung"; "erzählen" merely ends like
        # "Wasserzähler").
        known = term in self.all_words
        if not known and names(term, keyword, as_last_part=False):
            return 0.5
        if known and names(term, keyword) and not keyword.startswith(term):
            return 0.5
        return 0.0

    def __post_init__(self) -> None:
        # What one word names depends only on the word and this index version, and citizens use the same words
        # again and again: each word is compared with every keyword and the vocabulary once, not on every question
        # (this lexical reading is on the answer's critical path, after the query's vector).
        self._article_order = {article_id: position for position, article_id in enumerate(self.keywords)}
        self._namings_of = lru_cache(maxsize=WORD_CACHE_SIZE)(self._namings)
        self._known = lru_cache(maxsize=WORD_CACHE_SIZE)(self._known_uncached)
        self._in_vocabulary = lru_cache(maxsize=8 * WORD_CACHE_SIZE)(self._in_vocabulary_uncached)

    def _namings(self, term: str) -> tuple[tuple[str, int, int, float], ...]:
        """Every keyword part `term` names: (article id, keyword index, part index, strength)."""
        return tuple(
            (article_id, entry_index, part_index, strength)
            for article_id, entries in self.keywords.items()
            for entry_index, entry in enumerate(entries)
            for part_index, part in enumerate(entry)
            if (strength := self._naming_strength(term, part)) > 0
        )

    def naming_terms(self, terms: list[str]) -> dict[str, dict[str, float]]:
        """Article id -> the question words that name one of its keywords (all words of a multi-word keyword),
        each with the strength it names it with."""
        position = {term: index for index, term in reversed(list(enumerate(terms)))}
        parts_named: dict[tuple[str, int], dict[int, dict[str, float]]] = {}
        for term in position:
            for article_id, entry_index, part_index, strength in self._namings_of(term):
                parts_named.setdefault((article_id, entry_index), {}).setdefault(part_index, {})[term] = strength
        found: dict[str, dict[str, float]] = {}
        # In the order of the articles, their keywords, the parts and the question's words, as a scan of every
        # keyword would find them: the sums over these dicts then add up in the same order.
        for article_id, entry_index in sorted(parts_named, key=lambda key: (self._article_order[key[0]], key[1])):
            parts = parts_named[(article_id, entry_index)]
            if len(parts) < len(self.keywords[article_id][entry_index]):
                continue
            named = found.setdefault(article_id, {})
            for part_index in sorted(parts):
                for term in sorted(parts[part_index], key=position.__getitem__):
                    named[term] = max(named.get(term, 0.0), parts[part_index][term])
        return found

    def _in_vocabulary_uncached(self, term: str, article_id: str) -> bool:
        return self._knows(term, self.vocabulary.get(article_id, frozenset()))

    @staticmethod
    def _knows(term: str, words: frozenset[str]) -> bool:
        if term in words:
            return True
        return any(names(term, word) for word in words if len(word) >= MIN_PREFIX)

    def _idf(self, term: str) -> float:
        count = self.document_frequency.get(term, 0)
        return math.log(1 + (len(self.vocabulary) + 1) / (count + 1))

    def question_terms(self, question: str) -> tuple[list[str], set[str]]:
        """The question's topic words and, of them, its nouns; read with the articles' vocabulary: street names
        dropped, a hyphenated compound whose first part no article knows kept whole (a "Kiosk-Konzession" is no
        Gaststätten-Konzession, as a "Bibliotheksausweis" is no Personalausweis), a separable verb rejoined with its
        particle when the articles know the whole verb ("melde … ab" → abmelden)."""
        terms = topic_terms(question)
        nouns = noun_terms(question)
        addresses = address_terms(question)
        terms = [term for term in terms if term not in addresses]
        nouns -= addresses | TIMES
        for first, last in _HYPHENATED.findall(question):
            first_terms, last_terms = normalise(first), normalise(last)
            if not first_terms or not last_terms or any(self._known(term) for term in first_terms):
                continue
            whole = normalise(first + last)
            parts = set(first_terms) | set(last_terms)
            terms = [term for term in terms if term not in parts] + [t for t in whole if t not in terms]
            nouns = (nouns - parts) | set(whole)
        for verb, joined in separable_verbs(question):
            # Also for a verb too generic to name a topic alone: "melde … ab" is abmelden.
            if joined not in terms and self._known_exactly(joined):
                terms = [joined if term == verb else term for term in terms] if verb in terms else [*terms, joined]
        return terms, nouns

    def _known_exactly(self, term: str) -> bool:
        return term in self.all_words or any(term in entry for entries in self.keywords.values() for entry in entries)

    def evidence(self, question: str, article_ids: list[str]) -> dict[str, ArticleEvidence]:
        terms, nouns = self.question_terms(question)
        naming = self.naming_terms(terms)
        # A word that names keywords of many articles ("Umzug", "anmelden") says less than one that names a keyword
        # of this article only ("Halteverbot"): each word's vote is shared among the articles it names.
        sharing = {term: sum(named.get(term, 0.0) for named in naming.values()) for term in terms}
        weights = {term: self._idf(term) for term in terms}
        total = sum(weights.values())
        unknown_noun = any(not self._known(term) for term in nouns if term in terms)
        result = {}
        for article_id in article_ids:
            covered = sum(weight for term, weight in weights.items() if self._in_vocabulary(term, article_id))
            result[article_id] = ArticleEvidence(
                # A word's vote, shared among the articles it names, counts as surely as the word names this one.
                keyword_weight=min(MAX_KEYWORD_WEIGHT, sum(strength * strength / sharing[term] for term, strength
                                                           in naming.get(article_id, {}).items())),
                coverage=covered / total if total else 0.0,
                unknown_noun=unknown_noun,
                specificity=max((self._idf(term) for term, strength in naming.get(article_id, {}).items()
                                 if strength >= 1.0), default=0.0),
                editor_named=self._names_editor_keyword([term for term in terms if term in nouns], article_id),
            )
        return result

    def _names_editor_keyword(self, terms: list[str], article_id: str) -> bool:
        return any(all(any(self._naming_strength(term, part) >= 1.0 for term in terms) for part in entry)
                   for entry in self.editor_keywords.get(article_id, ()))

    def _known_uncached(self, term: str) -> bool:
        return self._knows(term, self.all_words)

    def has_lexical_evidence(self, question: str, language: str = "de") -> bool:
        """Whether words can speak for an article: not for a question in another language or script than the
        articles' German (an English question shares "ID" or "Pass" with them by chance, not by meaning)."""
        return language == "de" and not _OTHER_SCRIPT.search(question)
