"""Words of a question in English, Turkish, Ukrainian or Arabic that the editors' translation of an article uses.

The articles are German; a question in another language is matched by meaning alone (the embedding), and the German
words cannot speak for an article. The editors' translations (`translations:` title and summary, knowledge/
articles.py) can: a question about lost keys shares "lost" with "Lost and found office", one about a licence from
abroad shares "driving licence" with "Exchanging a driving licence". A word counts by how rare it is among the
translations of that language (idf): "office" or "apply" say little, "licence" much.

Words are compared by their first letters (a crude stem that holds across inflection in all four languages:
"certified"/"certify", "ehliyet"/"ehliyetimi", "документи"/"документів"), after dropping the Arabic article and
conjunction prefixes.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knowledge.articles import Article

LANGUAGES = ("en", "tr", "uk", "ar")
_WORD = re.compile(r"[^\W\d_]+")
# Letters two words must share from their start to count as the same word.
STEM_LETTERS = {"en": 5, "tr": 5, "uk": 5, "ar": 4}
MIN_LETTERS = {"en": 4, "tr": 4, "uk": 4, "ar": 3}
_ARABIC_PREFIXES = ("وال", "بال", "فال", "لل", "ال", "و")
# Function words long enough to pass MIN_LETTERS that every translation uses.
STOPWORDS = {
    "en": frozenset("""what when where which with from that this have your there their they them then than will would
        could should about after before into need does doing done just also some other more most here only over such
        very much many want like know help please tell city town""".split()),
    "tr": frozenset("""nasıl nerede neden nereye hangi için gibi daha çok kadar sonra önce veya ancak şehir bana benim
        istiyorum lazım gerekiyor yapmam yapabilirim olarak olan""".split()),
    "uk": frozenset("""який яка яке які коли чому щоб мені мене можна потрібно треба місто міста якщо після перед
        також дуже тому цього цей через""".split()),
    "ar": frozenset("""ماذا كيف متى أين هل التي الذي يمكنني يجب على إلى عن مع بعد قبل المدينة""".split()),
}


def stems(text: str, language: str) -> list[str]:
    size, minimum = STEM_LETTERS.get(language, 5), MIN_LETTERS.get(language, 4)
    found = []
    for word in _WORD.findall(text.casefold()):
        if word in STOPWORDS.get(language, ()):
            continue
        if language == "ar":
            for prefix in _ARABIC_PREFIXES:
                if word.startswith(prefix) and len(word) - len(prefix) >= minimum:
                    word = word[len(prefix):]
                    break
        if len(word) >= minimum:
            found.append(word[:size])
    return found


@dataclass
class TranslationEvidence:
    """Per language: article id -> stems of its translation's title and summary, and each stem's idf."""

    stems_of: dict[str, dict[str, frozenset[str]]] = field(default_factory=dict)
    idf: dict[str, dict[str, float]] = field(default_factory=dict)

    @classmethod
    def build(cls, articles: list["Article"]) -> "TranslationEvidence":
        stems_of: dict[str, dict[str, frozenset[str]]] = {}
        idf: dict[str, dict[str, float]] = {}
        for language in LANGUAGES:
            by_article = {}
            for article in articles:
                translation = article.translations.get(language)
                if translation is not None:
                    by_article[article.id] = frozenset(
                        stems(f"{translation.title} {translation.summary or ''}", language))
            frequency: dict[str, int] = {}
            for words in by_article.values():
                for word in words:
                    frequency[word] = frequency.get(word, 0) + 1
            stems_of[language] = by_article
            idf[language] = {word: math.log((len(by_article) + 1) / (count + 0.5)) for word, count in frequency.items()}
        return cls(stems_of, idf)

    def weights(self, question: str, language: str, article_ids: list[str]) -> dict[str, float]:
        """Article id -> the summed idf of the question's words its translation uses (0 without a translation)."""
        by_article = self.stems_of.get(language)
        if not by_article:
            return {article_id: 0.0 for article_id in article_ids}
        idf = self.idf[language]
        words = set(stems(question, language))
        return {article_id: sum(idf[word] for word in words & by_article.get(article_id, frozenset()))
                for article_id in article_ids}
