"""Wire formats of the websocket protocol (docs/protocol.md, version 1): inbound frames are validated with
pydantic; outbound frames are built by the services as plain dicts in the documented shapes.

Input is strict, so a bad frame is answered with an error frame and never reaches the database (where SQLite and
PostgreSQL would each fail differently, or not at all): text frames only; the raw text is checked for size and
JSON nesting before it is parsed; types are not coerced (`"5"` is no number, `"yes"` no boolean); numbers stay
within the range of the columns they are compared with; strings carry no NUL character or lone surrogate (which
PostgreSQL refuses and SQLite stores); message texts are counted in characters after decoding and must not be
blank. An `invalid` error names the field (`field`) and says in German what is wrong with it."""

from __future__ import annotations

import json
import re
from typing import Annotated, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError

PROTOCOL_VERSION = 1

INT64_MAX = 2**63 - 1  # sequence positions a client reports (compared, never stored): SQLite's integer range
INT32_MAX = 2**31 - 1  # ids stored in INTEGER columns (PostgreSQL's int4)
MAX_NESTING = 20  # frames nest two levels at most; deeper JSON is refused before it is parsed
# An escaped character (\u00fc) takes up to six bytes of the raw frame for one to four decoded ones: a frame within
# the decoded limit is at most this many times longer on the wire.
ESCAPE_FACTOR = 6

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# what remains of a "blank" message: whitespace and the invisible characters a keyboard or paste can leave
_BLANK = re.compile("[\\s\u200b-\u200d\u2060\ufeff]*")


def storable(value: str) -> str:
    """No NUL (PostgreSQL refuses it, SQLite stores it) and no lone surrogate (not encodable as UTF-8)."""
    if _UNSTORABLE.search(value):
        raise PydanticCustomError("unstorable_character", "contains a NUL character or a lone surrogate")
    return value


def not_blank(value: str) -> str:
    if _BLANK.fullmatch(value):
        raise PydanticCustomError("blank", "contains only whitespace")
    return value


def is_true(value: bool) -> bool:
    if value is not True:
        raise PydanticCustomError("consent_required", "must be true")
    return value


Text = Annotated[str, AfterValidator(storable)]
MessageText = Annotated[str, Field(min_length=1), AfterValidator(storable), AfterValidator(not_blank)]
ClientId = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(storable)]
ConversationId = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(storable)]
Seq = Annotated[int, Field(ge=0, le=INT64_MAX)]


class _Frame(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)


# --- citizen → server --------------------------------------------------------------------------
class Hello(_Frame):
    type: Literal["hello"]
    version: Annotated[int, Field(ge=0, le=INT32_MAX)] = PROTOCOL_VERSION
    token: Text | None = Field(None, max_length=200)
    last_seq: Seq = 0
    language: Literal["de", "en", "tr", "uk", "ar"] = "de"  # the widget's language (issue 14: five languages)
    page: Text | None = Field(None, max_length=500)
    citizen_key: Text | None = Field(None, min_length=16, max_length=64)
    department: Text | None = Field(None, max_length=64)


class CitizenMessage(_Frame):
    type: Literal["message"]
    client_id: ClientId
    text: MessageText


class CitizenTyping(_Frame):
    type: Literal["typing"]
    active: bool


class CitizenRead(_Frame):
    type: Literal["read"]
    seq: Seq


class RequestHuman(_Frame):
    type: Literal["request_human"]


class TicketRequest(_Frame):
    type: Literal["ticket"]
    client_id: ClientId
    name: MessageText = Field(max_length=200)
    contact: MessageText = Field(max_length=200)  # e-mail address or phone number: ticket_requests checks which
    concern: MessageText
    consent: Annotated[bool, AfterValidator(is_true)]


class Csat(_Frame):
    type: Literal["csat"]
    rating: int = Field(ge=1, le=5)
    comment: Text | None = Field(None, max_length=2000)


class Feedback(_Frame):
    type: Literal["feedback"]
    seq: Annotated[int, Field(ge=1, le=INT64_MAX)]
    helpful: bool
    comment: Text | None = Field(None, max_length=2000)


class End(_Frame):
    type: Literal["end"]


class Ping(_Frame):
    type: Literal["ping"]


class LanguageChoice(_Frame):
    """The citizen picked the chat's language in the widget (handover/domain/conversations/languages.py)."""

    type: Literal["language"]
    language: Literal["de", "en", "tr", "uk", "ar"]


