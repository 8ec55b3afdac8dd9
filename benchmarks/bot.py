"""Knowledge answers through Rasa vs. a bare Rasa baseline, in the app's set-up and in the conventional one.

    python -m benchmarks.bot --rasa .venv-rasa/bin/rasa --out benchmarks/results/bot.json

Starts, each with temporary SQLite files and its own copy of the knowledge index:
- the app in this process (uvicorn serving `handover.app:create_app`, as `make run` does): Rasa's action
  endpoint, the knowledge index and the gateway's `RasaClient`, with the app's own `before_message` hook;
- Rasa A (`rasa run --enable-api`, the trained model), whose custom actions go to the app;
- the conventional peer: the same actions and index in a separate rasa_sdk action server process
  (benchmarks/peer_action_server.py, what `rasa run actions` starts), and Rasa B, whose actions go there.

Measured in the same run, in a shuffled order each round, so every series sees the same machine load:
- baseline: "Hallo" → rule → utter_greet on Rasa A (no custom action, no knowledge search);
- knowledge answer (the app): a service question relayed the way the gateway relays a citizen's message — the
  app's `RasaClient.send_message`, whose hook starts the query embedding in a worker thread while Rasa
  interprets the message — then NLU → `action_detect_language` in the app, which starts the search (it takes that
  vector) while Rasa predicts the next action → `action_answer_from_knowledge` in the app takes the search's result;
- the same without prefetch: another question through a `RasaClient` without the hook (the previous set-up);
- peer: the same question as the app's on Rasa B, searched in the separate action server.
Each series is timed the same way, from the POST to Rasa's REST channel to its reply, through the same client
class. The prefetch belongs to the gateway, so the knowledge questions must go through the gateway's hand-over
to Rasa to count it; what the app does before and after that call (storing the message, the relay outbox,
pub/sub, the websocket) is the same for every kind of answer and is left out, as it is from the baseline
(measuring through /ws/citizen would add it to both sides and flatter the ratio).
The questions are the demo knowledge base's sample questions, each asked once per process: the app keeps recent
query vectors, and a repeated question would measure that memory instead of the search. Target: the app's
knowledge-answer p95 ≤ 1.5 × baseline p95.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx

TARGET_RATIO = 1.5
BASELINE_MESSAGE = "Hallo"
SERIES = ("baseline", "app", "app_without_prefetch", "peer")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 0.50), 1),
        "p95_ms": round(percentile(values, 0.95), 1),
        "mean_ms": round(statistics.fmean(values), 1),
        "max_ms": round(max(values), 1),
    }


def sample_questions() -> list[str]:
    """Every sample question of the demo knowledge base once, in a fixed shuffled order."""
    from bot.knowledge_examples import PROCESS_INTENTS
    from handover.shell.settings import Settings
    from knowledge.evaluation import load_articles

    # Articles about a process (status, defect report): NLU sends their questions to the form, not the search.
    articles = sorted(load_articles(Settings().articles_dir), key=lambda article: article.id)
    questions = [q for article in articles if article.id not in PROCESS_INTENTS for q in article.questions]
    random.Random(7).shuffle(questions)
    return questions


def search_only(app_url: str, questions: list[str]) -> dict[str, float]:
    """The knowledge search alone over HTTP (one of the full path's parts), to show where the time goes."""
    took: list[float] = []
    with httpx.Client(base_url=app_url, timeout=60) as client:
        for question in questions:
            started = time.perf_counter()
            client.get("/api/knowledge/search", params={"q": question}).raise_for_status()
            took.append((time.perf_counter() - started) * 1000)
    return summary(took)


def seed_index(target: Path) -> Path:
    from tests.bot import servers

    seed = servers.INDEX_CACHE if servers.INDEX_CACHE.exists() else servers.SHARED_INDEX
    if seed.exists():
        shutil.copytree(seed, target)
    return target


class InProcessApp:
    """The app under uvicorn in this process's event loop, as `make run` serves it."""

    def __init__(self, workdir: Path, rasa_url: str, port: int) -> None:
        import uvicorn

        from handover.app import create_app
        from handover.shell.settings import Settings
        from tests.bot import servers

        self.url = f"http://127.0.0.1:{port}"
        settings = Settings(
            _env_file=None, data_dir=workdir, index_dir=seed_index(workdir / "index"),
            database_url=f"sqlite:///{workdir / 'buergerbot.db'}", watch_articles=False, log_level="WARNING",
            rasa_url=rasa_url, rasa_timeout_seconds=60.0, port=port, public_url=self.url,
            action_secret=servers.ACTION_SECRET,  # what the benchmark's RasaServer sends to /webhook
        )
        self.app = create_app(settings)
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=port, log_level="warning",
                                                    lifespan="on"))
        self.task: asyncio.Task | None = None

    async def start(self) -> None:
        self.task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            if self.task.done():
                self.task.result()
                raise RuntimeError("the app stopped during start-up")
            await asyncio.sleep(0.1)

    async def stop(self) -> None:
        if self.task is not None:
            self.server.should_exit = True
            await self.task

    @property
    def rasa_client(self):
        """The gateway's own client (with the prefetch hook), as the relay uses it."""
        return self.app.state.handover.rasa

    @property
    def model(self):
        return self.app.state.knowledge.model


