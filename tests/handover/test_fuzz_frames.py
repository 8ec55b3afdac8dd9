"""Property-based fuzzing of both websockets of the running app (SQLite and PostgreSQL): Hypothesis generates bad
frames — not JSON, JSON that is no object, unknown types, every known frame with one field broken (wrong JSON
type, out of its range, NUL, too long, blank, missing), deep nesting, oversized and binary frames — and sends them
on one citizen socket before its hello, one after it, and one agent socket. Every frame must be answered by an
error frame, the sockets must stay open, and nothing may be stored for any of them.

Bounded: a fixed number of examples per socket type (700 frames per database) and no per-example deadline (the
machine is shared); the whole file takes well under a minute."""

from __future__ import annotations

import json

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from websockets.sync.client import connect

from handover.domain.models.access_audit import AccessAuditEntry
from handover.domain.models.conversations import Conversation, InternalNote, Message, PendingRelay, Ticket
from handover.web.frames import AGENT_TYPES, CITIZEN_TYPES
from tests.handover.conftest import PASSWORD

# per database: 100 frames wrong as a whole and 200 known frames with one thing wrong per socket (the citizen's
# broken frames go to a greeted socket and, as broken hellos, to one not yet greeted): 700 frames on each database
FUZZ = settings(max_examples=200, deadline=None, database=None, suppress_health_check=list(HealthCheck))
FUZZ_GARBAGE = settings(FUZZ, max_examples=100)
ERROR_CODES = {"bad_frame", "too_large", "unknown_type", "invalid", "not_found", "conflict", "forbidden"}
# what consoles hear besides the answer to their own frames
BROADCASTS = {"queue_update", "watch_update", "agents_update", "live_update", "handover", "claimed", "ticket", "note",
              "typing", "read", "message", "state", "ticket_created"}

# --- strategies ------------------------------------------------------------------------------------
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False),
                         st.text(max_size=20))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)), max_leaves=8)


def bad_int(low: int, high: int):
    return st.one_of(st.integers(max_value=low - 1), st.integers(min_value=high + 1),
                     st.floats(allow_nan=False), st.text(max_size=5), st.booleans(), st.lists(json_scalars, max_size=2))


def bad_str(max_len: int | None, optional: bool = False, nonblank: bool = False, min_len: int = 1):
    options = [st.integers(), st.booleans(), st.floats(allow_nan=False), st.lists(json_scalars, max_size=2),
               st.dictionaries(st.text(max_size=3), json_scalars, max_size=2),
               st.tuples(st.text(max_size=10), st.text(max_size=10)).map(lambda p: p[0] + "\x00" + p[1])]
    if max_len is not None:
        options.append(st.integers(max_len + 1, max_len + 40).map(lambda n: "x" * n))
    if min_len > 1:
        options.append(st.text(alphabet="abc", min_size=1, max_size=min_len - 1))
    if not optional:
        options.append(st.none())
    if nonblank:
        options.append(st.text(alphabet=" \t\n\r\u00a0\u3000\u200b\ufeff", min_size=1, max_size=8))
    return st.one_of(options)


def bad_bool():
    return st.one_of(st.text(max_size=5), st.integers(), st.none(), st.floats(allow_nan=False),
                     st.lists(st.booleans(), max_size=2))


def bad_choice(allowed: set):
    return st.one_of(st.text(max_size=12).filter(lambda v: v not in allowed), st.integers(), st.none(),
                     st.booleans())


INT32, INT64 = 2**31 - 1, 2**63 - 1


def spec(valid: dict, breakers: dict, required: set = frozenset()) -> tuple:
    """A valid frame of one type, what breaks each of its fields, and the fields without a default (only these may
    also be left out: leaving out one with a default would make a valid frame)."""
    return valid, breakers, set(required)


