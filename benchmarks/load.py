"""Capacity: concurrent citizens asking service questions through the gateway, with one and with two Rasa processes.

    python -m benchmarks.load --out benchmarks/results/load.json

Starts on loopback: the app (gateway, action server and knowledge index, its own SQLite database) and two Rasa
processes with the trained model that share a PostgreSQL tracker store (a database this run creates and drops)
and a Redis lock store, as in the README's replica set-up. Configuration "1 Rasa": the app relays to the first
Rasa only (the second idles); "2 Rasa": the app is restarted with BUERGERBOT_RASA_URL listing both.

For each configuration and each level of concurrency (`--citizens 10,20,40`), for `--seconds`: every citizen
opens /ws/citizen, says hello and asks up to `--questions` service questions, one after the other, each as soon
as the previous one is answered (no think time: the load is as high as the citizens can make it), then ends the
chat and starts a new one; a conversation that leaves plain question answering (a form, a handover) is ended
at once. When the time is up, the citizens wait for the answers to the questions they have already asked.

Measured: replies per second (questions answered by the bot / time until the last answer), reply latency p50/p95
(question sent → first bot message on the socket), errors, and "nothing lost": every acknowledged question is
answered by the bot or the citizen is told it failed (`told_failed`); `unanswered` counts the others. CPU seconds
per process and of the whole machine show what the load was limited by.

The questions are the demo articles' own sample questions (process articles excluded: their questions open a
form), shuffled. Real citizens rarely send the same sentence twice, but the app remembers the query vectors of the
last 2048 texts, so a run that repeated its few hundred questions would measure that memory, not the search: each
repetition doubles one space of the question (nothing else), which Rasa's tokenizer and the search both ignore.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import platform
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, make_url, text
from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

from benchmarks.bot import percentile, sample_questions

ACK_TIMEOUT = 30.0
# Longer than the relay's own retry window (BUERGERBOT_RASA_TIMEOUT_SECONDS + BUERGERBOT_RELAY_RETRY_SECONDS):
# an acknowledged question with no answer or failure notice by then counts as unanswered.
ANSWER_TIMEOUT = 90.0
WARMUP_CONVERSATIONS = 8  # spread over the replicas by their ids, so each Rasa answers its first turns


def distinct_texts(questions: list[str]) -> Iterator[str]:
    """The questions, round after round; from the second round on each with one more space doubled."""
    for round_ in itertools.count():
        for question in questions:
            words = question.split(" ")
            if round_ == 0 or len(words) < 2:
                yield question
                continue
            gap = (round_ - 1) % (len(words) - 1)
            yield " ".join(words[:gap + 1]) + "  " + " ".join(words[gap + 1:])


@dataclass
class Tally:
    asked: int = 0
    acked: int = 0
    answered: int = 0  # by the bot
    knowledge_answers: int = 0
    other_answers: int = 0  # small talk, a form, a handover offer: the conversation starts afresh
    told_failed: int = 0  # "the assistant could not answer" notice (Rasa unreachable or too slow)
    unanswered: int = 0
    not_acked: int = 0
    connection_errors: int = 0
    conversations: int = 0
    reply_ms: list[float] = field(default_factory=list)
    ack_ms: list[float] = field(default_factory=list)
    last_answer_at: float = 0.0


class CitizenSocket:
    def __init__(self, ws) -> None:
        self.ws = ws
        self.frames: list[tuple[float, dict]] = []

    async def until(self, find, timeout: float):
        """Reads frames until find(frames) returns something (or None after `timeout`)."""
        deadline = time.monotonic() + timeout
        while (found := find(self.frames)) is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            try:
                raw = await asyncio.wait_for(self.ws.recv(), remaining)
            except asyncio.TimeoutError:
                return None
            self.frames.append((time.perf_counter(), json.loads(raw)))
        return found


def _ack_or_error(client_id: str):
    def find(frames):
        for _, frame in frames:
            if frame.get("client_id") == client_id and frame.get("type") in ("ack", "error"):
                return frame
        return None
    return find


def _reply_after(seq: int):
    def find(frames):
        for at, frame in frames:
            if frame.get("type") == "message" and frame.get("sender") in ("bot", "system") and frame["seq"] > seq:
                return at, frame
        return None
    return find


async def citizen(ws_url: str, questions: Iterator[str], per_conversation: int, deadline: float,
                  tally: Tally, max_conversations: int | None = None) -> None:
    while time.monotonic() < deadline and (max_conversations is None or tally.conversations < max_conversations):
        try:
            async with connect(ws_url, max_size=2**22, ping_interval=None, open_timeout=30) as ws:
                sock = CitizenSocket(ws)
                await ws.send(json.dumps({"type": "hello", "version": 1, "token": None, "last_seq": 0,
                                          "language": "de", "page": "https://www.musterstadt.example/lasttest"}))
                if await sock.until(lambda fs: next((f for _, f in fs if f.get("type") == "welcome"), None),
                                    ACK_TIMEOUT) is None:
                    tally.connection_errors += 1
                    continue
                tally.conversations += 1
                for _ in range(per_conversation):
                    if time.monotonic() >= deadline:
                        break
                    if not await ask(sock, next(questions), tally):
                        break
                await ws.send(json.dumps({"type": "end"}))
        except (OSError, WebSocketException, asyncio.TimeoutError):
            tally.connection_errors += 1
            await asyncio.sleep(0.5)


async def ask(sock: CitizenSocket, question: str, tally: Tally) -> bool:
    """One question and its answer; False when the conversation should not go on."""
    client_id = uuid.uuid4().hex
    tally.asked += 1
    sent = time.perf_counter()
    await sock.ws.send(json.dumps({"type": "message", "client_id": client_id, "text": question}))
    ack = await sock.until(_ack_or_error(client_id), ACK_TIMEOUT)
    if ack is None or ack["type"] != "ack":
        tally.not_acked += 1
        return False
    tally.acked += 1
    tally.ack_ms.append((time.perf_counter() - sent) * 1000)
    found = await sock.until(_reply_after(ack["seq"]), ANSWER_TIMEOUT)
    if found is None:
        tally.unanswered += 1
        return False
    at, reply = found
    if reply["sender"] == "system":
        tally.told_failed += 1
        return False
    tally.answered += 1
    tally.reply_ms.append((at - sent) * 1000)
    tally.last_answer_at = max(tally.last_answer_at, at)
    if (reply.get("payload") or {}).get("type") == "knowledge":
        tally.knowledge_answers += 1
        return True
    tally.other_answers += 1
    return False


# --- CPU accounting -------------------------------------------------------------------------------------------
def process_cpu_seconds(pid: int) -> float:
    """User + system time of a process and its children (Rasa may fork), in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == pid or int(fields[1]) == pid:  # fields[1] is the parent's pid
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def machine_cpu_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, over all cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    ticks = os.sysconf("SC_CLK_TCK")
    idle = values[3] + values[4]
    return (sum(values) - idle) / ticks, sum(values) / ticks