class PeerActionServer:
    """benchmarks/peer_action_server.py in its own process, with its own data folder and index copy."""

    def __init__(self, workdir: Path, port: int) -> None:
        self.workdir = workdir
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 600) -> None:
        from tests.bot import servers

        env = {
            "PATH": "/usr/bin:/bin", "HOME": str(self.workdir), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
            "BUERGERBOT_DATA_DIR": str(self.workdir), "BUERGERBOT_INDEX_DIR": str(seed_index(self.workdir / "index")),
            "BUERGERBOT_WATCH_ARTICLES": "false", "BUERGERBOT_LOG_LEVEL": "WARNING",
        }
        log = self.workdir / "peer.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.peer_action_server", "--port", str(self.port)],
            cwd=servers.ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        )
        servers._wait(f"{self.url}/health", self.process, log, timeout)

    def stop(self) -> None:
        from tests.bot import servers

        if self.process is not None:
            servers._stop(self.process)


def is_knowledge_answer(replies) -> bool:
    return any(reply.custom and reply.custom.get("type") == "knowledge" for reply in replies)


async def run(clients: dict, questions: list[str], rounds: int, warmup: int, conversation_length: int,
              model) -> dict:
    """`clients`: series → (RasaClient, what it is sent: None = the baseline message, else a question)."""
    from bot.actions import search_ahead

    needed = warmup + 2 * rounds
    if len(questions) < needed:
        raise SystemExit(f"{len(questions)} distinct questions, {needed} needed: fewer --rounds")
    took: dict[str, list[float]] = {series: [] for series in SERIES}
    decisions: Counter[str] = Counter()
    skipped: list[str] = []
    order = random.Random(11)
    pending = iter(questions)

    async def timed(series: str, sender: str, text: str):
        started = time.perf_counter()
        replies = await clients[series].send_message(sender, text, "de")
        return (time.perf_counter() - started) * 1000, replies

    async def new_conversation(series: str) -> str:
        # Real citizen chats are short; a fresh conversation every few messages keeps the tracker Rasa sends
        # to the action server realistic. Its first message (session start) is not measured.
        sender = f"bench-{series}-{uuid.uuid4().hex[:8]}"
        await timed(series, sender, BASELINE_MESSAGE)
        return sender

    for question in [next(pending) for _ in range(warmup)]:  # model and index caches, HTTP keep-alive
        for series in ("app", "peer"):
            await timed(series, await new_conversation(series), question)
    senders: dict[str, str] = {}
    measured = 0
    embedded_before = model.queries_embedded
    outcomes_before = Counter(model.prefetch_outcomes)
    ahead_before = Counter(search_ahead.outcomes)
    search_ahead.waited_ms.clear()
    app_questions = 0
    while len(took["app"]) < rounds:
        if measured % conversation_length == 0:
            senders = {series: await new_conversation(series) for series in SERIES}
        try:
            question, other = next(pending), next(pending)
        except StopIteration:
            raise SystemExit(f"only {len(took['app'])} knowledge answers measured, {rounds} wanted") from None
        texts = {"baseline": BASELINE_MESSAGE, "app": question, "peer": question, "app_without_prefetch": other}
        series_order = list(SERIES)
        order.shuffle(series_order)
        results = {}
        for series in series_order:
            results[series] = await timed(series, senders[series], texts[series])
        app_questions += 1
        assert any("Guten Tag" in (r.text or "") for r in results["baseline"][1]), results["baseline"][1]
        if not all(is_knowledge_answer(results[s][1]) for s in ("app", "peer", "app_without_prefetch")):
            # NLU took a question for something else (small talk, a form): not this path; start afresh.
            skipped += [q for q, s in ((question, "app"), (other, "app_without_prefetch"))
                        if not is_knowledge_answer(results[s][1])]
            measured = 0
            continue
        measured += 1
        for series in SERIES:
            took[series].append(results[series][0])
        payload = next(r.custom for r in results["app"][1] if r.custom and r.custom.get("type") == "knowledge")
        decisions[payload["decision"]] += 1
    base = summary(took["baseline"])
    app, without, peer = summary(took["app"]), summary(took["app_without_prefetch"]), summary(took["peer"])
    ratio = round(app["p95_ms"] / base["p95_ms"], 2)
    outcomes = Counter(model.prefetch_outcomes)
    outcomes.subtract(outcomes_before)
    ahead = Counter(search_ahead.outcomes)
    ahead.subtract(ahead_before)
    return {
        "baseline_rule_only": base,
        "knowledge_answer_full_path": app,
        "p95_ratio": ratio,
        "target_p95_ratio": TARGET_RATIO,
        "meets_target": ratio <= TARGET_RATIO,
        "knowledge_answer_without_prefetch": without,
        "p95_ratio_without_prefetch": round(without["p95_ms"] / base["p95_ms"], 2),
        "peer_separate_action_server": peer,
        "peer_p95_ratio_to_baseline": round(peer["p95_ms"] / base["p95_ms"], 2),
        "p95_ratio_app_to_peer": round(app["p95_ms"] / peer["p95_ms"], 2),
        "prefetch": {
            # How the app's searches met their prefetched vector: ready, awaited while still embedding, or
            # cancelled while still queued (then embedded by the search itself).
            "outcomes_in_the_app": {key: value for key, value in outcomes.items() if value},
            # Each question sent to the app (with and without prefetch) is embedded once, plus each new
            # conversation's "Hallo" (prefetched, never searched) and follow-ups' combined texts; a prefetch the
            # search did not use would show as a second embedding of the same question.
            "queries_embedded_in_the_app": model.queries_embedded - embedded_before,
            "questions_sent_to_the_app": 2 * app_questions,
            # The knowledge action's searches in the app (with and without the gateway's prefetch): started ahead by
            # action_detect_language while Rasa predicted ("taken"), or run in the action ("own").
            "searches_in_the_app": {key: value for key, value in ahead.items() if value},
            # How long the knowledge action waited for the search started ahead: 0 when it was done before Rasa
            # called the action, so the whole search was hidden behind Rasa's own work.
            "action_waited_for_search_ms": summary(list(search_ahead.waited_ms)) if search_ahead.waited_ms else None,
        },
        "decisions": dict(decisions),
        "questions_not_answered_from_knowledge": skipped,
        "questions_asked": warmup + 2 * app_questions,
        "conversation_length": conversation_length,
    }


