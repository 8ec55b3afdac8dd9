"""The words of an answer: a short answer first (at most two sentences), then the asked section as a real Markdown
list. Source, Stand and office are not repeated in the text: the widget shows them once, on the card.

Rasa's REST channel splits a text at blank lines into separate messages, so lines are joined with single newlines.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.actions.texts import say

if TYPE_CHECKING:
    from knowledge.articles import Article, Office, Section

SHORT_ANSWER_SENTENCES = 2
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ0-9„\"])")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
# A label followed by an inline list ("Kosten: - ab 24 Jahren … - unter 24 …") is split into its items.
_INLINE_ITEMS = re.compile(r"\s+-\s+(?=\S)")


def short_answer(summary: str, sentences: int = SHORT_ANSWER_SENTENCES) -> str:
    parts = _SENTENCE_END.split(" ".join(summary.split()))
    return " ".join(parts[:sentences]).strip()


def section_markdown(section: "Section", max_chars: int) -> str:
    """The section as Markdown: its heading in bold on a line of its own, lists as lists, nothing cut mid-item.

    A long section is shortened at the last whole line (or sentence) within `max_chars`; the widget's
    "Mehr anzeigen" shows the rest of the article.
    """
    lines = []
    for raw in section.text.strip().splitlines():
        line = raw.rstrip()
        if not line.strip():
            continue
        if not _LIST_ITEM.match(line) and _INLINE_ITEMS.search(line) and ":" in line.split(" - ", 1)[0]:
            label, *items = _INLINE_ITEMS.split(line)
            lines.append(label.strip())
            lines.extend(f"- {item.strip()}" for item in items)
        else:
            lines.append(line.strip() if not _LIST_ITEM.match(line) else _LIST_ITEM.sub(_marker(line), line))
    kept, length = [], 0
    for line in lines:
        if kept and length + len(line) > max_chars:
            break
        if not kept and len(line) > max_chars:
            line = _cut_at_sentence(line, max_chars)
        kept.append(line)
        length += len(line) + 1
    return "\n".join([f"**{section.heading}**", *kept])


def _marker(line: str) -> str:
    match = re.match(r"^\s*(\d+[.)])\s+", line)
    return f"{match.group(1)[:-1]}. " if match else "- "


def _cut_at_sentence(text: str, max_chars: int) -> str:
    cut = text[:max_chars]
    boundary = cut.rfind(". ")
    return cut[: boundary + 1] if boundary > max_chars // 3 else cut.rsplit(" ", 1)[0]


def service_answer(article: "Article", section: "Section | None", language: str, max_chars: int) -> str:
    lines = [short_answer(article.summary)]
    if section is not None and section.text.strip():
        lines.append(section_markdown(section, max_chars))
    if language != "de":
        lines.append(say("german_only", language))
    return "\n".join(line for line in lines if line)


def referral_answer(article: "Article", section: "Section | None", language: str, max_chars: int) -> str:
    """Another body is responsible: say so first, then how to reach it (the card carries the contact details)."""
    lines = [say("referral_lead", language, name=article.office.name)]
    summary = short_answer(article.summary, sentences=3)
    # The editors' summary usually opens with the same statement; say it once.
    first, _, rest = summary.partition(". ")
    lines.append(rest if "zuständig" in first and rest else summary)
    if section is not None and section.text.strip():
        lines.append(section_markdown(section, max_chars))
    if language != "de":
        lines.append(say("german_only", language))
    return "\n".join(line for line in lines if line)


def contact_line(office: "Office | None", language: str) -> str:
    """The city's general contact for questions the bot cannot answer."""
    if office is None:
        return ""
    parts = [office.name]
    if office.phone:
        parts.append(say("office_phone", language, phone=office.phone))
    if office.service_number:
        parts.append(say("service_number", language, number=office.service_number))
    return say("general_contact", language, contact=", ".join(parts))
