"""The README's first command, as a new user runs it: `make run` on free ports with its own data folder, waits
for `/ready`, answers a service question with its source through `/ws/citizen`, and leaves no process behind
after Ctrl+C (SIGINT to the foreground process group, as a terminal sends it).

It runs after `make test` built everything, so make's stamps turn install, index and train into no-ops (the
index is seeded from var/index so nothing is embedded again)."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest
import yaml

from handover.shell.settings import PROJECT_ROOT
from tests.bot.servers import MODEL, SHARED_INDEX, free_port
from tests.handover.conftest import Citizen

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (MODEL.exists() and SHARED_INDEX.is_dir()), reason="needs `make index train`"),
]
READY_TIMEOUT = 420  # install/index/train are no-ops; Rasa loading its model on a busy machine is the long part
STOP_TIMEOUT = 60


def parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def descendants(root: int) -> set[int]:
    parents = {int(entry): parent_of(int(entry)) for entry in os.listdir("/proc") if entry.isdigit()}
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    """Running, not a zombie waiting for its parent to reap it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


class _Server:
    def __init__(self, port: int) -> None:
        self.ws_base = f"ws://127.0.0.1:{port}"


async def session_started_at_hello(port: int, rasa_port: int) -> Citizen:
    """A new conversation's Rasa session starts when the citizen opens the chat, before the first question."""
    citizen = await Citizen.connect(_Server(port))
    tracker_url = f"http://127.0.0.1:{rasa_port}/conversations/{citizen.welcome['conversation_id']}/tracker"
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            events = (await http.get(tracker_url, timeout=10)).json()["events"]
            if any(event["event"] == "session_started" for event in events):
                assert not any(event["event"] == "user" for event in events)
                return citizen
            await asyncio.sleep(0.2)
    raise AssertionError(f"no session started ahead: {events}")


async def ask(port: int, rasa_port: int, question: str) -> dict:
    citizen = await session_started_at_hello(port, rasa_port)
    try:
        await citizen.say(question)
        return await citizen.expect(lambda f: f.get("type") == "message" and f.get("sender") == "bot"
                                    and (f.get("payload") or {}).get("type") == "knowledge",
                                    timeout=120, what="knowledge answer")
    finally:
        await citizen.close()


def test_make_run_answers_with_sources_and_stops_without_orphans(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(SHARED_INDEX, data_dir / "index")
    port, rasa_port = free_port(), free_port()
    env = {name: value for name, value in os.environ.items() if not name.startswith("BUERGERBOT_")}
    env.update({"BUERGERBOT_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})
    output = tmp_path / "make-run.out"
    with output.open("wb") as sink:
        # Its own process group, as a shell gives a foreground job.
        make = subprocess.Popen(["make", "run", f"PORT={port}", f"RASA_PORT={rasa_port}"], cwd=PROJECT_ROOT,
                                env=env, stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                process_group=0)
    seen: set[int] = set()
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        ready, waiting_for_rasa = None, False
        while time.monotonic() < deadline and make.poll() is None:
            seen |= descendants(make.pid)
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/ready", timeout=3)
                if ready.status_code == 200:
                    break
                waiting_for_rasa |= ready.json()["missing"] == ["rasa"]
            except httpx.HTTPError:
                pass
            time.sleep(1)
        log = output.read_text(errors="replace")
        assert ready is not None and ready.status_code == 200, f"not ready:\n{log[-4000:]}"
        # The app with its index is up within seconds; Rasa needs far longer for its model, and /ready waited for it.
        assert waiting_for_rasa
        assert ready.json()["components"]["rasa"]["ok"] and ready.json()["components"]["knowledge"]["ok"]
        seen |= descendants(make.pid)

        # Rasa calls the actions on the app's port; the app relays to Rasa's port: a sourced answer needs both.
        answer = asyncio.run(ask(port, rasa_port, "Wie beantrage ich einen Reisepass?"))
        payload = answer["payload"]
        assert payload["type"] == "knowledge" and payload["decision"] == "answer", answer
        assert payload["article"]["id"] == "reisepass" and payload["article"]["url"] and "Reisepass" in answer["text"]
        endpoints = yaml.safe_load((data_dir / "runtime" / "endpoints.yml").read_text(encoding="utf-8"))
        assert endpoints["action_endpoint"]["url"] == f"http://127.0.0.1:{port}/webhook"

        log = output.read_text(errors="replace")
        for path in (data_dir / "logs" / "app.log", data_dir / "logs" / "rasa.log"):
            assert str(path) in log and path.stat().st_size > 0
        assert (data_dir / "rasa-tracker.db").exists()  # the dialogue state survives a restart
        seen |= descendants(make.pid)
        commands = {pid: Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ") for pid in seen if alive(pid)}
        assert any(b"rasa run" in line for line in commands.values()), commands
        assert any(b"uvicorn" in line for line in commands.values()), commands

        os.killpg(make.pid, signal.SIGINT)  # Ctrl+C
        make.wait(timeout=STOP_TIMEOUT)
        deadline = time.monotonic() + 10  # the kernel may still be reaping the last ones
        while time.monotonic() < deadline and any(alive(pid) for pid in seen):
            time.sleep(0.2)
        left = {pid: Path(f"/proc/{pid}/cmdline").read_bytes() for pid in seen if alive(pid)}
        assert left == {}, left
        assert "Bürgerbot wird beendet" in output.read_text(errors="replace")
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
            make.wait()
        for pid in seen:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