CitizenFrame = Annotated[
    Union[Hello, CitizenMessage, CitizenTyping, CitizenRead, RequestHuman, TicketRequest, Csat, Feedback, End, Ping,
          LanguageChoice],
    Field(discriminator="type"),
]
CITIZEN_TYPES = {"hello", "message", "typing", "read", "request_human", "ticket", "csat", "feedback", "end", "ping",
                 "language"}


# --- agent → server ----------------------------------------------------------------------------
class _AgentConversationFrame(_Frame):
    conversation_id: ConversationId


class Claim(_AgentConversationFrame):
    type: Literal["claim"]


class Takeover(_AgentConversationFrame):
    type: Literal["takeover"]


class Open(_AgentConversationFrame):
    type: Literal["open"]


class AgentMessage(_AgentConversationFrame):
    type: Literal["message"]
    client_id: ClientId
    text: MessageText


class Note(_AgentConversationFrame):
    type: Literal["note"]
    text: MessageText = Field(max_length=4000)


class AgentTyping(_AgentConversationFrame):
    type: Literal["typing"]
    active: bool


class AgentRead(_AgentConversationFrame):
    type: Literal["read"]
    seq: Seq


class Transfer(_AgentConversationFrame):
    type: Literal["transfer"]
    department: Text | None = Field(None, max_length=64)
    agent_id: Annotated[int, Field(ge=1, le=INT32_MAX)] | None = None
    note: Text | None = Field(None, max_length=4000)


class ReturnToBot(_AgentConversationFrame):
    type: Literal["return_to_bot"]


class Close(_AgentConversationFrame):
    type: Literal["close"]
    resolution: Literal["resolved", "no_response", "forwarded", "spam"] = "resolved"


class PushArticle(_AgentConversationFrame):
    type: Literal["push_article"]
    article_id: Text = Field(min_length=1, max_length=200)


class Presence(_Frame):
    type: Literal["presence"]
    status: Literal["online", "away"]


AgentFrame = Annotated[
    Union[
        Claim, Takeover, Open, AgentMessage, Note, AgentTyping, AgentRead, Transfer, ReturnToBot, Close,
        PushArticle, Presence, Ping,
    ],
    Field(discriminator="type"),
]
AGENT_TYPES = {
    "claim", "takeover", "open", "message", "note", "typing", "read", "transfer", "return_to_bot", "close",
    "push_article", "presence", "ping",
}

_citizen_adapter: TypeAdapter = TypeAdapter(CitizenFrame)
_agent_adapter: TypeAdapter = TypeAdapter(AgentFrame)

ERROR_TEXTS = {
    "bad_frame": "Die Nachricht konnte nicht gelesen werden.",
    "too_large": "Die Nachricht ist zu lang. Bitte kürzen Sie sie.",
    "rate_limited": "Sie haben sehr viele Nachrichten in kurzer Zeit gesendet. Bitte warten Sie einen Moment.",
    "unknown_type": "Diese Art von Nachricht wird nicht unterstützt.",
    "invalid": "Die Nachricht ist unvollständig oder fehlerhaft.",
    "not_found": "Das Gespräch wurde nicht gefunden.",
    "bot_unavailable": "Der digitale Assistent ist gerade nicht erreichbar.",
    "unsupported_version": "Diese Version des Chat-Fensters wird nicht mehr unterstützt. Bitte laden Sie die Seite neu.",
    "conflict": "Das ist in diesem Gesprächszustand nicht möglich.",
    "forbidden": "Dafür fehlt Ihnen die Berechtigung.",
    # not a failure: the message is stored and acknowledged, pub/sub is down (handover/web/delivery_notice.py)
    "delivery_delayed": "Ihre Nachricht ist gespeichert, die Zustellung verzögert sich.",
}


