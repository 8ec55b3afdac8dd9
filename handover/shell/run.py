"""`make run`: start the Rasa server (own venv) and the app together; stop both on Ctrl+C or SIGTERM.

Rasa needs the action endpoint of the app, and the app relays citizens to Rasa; neither needs the other at
start-up, so both start at once and each retries its peer. Both get one configuration: the app's settings with
the host and ports given here, and Rasa's endpoints file written from them (handover/shell/rasa_endpoints.py).

Each child runs in its own session, so a terminal's Ctrl+C reaches only this process, which then stops the
children in order (SIGTERM, SIGKILL after a grace period) together with anything they started; if this
process is killed outright, the kernel sends the children SIGTERM (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import argparse
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

import httpx

from handover.shell.rasa_endpoints import connect_host, write_runtime_endpoints
from handover.shell.settings import PROJECT_ROOT, Settings, get_settings

BOT_DIR = PROJECT_ROOT / "bot"
MODELS_DIR = BOT_DIR / "models"
STOP_GRACE_SECONDS = 15.0
PR_SET_PDEATHSIG = 1


class StopRequested(Exception):
    """SIGTERM or SIGHUP: stop like on Ctrl+C."""


def _raise_stop(signum: int, _frame: object) -> None:
    raise StopRequested(signal.Signals(signum).name)


def _die_with_parent() -> None:
    """Runs in the child between fork and exec."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    name: str
    process: subprocess.Popen
    log: Path

    def stop(self) -> None:
        """SIGTERM to the child's process group (it and whatever it started), SIGKILL after the grace period."""
        if self.process.poll() is None:
            self._signal_group(signal.SIGTERM)

    def wait_or_kill(self, deadline: float) -> None:
        try:
            self.process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"{self.name} reagiert nicht auf SIGTERM; beende es hart.", file=sys.stderr, flush=True)
            self._signal_group(signal.SIGKILL)
            self.process.wait()
        # Anything the child started and left behind in its group goes too.
        self._signal_group(signal.SIGKILL)

    def _signal_group(self, signum: int) -> None:
        try:
            os.killpg(self.process.pid, signum)
        except ProcessLookupError:
            pass


def _copy_lines(source: IO[bytes], log: Path) -> None:
    """The app's output goes to the terminal and to its log file."""
    with log.open("ab") as file:
        for line in iter(source.readline, b""):
            file.write(line)
            file.flush()
            sys.stdout.buffer.write(line)
            sys.stdout.buffer.flush()


def _start(name: str, command: list[str], *, env: dict[str, str], cwd: Path, log: Path, echo: bool) -> Child:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as file:
        file.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} make run: {' '.join(command)}\n".encode())
    output = subprocess.PIPE if echo else log.open("ab")
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True, preexec_fn=_die_with_parent,
    )
    if echo:
        threading.Thread(target=_copy_lines, args=(process.stdout, log), daemon=True).start()
    else:
        output.close()
    return Child(name, process, log)


def rasa_command(rasa: Path, port: int, endpoints: Path) -> list[str]:
    # Rasa listens on loopback only: its HTTP API (enabled for /status and trigger_intent) has no authentication;
    # citizens reach it through the app.
    return [
        str(rasa.resolve()), "run", "--enable-api",
        "--model", str(MODELS_DIR),
        "--endpoints", str(endpoints),
        "--credentials", str(BOT_DIR / "credentials.yml"),
        "--port", str(port), "--interface", "127.0.0.1",
    ]


def app_command(settings: Settings) -> list[str]:
    return [sys.executable, "-m", "uvicorn", "--factory", "handover.app:create_app",
            "--host", settings.host, "--port", str(settings.port)]


def run_settings(settings: Settings, host: str | None, port: int | None, rasa_port: int | None) -> Settings:
    """The settings with the command line's host and ports: the app's Rasa URL is the one Rasa started here (on
    the Rasa port), the public URL (allowed websocket origin) follows the app's port unless it was configured."""
    host = host or settings.host
    port = port or settings.port
    rasa_port = rasa_port or urlsplit(settings.rasa_urls[0]).port or 5005
    update = {"host": host, "port": port, "rasa_url": f"http://127.0.0.1:{rasa_port}",
              "data_dir": settings.data_dir.resolve()}
    if "public_url" not in settings.model_fields_set:
        update["public_url"] = f"http://{connect_host(host)}:{port}"
    return settings.model_copy(update=update)


