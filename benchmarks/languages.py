"""Questions in English, Turkish, Ukrainian and Arabic through the real path (issue 14): citizen websocket → gateway →
Rasa → actions → knowledge index, one new conversation per question, the widget left in German (the citizen just
writes in their language).

    python -m benchmarks.languages --out benchmarks/results/languages.json      (make bench-languages)

Questions: our own (benchmarks/data/languages_own.jsonl, at least 20 per language, written for this project across
many articles) and the non-German questions of the Musterstadt dev set (`../shared/eval/municipal-dev`, read at run
time, never copied); and six questions of our own per language that the city cannot answer
(benchmarks/data/languages_own_oos.jsonl: weather, football, a ladder to borrow …), so a change that reaches more
articles by guessing shows up. Servers and the classification of the first reply are benchmarks/dialogue.py's.
Per language:

- `reached`: the right article answered, or offered in the "Meinen Sie …?" menu (a started form counts as answered
  for a process article, as in dialogue.py);
- `answered`: the right article answered directly;
- `language_correct`: every text of the turn is in the citizen's language (see `judge_language`);
- `out_of_scope.declined`: the honest "no information" (or a referral) for the questions the city cannot answer;
  `out_of_scope.no_wrong_offer`: at least no city article answered or offered and no form started (a small-talk
  reply counts here).

Every miss is listed in the results file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import re
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from benchmarks.dialogue import (
    EVAL_DIR,
    ROOT,
    CitizenChat,
    classify_in_scope,
    classify_out_of_scope,
    outcome_of,
    read_jsonl,
    running_servers,
    share,
)
from bot.actions.language_detection import script_language

OWN_QUESTIONS = ROOT / "benchmarks" / "data" / "languages_own.jsonl"
OWN_OUT_OF_SCOPE = ROOT / "benchmarks" / "data" / "languages_own_oos.jsonl"
LANGUAGES = ("en", "tr", "uk", "ar")
TARGETS = {"reached": 0.90, "language_correct": 0.98}
# A text without a known template needs this many letters before the detector's word on it counts: below, a line
# like "**Kosten**" or "ID" says nothing about the language the bot chose.
MIN_LETTERS = 12


# --- Reply language -------------------------------------------------------------------------------------------------
#
# The bot's own sentences are known: every template of bot/actions/texts.py (with the locale files), every response of
# bot/domain.yml and every system text of the handover, each in the language it was written for. They are found in
# the reply first (placeholders match anything), so "Evet" or "Ja" is judged by who wrote it, not by a detector on
# four letters. What is left (article text: the editors' translation or the German original) is judged by py3langid,
# restricted to the five languages, with the script deciding for Arabic and Cyrillic. German there is allowed only
# when the same turn says, in the citizen's language, that the official information is in German (`german_only`).

@dataclass(frozen=True)
class Template:
    language: str
    key: str
    pattern: re.Pattern


def _template_pattern(text: str) -> re.Pattern | None:
    text = " ".join(text.split())
    if len(re.sub(r"\{[^}]*\}", "", text).strip()) < 2:
        return None
    parts = [part for part in re.split(r"(\{[^}]*\})", text) if part]
    # A placeholder takes the rest of the line when it ends the template, else as little as it can; a template
    # starts and ends at word boundaries ("Ja" is not the start of "Januar").
    regex = "".join(("([^\n]+)" if index == len(parts) - 1 else "([^\n]+?)") if part.startswith("{")
                    else re.escape(part) for index, part in enumerate(parts))
    return re.compile(rf"(?<!\w){regex}(?!\w)")


def _domain_templates() -> Iterable[tuple[str, str, str]]:
    domain = yaml.safe_load((ROOT / "bot" / "domain.yml").read_text(encoding="utf-8"))
    for name, variants in (domain.get("responses") or {}).items():
        for variant in variants:
            language = "de"
            for condition in variant.get("condition") or []:
                if condition.get("name") == "language":
                    language = condition.get("value")
            if variant.get("text"):
                yield language, name, variant["text"]
            for button in variant.get("buttons") or []:
                yield language, f"{name}.button", button.get("title") or ""


@lru_cache(maxsize=1)
def templates() -> tuple[Template, ...]:
    from bot.actions.texts import CASE_STATUS_LABELS, DEFECT_CATEGORY_LABELS, TEXTS
    from handover.domain.conversations.texts import TEXTS as SYSTEM_TEXTS

    found: list[tuple[str, str, str]] = []
    for table in (TEXTS, CASE_STATUS_LABELS, DEFECT_CATEGORY_LABELS):
        found += [(language, key, text) for key, variants in table.items() for language, text in variants.items()
                  if isinstance(text, str)]
    found += [(language, key, text) for language, texts in SYSTEM_TEXTS.items() for key, text in texts.items()
              if isinstance(text, str)]
    found += list(_domain_templates())
    unique = {}
    for language, key, text in found:
        pattern = _template_pattern(text)
        if pattern is not None:
            unique.setdefault((language, pattern.pattern), Template(language, key, pattern))
    # Longest first: a template that contains a shorter one ("Nein, danke" and "Nein") is matched whole.
    return tuple(sorted(unique.values(), key=lambda t: -len(t.pattern.pattern)))


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(["de", *LANGUAGES])
    return identifier


_MARKUP = re.compile(r"https?://\S+|\S+@\S+|[*_#`>|]|^\s*(?:[-•]|\d+[.)])\s+", re.MULTILINE)
_LETTER = re.compile(r"[^\W\d_]")


def detect(text: str) -> str | None:
    """The language of a text the bot did not take from its templates, or None when it is too short to tell."""
    letters = "".join(_LETTER.findall(text))
    if len(letters) < MIN_LETTERS:
        return None
    return script_language(letters) or _identifier().classify(text)[0]


def segments(text: str, german_titles: set[str]) -> list[tuple[str, str, str]]:
    """(language, how it was judged, the text) for the pieces of one bot text: known templates (a German article
    title filled into one, as in "See also: {title}", counts as German), then the rest line by line."""
    rest = " \n ".join(line.strip() for line in (text or "").splitlines())
    if " ".join(rest.split()) in german_titles:
        return [("de", "article title", " ".join(rest.split()))]
    found = []
    for template in templates():
        while True:
            match = template.pattern.search(rest)
            if match is None:
                break
            found.append((template.language, f"template:{template.key}", match.group(0)))
            found += [("de", "article title", value.strip()) for value in match.groups()
                      if value and " ".join(value.split()) in german_titles]
            rest = rest[: match.start()] + "\n" + rest[match.end():]
    for line in _MARKUP.sub(" ", rest).splitlines():
        line = " ".join(line.split())
        language = detect(line)
        if language is not None:
            found.append((language, "detected", line))
    return found


def judge_language(replies: list[dict], language: str, german_titles: set[str]) -> dict:
    """Whether every text of the turn is in `language`: the messages, their buttons, the title and summary of the
    article card, and a `language` field of any payload. German article text and titles are accepted when the
    turn says (in the citizen's language) that the official information is in German."""
    pieces: list[tuple[str, str, str, str]] = []  # (language, how, where, text)
    field_languages = []
    for reply in replies:
        for lang, how, text in segments(reply.get("text") or "", german_titles):
            pieces.append((lang, how, "text", text))
        for button in reply.get("buttons") or []:
            judged = segments(button.get("title") or "", german_titles)
            pieces += [(lang, how, "button", text) for lang, how, text in judged]
        payload = reply.get("payload") or {}
        if payload.get("language"):
            field_languages.append(payload["language"])
        article = payload.get("article") or {}
        for part in (article.get("title"), article.get("summary")):
            pieces += [(lang, how, "card", text) for lang, how, text in segments(part or "", german_titles)]
    note = any(how == "template:german_only" and lang == language for lang, how, _, _ in pieces)
    wrong = [{"language": lang, "how": how, "where": where, "text": text[:160]}
             for lang, how, where, text in pieces if lang != language and not (lang == "de" and note)]
    wrong += [{"language": code, "how": "payload field", "where": "payload", "text": ""}
              for code in field_languages if code != language]
    own = sum(1 for lang, *_ in pieces if lang == language)
    return {
        "correct": not wrong and own > 0,
        "german_note": note,
        "wrong": wrong,
        # German shown only as an untranslated article title (a menu entry, "See also"): the lever is a translation.
        "only_german_titles": bool(wrong) and all(w["how"] == "article title" for w in wrong),
    }


# --- Questions and the run ------------------------------------------------------------------------------------------

def load_questions(eval_dir: Path, own: Path) -> list[dict]:
    questions = [{**row, "source": "own"} for row in read_jsonl(own)]
    questions += [{**row, "source": "dev"} for row in read_jsonl(eval_dir / "questions-dev.jsonl")
                  if row.get("language", "de") != "de"]
    return [question for question in questions if question["language"] in LANGUAGES]


def german_article_titles() -> set[str]:
    from handover.shell.settings import get_settings
    from knowledge.evaluation import load_articles

    titles = set()
    for article in load_articles(get_settings().articles_dir):
        titles.add(" ".join(article.title.split()))
        titles.update(" ".join(section.heading.split()) for section in article.sections)
    return titles


@dataclass
class Tally:
    rows: list[dict] = field(default_factory=list)

    def figures(self, rows: list[dict]) -> dict:
        total = len(rows)
        return {
            "questions": total,
            "reached": share(sum(1 for r in rows if r["class"] in ("answer_right", "menu_with")), total),
            "answered": share(sum(1 for r in rows if r["class"] == "answer_right"), total),
            "language_correct": share(sum(1 for r in rows if r["language_check"]["correct"]), total),
            "classes": {name: sum(1 for r in rows if r["class"] == name)
                        for name in sorted({r["class"] for r in rows})},
        }


async def ask(ws_url: str, question: dict, titles: set[str]) -> dict:
    """One question in a new conversation; `answer_ids` absent: a question the city cannot answer."""
    # The widget stays German: the language must come from the question itself.
    chat = await CitizenChat.open(ws_url, "de")
    try:
        replies = await chat.ask(question["question"], senders=("bot", "system"))
    finally:
        await chat.close()
    got = outcome_of([reply for reply in replies if reply.get("sender") == "bot"])
    return {"id": question["id"], "source": question["source"], "language": question["language"],
            "question": question["question"], "expected": question.get("answer_ids"),
            "class": classify_in_scope(question, got) if "answer_ids" in question
            else classify_out_of_scope(question, got), **got,
            "language_check": judge_language(replies, question["language"], titles),
            "replies": [{"sender": r.get("sender"), "text": r.get("text"),
                         "buttons": [b.get("title") for b in r.get("buttons") or []]} for r in replies]}


async def measure(ws_url: str, questions: list[dict], titles: set[str], parallel: int) -> list[dict]:
    gate = asyncio.Semaphore(parallel)

    async def one(question: dict) -> dict:
        async with gate:
            return await ask(ws_url, question, titles)

    return list(await asyncio.gather(*(one(question) for question in questions)))


def report(rows: list[dict], oos_rows: list[dict]) -> dict:
    tally = Tally(rows)
    per_language = {}
    for language in LANGUAGES:
        mine = [r for r in rows if r["language"] == language]
        per_language[language] = {
            **tally.figures(mine),
            "own": tally.figures([r for r in mine if r["source"] == "own"]),
            "dev": tally.figures([r for r in mine if r["source"] == "dev"]),
        }
        theirs = [r for r in oos_rows if r["language"] == language]
        per_language[language]["out_of_scope"] = {
            "questions": len(theirs),
            "declined": share(sum(1 for r in theirs if r["class"] in ("declined", "referral")), len(theirs)),
            "no_wrong_offer": share(sum(1 for r in theirs if r["class"] not in ("answer", "menu")
                                        and r["outcome"] != "form"), len(theirs)),
            "language_correct": share(sum(1 for r in theirs if r["language_check"]["correct"]), len(theirs)),
        }
    targets = {f"{language}.{name}": {"value": per_language[language][name], "target": f">= {target}",
                                      "met": per_language[language][name] >= target}
               for language in LANGUAGES for name, target in TARGETS.items()}

    def brief(row: dict) -> dict:
        return {key: row.get(key) for key in ("id", "language", "question", "expected", "class", "outcome",
                                               "article", "candidates", "score", "form", "concern", "text")
                if row.get(key) not in (None, [], "")}

    return {
        "per_language": per_language,
        "all": tally.figures(rows),
        "targets": targets,
        # With what the citizen saw: most misses are the NLU's (a form started, small talk), not the search's.
        "article_misses": [{**brief(r), "replies": r["replies"]} for r in rows
                           if r["class"] not in ("answer_right", "menu_with")],
        "menus": [brief(r) for r in rows if r["class"] == "menu_with"],
        "language_misses": [{**brief(r), "wrong": r["language_check"]["wrong"],
                             "only_german_titles": r["language_check"]["only_german_titles"],
                             "replies": r["replies"]}
                            for r in rows + oos_rows if not r["language_check"]["correct"]],
        "out_of_scope_misses": [{**brief(r), "replies": r["replies"]} for r in oos_rows
                                if r["class"] not in ("declined", "referral")],
        "german_note_given": sum(1 for r in rows if r["language_check"]["german_note"]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rasa", default=".venv-rasa/bin/rasa")
    parser.add_argument("--eval-dir", type=Path, default=EVAL_DIR)
    parser.add_argument("--questions", type=Path, default=OWN_QUESTIONS)
    parser.add_argument("--out-of-scope", type=Path, default=OWN_OUT_OF_SCOPE)
    parser.add_argument("--parallel", type=int, default=2, help="conversations at the same time")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/languages.json"))
    args = parser.parse_args(argv)
    questions = load_questions(args.eval_dir, args.questions)
    oos = [{**row, "source": "own", "kind": "offtopic"} for row in read_jsonl(args.out_of_scope)]
    titles = german_article_titles()
    templates()  # read the templates before the servers start
    with tempfile.TemporaryDirectory(prefix="buergerbot-languages-") as tmp:
        with running_servers(args.rasa, Path(tmp)) as ws_url:
            started = time.monotonic()
            answered = asyncio.run(measure(ws_url, questions + oos, titles, args.parallel))
            seconds = round(time.monotonic() - started, 1)
    rows, oos_rows = answered[: len(questions)], answered[len(questions):]
    results = {**report(rows, oos_rows), "seconds": seconds,
               "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()}}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for language in LANGUAGES:
        figures = results["per_language"][language]
        print(f"{language}: {figures['questions']:3d} questions  reached {figures['reached']:.3f}  "
              f"answered {figures['answered']:.3f}  reply language {figures['language_correct']:.3f}  "
              f"out of scope declined {figures['out_of_scope']['declined']:.3f} "
              f"(no wrong offer {figures['out_of_scope']['no_wrong_offer']:.3f})")
    missed = [name for name, verdict in results["targets"].items() if not verdict["met"]]
    print("targets met" if not missed else f"targets NOT met: {', '.join(missed)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
