"""`/ready` and `/health` when Rasa is down (these servers point Rasa at a closed port on purpose); the ready case
with the real Rasa is covered by tests/test_make_run.py."""

from __future__ import annotations

import httpx

from handover.web.health import rasa_component
from tests.handover.conftest import free_port


async def test_not_ready_without_rasa_and_health_names_what_is_missing(sqlite_server) -> None:
    async with httpx.AsyncClient(base_url=sqlite_server.base) as http:
        ready = await http.get("/ready")
        health = await http.get("/health")
    assert ready.status_code == 503
    assert ready.json()["ready"] is False and ready.json()["missing"] == ["rasa"]

    assert health.status_code == 200  # alive, even though not ready
    body = health.json()
    assert body["status"] == "degraded" and body["missing"] == ["rasa"]
    components = body["components"]
    assert components["app"]["ok"] and components["knowledge"]["ok"]
    assert components["rasa"] == {"ok": False, "detail": components["rasa"]["detail"]}
    assert "not reachable" in components["rasa"]["detail"]
    assert body["knowledge"]["articles"] > 0 and body["knowledge"]["errors"] == []


async def test_several_rasa_processes_are_each_named() -> None:
    urls = [f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{free_port()}"]
    status = await rasa_component(urls)
    assert not status.ok
    assert all(f"not reachable at {url}" in status.detail for url in urls)