class CpuMeter:
    def __init__(self, processes: dict[str, int]) -> None:
        self.processes = processes
        self.started = time.monotonic()
        self.before = {name: process_cpu_seconds(pid) for name, pid in processes.items()}
        self.machine_before = machine_cpu_seconds()

    def cores_used(self) -> tuple[dict[str, float], float]:
        """Average cores busy per process (1.0 = one core all the time) and for the whole machine; wall seconds."""
        wall = time.monotonic() - self.started
        used = {name: round((process_cpu_seconds(pid) - self.before[name]) / wall, 2)
                for name, pid in self.processes.items()}
        busy, _ = machine_cpu_seconds()
        used["machine"] = round((busy - self.machine_before[0]) / wall, 2)
        used["other_processes"] = round(used["machine"] - sum(used[name] for name in self.processes), 2)
        return used, wall


def cpu_ms_per_reply(cores: dict[str, float], wall: float, replies: int) -> dict[str, float] | None:
    """CPU time the app and the Rasa processes spent per reply: unlike replies/s, this hardly depends on what
    else the machine is doing, so it carries over to a machine with more (or quieter) cores."""
    if not replies:
        return None
    rasa = sum(value for name, value in cores.items() if name.startswith("rasa"))
    return {"app": round(cores["app"] * wall * 1000 / replies, 1), "rasa": round(rasa * wall * 1000 / replies, 1)}


def summarise(levels: list[dict]) -> dict:
    peak = max(levels, key=lambda level: level["replies_per_second"])
    return {"peak_replies_per_second": peak["replies_per_second"], "at_citizens": peak["citizens"],
            "cpu_ms_per_reply": peak["cpu_ms_per_reply"]}


