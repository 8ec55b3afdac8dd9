"""BM25 over whole articles with a German-aware normalisation (umlauts, ß, light suffix stripping).

Scores are normalised by what the query could reach at most (the sum of its terms' saturated weights), so a
lexical score is in [0, 1] and comparable across queries: 1 means every query word occurs often in the
article, 0 that none occurs at all. That is what makes it usable next to cosine similarities in thresholds.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict

import numpy as np

_TOKEN = re.compile(r"[a-z0-9]+")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "è": "e", "à": "a"})
_SUFFIXES = ("ungen", "ung", "en", "er", "es", "em", "e", "n", "s")
STOPWORDS = frozenset(
    """
    aber alle allem allen aller alles als also am an ander andere anderen anderer anderes auch auf aus bei beim bin
    bis bist da damit dann das dass dein deine dem den denn der des dessen die dies diese diesem diesen dieser dieses
    doch dort du durch ein eine einem einen einer eines er es etwas euch euer eure fuer gibt hab habe haben hat hatte
    hier hin ich ihm ihn ihnen ihr ihre im in ist ja jede jedem jeden jeder jedes kann kein keine koennen koennte man
    mein meine meinem meinen meiner mich mir mit muss muessen nach nicht noch nun nur ob oder ohne sehr sein seine
    sich sie sind so soll sollte ueber um und uns unser unter vom von vor war waren was weil welche welchem welchen
    welcher welches wenn wer werde werden wie wieder will wir wird wo woher wohin zu zum zur bzw ca etc gilt darf
    duerfen wann warum wieso weshalb wieviel viele mehr bitte gerne
    """.split()
)


def normalise(text: str) -> list[str]:
    """Lower case, fold umlauts and ß, drop stop words, strip common German inflection suffixes."""
    tokens = []
    for token in _TOKEN.findall(text.lower().translate(_UMLAUTS)):
        if token in STOPWORDS or len(token) < 2:
            continue
        tokens.append(stem(token))
    return tokens


def stem(token: str) -> str:
    if token.isdigit():
        return token
    for suffix in _SUFFIXES:
        if len(token) - len(suffix) >= 4 and token.endswith(suffix):
            return token[: -len(suffix)]
    return token


class BM25:
    def __init__(self, documents: list[list[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.size = len(documents)
        lengths = np.array([len(d) for d in documents], dtype=np.float32)
        average = float(lengths.mean()) if self.size and lengths.mean() > 0 else 1.0
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for doc_index, tokens in enumerate(documents):
            for term, count in Counter(tokens).items():
                postings[term].append((doc_index, count))
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._idf: dict[str, float] = {}
        for term, entries in postings.items():
            docs = np.fromiter((d for d, _ in entries), dtype=np.int64, count=len(entries))
            tf = np.fromiter((c for _, c in entries), dtype=np.float32, count=len(entries))
            norm = k1 * (1 - b + b * lengths[docs] / average)
            self._postings[term] = (docs, tf * (k1 + 1) / (tf + norm))
            self._idf[term] = math.log(1 + (self.size - len(entries) + 0.5) / (len(entries) + 0.5))

    def scores(self, query: str) -> np.ndarray:
        """Normalised BM25 score per document, in [0, 1]."""
        result = np.zeros(self.size, dtype=np.float32)
        terms = set(normalise(query))
        if not terms or not self.size:
            return result
        # An unknown word gets the idf of a word seen once: it counts against the query, as it should.
        unseen_idf = math.log(1 + (self.size - 0.5) / 1.5)
        reachable = 0.0
        for term in terms:
            idf = self._idf.get(term, unseen_idf)
            reachable += idf * (self.k1 + 1)
            posting = self._postings.get(term)
            if posting is not None:
                docs, weights = posting
                result[docs] += idf * weights
        return result / reachable if reachable > 0 else result
