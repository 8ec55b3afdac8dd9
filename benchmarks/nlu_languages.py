"""Does Rasa's NLU understand the core intents in all five languages (issue 14)? Stratified k-fold
cross-validation over the project's own NLU examples (bot/data/*.yml) with the project's pipeline
(bot/config.yml): for each fold, `rasa train nlu` on the other folds and `rasa test nlu` on this one; the
per-example predictions are then split by language and reported per language and core intent.

Every example of every intent is in exactly one test fold, so the other intents (ask_question, chitchat, …) are
the real competitors of the core intents, and a Turkish service question read as a defect report counts against
report_defect's precision. A prediction below the FallbackClassifier's threshold is `nlu_fallback`, as in the bot
(the message then goes to the knowledge search): for a core intent that is a miss.

Language of an example: Arabic or Cyrillic script is ar or uk; other examples in nlu_languages.yml are Turkish,
those in nlu_languages_en.yml English; in the other files, English when bot/actions/language_detection.py or py3langid (restricted to de and en) says so,
German otherwise. Short examples that name no language ("ok", "Hi") count as German: they are German examples.

Bounded to about ten minutes on two cores with the default three folds. Usage:
    .venv/bin/python -m benchmarks.nlu_languages --rasa .venv-rasa/bin/rasa [--folds 3]
        [--out benchmarks/results/nlu_languages.json]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import yaml

from bot.actions.language_detection import LANGUAGES, detect_language

BOT = Path(__file__).resolve().parent.parent / "bot"
CORE_INTENTS = ("greet", "thanks", "affirm", "deny", "request_human", "frustration", "report_defect", "check_status")
MULTILINGUAL_FILE = "nlu_languages.yml"  # Turkish, Ukrainian and Arabic
ENGLISH_FILE = "nlu_languages_en.yml"
_ANNOTATION = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}")


def plain(example: str) -> str:
    """The text of an example without its entity annotations ("[Laterne](defect_category)" → "Laterne")."""
    return _ANNOTATION.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2), example)


def _script(text: str) -> str | None:
    arabic = sum(1 for char in text if "\u0600" <= char <= "\u06ff")
    cyrillic = sum(1 for char in text if "\u0400" <= char <= "\u04ff")
    letters = sum(1 for char in text if char.isalpha()) or 1
    if arabic * 2 > letters:
        return "ar"
    if cyrillic * 2 > letters:
        return "uk"
    return None


def language_of(text: str, source: str) -> str:
    by_script = _script(text)
    if by_script:
        return by_script
    if source == MULTILINGUAL_FILE:
        return "tr"
    if source == ENGLISH_FILE:
        return "en"
    detected = detect_language(text, "de")
    if detected in ("de", "en"):
        return detected
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = _de_en_identifier(LanguageIdentifier, MODEL_FILE)
    language, probability = identifier.classify(text)
    return "en" if language == "en" and probability > 0.9 and len(text.split()) >= 2 else "de"


_IDENTIFIER = None


def _de_en_identifier(cls, model_file):
    global _IDENTIFIER
    if _IDENTIFIER is None:
        _IDENTIFIER = cls.from_model_file(model_file, norm_probs=True)
        _IDENTIFIER.set_languages(["de", "en"])
    return _IDENTIFIER


def load_nlu(data_dir: Path) -> tuple[list[dict], list[dict]]:
    """(examples, other items): each example {intent, text, source}; the other items (regex, lookup, synonym)
    go into every training fold unchanged."""
    examples, others = [], []
    for path in sorted(data_dir.glob("*.yml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in content.get("nlu") or []:
            if "intent" not in item:
                others.append(item)
                continue
            for line in str(item.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    examples.append({"intent": item["intent"], "text": line[2:].strip(), "source": path.name})
    return examples, others


def folds_of(examples: list[dict], folds: int, seed: int = 1) -> list[int]:
    """Stratified by intent and language, so each fold tests every language's examples of every intent."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, example in enumerate(examples):
        groups[(example["intent"], example["language"])].append(index)
    assignment = [0] * len(examples)
    rng = random.Random(seed)
    offset = 0
    for key in sorted(groups):
        indices = groups[key]
        rng.shuffle(indices)
        for position, index in enumerate(indices):
            assignment[index] = (position + offset) % folds
        offset += len(indices)
    return assignment