def latency(values: list[float]) -> dict[str, float] | None:
    if not values:
        return None
    return {"p50": round(percentile(values, 0.50), 1), "p95": round(percentile(values, 0.95), 1),
            "max": round(max(values), 1)}


# --- one level ------------------------------------------------------------------------------------------------
async def run_level(ws_url: str, questions: Iterator[str], citizens: int, seconds: float, per_conversation: int,
                    processes: dict[str, int]) -> dict:
    tally = Tally()
    load_before = os.getloadavg()[0]
    meter = CpuMeter(processes)
    started = time.perf_counter()
    deadline = time.monotonic() + seconds
    await asyncio.gather(*(citizen(ws_url, questions, per_conversation, deadline, tally) for _ in range(citizens)))
    cores, wall = meter.cores_used()
    elapsed = (tally.last_answer_at or time.perf_counter()) - started
    lost = tally.acked - tally.answered - tally.told_failed
    return {
        "citizens": citizens,
        "seconds": round(elapsed, 1),
        "replies_per_second": round(tally.answered / elapsed, 2) if elapsed > 0 else 0.0,
        "reply_ms": latency(tally.reply_ms),
        "ack_ms": latency(tally.ack_ms),
        "questions": {"asked": tally.asked, "acked": tally.acked, "answered_by_bot": tally.answered,
                      "knowledge_answers": tally.knowledge_answers, "other_answers": tally.other_answers,
                      "told_failed": tally.told_failed, "unanswered": tally.unanswered,
                      "not_acked": tally.not_acked},
        "errors": tally.told_failed + tally.unanswered + tally.not_acked + tally.connection_errors,
        "connection_errors": tally.connection_errors,
        "nothing_lost": lost == 0 and tally.unanswered == 0,
        "conversations": tally.conversations,
        "cores_used": cores,
        "cpu_ms_per_reply": cpu_ms_per_reply(cores, wall, tally.answered),
        "load_average_1m": {"start": round(load_before, 2), "end": round(os.getloadavg()[0], 2)},
    }


async def warm_up(ws_url: str, questions: Iterator[str]) -> None:
    """The first turns of a fresh Rasa and app are slow (graph set-up, caches): not part of any level. One
    conversation of two questions per warm-up citizen."""
    deadline = time.monotonic() + 300
    await asyncio.gather(*(citizen(ws_url, questions, 2, deadline, Tally(), max_conversations=1)
                           for _ in range(WARMUP_CONVERSATIONS)))


# --- processes ------------------------------------------------------------------------------------------------
class RasaDatabase:
    """A PostgreSQL database of this run for Rasa's tracker store (Rasa's `events` table name is fixed)."""

    def __init__(self, admin_url: str) -> None:
        self.admin = create_engine(make_url(admin_url), isolation_level="AUTOCOMMIT")
        self.name = f"buergerbot_load_{uuid.uuid4().hex[:10]}"
        self.url = make_url(admin_url).set(database=self.name).render_as_string(hide_password=False)

    def __enter__(self) -> "RasaDatabase":
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{self.name}"'))
        return self

    def __exit__(self, *exc: object) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


def check_services(postgres_url: str, redis_url: str) -> None:
    """Clear words instead of a Rasa that fails at its first message."""
    import redis

    try:
        engine = create_engine(make_url(postgres_url))
        with engine.connect():
            pass
        engine.dispose()
    except Exception as error:
        raise SystemExit(f"PostgreSQL not reachable at {postgres_url} ({type(error).__name__}); give --postgres-url")
    try:
        redis.Redis.from_url(redis_url, socket_timeout=5).ping()
    except Exception as error:
        raise SystemExit(f"Redis not reachable at {redis_url} ({type(error).__name__}); give --redis-url")


def app_env(rasa_urls: list[str]) -> dict[str, str]:
    return {"BUERGERBOT_RASA_URL": ",".join(rasa_urls), "BUERGERBOT_LOG_FORMAT": "text",
            "BUERGERBOT_LOG_LEVEL": "WARNING"}


