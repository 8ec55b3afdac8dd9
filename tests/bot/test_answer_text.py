"""The words of an answer (bot/actions/answer_text.py): short answer, the asked section as a list, nothing cut
mid-item; wrapped editor lines joined."""

from __future__ import annotations

from knowledge.articles import Section

from bot.actions.answer_text import section_markdown, short_answer


def test_short_answer_keeps_two_sentences() -> None:
    summary = "Erster Satz mit 37,00 €. Zweiter Satz? Dritter Satz. Vierter."
    assert short_answer(summary) == "Erster Satz mit 37,00 €. Zweiter Satz?"


def test_wrapped_list_items_and_paragraphs_are_joined() -> None:
    section = Section(heading="Unterlagen", text="- Ihr Ausweis oder\n  Reisepass\n- ein Foto\n\nDas Foto machen\nwir vor Ort.")
    assert section_markdown(section, 400) == (
        "**Unterlagen**\n- Ihr Ausweis oder Reisepass\n- ein Foto\nDas Foto machen wir vor Ort."
    )


def test_numbered_lists_and_inline_label_lists() -> None:
    numbered = Section(heading="Ablauf", text="1. Termin buchen\n2) Vorsprechen")
    assert section_markdown(numbered, 400) == "**Ablauf**\n1. Termin buchen\n2. Vorsprechen"
    inline = Section(heading="Kosten", text="Kosten: - ab 24 Jahren 37 € - unter 24 Jahren 22,80 €")
    assert section_markdown(inline, 400) == "**Kosten**\nKosten:\n- ab 24 Jahren 37 €\n- unter 24 Jahren 22,80 €"


def test_a_long_section_ends_after_a_whole_item_or_sentence() -> None:
    items = Section(heading="Kosten", text="\n".join(f"- Posten {n} kostet {n},00 €" for n in range(40)))
    shown = section_markdown(items, 120).splitlines()
    assert shown[0] == "**Kosten**" and all(line.endswith("€") for line in shown[1:]) and len(shown) < 41
    prose = Section(heading="Hinweise", text="Ein Satz. " * 30 + "Ende ohne Punkt")
    assert section_markdown(prose, 100).endswith("Ein Satz.")
