from __future__ import annotations

from datetime import date

from knowledge.articles import Article, Office, Section
from knowledge.chunking import MAX_SECTION_CHARS, chunk_article, chunks_fingerprint


def _article(**overrides) -> Article:
    fields = dict(
        id="reisepass", title="Reisepass beantragen", summary="Den Reisepass beantragen Sie im Bürgerbüro.",
        office=Office(key="b", name="Bürgerbüro", department="buergerbuero"), updated=date(2026, 1, 1),
        questions=["Wie bekomme ich einen Reisepass?", "Was kostet ein Pass?", "Wie lange dauert der Pass?"],
        sections=[Section(heading="Kosten", text="70 Euro."), Section(heading="Ablauf", text="Termin buchen.")],
    )
    return Article(**{**fields, **overrides})


def test_chunks_cover_title_summary_sections_and_questions() -> None:
    chunks = chunk_article(_article())
    assert [(c.kind, c.text) for c in chunks] == [
        ("title", "Reisepass beantragen"),
        ("summary", "Reisepass beantragen. Den Reisepass beantragen Sie im Bürgerbüro."),
        ("section", "Reisepass beantragen – Kosten: 70 Euro."),
        ("section", "Reisepass beantragen – Ablauf: Termin buchen."),
        ("question", "Wie bekomme ich einen Reisepass?"),
        ("question", "Was kostet ein Pass?"),
        ("question", "Wie lange dauert der Pass?"),
    ]
    assert [c.section_index for c in chunks if c.kind == "section"] == [0, 1]
    assert [c.embed_as_query for c in chunks] == [False] * 4 + [True] * 3


def test_long_sections_are_split_at_paragraphs() -> None:
    paragraph = "Ein Satz über Fristen und Gebühren. " * 12
    text = "\n\n".join([paragraph.strip()] * 5)
    chunks = [c for c in chunk_article(_article(sections=[Section(heading="Fristen", text=text)])) if c.kind == "section"]
    assert len(chunks) >= 3
    assert all(len(c.text) <= MAX_SECTION_CHARS + len("Reisepass beantragen – Fristen: ") for c in chunks)
    assert all(c.section_index == 0 for c in chunks)


def test_fingerprint_changes_only_with_embedded_text() -> None:
    base = _article()
    assert chunks_fingerprint(chunk_article(base)) == chunks_fingerprint(chunk_article(base.model_copy(update={"updated": date(2027, 1, 1)})))
    assert chunks_fingerprint(chunk_article(base)) != chunks_fingerprint(chunk_article(base.model_copy(update={"summary": "Neu."})))


def test_plain_records_become_one_text_section() -> None:
    article = Article.from_plain("faq-1", "Wie lange dauert die Inkubationszeit?", "Bis zu 14 Tage.")
    assert [(c.kind, c.text) for c in chunk_article(article)] == [
        ("title", "Wie lange dauert die Inkubationszeit?"),
        ("section", "Wie lange dauert die Inkubationszeit? Bis zu 14 Tage."),
    ]
