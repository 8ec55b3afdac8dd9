"""Helpers that read the tracker: what an action returns is only what changed."""

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, SlotSet

from bot.actions.conversation import only_changes


def tracker(**slots) -> Tracker:
    return Tracker.from_dict({"sender_id": "t", "slots": slots, "events": [], "latest_message": {}})


def test_unchanged_slots_are_dropped_and_changed_ones_kept_in_order() -> None:
    current = tracker(last_decision="answer", failed_attempts=0.0, topics=["wohngeld"], handover_reason=None)
    events = [
        SlotSet("last_decision", "answer"),
        SlotSet("failed_attempts", 1.0),
        SlotSet("topics", ["wohngeld"]),
        SlotSet("topics", ["wohngeld", "kindergeld"]),
        SlotSet("handover_reason", None),
        ActionExecuted("action_listen"),
        SlotSet("not_in_tracker", None),
    ]
    assert only_changes(current, events) == [
        SlotSet("failed_attempts", 1.0),
        SlotSet("topics", ["wohngeld", "kindergeld"]),
        ActionExecuted("action_listen"),
        SlotSet("not_in_tracker", None),
    ]


def test_setting_a_slot_back_within_the_same_answer_is_kept() -> None:
    current = tracker(awaiting_feedback=False)
    events = [SlotSet("awaiting_feedback", True), SlotSet("awaiting_feedback", False)]
    assert only_changes(current, events) == events
