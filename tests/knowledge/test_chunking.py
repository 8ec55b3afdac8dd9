from __future__ import annotations

from datetime import date

from knowledge.articles import Article, Office, Section
from knowledge.chunking import MAX_SECTION_CHARS, text_windows, chunk_article, chunks_fingerprint


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


def _single_paragraph(chars: int) -> str:
    sentence = "Der Antrag wird im Bürgerbüro gestellt und kostet 37 Euro nach der Gebührensatzung. "
    return (sentence * (chars // len(sentence) + 1))[:chars].strip()


def test_a_single_long_paragraph_is_cut_into_windows_whose_count_grows_linearly() -> None:
    counts = {}
    for size in (25_000, 50_000, 100_000, 1_000_000):
        text = _single_paragraph(size)
        windows = text_windows(text)
        counts[size] = len(windows)
        assert all(len(w) <= MAX_SECTION_CHARS for w in windows)
        assert " ".join(windows).split() == text.split()  # every word once, in order, nothing lost
        # Cut at sentence ends: windows are nearly full, so the count is the length over the window size.
        assert size / MAX_SECTION_CHARS <= len(windows) <= size / (MAX_SECTION_CHARS - 90)
    assert counts[50_000] in (2 * counts[25_000] - 1, 2 * counts[25_000], 2 * counts[25_000] + 1)
    assert abs(counts[1_000_000] - 10 * counts[100_000]) <= 10


def test_sentences_and_words_longer_than_a_window_are_cut_too() -> None:
    endless_sentence = " ".join(["Gebühr"] * 1000)  # 6 999 characters, no sentence end
    windows = text_windows(endless_sentence)
    assert all(len(w) <= MAX_SECTION_CHARS for w in windows) and " ".join(windows).split() == endless_sentence.split()
    pasted = "x" * 2000  # no space at all
    assert [len(w) for w in text_windows(pasted)] == [900, 900, 200]


def test_short_paragraphs_are_grouped_as_before() -> None:
    assert text_windows("Erster Absatz.\n\nZweiter Absatz.") == ["Erster Absatz.\n\nZweiter Absatz."]
    long_paragraph = _single_paragraph(1500)
    windows = text_windows(f"Kurz vorweg.\n\n{long_paragraph}\n\nUnd danach.")
    assert windows[0].startswith("Kurz vorweg.\n\nDer Antrag") and windows[-1].endswith("Und danach.")
    assert all(len(w) <= MAX_SECTION_CHARS for w in windows)


def test_a_long_summary_is_windowed_like_a_section() -> None:
    chunks = [c for c in chunk_article(_article(summary=_single_paragraph(2000))) if c.kind == "summary"]
    assert len(chunks) == 3 and all(c.text.startswith("Reisepass beantragen. ") for c in chunks)
