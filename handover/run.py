"""`make run`: start the Rasa server (own venv) and the app together; stop both on Ctrl+C.

Rasa needs the action endpoint of the app, and the app relays citizens to Rasa; neither needs the other at
start-up, so both start at once and each retries its peer.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
from pathlib import Path

from handover.settings import PROJECT_ROOT

BOT_DIR = PROJECT_ROOT / "bot"


def rasa_command(rasa: Path, port: int, app_url: str) -> list[str]:
    return [
        str(rasa), "run", "--enable-api", "--cors", "*",
        "--model", str(BOT_DIR / "models"),
        "--endpoints", str(BOT_DIR / "endpoints.yml"),
        "--credentials", str(BOT_DIR / "credentials.yml"),
        "--port", str(port), "--interface", "127.0.0.1",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rasa", type=Path, default=PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--rasa-port", type=int, default=5005)
    args = parser.parse_args(argv)

    app_url = f"http://{args.host}:{args.port}"
    processes: list[subprocess.Popen] = []
    if (BOT_DIR / "models").is_dir() and any((BOT_DIR / "models").glob("*.tar.gz")):
        processes.append(subprocess.Popen(rasa_command(args.rasa, args.rasa_port, app_url), cwd=BOT_DIR))
    else:
        print("Kein trainiertes Rasa-Modell gefunden (make train); starte nur die App.", file=sys.stderr)
    processes.append(
        subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "handover.app:create_app",
             "--host", args.host, "--port", str(args.port)],
            cwd=PROJECT_ROOT,
        )
    )

    def stop(*_: object) -> None:
        for process in processes:
            if process.poll() is None:
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
    return max((process.returncode or 0) for process in processes)


if __name__ == "__main__":
    sys.exit(main())
