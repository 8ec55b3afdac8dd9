"""The words of an answer: a short answer first (at most two sentences), then the asked section as a real Markdown
list. Source, Stand and office are not repeated in the text: the widget shows them once, on the card.

Rasa's REST channel splits a text at blank lines into separate messages, so lines are joined with single newlines.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.actions.texts import say

if TYPE_CHECKING:
    from knowledge.articles import Article, Section, Translation

SHORT_ANSWER_SENTENCES = 2
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ0-9„\"])")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
# A label followed by an inline list ("Kosten: - ab 24 Jahren … - unter 24 …") is split into its items.
_INLINE_ITEMS = re.compile(r"\s+-\s+(?=\S)")
# Editors' translations (Arabic has no capitals, Ukrainian and Turkish others than German): any sentence end.
_ANY_SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+(?=\S)")


def short_answer(summary: str, sentences: int = SHORT_ANSWER_SENTENCES) -> str:
    parts = _SENTENCE_END.split(" ".join(summary.split()))
    return " ".join(parts[:sentences]).strip()


def section_markdown(section: "Section", max_chars: int) -> str:
    """The section as Markdown: its heading in bold on a line of its own, lists as lists, nothing cut mid-item.

    The article's lines are wrapped for editors; they are joined into whole list items and paragraphs first. A long
    section is shortened after the last whole item or paragraph within `max_chars` (a first one that is longer on
    its own at its last sentence end); the widget's "Mehr anzeigen" shows the whole article.
    """
    kept: list[str] = []
    length = 0
    for block in _blocks(section.text):
        if kept and length + len(block) > max_chars:
            break
        if not kept and len(block) > max_chars:
            block = _cut_at_sentence(block, max_chars)
        kept.append(block)
        length += len(block) + 1
    return "\n".join([f"**{section.heading}**", *kept])


def _blocks(text: str) -> list[str]:
    """List items (with their continuation lines) and paragraphs, each on one line; "Kosten: - a - b" as a list."""
    blocks: list[str] = []
    current: list[str] = []

    def close() -> None:
        if current:
            blocks.append(" ".join(current))
            current.clear()

    for raw in text.strip().splitlines():
        line = raw.strip()
        if not line:
            close()
            continue
        if _LIST_ITEM.match(line):
            close()
            current.append(_LIST_ITEM.sub(_marker(line), line))
        elif not current and _INLINE_ITEMS.search(line) and ":" in line.split(" - ", 1)[0]:
            label, *items = _INLINE_ITEMS.split(line)
            blocks.append(label.strip())
            blocks.extend(f"- {item.strip()}" for item in items)
        else:
            current.append(line)
    close()
    return blocks


def _marker(line: str) -> str:
    match = re.match(r"^\s*(\d+[.)])\s+", line)
    return f"{match.group(1)[:-1]}. " if match else "- "


def _cut_at_sentence(text: str, max_chars: int) -> str:
    cut = text[:max_chars]
    boundary = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
    return cut[: boundary + 1] if boundary > 0 else cut.rsplit(" ", 1)[0] + " …"


def translated(article: "Article", language: str) -> "Translation | None":
    """The editors' translation of the article into the conversation's language (None for German or none)."""
    return article.translation(language) if language != "de" else None


def localized_title(article: "Article", language: str) -> str:
    translation = translated(article, language)
    return translation.title if translation else article.title


def _summary_and_section(
    article: "Article", section: "Section | None", language: str, max_chars: int, sentences: int
) -> tuple[str, str, bool]:
    """Short answer and section in the citizen's language where the editors translated them, and whether German
    text is shown (then the citizen is told in their language that the official text is German)."""
    translation = translated(article, language)
    if translation is None:
        summary, german = short_answer(article.summary, sentences), language != "de"
    else:
        parts = _ANY_SENTENCE_END.split(" ".join(translation.summary.split()))
        summary, german = " ".join(parts[:sentences]).strip(), False
    body = ""
    if section is not None and section.text.strip():
        own = next((item for item in translation.sections if item.heading == section.heading), None) \
            if translation is not None else None
        body = section_markdown(own or section, max_chars)
        german = german or (own is None and language != "de")
    return summary, body, german


def service_answer(
    article: "Article", section: "Section | None", language: str, max_chars: int, *, leichte_sprache: bool = False
) -> str:
    # Leichte Sprache (the citizen switched it on): the editors' text replaces summary and section; it is German, so
    # a translation into the citizen's language goes first where there is one.
    if leichte_sprache and article.leichte_sprache and translated(article, language) is None:
        lines = [article.leichte_sprache.strip()]
        if language != "de":
            lines.append(say("german_only", language))
        return "\n".join(lines)
    summary, body, german = _summary_and_section(article, section, language, max_chars, SHORT_ANSWER_SENTENCES)
    lines = [summary, body]
    if german:
        lines.append(say("german_only", language))
    return "\n".join(line for line in lines if line)


def referral_answer(article: "Article", section: "Section | None", language: str, max_chars: int) -> str:
    """Another body is responsible: say so first, then how to reach it (the card carries the contact details)."""
    lines = [say("referral_lead", language, name=article.office.name)]
    summary, body, german = _summary_and_section(article, section, language, max_chars, 3)
    # The editors' summary usually opens with the same statement; say it once.
    first, _, rest = summary.partition(". ")
    lines.append(rest if "zuständig" in first and rest else summary)
    lines.append(body)
    if german:
        lines.append(say("german_only", language))
    return "\n".join(line for line in lines if line)
