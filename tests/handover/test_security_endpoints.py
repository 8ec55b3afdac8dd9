"""Issue 11, points 1 and 4 (headers): internal endpoints closed and security headers, against the running app.

- `/webhook` and `/actions` refuse calls without the action secret (the secret Rasa sends is accepted; Rasa's own
  calls: tests/bot/test_security_actions.py and every test with the real Rasa);
- production: no API documentation, `/metrics` only with its token or on the internal listener, which alone
  serves the action endpoint; development (make run's demo): documentation and metrics open;
- every page carries the CSP without inline script, frame-ancestors 'none', X-Frame-Options, nosniff,
  Referrer-Policy, and the pages the app serves contain no inline script or style.
"""

from __future__ import annotations

import re

import httpx
import pytest
from pydantic import SecretStr

from tests.bot.servers import ACTION_SECRET
from tests.handover.conftest import AppServer, free_port, make_settings, seed_index_cache

RASA = {"Authorization": f"Bearer {ACTION_SECRET}"}
METRICS_TOKEN = "metriken-token-0123456789abcdef"
ACTION_CALL = {"next_action": "action_handle_affirm", "sender_id": "security-test", "version": "3.6.21",
               "tracker": {"sender_id": "security-test", "slots": {}, "latest_message": {}, "events": [],
                           "paused": False, "followup_action": None, "active_loop": {}, "latest_action_name": None}}


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """The app as a city runs it: production mode, metrics token, action endpoint on an internal port."""
    seed_index_cache()
    settings = make_settings(tmp_path_factory.mktemp("app-production"), database_url=None, pubsub_url="memory://")
    settings = settings.model_copy(update={"environment": "production", "metrics_token": SecretStr(METRICS_TOKEN),
                                           "internal_port": free_port()})
    server = AppServer(settings).start()
    server.internal = f"http://127.0.0.1:{settings.internal_port}"
    yield server
    server.stop()


def test_webhook_refuses_calls_without_the_action_secret(sqlite_server):
    with httpx.Client(base_url=sqlite_server.base, timeout=30) as http:
        for headers in ({}, {"Authorization": "Bearer falsch"}, {"Authorization": f"Basic {ACTION_SECRET}"},
                        {"Authorization": f"Bearer {ACTION_SECRET}x"}):
            refused = http.post("/webhook", json=ACTION_CALL, headers=headers)
            assert refused.status_code == 401, headers
            assert refused.headers["www-authenticate"] == "Bearer"
            assert http.get("/actions", headers=headers).status_code == 401
        # what Rasa sends from its runtime endpoints file
        accepted = http.post("/webhook", json=ACTION_CALL, headers=RASA)
        assert accepted.status_code == 200 and "events" in accepted.json()
        assert "action_show_application_status" in {a["name"] for a in http.get("/actions", headers=RASA).json()}
        assert http.get("/actions/health").json() == {"status": "ok"}  # liveness stays open, it tells nothing


def test_development_keeps_documentation_and_metrics_open(sqlite_server):
    with httpx.Client(base_url=sqlite_server.base, timeout=30) as http:
        assert http.get("/docs").status_code == 200
        assert http.get("/openapi.json").json()["info"]["title"] == "Bürgerbot"
        assert "buergerbot" in http.get("/metrics").text


def test_production_closes_documentation_and_metrics(production):
    with httpx.Client(base_url=production.base, timeout=30) as http:
        for path in ("/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"):
            assert http.get(path).status_code == 404, path
        assert http.get("/metrics").status_code == 401
        assert http.get("/metrics", headers={"Authorization": "Bearer falsch"}).status_code == 401
        metrics = http.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        assert metrics.status_code == 200 and "buergerbot" in metrics.text
        # the demo page, the widget and the console work as before
        assert http.get("/").status_code == 200 and http.get("/console/login").status_code == 200


def test_internal_listener_alone_serves_the_action_endpoint(production):
    with httpx.Client(base_url=production.base, timeout=30) as public:
        assert public.post("/webhook", json=ACTION_CALL, headers=RASA).status_code == 404
        assert public.get("/actions", headers=RASA).status_code == 404
    with httpx.Client(base_url=production.internal, timeout=30) as internal:
        assert internal.post("/webhook", json=ACTION_CALL).status_code == 401  # the secret is still needed
        assert internal.post("/webhook", json=ACTION_CALL, headers=RASA).status_code == 200
        assert internal.get("/actions", headers=RASA).status_code == 200
        assert "buergerbot" in internal.get("/metrics").text  # monitoring on the internal port needs no token


def test_runtime_endpoints_point_rasa_at_the_internal_listener(production):
    from handover.shell.rasa_endpoints import RasaEndpoints, action_secret

    endpoints = RasaEndpoints.from_settings(production.settings)
    assert endpoints.action_url == f"{production.internal}/webhook"
    config = endpoints.as_config()["action_endpoint"]
    assert config["headers"] == {"Authorization": f"Bearer {action_secret(production.settings)}"}


PAGES = ["/", "/console/login", "/console", "/widget.js", "/api/console/me", "/health", "/static/console/login.js"]


@pytest.mark.parametrize("path", PAGES)
def test_security_headers_on_every_response(sqlite_server, path):
    response = httpx.get(f"{sqlite_server.base}{path}", timeout=30)
    csp = response.headers["content-security-policy"]
    directives = dict(item.strip().split(" ", 1) for item in csp.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in response.headers  # only for an https public URL


def test_hsts_for_an_https_installation(production):
    from handover.web.security_headers import security_headers

    https = production.settings.model_copy(update={"public_url": "https://chat.musterstadt.example"})
    assert (b"strict-transport-security", b"max-age=31536000") in security_headers(https)


@pytest.mark.parametrize("path", ["/", "/console/login", "/console"])
def test_pages_have_no_inline_script_or_style(sqlite_server, path):
    with httpx.Client(base_url=sqlite_server.base, timeout=30) as http:
        if path == "/console":  # behind the login; the page itself is the static file
            from handover.web.console_api import CONSOLE_DIR
            html = (CONSOLE_DIR / "index.html").read_text(encoding="utf-8")
        else:
            html = http.get(path).text
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S | re.I)
    assert scripts and all("src=" in attributes and not body.strip() for attributes, body in scripts), scripts
    assert not re.search(r"<style\b", html, re.I)
    assert not re.search(r"\sstyle\s*=", html, re.I)
    assert not re.search(r"\son[a-z]+\s*=", html, re.I)  # no inline event handlers either