def write_nlu(path: Path, examples: list[dict], others: list[dict]) -> None:
    by_intent: dict[str, list[str]] = defaultdict(list)
    for example in examples:
        by_intent[example["intent"]].append(example["text"])
    items = [{"intent": intent, "examples": "".join(f"- {text}\n" for text in texts)}
             for intent, texts in by_intent.items()]
    path.write_text(yaml.safe_dump({"version": "3.1", "nlu": items + others}, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")


def run_fold(rasa: str, workdir: Path, fold: int, train: list[dict], test: list[dict], others: list[dict]) -> list[dict]:
    folder = workdir / f"fold{fold}"
    folder.mkdir()
    write_nlu(folder / "train.yml", train, others)
    write_nlu(folder / "test.yml", test, [])
    subprocess.run([rasa, "train", "nlu", "--config", str(BOT / "config.yml"), "--nlu", str(folder / "train.yml"),
                    "--domain", str(BOT / "domain.yml"), "--out", str(folder), "--fixed-model-name", "nlu"],
                   check=True, cwd=folder, capture_output=True, env=_rasa_env())
    subprocess.run([rasa, "test", "nlu", "--model", str(folder / "nlu.tar.gz"), "--nlu", str(folder / "test.yml"),
                    "--out", str(folder / "results"), "--successes"],
                   check=True, cwd=folder, capture_output=True, env=_rasa_env())
    predictions = []
    for name in ("intent_successes.json", "intent_errors.json"):
        path = folder / "results" / name
        if path.exists():
            predictions += json.loads(path.read_text(encoding="utf-8"))
    return predictions


def _rasa_env() -> dict[str, str]:
    import os

    return {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3"}


def score(rows: list[dict]) -> dict:
    """Per language: accuracy on the core intents' examples, F1 per core intent and their macro average."""
    report = {}
    for language in LANGUAGES:
        mine = [row for row in rows if row["language"] == language]
        core = [row for row in mine if row["intent"] in CORE_INTENTS]
        if not core:
            continue
        per_intent = {}
        for intent in CORE_INTENTS:
            support = sum(row["intent"] == intent for row in mine)
            if not support:
                continue
            tp = sum(row["intent"] == intent and row["predicted"] == intent for row in mine)
            fp = sum(row["intent"] != intent and row["predicted"] == intent for row in mine)
            precision = tp / (tp + fp) if tp + fp else 0.0
            recall = tp / support
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            per_intent[intent] = {"support": support, "precision": round(precision, 3), "recall": round(recall, 3),
                                  "f1": round(f1, 3)}
        report[language] = {
            "core_examples": len(core),
            "accuracy": round(sum(row["predicted"] == row["intent"] for row in core) / len(core), 3),
            "macro_f1": round(sum(v["f1"] for v in per_intent.values()) / len(per_intent), 3),
            "fallback": sum(row["predicted"] == "nlu_fallback" for row in core),
            "intents": per_intent,
        }
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rasa", default=".venv-rasa/bin/rasa")
    parser.add_argument("--data", type=Path, default=BOT / "data")
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    rasa = str(Path(args.rasa).resolve())
    examples, others = load_nlu(args.data)
    for example in examples:
        example["language"] = language_of(plain(example["text"]), example["source"])
    assignment = folds_of(examples, args.folds)
    started = time.perf_counter()
    rows = []
    with tempfile.TemporaryDirectory(prefix="buergerbot-nlu-cv-") as tmp:
        for fold in range(args.folds):
            train = [e for e, f in zip(examples, assignment) if f != fold]
            test = [e for e, f in zip(examples, assignment) if f == fold]
            fold_started = time.perf_counter()
            predictions = run_fold(rasa, Path(tmp), fold, train, test, others)
            # Rasa's results name the text as it was in the test file (annotations removed): map back.
            expected = {(plain(e["text"]), e["intent"]): e for e in test}
            for prediction in predictions:
                example = expected.get((prediction["text"], prediction["intent"]))
                if example is None:
                    continue
                rows.append({**example, "predicted": (prediction.get("intent_prediction") or {}).get("name"),
                             "confidence": (prediction.get("intent_prediction") or {}).get("confidence")})
            print(f"fold {fold + 1}/{args.folds}: {len(test)} examples, {time.perf_counter() - fold_started:.0f} s",
                  flush=True)
    per_language = score(rows)
    misses = [{k: row[k] for k in ("language", "text", "intent", "predicted")} for row in rows
              if row["intent"] in CORE_INTENTS and row["language"] != "de" and row["predicted"] != row["intent"]]
    report = {
        "method": f"stratified {args.folds}-fold cross-validation over bot/data/*.yml with bot/config.yml "
                  "(rasa train nlu / rasa test nlu per fold); per-example predictions split by language",
        "core_intents": list(CORE_INTENTS),
        "examples": len(examples),
        "examples_by_language": {language: sum(e["language"] == language for e in examples) for language in LANGUAGES},
        "scored": len(rows),
        "seconds": round(time.perf_counter() - started, 1),
        "per_language": per_language,
        "misses_outside_german": misses,
    }
    for language, figures in per_language.items():
        print(f"{language}: core intent accuracy {figures['accuracy']:.3f}, macro F1 {figures['macro_f1']:.3f} "
              f"({figures['core_examples']} examples, {figures['fallback']} fell back)")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