def child_environment(settings: Settings) -> dict[str, str]:
    """Everything this process got, plus the settings it decided, so the app reads the same configuration."""
    env = dict(os.environ)
    env.update({
        "BUERGERBOT_HOST": settings.host,
        "BUERGERBOT_PORT": str(settings.port),
        "BUERGERBOT_RASA_URL": settings.rasa_url,
        "BUERGERBOT_PUBLIC_URL": settings.public_url,
        "BUERGERBOT_DATA_DIR": str(settings.data_dir),
    })
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")  # a municipal installation reports nowhere
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


def _ready(app_url: str) -> bool:
    try:
        return httpx.get(f"{app_url}/ready", timeout=3).status_code == 200
    except httpx.HTTPError:
        return False


def supervise(children: list[Child], app_url: str) -> int:
    """Until a child exits or a stop is requested; prints once when everything is ready."""
    announced = False
    while True:
        for child in children:
            if child.process.poll() is not None:
                print(f"{child.name} hat sich beendet (Code {child.process.returncode}); Log: {child.log}",
                      file=sys.stderr, flush=True)
                return child.process.returncode or 1
        if not announced and _ready(app_url):
            print(f"Bürgerbot ist bereit: {app_url}/", flush=True)
            announced = True
        time.sleep(0.5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rasa", type=Path, default=PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa")
    parser.add_argument("--host", help="address the app binds to (default: BUERGERBOT_HOST)")
    parser.add_argument("--port", type=int, help="port of the app (default: BUERGERBOT_PORT)")
    parser.add_argument("--rasa-port", type=int, help="port of Rasa on 127.0.0.1 (default: from BUERGERBOT_RASA_URL)")
    args = parser.parse_args(argv)

    settings = run_settings(get_settings(), args.host, args.port, args.rasa_port)
    try:
        endpoints = write_runtime_endpoints(settings)
    except ValueError as error:
        print(f"Einstellung ungültig: {error}", file=sys.stderr)
        return 2
    logs = settings.data_dir / "logs"
    app_url = f"http://{connect_host(settings.host)}:{settings.port}"
    rasa_url = settings.rasa_url
    env = child_environment(settings)

    # Ctrl+C stops even when started from a script that set SIGINT to "ignore" for its background jobs.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGHUP, _raise_stop)
    children: list[Child] = []
    try:
        if any(MODELS_DIR.glob("*.tar.gz")):
            children.append(_start("Rasa", rasa_command(args.rasa, urlsplit(rasa_url).port, endpoints),
                                   env=env, cwd=BOT_DIR, log=logs / "rasa.log", echo=False))
        else:
            print("Kein trainiertes Rasa-Modell gefunden (make train); starte nur die App.", file=sys.stderr)
        children.append(_start("Die App", app_command(settings), env=env, cwd=PROJECT_ROOT,
                               log=logs / "app.log", echo=True))
        docs = (f"  API-Dokumentation:       {app_url}/docs\n" if settings.environment == "development"
                else "  API-Dokumentation:       aus (BUERGERBOT_ENVIRONMENT=production)\n")
        print(
            "Bürgerbot startet (Rasa lädt sein Modell, das dauert etwa eine halbe Minute)\n"
            f"  Demo-Seite mit Widget:   {app_url}/\n"
            f"  Agenten-Konsole:         {app_url}/console\n"
            f"{docs}"
            f"  Bereitschaft:            {app_url}/ready  (Einzelheiten: {app_url}/health)\n"
            f"  Rasa:                    {rasa_url}/  (Endpunkte: {endpoints})\n"
            f"  Logs:                    {logs / 'app.log'}, {logs / 'rasa.log'}\n"
            "  Beenden mit Strg+C.",
            flush=True,
        )
        return supervise(children, app_url)
    except (KeyboardInterrupt, StopRequested):
        print("\nBürgerbot wird beendet …", flush=True)
        return 0
    finally:
        # A second Ctrl+C while stopping must not leave the children behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for child in children:
            child.stop()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in children:
            child.wait_or_kill(deadline)


if __name__ == "__main__":
    sys.exit(main())