CITIZEN = {
    "message": spec({"client_id": "fuzz", "text": "Hallo"},
                    {"client_id": bad_str(64), "text": bad_str(None, nonblank=True)}, {"client_id", "text"}),
    "typing": spec({"active": True}, {"active": bad_bool()}, {"active"}),
    "read": spec({"seq": 1}, {"seq": bad_int(0, INT64)}, {"seq"}),
    "ticket": spec({"client_id": "t", "name": "Erika", "contact": "erika@example.de", "concern": "Rückruf",
                    "consent": True},
                   {"client_id": bad_str(64), "name": bad_str(200, nonblank=True),
                    "contact": st.one_of(bad_str(200, nonblank=True), st.sampled_from(["xyz", "a@b", "12", "tel.: ?"])),
                    "concern": bad_str(None, nonblank=True),
                    "consent": st.one_of(st.just(False), st.integers(), st.text(max_size=4), st.none())},
                   {"client_id", "name", "contact", "concern", "consent"}),
    "csat": spec({"rating": 5}, {"rating": bad_int(1, 5), "comment": bad_str(2000, optional=True)}, {"rating"}),
    "feedback": spec({"seq": 1, "helpful": True},
                     {"seq": bad_int(1, INT64), "helpful": bad_bool(), "comment": bad_str(2000, optional=True)},
                     {"seq", "helpful"}),
}
HELLO = {"hello": spec({"version": 1, "last_seq": 0, "language": "de"}, {
    # a well-formed version other than 1 closes the socket on purpose (4400): only malformed ones here
    "version": st.one_of(st.integers(max_value=-1), st.integers(min_value=INT32 + 1), st.text(max_size=3),
                         st.floats(allow_nan=False), st.booleans(), st.none()),
    "last_seq": bad_int(0, INT64), "language": bad_choice({"de", "en"}),
    "token": bad_str(200, optional=True), "page": bad_str(500, optional=True),
    "citizen_key": bad_str(64, optional=True, min_len=16), "department": bad_str(64, optional=True),
})}
CONVERSATION = {"conversation_id"}
AGENT = {
    "claim": spec({}, {}, CONVERSATION), "takeover": spec({}, {}, CONVERSATION), "open": spec({}, {}, CONVERSATION),
    "return_to_bot": spec({}, {}, CONVERSATION),
    "message": spec({"client_id": "fuzz", "text": "Hallo"},
                    {"client_id": bad_str(64), "text": bad_str(None, nonblank=True)},
                    CONVERSATION | {"client_id", "text"}),
    "note": spec({"text": "Notiz"}, {"text": bad_str(4000, nonblank=True)}, CONVERSATION | {"text"}),
    "typing": spec({"active": True}, {"active": bad_bool()}, CONVERSATION | {"active"}),
    "read": spec({"seq": 1}, {"seq": bad_int(0, INT64)}, CONVERSATION | {"seq"}),
    # without department and agent the transfer itself refuses (invalid): the target may be left out, too
    "transfer": spec({"department": "buergerbuero"},
                     {"department": bad_str(64, optional=True), "agent_id": bad_int(1, INT32),
                      "note": bad_str(4000, optional=True)}, CONVERSATION | {"department"}),
    "close": spec({"resolution": "resolved"},
                  {"resolution": bad_choice({"resolved", "no_response", "forwarded", "spam"})}, CONVERSATION),
    "push_article": spec({"article_id": "a"}, {"article_id": bad_str(200)}, CONVERSATION | {"article_id"}),
    "presence": spec({"status": "online"}, {"status": bad_choice({"online", "away"})}, {"status"}),
}


@st.composite
def broken_known_frame(draw, table: dict, conversation_id: str | None):
    """A known frame type with exactly one thing wrong: a field broken, or a field without a default left out."""
    kind = draw(st.sampled_from(sorted(table)))
    valid, breakers, required = table[kind]
    frame = {"type": kind, **valid}
    if "conversation_id" in required:
        frame["conversation_id"] = conversation_id
        breakers = {**breakers, "conversation_id": bad_str(64)}
    if required and draw(st.integers(0, 5)) == 0:
        del frame[draw(st.sampled_from(sorted(required)))]
    else:
        field = draw(st.sampled_from(sorted(breakers)))
        frame[field] = draw(breakers[field])
    return json.dumps(frame)


def nested(depth: int) -> str:
    return '{"type":"ping","x":' + "[" * depth + "1" + "]" * depth + "}"


def garbage_frames(table: dict, known: set[str]):
    """Frames wrong as a whole: not JSON, no object, no or an unknown type, binary, too deep, too large."""
    not_json = st.text(max_size=40).filter(lambda text: not _is_json(text))
    not_object = json_values.filter(lambda value: not isinstance(value, dict)).map(json.dumps)
    no_type = st.dictionaries(st.text(max_size=5).filter(lambda key: key != "type"), json_scalars, max_size=3).map(
        json.dumps)
    wrong_type = st.builds(lambda t, rest: json.dumps({**rest, "type": t}),
                           st.one_of(st.text(max_size=12).filter(lambda t: t not in known),
                                     st.integers(), st.none(), st.lists(st.text(max_size=3), max_size=2)),
                           st.dictionaries(st.text(max_size=5), json_scalars, max_size=2))
    binary = st.one_of(st.binary(max_size=40), st.builds(lambda kind: json.dumps({"type": kind}).encode(),
                                                         st.sampled_from(sorted(table))))
    deep = st.integers(21, 3000).map(nested)
    huge = st.integers(50_000, 120_000).map(
        lambda n: json.dumps({"type": "message", "client_id": "h", "text": "a" * n}))
    return st.one_of(not_json, not_object, no_type, wrong_type, binary, deep, huge)


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


