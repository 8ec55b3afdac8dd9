"""Train the Rasa model only when its inputs changed.

`python -m bot.training --rasa .venv-rasa/bin/rasa` first writes the knowledge base's sample questions as NLU
examples (`bot/data/knowledge_questions.yml`, see `bot.knowledge_examples`), then hashes `bot/config.yml`,
`bot/domain.yml` and every file under `bot/data/`; when the hash equals the one in the stamp file next to the
model, nothing happens.
Otherwise `rasa train` runs in `bot/` (its progress bars go straight to the terminal) and the stamp is rewritten.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BOT_DIR = Path(__file__).resolve().parent
MODELS_DIR = BOT_DIR / "models"
MODEL_NAME = "buergerbot"
MODEL_PATH = MODELS_DIR / f"{MODEL_NAME}.tar.gz"
STAMP_PATH = MODELS_DIR / "training-stamp.json"


@dataclass(frozen=True)
class TrainingOutcome:
    trained: bool
    inputs_hash: str
    model_path: Path
    seconds: float


def training_inputs(bot_dir: Path = BOT_DIR) -> list[Path]:
    files = [bot_dir / "config.yml", bot_dir / "domain.yml"]
    files += sorted(p for p in (bot_dir / "data").rglob("*") if p.is_file())
    return files


def inputs_hash(bot_dir: Path = BOT_DIR) -> str:
    digest = hashlib.sha256()
    for path in training_inputs(bot_dir):
        digest.update(path.relative_to(bot_dir).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def model_is_fresh(current_hash: str) -> bool:
    if not (MODEL_PATH.exists() and STAMP_PATH.exists()):
        return False
    try:
        stamp = json.loads(STAMP_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return stamp.get("inputs_hash") == current_hash


def rasa_environment() -> dict[str, str]:
    env = dict(os.environ)
    # No usage telemetry from a municipality's server; less TensorFlow noise in the progress output.
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


def sync_knowledge_examples() -> None:
    from bot import knowledge_examples
    from handover.shell.settings import Settings

    if knowledge_examples.write(Settings().articles_dir):
        print(f"bot.training: NLU examples from the knowledge base updated ({knowledge_examples.OUTPUT.name})")


def train(rasa: str, *, force: bool = False) -> TrainingOutcome:
    MODELS_DIR.mkdir(parents=True, exist_ok=True)
    # Test runs, `make run` and benchmarks may all ask for a model at once: one trains, the others wait and then
    # find it fresh (two `rasa train` writing the same model file would leave a broken one).
    with (MODELS_DIR / ".training.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _train_locked(rasa, force=force)


def _train_locked(rasa: str, *, force: bool) -> TrainingOutcome:
    sync_knowledge_examples()
    current_hash = inputs_hash()
    if not force and model_is_fresh(current_hash):
        return TrainingOutcome(False, current_hash, MODEL_PATH, 0.0)

    started = time.monotonic()
    command = [
        rasa, "train",
        "--data", "data", "--config", "config.yml", "--domain", "domain.yml",
        "--out", "models", "--fixed-model-name", MODEL_NAME,
        "--force",  # our own hash decides; Rasa's fingerprint cache would keep stale parts after a failed run
    ]
    print(f"bot.training: inputs changed (hash {current_hash[:12]}), running: {' '.join(command)}", flush=True)
    subprocess.run(command, cwd=BOT_DIR, env=rasa_environment(), check=True)
    seconds = time.monotonic() - started
    STAMP_PATH.write_text(
        json.dumps(
            {"inputs_hash": current_hash, "model": MODEL_PATH.name, "trained_seconds": round(seconds, 1),
             "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
            indent=2,
        ),
        encoding="utf-8",
    )
    return TrainingOutcome(True, current_hash, MODEL_PATH, seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train the Bürgerbot Rasa model when bot data or config changed.")
    parser.add_argument("--rasa", default=".venv-rasa/bin/rasa", help="Path of the rasa executable.")
    parser.add_argument("--force", action="store_true", help="Train even when the model is up to date.")
    args = parser.parse_args(argv)
    rasa = str(Path(args.rasa).resolve()) if os.sep in args.rasa else args.rasa
    try:
        outcome = train(rasa, force=args.force)
    except subprocess.CalledProcessError as error:
        print(f"bot.training: rasa train failed with exit code {error.returncode}", file=sys.stderr)
        return error.returncode or 1
    if outcome.trained:
        print(f"bot.training: trained {outcome.model_path} in {outcome.seconds:.0f} s")
    else:
        print(f"bot.training: model is up to date ({outcome.model_path}, inputs hash {outcome.inputs_hash[:12]}), "
              "nothing to do")
    return 0


if __name__ == "__main__":
    sys.exit(main())
