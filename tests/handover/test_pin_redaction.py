"""The answer to the status lookup's PIN step is kept nowhere (issue 13, point 3): the transcript stores [PIN] (the
citizen's and the agents' view), the statistics store [PIN] even when a reply echoes the text, Rasa still gets the
real text through the outbox. Stored by the real conversation actions on SQLite and PostgreSQL (the fixtures of
test_insights_recording.py); Rasa's replies are the payloads it sends (docs/bot-payloads.md)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from handover.domain.models.conversations import Conversation, Message, PendingRelay
from handover.domain.redaction import PIN, asks_for_secret, redact_answer
from tests.handover.test_insights_recording import answer, ctx, facts, start, turn  # noqa: F401  (ctx: fixture)


def step(name: str) -> dict:
    return {"type": "form", "version": 1, "form": "application_status", "step": name, "error": None, "result": None}


@pytest.mark.parametrize(("text", "asked", "kept"), [
    ("731904", step("case_pin"), PIN),
    ("meine PIN ist 731 904", step("case_pin"), PIN),
    ("/cancel_form", step("case_pin"), "/cancel_form"),  # a button carries nothing typed
    ("731904", step("case_number"), "731904"),
    ("731904", None, "731904"),
    ("731904", {"type": "knowledge", "step": "case_pin"}, "731904"),
])
def test_redact_answer(text, asked, kept) -> None:
    assert redact_answer(text, asked) == kept
    assert asks_for_secret(asked) == (asked is not None and asked.get("type") == "form"
                                      and asked.get("step") == "case_pin")


async def test_the_pin_is_kept_as_a_placeholder_and_relayed_as_typed(ctx):  # noqa: F811
    conversation_id = await start(ctx)
    await turn(ctx, conversation_id, "Wie ist der Stand meines Antrags?", step("case_number"))
    await turn(ctx, conversation_id, "MS-2026-000123", step("case_pin"))
    # the worst case: a reply that echoes what it searched (the form never sends the PIN step to the search)
    await turn(ctx, conversation_id, "731904", answer("731904", "bearbeitungsstatus", "buergerbuero", "rathaus"))
    await turn(ctx, conversation_id, "Wie beantrage ich einen Reisepass?",
               answer("Wie beantrage ich einen Reisepass?", "reisepass", "buergerbuero", "ausweise-und-dokumente"))

    def stored(session: Session):
        texts = list(session.scalars(select(Message.text).where(Message.conversation_id == conversation_id,
                                                                Message.sender == "citizen").order_by(Message.seq)))
        relayed = list(session.scalars(select(PendingRelay.text).where(
            PendingRelay.conversation_id == conversation_id).order_by(PendingRelay.message_seq)))
        return texts, relayed, session.get(Conversation, conversation_id).last_message_text

    texts, relayed, last = await ctx.db.run(stored)
    assert texts == ["Wie ist der Stand meines Antrags?", "MS-2026-000123", PIN, "Wie beantrage ich einen Reisepass?"]
    assert relayed[2] == "731904"  # Rasa gets what the citizen typed
    assert last != "731904"
    _, questions = await facts(ctx, conversation_id)
    assert [q.question for q in questions] == [PIN, "Wie beantrage ich einen Reisepass?"]
    assert all("731904" not in (q.question or "") for q in questions)
