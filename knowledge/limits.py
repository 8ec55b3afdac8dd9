"""Size limits per article: what the index accepts, and the German error an editor sees otherwise.

A chat answer shows one section, and every character of a new article is embedded (about 0.75 ms per token,
roughly 0.2 ms per character, on the 2-core reference machine). Without limits, one pasted law text of 5 MB
would keep a core busy for half an hour. The defaults leave three to ten times what the longest demo article
uses (body 1 858 characters, section 1 191, 7 sections, summary 382, 9 questions; docs/articles.md lists
them); a longer text belongs in several articles, which also answers better.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel


class ArticleLimits(BaseModel):
    """Limits of one article file. Characters are counted after decoding, bytes on disk."""

    max_file_bytes: int = 64 * 1024
    max_body_chars: int = 20_000
    max_section_chars: int = 5_000
    max_sections: int = 30
    max_summary_chars: int = 1_000
    max_questions: int = 30


DEFAULT_LIMITS = ArticleLimits()


@dataclass(frozen=True)
class LimitExceeded:
    field: str
    message: str
    line: int | None = None


def _size(count: int, unit: str) -> str:
    """'5,0 MB', '64 KB', '20.000 Zeichen': German number formatting for editors."""
    if unit == "bytes":
        if count >= 1024 * 1024:
            return f"{count / (1024 * 1024):.1f} MB".replace(".", ",")
        return f"{count / 1024:.0f} KB" if count >= 1024 else f"{count} Bytes"
    return f"{count:,} Zeichen".replace(",", ".")


def file_too_big(size: int, limits: ArticleLimits) -> LimitExceeded | None:
    if size <= limits.max_file_bytes:
        return None
    return LimitExceeded(
        "file",
        f"ist zu groß: {_size(size, 'bytes')} (höchstens {_size(limits.max_file_bytes, 'bytes')} je Artikel); "
        "bitte auf mehrere Artikel aufteilen",
    )


def body_too_long(length: int, limits: ArticleLimits, line: int) -> LimitExceeded | None:
    if length <= limits.max_body_chars:
        return None
    return LimitExceeded(
        "body",
        f"Text ist zu lang: {_size(length, 'chars')} (höchstens {_size(limits.max_body_chars, 'chars')}); "
        "bitte auf mehrere Artikel aufteilen",
        line,
    )


def section_too_long(heading: str, length: int, limits: ArticleLimits, line: int) -> LimitExceeded | None:
    if length <= limits.max_section_chars:
        return None
    return LimitExceeded(
        "body",
        f"Abschnitt '{heading}' ist zu lang: {_size(length, 'chars')} "
        f"(höchstens {_size(limits.max_section_chars, 'chars')}); bitte mit '## Überschrift' unterteilen",
        line,
    )


def too_many_sections(count: int, limits: ArticleLimits, line: int) -> LimitExceeded | None:
    if count <= limits.max_sections:
        return None
    return LimitExceeded(
        "body", f"zu viele Abschnitte: {count} (höchstens {limits.max_sections}); bitte auf mehrere Artikel aufteilen", line
    )


def summary_too_long(length: int, limits: ArticleLimits, line: int | None) -> LimitExceeded | None:
    if length <= limits.max_summary_chars:
        return None
    return LimitExceeded(
        "summary",
        f"ist zu lang: {_size(length, 'chars')} (höchstens {_size(limits.max_summary_chars, 'chars')}); "
        "die Zusammenfassung ist die kurze Antwort in 2–3 Sätzen",
        line,
    )


def too_many_questions(count: int, limits: ArticleLimits, line: int | None) -> LimitExceeded | None:
    if count <= limits.max_questions:
        return None
    return LimitExceeded(
        "questions", f"zu viele Beispielfragen: {count} (höchstens {limits.max_questions})", line
    )
