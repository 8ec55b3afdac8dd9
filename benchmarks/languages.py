"""Questions in other languages than German (issue 14): is the language detected, and does the knowledge search reach
the right article? Runs the real detection and the real index in-process (no Rasa: the NLU's part is measured by the
bot tests); prints per language the detection rate, the share answered with the right article ("answer") and the
share where it is at least offered ("answer" or "Meinen Sie …?").

Questions: benchmarks/data/languages_own.jsonl (our own, ten per language; never from ../shared/eval). Usage:
    .venv/bin/python -m benchmarks.languages [--questions FILE] [--out benchmarks/results/languages.json]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path

from bot.actions.language_detection import follow_language
from handover.shell.settings import get_settings
from knowledge.service import KnowledgeService, Thresholds

QUESTIONS = Path(__file__).resolve().parent / "data" / "languages_own.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    settings = get_settings()
    service = KnowledgeService(
        articles_dir=settings.articles_dir, index_dir=settings.resolved_index_dir, model_name=settings.embedding_model,
        thresholds=Thresholds(answer=settings.answer_threshold, clarify=settings.clarify_threshold,
                              margin=settings.answer_margin),
        ann_min_chunks=settings.ann_min_chunks,
    )
    service.load()
    rows = [json.loads(line) for line in args.questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    misses = []
    started = time.perf_counter()
    for row in rows:
        language, question, expected = row["language"], row["question"], row["article"]
        counts = totals[language]
        counts["questions"] += 1
        # The widget stays German: the language must come from the question itself.
        detected = follow_language([(question, "de")], "de")
        counts["language_detected"] += detected == language
        result = service.search(question, top_k=3, language=detected)
        top = result.hits[0].article.id if result.hits else None
        answered = result.decision == "answer" and top == expected
        offered = answered or (result.decision == "clarify" and expected in {h.article.id for h in result.hits[:3]})
        counts["right_article_answered"] += answered
        counts["right_article_offered"] += offered
        if not answered:
            misses.append({"language": language, "question": question, "expected": expected,
                           "decision": result.decision, "top": top, "detected": detected})
    report = {
        "questions": str(args.questions),
        "seconds": round(time.perf_counter() - started, 1),
        "per_language": {
            language: {**counts, **{f"{key}_rate": round(counts[key] / counts["questions"], 3)
                                    for key in ("language_detected", "right_article_answered", "right_article_offered")}}
            for language, counts in sorted(totals.items())
        },
        "misses": misses,
    }
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
