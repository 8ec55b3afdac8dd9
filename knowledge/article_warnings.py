"""What `knowledge check` reports as a warning: the article is served, but an editor should look at it.

- Incomplete translations: an article that has translations but not in every language of TRANSLATION_LANGUAGES,
  or a translation whose sections leave out some of the article's sections it started to translate.
- Leichte Sprache (rules of the Netzwerk Leichte Sprache): short sentences with one statement each, long words
  split with a hyphen ("Personal-Ausweis"). A sentence of more than MAX_WORDS words or a word of more than
  MAX_WORD_LETTERS letters without a hyphen is reported with the line it starts in.
"""

from __future__ import annotations

import re

from knowledge.articles import TRANSLATION_LANGUAGES, Article, ArticleError

MAX_WORDS = 15
MAX_WORD_LETTERS = 20
_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+|\n+")
_WORD = re.compile(r"[\w'’-]+")


def translation_warnings(article: Article) -> list[ArticleError]:
    if not article.translations:
        return []
    warnings = []
    missing = [language for language in TRANSLATION_LANGUAGES if language not in article.translations]
    if missing:
        warnings.append(ArticleError(path=article.path, field="translations",
                                     message=f"unvollständig: keine Übersetzung für {', '.join(missing)}"))
    headings = {section.heading for section in article.sections}
    for language, translation in article.translations.items():
        unknown = [section.heading for section in translation.sections if section.heading not in headings]
        if unknown:
            warnings.append(ArticleError(
                path=article.path, field=f"translations.{language}.sections",
                message=f"Abschnitt(e) {', '.join(repr(h) for h in unknown)} gibt es im deutschen Text nicht "
                "(die Überschrift muss die deutsche sein)",
            ))
    return warnings


def leichte_sprache_warnings(article: Article) -> list[ArticleError]:
    text = (article.leichte_sprache or "").strip()
    if not text:
        return []
    warnings = []
    for sentence in (part.strip() for part in _SENTENCE_END.split(text)):
        words = _WORD.findall(sentence)
        if len(words) > MAX_WORDS:
            warnings.append(ArticleError(
                path=article.path, field="leichte_sprache",
                message=f"Satz zu lang für Leichte Sprache ({len(words)} Wörter, höchstens {MAX_WORDS}): "
                f"„{sentence[:60]}…“",
            ))
        long_words = [word for word in words if len(word) > MAX_WORD_LETTERS and "-" not in word]
        if long_words:
            warnings.append(ArticleError(
                path=article.path, field="leichte_sprache",
                message=f"langes Wort ohne Bindestrich: „{long_words[0]}“ (in Leichter Sprache trennen, "
                "zum Beispiel „Personal-Ausweis“)",
            ))
    return warnings


def article_warnings(articles: dict[str, Article]) -> list[ArticleError]:
    warnings: list[ArticleError] = []
    for article in sorted(articles.values(), key=lambda item: item.path):
        warnings += translation_warnings(article) + leichte_sprache_warnings(article)
    return warnings
