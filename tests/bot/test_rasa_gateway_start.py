"""The gateway's Rasa client before the first question, against the real Rasa server and app: a conversation's
session started ahead of its first message answers exactly like one started by the message (also when the
message follows at once), and the warm-up parses once Rasa's model is loaded (and gives up quietly where there is
no Rasa API)."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid

from handover.domain.rasa_client import RasaClient, merge_replies
from tests.bot.servers import AppServer, Conversation, RasaServer, free_port

QUESTION = "Was kostet ein Reisepass?"


def replies(messages: list[dict]) -> list[tuple]:
    return [(m.get("text"), m.get("buttons"), m.get("custom")) for m in messages]


def relevant_events(tracker: dict) -> list[tuple]:
    """The dialogue as Rasa keeps it, without time stamps and model metadata."""
    kept = []
    for event in tracker["events"]:
        kind = event["event"]
        if kind == "slot":
            kept.append((kind, event["name"], event["value"]))
        elif kind in ("action", "session_started", "user", "bot"):
            kept.append((kind, event.get("name") or event.get("text")))
    return kept


def test_a_session_started_ahead_answers_the_first_question_like_one_started_by_it(rasa_server: RasaServer) -> None:
    for language, question in (("de", QUESTION), ("en", "How much is a passport?")):
        by_question = Conversation(rasa_server, f"test-first-{uuid.uuid4().hex[:12]}", language=language)
        ahead = Conversation(rasa_server, f"test-ahead-{uuid.uuid4().hex[:12]}", language=language)

        async def start() -> None:
            client = RasaClient(rasa_server.url, 30.0)
            try:
                await client.start_session(ahead.sender, language)
            finally:
                await client.aclose()

        asyncio.run(start())
        started = relevant_events(ahead.tracker())
        assert ("action", "action_session_start") in started and ("session_started", None) in started
        assert ("slot", "language", language) in started

        assert replies(ahead.send(question)) == replies(by_question.send(question))
        events, expected = relevant_events(ahead.tracker()), relevant_events(by_question.tracker())
        assert events.count(("session_started", None)) == 1  # the first question did not start another session
        # From the question on, Rasa did the same, and the conversation holds the same slots. (In the English
        # conversation started ahead, the knowledge action sets the language slot once more, to the same value.)
        def turn(found: list[tuple]) -> list[tuple]:
            return [event for event in found[found.index(("user", question)):] if event[0] != "slot"]

        assert turn(events) == turn(expected)
        assert ahead.tracker()["slots"] == by_question.tracker()["slots"]


def test_a_first_message_sent_while_the_session_starts_waits_for_it(rasa_server: RasaServer) -> None:
    """The citizen pressed Enter at once: the message follows the session start instead of racing it (Rasa's lock
    store would make it poll for the conversation's lock once a second), and the session starts once."""
    by_question = Conversation(rasa_server, f"test-first-{uuid.uuid4().hex[:12]}")
    racing = Conversation(rasa_server, f"test-race-{uuid.uuid4().hex[:12]}")

    requests: dict[str, tuple[float, float]] = {}  # kind -> (sent, answered), from the client's latency hook

    def observe(kind: str, seconds: float) -> None:
        answered = time.perf_counter()
        requests[kind] = (answered - seconds, answered)

    async def start_and_ask() -> list:
        client = RasaClient(rasa_server.url, 30.0, observe_latency=observe)
        try:
            _, answer = await asyncio.gather(client.start_session(racing.sender, "de"),
                                             client.send_message(racing.sender, QUESTION, "de"))
            return answer
        finally:
            await client.aclose()

    answer = asyncio.run(start_and_ask())
    assert requests["message"][0] >= requests["start_session"][1]  # posted only once the session had started
    expected = by_question.send(QUESTION)
    assert answer == merge_replies(expected)
    events = relevant_events(racing.tracker())
    assert events.count(("session_started", None)) == 1
    assert events.index(("session_started", None)) < events.index(("user", QUESTION))


def test_warm_up_parses_once_the_model_is_loaded_and_gives_up_without_an_api(
    rasa_server: RasaServer, app_server: AppServer, caplog
) -> None:
    async def warm(urls: list[str], wait_seconds: float) -> float:
        client = RasaClient(urls, 10.0)
        started = time.monotonic()
        try:
            await client.warm_up(wait_seconds=wait_seconds)
        finally:
            await client.aclose()
        return time.monotonic() - started

    with caplog.at_level(logging.INFO, logger="handover.domain.rasa_client"):
        assert asyncio.run(warm([rasa_server.url], 30.0)) < 30
    assert f"Rasa at {rasa_server.url} warmed up" in caplog.text
    # No Rasa API there (the app answers 404 for /status): nothing to warm, no waiting.
    assert asyncio.run(warm([app_server.url], 30.0)) < 5
    # Nothing listening: it keeps trying until its deadline, then stops without an error.
    took = asyncio.run(warm([f"http://127.0.0.1:{free_port()}"], 2.0))
    assert 1.5 < took < 10
