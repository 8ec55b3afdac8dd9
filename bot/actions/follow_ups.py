"""Follow-ups keep the topic: "und was kostet das?", "welche Unterlagen brauche ich?", "wo muss ich hin?" after an
answer are about the article just answered — unless the citizen clearly names another topic ("und was kostet ein
Reisepass?"), which is then searched on its own.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from knowledge.decision import STRONG_KEYWORD

if TYPE_CHECKING:
    from knowledge.service import SearchResult

# Words that make a message refer back to the previous topic ("Was kostet das?", "Und für Kinder?").
FOLLOW_UP_OPENERS = ("und ", "aber ", "und wenn", "and ", "what about", "how about", "also ")
FOLLOW_UP_REFERENCES = frozenset({
    "das", "dafür", "dazu", "davon", "dort", "da", "dies", "diese", "dieser", "es", "ihn", "sie", "den", "der",
    "that", "this", "it", "there", "them",
})
# A longer message refers back only with a reference word and an aspect; beyond this it is a question of its own.
MAX_FOLLOW_UP_WORDS = 14
_WORD = re.compile(r"[\wäöüß]+", re.IGNORECASE)


def refers_back(text: str, max_words: int, asks_aspect: bool) -> bool:
    """Whether the wording alone makes the message a follow-up (short, opens with "und", or points back)."""
    words = _WORD.findall(text.lower())
    if not words or len(words) > MAX_FOLLOW_UP_WORDS:
        return False
    points_back = text.lower().startswith(FOLLOW_UP_OPENERS) or any(word in FOLLOW_UP_REFERENCES for word in words)
    if len(words) <= max_words:
        return points_back or asks_aspect
    return points_back and asks_aspect


def names_another_topic(result: "SearchResult", current_id: str) -> bool:
    """The message on its own fits another article and names one of its keywords: a new topic."""
    if result.decision == "no_answer" or not result.hits:
        return False
    best = result.hits[0]
    return best.article.id != current_id and best.keyword >= STRONG_KEYWORD


def is_follow_up(text: str, current_id: str | None, result: "SearchResult", max_words: int) -> bool:
    if current_id is None:
        return False
    return refers_back(text, max_words, result.aspect is not None) and not names_another_topic(result, current_id)