class FrameError(Exception):
    """An error frame. `field` names the offending field of an `invalid` frame; `conversation_id` says which
    conversation a refused agent action was about (the console closes its tab on `forbidden`)."""

    def __init__(self, code: str, message: str | None = None, client_id: str | None = None, *,
                 field: str | None = None, conversation_id: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.message = message or ERROR_TEXTS.get(code, code)
        self.client_id = client_id
        self.field = field
        self.conversation_id = conversation_id

    def frame(self) -> dict:
        frame = {"type": "error", "code": self.code, "message": self.message, "client_id": self.client_id}
        if self.field is not None:
            frame["field"] = self.field
        if self.conversation_id is not None:
            frame["conversation_id"] = self.conversation_id
        return frame


# --- parsing --------------------------------------------------------------------------------------
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*+"', re.S)
_BRACKETS = re.compile(r"[\[\]{}]")

_KINDS = {
    "string_type": "muss ein Text sein", "int_type": "muss eine ganze Zahl sein",
    "bool_type": "muss true oder false sein", "dict_type": "muss ein Objekt sein", "list_type": "muss eine Liste sein",
}


def too_deep(raw: str, limit: int = MAX_NESTING) -> bool:
    """Whether the JSON text nests arrays/objects deeper than `limit`, from the raw text (strings left out), so
    json.loads never recurses into a hostile frame."""
    depth = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub('""', raw)):
        if bracket in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def describe(error: dict) -> tuple[str, str]:
    """(field, German message) of pydantic's first error; the discriminator's tag is left out of the field."""
    loc = [str(part) for part in error.get("loc", ())]
    field = ".".join(loc[1:]) or (loc[0] if loc else "type")
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind == "missing":
        reason = "fehlt"
    elif kind in _KINDS:
        reason = _KINDS[kind]
    elif kind == "string_too_short":
        minimum = ctx.get("min_length")
        reason = "ist leer" if minimum == 1 else f"ist zu kurz (mindestens {minimum} Zeichen)"
    elif kind == "string_too_long":
        reason = f"ist zu lang (höchstens {ctx.get('max_length')} Zeichen)"
    elif kind in ("greater_than_equal", "greater_than"):
        reason = f"ist zu klein (mindestens {ctx.get('ge', ctx.get('gt'))})"
    elif kind in ("less_than_equal", "less_than"):
        reason = f"ist zu groß (höchstens {ctx.get('le', ctx.get('lt'))})"
    elif kind == "literal_error":
        reason = f"hat einen unzulässigen Wert (erlaubt: {str(ctx.get('expected')).replace(' or ', ' oder ')})"
    elif kind in ("unstorable_character", "string_unicode"):
        reason = "enthält ein unzulässiges Steuerzeichen (NUL) oder ungültiges Unicode"
    elif kind == "blank":
        return field, "Die Nachricht enthält nur Leerzeichen. Bitte geben Sie einen Text ein."
    elif kind == "consent_required":
        return field, "Bitte stimmen Sie zu, dass wir Ihre Angaben für die Antwort verwenden dürfen."
    else:
        reason = "ist ungültig"
    return field, f"Das Feld „{field}“ {reason}."


def _echoable(value) -> str | None:
    """A client id worth echoing in an error frame (one that could be sent back as UTF-8 text)."""
    if isinstance(value, str) and len(value) <= 64 and not _UNSTORABLE.search(value):
        return value
    return None


def _parse(raw: str | bytes, max_bytes: int, known: set[str], adapter: TypeAdapter):
    """`max_bytes` limits the frame as decoded (UTF-8 of its compact JSON): escapes such as \\u00fc do not count
    six times. The raw text may be up to ESCAPE_FACTOR times longer, which bounds the parser's work."""
    if not isinstance(raw, str):
        raise FrameError("bad_frame", "Binäre Nachrichten werden nicht angenommen. Bitte senden Sie JSON als Text.")
    if len(raw) > ESCAPE_FACTOR * max_bytes:  # characters ≤ UTF-8 bytes: cheap first guard
        raise FrameError("too_large")
    if too_deep(raw):
        raise FrameError("bad_frame", "Die Nachricht ist zu tief verschachtelt.")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise FrameError("bad_frame") from None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise FrameError("bad_frame")
    client_id = _echoable(data.get("client_id"))
    decoded = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
    if len(decoded) > max_bytes:
        raise FrameError("too_large", client_id=client_id)
    if data["type"] not in known:
        raise FrameError("unknown_type", client_id=client_id)
    try:
        return adapter.validate_python(data)
    except ValidationError as error:
        field, message = describe(error.errors(include_url=False)[0])
        raise FrameError("invalid", message, client_id=client_id, field=field) from None


def parse_citizen_frame(raw: str | bytes, max_bytes: int):
    return _parse(raw, max_bytes, CITIZEN_TYPES, _citizen_adapter)


def parse_agent_frame(raw: str | bytes, max_bytes: int):
    return _parse(raw, max_bytes, AGENT_TYPES, _agent_adapter)
