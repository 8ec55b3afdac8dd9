"""Rasa's runtime endpoints file follows the settings (the real processes run with it in tests/bot and
tests/test_make_run.py; here: the mapping of settings to Rasa's keys)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import yaml

from handover.shell.rasa_endpoints import runtime_endpoints_path, write_runtime_endpoints
from handover.shell.settings import Settings


def written(tmp_path: Path, **settings) -> dict:
    path = write_runtime_endpoints(Settings(_env_file=None, data_dir=tmp_path, **settings))
    assert path == runtime_endpoints_path(Settings(_env_file=None, data_dir=tmp_path))
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_defaults_follow_the_apps_port_and_persist_trackers_next_to_the_database(tmp_path: Path) -> None:
    config = written(tmp_path, host="0.0.0.0", port=8123)
    secret = (tmp_path / "runtime" / "action-secret").read_text().strip()  # generated at the first start
    assert config["action_endpoint"] == {"url": "http://127.0.0.1:8123/webhook", "enable_selective_domain": True,
                                         "headers": {"Authorization": f"Bearer {secret}"}}
    assert config["tracker_store"] == {"type": "SQL", "url": f"sqlite:///{tmp_path.resolve()}/rasa-tracker.db"}
    assert "lock_store" not in config  # one Rasa process: its in-memory lock store suffices


def test_replica_setting_shares_postgresql_and_redis(tmp_path: Path) -> None:
    config = written(
        tmp_path,
        rasa_action_endpoint_url="http://app-lb:8000/webhook",
        rasa_tracker_store_url="postgres://rasa:p%40ss@db:5432/rasa",
        rasa_lock_store_url="rediss://:geheim%21@redis.example:6380/3",
    )
    assert config["action_endpoint"]["url"] == "http://app-lb:8000/webhook"
    assert config["tracker_store"] == {"type": "SQL", "url": "postgresql://rasa:p%40ss@db:5432/rasa"}
    assert config["lock_store"] == {"type": "redis", "url": "redis.example", "port": 6380, "db": 3,
                                    "password": "geheim!", "use_ssl": True}
    # The URLs may carry passwords.
    mode = stat.S_IMODE(runtime_endpoints_path(Settings(_env_file=None, data_dir=tmp_path)).stat().st_mode)
    assert mode == 0o600


def test_in_memory_on_request(tmp_path: Path) -> None:
    config = written(tmp_path, rasa_tracker_store_url="memory://", rasa_lock_store_url="memory://")
    assert "tracker_store" not in config and "lock_store" not in config


@pytest.mark.parametrize(("setting", "value", "named"), [
    ("rasa_tracker_store_url", "mongodb://db/rasa", "BUERGERBOT_RASA_TRACKER_STORE_URL"),
    ("rasa_lock_store_url", "http://redis:6379/1", "BUERGERBOT_RASA_LOCK_STORE_URL"),
    ("rasa_lock_store_url", "redis://redis:6379/eins", "BUERGERBOT_RASA_LOCK_STORE_URL"),
])
def test_unusable_urls_are_refused_naming_the_setting(tmp_path: Path, setting: str, value: str, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        write_runtime_endpoints(Settings(_env_file=None, data_dir=tmp_path, **{setting: value}))
