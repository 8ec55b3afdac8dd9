"""The knowledge base's sample questions become NLU examples (bot/knowledge_examples.py)."""

from __future__ import annotations

from pathlib import Path

from bot import knowledge_examples
from bot.knowledge_examples import nlu_examples
from handover.shell.settings import Settings


def test_committed_examples_match_the_articles() -> None:
    """`make train` regenerates the file; the committed copy must be what the articles give."""
    expected = knowledge_examples.render(Settings().articles_dir)
    assert knowledge_examples.OUTPUT.read_text(encoding="utf-8") == expected


def test_sample_questions_go_to_their_intent_once_and_without_entity_markup(tmp_path: Path) -> None:
    from tests.knowledge.conftest import OFFICES, write_article

    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "_offices.yml").write_text(OFFICES, encoding="utf-8")
    write_article(articles, "hundesteuer", questions=["Wie hoch ist die Hundesteuer?", "Muss ich [meinen] Hund anmelden?",
                                                     "Hallo"])
    write_article(articles, "maengelmelder", questions=["Die Laterne ist kaputt", "Wo melde ich Müll im Park?",
                                                        "Wie hoch ist die Hundesteuer?"])
    data = tmp_path / "data"
    data.mkdir()
    (data / "nlu.yml").write_text('version: "3.1"\nnlu:\n  - intent: greet\n    examples: |\n      - hallo\n',
                                  encoding="utf-8")
    output = data / "knowledge_questions.yml"
    assert knowledge_examples.write(articles, output) is True
    assert knowledge_examples.write(articles, output) is False  # unchanged: not rewritten, no retraining
    assert nlu_examples(output.read_text(encoding="utf-8")) == {
        "ask_question": ["Wie hoch ist die Hundesteuer?", "Muss ich (meinen) Hund anmelden?"],
        "report_defect": ["Die Laterne ist kaputt", "Wo melde ich Müll im Park?"],
    }