async def measure(args: argparse.Namespace, workdir: Path) -> dict:
    from handover.domain.rasa_client import RasaClient
    from tests.bot import servers

    app_port, peer_port = servers.free_port(), servers.free_port()
    rasa_app = servers.RasaServer(workdir / "rasa-app", f"http://127.0.0.1:{app_port}")
    peer = PeerActionServer(workdir / "peer", peer_port)
    rasa_peer = servers.RasaServer(workdir / "rasa-peer", peer.url)
    for folder in (workdir / "app", rasa_app.workdir, peer.workdir, rasa_peer.workdir):
        folder.mkdir()
    app = InProcessApp(workdir / "app", rasa_app.url, app_port)
    plain: list[RasaClient] = []
    try:
        await app.start()
        await asyncio.gather(*(asyncio.to_thread(server.start) for server in (rasa_app, peer, rasa_peer)))
        plain = [RasaClient(rasa_app.url, 60.0), RasaClient(rasa_app.url, 60.0), RasaClient(rasa_peer.url, 60.0)]
        clients = {"baseline": plain[0], "app": app.rasa_client, "app_without_prefetch": plain[1], "peer": plain[2]}
        questions = sample_questions()
        results = await run(clients, questions, args.rounds, args.warmup, args.conversation_length, app.model)
        # Questions the app has not seen yet, so the search is measured and not the memory of recent queries.
        unseen = questions[results["questions_asked"]:][:args.rounds]
        results["component_knowledge_search_http"] = await asyncio.to_thread(search_only, app.url, unseen)
        return results
    finally:
        for client in plain:
            await client.aclose()
        await asyncio.gather(*(asyncio.to_thread(server.stop) for server in (rasa_app, rasa_peer, peer)))
        await app.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rasa", default=".venv-rasa/bin/rasa")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/bot.json"))
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--conversation-length", type=int, default=6, help="Measured messages per conversation.")
    args = parser.parse_args(argv)

    from tests.bot import servers

    servers.RASA = Path(args.rasa).resolve()
    servers.ensure_trained_model()
    load_at_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="buergerbot-bench-") as tmp:
        results = asyncio.run(measure(args, Path(tmp)))
    results["path"] = (
        "baseline and peer: Rasa's REST channel through handover.domain.rasa_client.RasaClient; the app's knowledge "
        "answers: the running app's own RasaClient (the relay's call to Rasa, with its before_message prefetch "
        "hook), so the prefetch counts as in production; the app's work before and after that call (storing, "
        "outbox, pub/sub, websocket) is left out on every side"
    )
    results["command"] = f"python -m benchmarks.bot --rasa {args.rasa} --out {args.out}"
    results["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    results["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "load_average_at_start": round(load_at_start, 2),
                          "load_average_at_end": round(os.getloadavg()[0], 2),
                          "note": "shared 2-core machine; other jobs may have been running"}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    base, app = results["baseline_rule_only"], results["knowledge_answer_full_path"]
    without, peer = results["knowledge_answer_without_prefetch"], results["peer_separate_action_server"]
    print(f"baseline (rule only):              p50 {base['p50_ms']} ms  p95 {base['p95_ms']} ms")
    print(f"knowledge answer, app (prefetch):  p50 {app['p50_ms']} ms  p95 {app['p95_ms']} ms")
    print(f"knowledge answer, no prefetch:     p50 {without['p50_ms']} ms  p95 {without['p95_ms']} ms")
    print(f"knowledge answer, peer (rasa_sdk): p50 {peer['p50_ms']} ms  p95 {peer['p95_ms']} ms")
    print(f"p95 ratio {results['p95_ratio']} (target ≤ {TARGET_RATIO}): "
          f"{'met' if results['meets_target'] else 'NOT met'}; app/peer p95 {results['p95_ratio_app_to_peer']}; "
          f"results in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
