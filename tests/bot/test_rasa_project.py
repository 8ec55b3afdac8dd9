"""Quality gates of the Rasa project: data validation, test conversations, training stamp."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from bot import training
from bot.knowledge_examples import nlu_examples
from tests.bot.servers import BOT_DIR, RASA

RASA_ENV = {"PATH": "/usr/bin:/bin", "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}


def test_rasa_data_validate_is_clean(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(RASA), "data", "validate", "--fail-on-warnings"],
        cwd=BOT_DIR, env={**RASA_ENV, "HOME": str(tmp_path)}, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_every_intent_has_enough_varied_examples() -> None:
    examples = nlu_examples((BOT_DIR / "data" / "nlu.yml").read_text(encoding="utf-8"))
    # the forms' intents (cancel_form, inform) and extra examples live in nlu_forms.yml
    # and the Turkish, Ukrainian, Arabic and Leichte Sprache examples in their own files (issue 14)
    for name in ("nlu_forms.yml", "nlu_languages.yml", "leichte_sprache.yml"):
        for intent, extra in nlu_examples((BOT_DIR / "data" / name).read_text(encoding="utf-8")).items():
            examples.setdefault(intent, []).extend(extra)
    domain = yaml.safe_load((BOT_DIR / "domain.yml").read_text(encoding="utf-8"))
    for intent in domain["intents"]:
        if intent == "chitchat":
            continue
        assert len(examples.get(intent, [])) >= 15, intent
    english = re.compile(r"\b(the|my|you|what|how|I|please|thanks?|hello|to|a)\b", re.IGNORECASE)
    core = ["greet", "goodbye", "thanks", "affirm", "deny", "ask_question", "request_human", "frustration",
            "report_defect", "check_status"]
    for intent in core:
        assert any(english.search(text) for text in examples[intent]), f"no English example for {intent}"


def test_test_stories_cover_every_path() -> None:
    stories = yaml.safe_load((BOT_DIR / "tests" / "test_stories.yml").read_text(encoding="utf-8"))["stories"]
    assert len(stories) >= 25
    actions = {step.get("action") for story in stories for step in story["steps"]}
    for needed in ["action_answer_from_knowledge", "action_handover", "action_offer_handover", "action_handle_affirm",
                   "action_handle_deny", "defect_report_form", "action_submit_defect_report",
                   "application_status_form", "action_show_application_status", "utter_back_to_bot",
                   "action_chitchat", "action_decline", "action_support", "action_deactivate_loop"]:
        assert needed in actions, needed


@pytest.mark.slow
def test_rasa_test_stories_all_pass(trained_model: Path, tmp_path: Path) -> None:
    out = tmp_path / "results"
    result = subprocess.run(
        [str(RASA), "test", "core", "--model", str(trained_model), "--stories", "tests/test_stories.yml",
         "--out", str(out), "--fail-on-prediction-errors"],
        cwd=BOT_DIR, env={**RASA_ENV, "HOME": str(tmp_path)}, capture_output=True, text=True, timeout=1200,
    )
    failed = (out / "failed_test_stories.yml").read_text(encoding="utf-8") if (out / "failed_test_stories.yml").exists() else ""
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:] + failed
    report = json.loads((out / "story_report.json").read_text(encoding="utf-8"))
    assert report["conversation_accuracy"]["accuracy"] == 1.0, report["conversation_accuracy"]


def test_training_stamp_tracks_the_inputs(tmp_path: Path) -> None:
    copy = tmp_path / "bot"
    shutil.copytree(BOT_DIR, copy, ignore=shutil.ignore_patterns("models", "results", "__pycache__", ".rasa"))
    before = training.inputs_hash(copy)
    assert training.inputs_hash(copy) == before
    (copy / "tests" / "test_stories.yml").write_text("changed", encoding="utf-8")  # tests are no training input
    assert training.inputs_hash(copy) == before
    nlu = copy / "data" / "nlu.yml"
    nlu.write_text(nlu.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert training.inputs_hash(copy) != before


@pytest.mark.slow
def test_training_is_a_no_op_when_fresh(trained_model: Path) -> None:
    stamp = json.loads(training.STAMP_PATH.read_text(encoding="utf-8"))
    assert stamp["inputs_hash"] == training.inputs_hash()
    outcome = training.train(str(RASA))
    assert outcome.trained is False