def run(args: argparse.Namespace, tmp: Path) -> dict:
    from tests.bot import servers

    check_services(args.postgres_url, args.redis_url)
    servers.RASA = Path(args.rasa).resolve()
    servers.ensure_trained_model()
    questions = distinct_texts(sample_questions())
    levels = [int(n) for n in args.citizens.split(",")]
    results: dict = {"configurations": {}}
    with RasaDatabase(args.postgres_url) as tracker_db:
        app = servers.AppServer(tmp / "app")
        app.workdir.mkdir()
        rasas = [servers.RasaServer(tmp / f"rasa-{name}", app.url, tracker_store_url=tracker_db.url,
                                    lock_store_url=args.redis_url) for name in ("a", "b")]
        try:
            for rasa in rasas:
                rasa.workdir.mkdir()
            with ThreadPoolExecutor(2) as pool:  # both load their model at once
                list(pool.map(lambda server: server.start(900), rasas))
            for replicas in args.replicas:
                behind = rasas[:replicas]
                app.extra_env = app_env([rasa.url for rasa in behind])
                app.start(900)
                try:
                    ws_url = f"ws://127.0.0.1:{app.port}/ws/citizen"
                    processes = {"app": app.process.pid,
                                 **{f"rasa_{index + 1}": rasa.process.pid for index, rasa in enumerate(rasas)}}
                    asyncio.run(warm_up(ws_url, questions))
                    runs = []
                    for citizens in levels:
                        level = asyncio.run(run_level(ws_url, questions, citizens, args.seconds, args.questions,
                                                      processes))
                        runs.append(level)
                        print(f"{replicas} Rasa, {citizens:3d} citizens: {level['replies_per_second']:6.2f} replies/s, "
                              f"p50 {level['reply_ms']['p50'] if level['reply_ms'] else '-'} ms, "
                              f"p95 {level['reply_ms']['p95'] if level['reply_ms'] else '-'} ms, "
                              f"errors {level['errors']}, nothing lost: {level['nothing_lost']}, "
                              f"CPU ms per reply {level['cpu_ms_per_reply']}, cores {level['cores_used']}", flush=True)
                    results["configurations"][f"{replicas}_rasa"] = {
                        "rasa_processes": replicas, "rasa_urls_setting": app.extra_env["BUERGERBOT_RASA_URL"],
                        "levels": runs, **summarise(runs),
                    }
                finally:
                    app.stop()
        finally:
            for rasa in rasas:
                rasa.stop()
            app.stop()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rasa", default=".venv-rasa/bin/rasa")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/load.json"))
    parser.add_argument("--citizens", default="10,20,40", help="levels of concurrent citizens, comma-separated")
    parser.add_argument("--seconds", type=float, default=30.0, help="duration of each level")
    parser.add_argument("--questions", type=int, default=5, help="questions per conversation before a new one")
    parser.add_argument("--replicas", type=lambda v: [int(n) for n in v.split(",")], default=[1, 2],
                        help="configurations: how many Rasa processes behind the gateway (1 or 2)")
    parser.add_argument("--postgres-url", default="postgresql+psycopg2://postgres@127.0.0.1:5432/test",
                        help="PostgreSQL to create the tracker store's database in (dropped afterwards)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12", help="Redis for Rasa's lock store")
    parser.add_argument("--note", default="shared 2-core machine: other jobs may have been running "
                        "(see cores_used.other_processes and load_average_1m per level)")
    args = parser.parse_args(argv)
    if not set(args.replicas) <= {1, 2}:
        parser.error("--replicas takes 1 and/or 2")
    with tempfile.TemporaryDirectory(prefix="buergerbot-load-") as tmp:
        results = run(args, Path(tmp))
    results["setup"] = {
        "app": "one uvicorn process (gateway, action server, knowledge index), SQLite",
        "rasa": "rasa run --enable-api, trained model, one Sanic worker each",
        "tracker_store": "PostgreSQL (SQL tracker store, shared)",
        "lock_store": "Redis (shared)",
        "questions_per_conversation": args.questions,
        "seconds_per_level": args.seconds,
        "think_time": "none: each question as soon as the previous one is answered",
        "app_settings": "defaults (BUERGERBOT_RASA_TIMEOUT_SECONDS 10, BUERGERBOT_RELAY_RETRY_SECONDS 10, "
                        "rate limit 20 messages per conversation and minute)",
    }
    results["command"] = f"python -m benchmarks.load --rasa {args.rasa} --out {args.out}  (make bench-load)"
    results["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    results["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "note": args.note}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"results in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
