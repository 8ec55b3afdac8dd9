"""Wire formats of the websocket protocol (docs/protocol.md, version 1): inbound frames are validated with
pydantic; outbound frames are built by the services as plain dicts in the documented shapes."""

from __future__ import annotations

import json
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

PROTOCOL_VERSION = 1

ClientId = Annotated[str, Field(min_length=1, max_length=64)]
ConversationId = Annotated[str, Field(min_length=1, max_length=64)]


class _Frame(BaseModel):
    model_config = ConfigDict(extra="ignore")


# --- citizen → server --------------------------------------------------------------------------
class Hello(_Frame):
    type: Literal["hello"]
    version: int = PROTOCOL_VERSION
    token: str | None = Field(None, max_length=200)
    last_seq: int = Field(0, ge=0)
    language: Literal["de", "en"] = "de"
    page: str | None = Field(None, max_length=500)
    citizen_key: str | None = Field(None, min_length=16, max_length=64)
    department: str | None = Field(None, max_length=64)


class CitizenMessage(_Frame):
    type: Literal["message"]
    client_id: ClientId
    text: str = Field(min_length=1)


class CitizenTyping(_Frame):
    type: Literal["typing"]
    active: bool


class CitizenRead(_Frame):
    type: Literal["read"]
    seq: int = Field(ge=0)


class RequestHuman(_Frame):
    type: Literal["request_human"]


class TicketRequest(_Frame):
    type: Literal["ticket"]
    client_id: ClientId
    name: str = Field(min_length=1, max_length=200)
    contact: str = Field(min_length=3, max_length=200)
    concern: str = Field(min_length=1)
    consent: Literal[True]


class Csat(_Frame):
    type: Literal["csat"]
    rating: int = Field(ge=1, le=5)
    comment: str | None = Field(None, max_length=2000)


class Feedback(_Frame):
    type: Literal["feedback"]
    seq: int = Field(ge=1)
    helpful: bool
    comment: str | None = Field(None, max_length=2000)


class End(_Frame):
    type: Literal["end"]


class Ping(_Frame):
    type: Literal["ping"]


CitizenFrame = Annotated[
    Union[Hello, CitizenMessage, CitizenTyping, CitizenRead, RequestHuman, TicketRequest, Csat, Feedback, End, Ping],
    Field(discriminator="type"),
]
CITIZEN_TYPES = {"hello", "message", "typing", "read", "request_human", "ticket", "csat", "feedback", "end", "ping"}


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
    text: str = Field(min_length=1)


class Note(_AgentConversationFrame):
    type: Literal["note"]
    text: str = Field(min_length=1, max_length=4000)


class AgentTyping(_AgentConversationFrame):
    type: Literal["typing"]
    active: bool


class AgentRead(_AgentConversationFrame):
    type: Literal["read"]
    seq: int = Field(ge=0)


class Transfer(_AgentConversationFrame):
    type: Literal["transfer"]
    department: str | None = Field(None, max_length=64)
    agent_id: int | None = None
    note: str | None = Field(None, max_length=4000)


class ReturnToBot(_AgentConversationFrame):
    type: Literal["return_to_bot"]


class Close(_AgentConversationFrame):
    type: Literal["close"]
    resolution: Literal["resolved", "no_response", "forwarded", "spam"] = "resolved"


class PushArticle(_AgentConversationFrame):
    type: Literal["push_article"]
    article_id: str = Field(min_length=1, max_length=200)


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
    def __init__(self, code: str, message: str | None = None, client_id: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.message = message or ERROR_TEXTS.get(code, code)
        self.client_id = client_id

    def frame(self) -> dict:
        return {"type": "error", "code": self.code, "message": self.message, "client_id": self.client_id}


def _parse(raw: str | bytes, max_bytes: int, known: set[str], adapter: TypeAdapter):
    size = len(raw.encode("utf-8") if isinstance(raw, str) else raw)
    if size > max_bytes:
        raise FrameError("too_large")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise FrameError("bad_frame") from None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise FrameError("bad_frame")
    client_id = data.get("client_id") if isinstance(data.get("client_id"), str) else None
    if data["type"] not in known:
        raise FrameError("unknown_type", client_id=client_id)
    try:
        return adapter.validate_python(data)
    except ValidationError:
        raise FrameError("invalid", client_id=client_id) from None


def parse_citizen_frame(raw: str | bytes, max_bytes: int):
    return _parse(raw, max_bytes, CITIZEN_TYPES, _citizen_adapter)


def parse_agent_frame(raw: str | bytes, max_bytes: int):
    return _parse(raw, max_bytes, AGENT_TYPES, _agent_adapter)