# --- the sockets -------------------------------------------------------------------------------------
class SyncSocket:
    def __init__(self, ws) -> None:
        self.ws = ws

    def answer(self, frame: str | bytes) -> dict:
        """Sends the frame and returns the error frame answering it (broadcasts in between are skipped)."""
        self.ws.send(frame)
        while True:
            reply = json.loads(self.ws.recv(timeout=10))
            if reply.get("type") in BROADCASTS:
                continue
            return reply

    def ping(self) -> None:
        assert self.answer('{"type":"ping"}') == {"type": "pong"}


def counts(server, conversation_id: str) -> tuple:
    def work(session):
        def n(model, **where):
            query = select(func.count()).select_from(model)
            for column, value in where.items():
                query = query.where(getattr(model, column) == value)
            return session.scalar(query)

        return (n(Conversation), n(Message, conversation_id=conversation_id),
                n(PendingRelay, conversation_id=conversation_id), n(InternalNote, conversation_id=conversation_id),
                n(Ticket, conversation_id=conversation_id), n(AccessAuditEntry, conversation_id=conversation_id),
                session.get(Conversation, conversation_id).state)

    return server.db.run_sync(work)


def assert_error(reply: dict, frame) -> None:
    assert reply.get("type") == "error" and reply.get("code") in ERROR_CODES, (frame, reply)
    assert reply.get("message"), (frame, reply)


def test_citizen_socket_answers_every_bad_frame_and_stores_nothing(server):
    with connect(f"{server.ws_base}/ws/citizen", max_size=2**22) as greeted_ws, \
            connect(f"{server.ws_base}/ws/citizen", max_size=2**22) as fresh_ws:
        greeted, fresh = SyncSocket(greeted_ws), SyncSocket(fresh_ws)
        greeted_ws.send(json.dumps({"type": "hello", "version": 1}))
        conversation_id = json.loads(greeted_ws.recv(timeout=10))["conversation_id"]
        before = counts(server, conversation_id)

        @FUZZ_GARBAGE
        @given(frame=garbage_frames(CITIZEN, CITIZEN_TYPES), on_fresh=st.booleans())
        def garbage(frame, on_fresh):
            assert_error((fresh if on_fresh else greeted).answer(frame), frame)

        @FUZZ
        @given(frame=broken_known_frame(CITIZEN, None), hello=broken_known_frame(HELLO, None))
        def broken(frame, hello):
            assert_error(greeted.answer(frame), frame)
            # nothing but a good hello greets the fresh socket; the broken ones must not
            assert_error(fresh.answer(hello), hello)

        garbage()
        broken()
        greeted.ping()
        assert_error(fresh.answer('{"type":"ping"}'), "ping before hello")  # still not greeted, still open
        assert counts(server, conversation_id) == before


def test_agent_socket_answers_every_bad_frame_and_stores_nothing(server):
    account = server.add_agent()
    login = httpx.post(f"{server.base}/console/login", data={"username": account["username"], "password": PASSWORD},
                       headers={"Accept": "application/json"})
    cookie = login.cookies["bb_session"]
    with connect(f"{server.ws_base}/ws/citizen") as citizen_ws, \
            connect(f"{server.ws_base}/ws/agent", additional_headers={"Cookie": f"bb_session={cookie}"},
                    max_size=2**24) as agent_ws:
        citizen_ws.send(json.dumps({"type": "hello", "version": 1}))
        conversation_id = json.loads(citizen_ws.recv(timeout=10))["conversation_id"]
        agent = SyncSocket(agent_ws)
        assert json.loads(agent_ws.recv(timeout=10))["type"] == "snapshot"
        claimed = agent.answer(json.dumps({"type": "takeover", "conversation_id": conversation_id}))
        assert claimed["type"] == "conversation", claimed
        before = counts(server, conversation_id)

        @FUZZ_GARBAGE
        @given(frame=garbage_frames(AGENT, AGENT_TYPES))
        def garbage(frame):
            assert_error(agent.answer(frame), frame)

        @FUZZ
        @given(frame=broken_known_frame(AGENT, conversation_id))
        def broken(frame):
            assert_error(agent.answer(frame), frame)

        garbage()
        broken()
        agent.ping()
        assert counts(server, conversation_id) == before
        reply = agent.answer(json.dumps({"type": "close", "conversation_id": conversation_id,
                                         "resolution": "resolved"}))
        assert reply == {"type": "closed", "conversation_id": conversation_id}

