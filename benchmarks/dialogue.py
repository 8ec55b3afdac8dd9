"""Dialogue quality through the real path: citizen websocket → gateway → Rasa → actions → knowledge index.

    python -m benchmarks.dialogue --out benchmarks/results/dialogue.json      (make bench-dialogue)

Starts the app (its own SQLite database and index copy) and Rasa with the trained model on loopback ports, then asks
every question of the Musterstadt dev set (`../shared/eval/municipal-dev`, a held-out set: this benchmark reads it,
nothing in the project is written from it) in a new conversation of its own, and classifies what the citizen got:

- in-scope questions: `answer_right` (the first reply answers with one of the question's articles, or starts the
  form of a process article: the Mängelmelder, the status lookup), `reached`
  (answered right, or offered in the "Meinen Sie …?" menu), `answer_wrong` (answered with another article: the
  confidently wrong answer), `menu_without` (a menu without a right article), `declined`, `other`;
- out-of-scope questions, by kind: `declined` (the honest "I have no information on this", with the way to a person
  and the city's contact), `referral` (answered with a `kind: referral` entry: another body is responsible),
  `menu` (the unrelated "Meinen Sie …?" menu), `answer` (a city article as if it answered), `other`. A referral
  counts as success for the kind `referral` only (the dev set does not say which body; the results list every
  referral given, for a person to check); a decline counts for every kind.
- follow-up pairs (`benchmarks/data/follow_ups.jsonl`, written for this project): the first question, then an
  aspect follow-up ("und was kostet das?") in the same conversation; success when the follow-up is answered from
  the same article; whether the section shown is the asked aspect's is reported as well. When the first question
  gets a "Meinen Sie …?" menu with the article, the citizen presses its button first, as in the widget
  (`first_answered_right` still counts only direct answers).

Every miss is listed in the results file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parents[1]
EVAL_DIR = ROOT.parent / "shared" / "eval" / "municipal-dev"
FOLLOW_UPS = ROOT / "benchmarks" / "data" / "follow_ups.jsonl"
REPLY_TIMEOUT = 60.0
QUIET_AFTER_REPLY = 1.0  # the bot's messages of one turn arrive back to back; a second of silence ends the turn
TARGETS = {
    "in_scope.answer_right": (">=", 0.85),
    "in_scope.reached": (">=", 0.97),
    "in_scope.answer_wrong": ("<=", 0.02),
    "out_of_scope.declined_or_referral": (">=", 0.90),
    "out_of_scope.menu": ("<=", 0.05),
    "follow_ups.same_article": (">=", 0.90),
}


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


class CitizenChat:
    def __init__(self, ws) -> None:
        self.ws = ws

    @classmethod
    async def open(cls, ws_url: str, language: str) -> "CitizenChat":
        ws = await connect(ws_url, max_size=2**22)
        chat = cls(ws)
        await ws.send(json.dumps({"type": "hello", "version": 1, "token": None, "last_seq": 0, "language": language,
                                  "page": "https://www.musterstadt.example/buergerservice"}))
        while (await chat._next(REPLY_TIMEOUT)).get("type") != "welcome":
            pass
        return chat

    async def _next(self, timeout: float) -> dict:
        return json.loads(await asyncio.wait_for(self.ws.recv(), timeout))

    async def ask(self, text: str, senders: tuple[str, ...] = ("bot",)) -> list[dict]:
        """The bot messages (of `senders`: the system's handover notices too if asked) of the turn this question
        starts."""
        await self.ws.send(json.dumps({"type": "message", "client_id": uuid.uuid4().hex, "text": text}))
        replies: list[dict] = []
        deadline = time.monotonic() + REPLY_TIMEOUT
        while time.monotonic() < deadline:
            timeout = QUIET_AFTER_REPLY if replies else deadline - time.monotonic()
            try:
                frame = await self._next(max(0.05, timeout))
            except asyncio.TimeoutError:
                break
            if frame.get("type") == "message" and frame.get("sender") in senders:
                replies.append(frame)
            elif frame.get("type") == "error":
                replies.append({"error": frame})
        return replies

    async def close(self) -> None:
        await self.ws.close()


def outcome_of(replies: list[dict]) -> dict:
    """What the first turn gave the citizen, from the bot's payloads."""
    payloads = [reply.get("payload") or {} for reply in replies]
    texts = [reply.get("text") or "" for reply in replies]
    for payload in payloads:
        kind = payload.get("type")
        if kind == "support":
            return {"outcome": "support", "concern": payload.get("concern")}
        if kind == "knowledge":
            decision = payload.get("decision")
            article = payload.get("article") or {}
            return {
                "outcome": decision,
                "article": article.get("id"),
                "article_kind": article.get("kind", "service") if article else None,
                "title": article.get("title"),
                "aspect": payload.get("aspect"),
                "section": (article.get("section") or {}).get("heading") if article else None,
                "follow_up": payload.get("follow_up"),
                "decline": payload.get("decline"),
                "candidates": [c.get("id") for c in payload.get("candidates") or []]
                if decision == "clarify" else [],
                "score": payload.get("score"),
            }
        if kind == "handover":
            return {"outcome": "handover", "department": payload.get("department")}
        if kind == "form":
            return {"outcome": "form", "form": payload.get("form")}
    return {"outcome": "other", "text": " / ".join(t for t in texts if t)[:300]}


# Articles that describe a process: the right reply to their questions is starting the process's form.
FORM_ARTICLES = {"defect_report": "maengelmelder", "application_status": "bearbeitungsstatus"}


def classify_in_scope(question: dict, got: dict) -> str:
    gold = set(question["answer_ids"])
    if got["outcome"] == "form":
        return "answer_right" if FORM_ARTICLES.get(got["form"]) in gold else "other"
    if got["outcome"] == "answer":
        return "answer_right" if got["article"] in gold else "answer_wrong"
    if got["outcome"] == "clarify":
        return "menu_with" if gold & set(got["candidates"]) else "menu_without"
    if got["outcome"] == "no_answer":
        return "declined"
    return "other"


def classify_out_of_scope(question: dict, got: dict) -> str:
    if got["outcome"] == "no_answer":
        return "declined"
    if got["outcome"] == "answer":
        return "referral" if got["article_kind"] == "referral" else "answer"
    if got["outcome"] == "clarify":
        return "menu"
    return got["outcome"] if got["outcome"] in ("support", "handover") else "other"


def share(count: int, total: int) -> float:
    return round(count / total, 4) if total else 0.0


async def ask_one(ws_url: str, text: str, language: str) -> dict:
    chat = await CitizenChat.open(ws_url, language)
    try:
        return outcome_of(await chat.ask(text))
    finally:
        await chat.close()


async def ask_pair(ws_url: str, pair: dict) -> tuple[dict, dict]:
    language = "en" if pair["id"] in ("fu33", "fu34") else "de"
    chat = await CitizenChat.open(ws_url, language)
    try:
        first = outcome_of(await chat.ask(pair["first"]))
        if first["outcome"] == "clarify" and pair["article"] in first["candidates"]:
            # The citizen picks the article from the "Meinen Sie …?" menu (its button), then asks the follow-up:
            # what is measured is whether the follow-up keeps the topic the citizen is on.
            chosen = outcome_of(await chat.ask(f'/ask_question{{"article_id":"{pair["article"]}"}}'))
            first = {**first, "chosen_from_menu": chosen.get("article")}
        second = outcome_of(await chat.ask(pair["follow_up"]))
        return first, second
    finally:
        await chat.close()


def hello_language(question: dict) -> str:
    # The widget offers German and English; a citizen writing another language has the widget in German.
    return "en" if question.get("language") == "en" else "de"


async def measure(ws_url: str, in_scope: list[dict], out_of_scope: list[dict], pairs: list[dict]) -> dict:
    results: dict = {}
    rows = []
    for question in in_scope:
        got = await ask_one(ws_url, question["question"], hello_language(question))
        rows.append({"id": question["id"], "language": question.get("language"), "expected": question["answer_ids"],
                     "class": classify_in_scope(question, got), **got})
    counts = {name: sum(1 for row in rows if row["class"] == name)
              for name in ("answer_right", "answer_wrong", "menu_with", "menu_without", "declined", "other")}
    total = len(rows)
    results["in_scope"] = {
        "questions": total,
        "answer_right": share(counts["answer_right"], total),
        "reached": share(counts["answer_right"] + counts["menu_with"], total),
        "answer_wrong": share(counts["answer_wrong"], total),
        "counts": counts,
        "by_language": {
            language: share(sum(1 for r in rows if r["language"] == language and r["class"] == "answer_right"),
                            sum(1 for r in rows if r["language"] == language))
            for language in sorted({r["language"] for r in rows})
        },
        "misses": [row for row in rows if row["class"] != "answer_right"],
    }

    oos_rows = []
    for question in out_of_scope:
        got = await ask_one(ws_url, question["question"], "de")
        oos_rows.append({"id": question["id"], "kind": question["kind"], "class": classify_out_of_scope(question, got),
                         **got})
    total = len(oos_rows)

    def success(row: dict) -> bool:
        return row["class"] == "declined" or (row["class"] == "referral" and row["kind"] == "referral")

    kinds = sorted({row["kind"] for row in oos_rows})
    results["out_of_scope"] = {
        "questions": total,
        "declined_or_referral": share(sum(1 for r in oos_rows if success(r)), total),
        "menu": share(sum(1 for r in oos_rows if r["class"] == "menu"), total),
        "by_kind": {
            kind: {
                "questions": sum(1 for r in oos_rows if r["kind"] == kind),
                "success": share(sum(1 for r in oos_rows if r["kind"] == kind and success(r)),
                                 sum(1 for r in oos_rows if r["kind"] == kind)),
                "classes": {name: sum(1 for r in oos_rows if r["kind"] == kind and r["class"] == name)
                            for name in sorted({r["class"] for r in oos_rows})},
            }
            for kind in kinds
        },
        "referrals_given": [{"id": r["id"], "kind": r["kind"], "referral": r["title"]} for r in oos_rows
                            if r["class"] == "referral"],
        "misses": [row for row in oos_rows if not success(row)],
    }

    pair_rows = []
    for pair in pairs:
        first, second = await ask_pair(ws_url, pair)
        same = second["outcome"] == "answer" and second["article"] == pair["article"]
        pair_rows.append({"id": pair["id"], "article": pair["article"], "aspect": pair["aspect"],
                          "first": first, "follow_up": second, "same_article": same,
                          "aspect_answered": same and second.get("aspect") == pair["aspect"]})
    total = len(pair_rows)
    results["follow_ups"] = {
        "pairs": total,
        "first_answered_right": share(sum(1 for r in pair_rows if r["first"].get("article") == r["article"]
                                          and r["first"]["outcome"] == "answer"), total),
        "same_article": share(sum(1 for r in pair_rows if r["same_article"]), total),
        # Whether the follow-up kept the topic, apart from whether the first question was answered right: of the
        # pairs whose first question got an answer, the follow-up answered from that answer's article.
        "stays_with_first_answer": share(
            sum(1 for r in pair_rows if r["first"]["outcome"] == "answer" and r["follow_up"]["outcome"] == "answer"
                and r["follow_up"].get("article") == r["first"].get("article")),
            sum(1 for r in pair_rows if r["first"]["outcome"] == "answer")),
        "aspect_answered": share(sum(1 for r in pair_rows if r["aspect_answered"]), total),
        "misses": [row for row in pair_rows if not row["aspect_answered"]],
    }
    return results


def check_targets(results: dict) -> dict:
    verdicts = {}
    for path, (relation, target) in TARGETS.items():
        section, name = path.split(".")
        value = results[section][name]
        verdicts[path] = {"value": value, "target": f"{relation} {target}",
                          "met": value >= target if relation == ">=" else value <= target}
    return verdicts


@contextmanager
def running_servers(rasa_path: str, tmp: Path) -> Iterator[str]:
    """The app (its own SQLite database and index copy) and Rasa with the trained model on loopback ports; yields the
    citizen websocket URL (benchmarks/languages.py starts them the same way)."""
    from tests.bot import servers

    servers.RASA = Path(rasa_path).resolve()
    servers.ensure_trained_model()
    app = servers.AppServer(tmp / "app")
    app.workdir.mkdir()
    rasa = servers.RasaServer(tmp / "rasa", app.url)
    rasa.workdir.mkdir()
    app.extra_env = {"BUERGERBOT_RASA_URL": rasa.url, "BUERGERBOT_LOG_LEVEL": "WARNING",
                     # one question after the other from one address: the per-IP limits are not what is measured
                     "BUERGERBOT_NEW_CONVERSATIONS_PER_MINUTE_PER_IP": "100000"}
    try:
        rasa.start(900)
        app.start(900)
        yield f"ws://127.0.0.1:{app.port}/ws/citizen"
    finally:
        app.stop()
        rasa.stop()


def run(args: argparse.Namespace, tmp: Path) -> dict:
    with running_servers(args.rasa, tmp) as ws_url:
        in_scope = read_jsonl(args.eval_dir / "questions-dev.jsonl")
        out_of_scope = read_jsonl(args.eval_dir / "oos-dev.jsonl")
        pairs = read_jsonl(FOLLOW_UPS)
        started = time.monotonic()
        results = asyncio.run(measure(ws_url, in_scope, out_of_scope, pairs))
        results["seconds"] = round(time.monotonic() - started, 1)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rasa", default=".venv-rasa/bin/rasa")
    parser.add_argument("--eval-dir", type=Path, default=EVAL_DIR)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/dialogue.json"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="buergerbot-dialogue-") as tmp:
        results = run(args, Path(tmp))
    results["targets"] = check_targets(results)
    results["machine"] = {"python": platform.python_version(), "cpus": __import__("os").cpu_count()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for path, verdict in results["targets"].items():
        print(f"{path:40s} {verdict['value']:.3f}  target {verdict['target']:8s} {'met' if verdict['met'] else 'NOT met'}")
    print(f"by kind: { {k: v['success'] for k, v in results['out_of_scope']['by_kind'].items()} }")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
