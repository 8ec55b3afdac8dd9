"""`make run HOST=… PORT=… RASA_PORT=…`: the settings the runner hands to the app and to Rasa's endpoints file
(the whole command runs in tests/test_make_run.py)."""

from __future__ import annotations

from pathlib import Path

from handover.shell.rasa_endpoints import RasaEndpoints
from handover.shell.run import run_settings
from handover.shell.settings import Settings


def test_ports_and_host_reach_the_app_and_rasa(tmp_path: Path) -> None:
    settings = run_settings(Settings(_env_file=None, data_dir=tmp_path), "0.0.0.0", 8080, 5006)
    assert (settings.host, settings.port) == ("0.0.0.0", 8080)
    assert settings.rasa_url == "http://127.0.0.1:5006"
    assert settings.public_url == "http://127.0.0.1:8080"  # the demo page's origin may open the websocket
    assert RasaEndpoints.from_settings(settings).action_url == "http://127.0.0.1:8080/webhook"


def test_unset_values_come_from_the_settings_and_a_configured_public_url_stays(tmp_path: Path) -> None:
    configured = Settings(_env_file=None, data_dir=tmp_path, port=9000, rasa_url="http://127.0.0.1:5999",
                          public_url="https://chat.musterstadt.example")
    settings = run_settings(configured, None, None, None)
    assert (settings.host, settings.port, settings.rasa_url) == ("127.0.0.1", 9000, "http://127.0.0.1:5999")
    assert settings.public_url == "https://chat.musterstadt.example"
