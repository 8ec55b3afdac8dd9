"""Wire format of the bot's custom payloads (contract v1, documented in docs/bot-payloads.md).

The gateway and the widget read these from the `custom` field of Rasa REST channel messages.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from knowledge.articles import Office, Section  # the payload carries them as the knowledge base has them

PAYLOAD_VERSION = 1

Decision = Literal["answer", "clarify", "no_answer"]
ArticleKind = Literal["service", "referral"]
Aspect = Literal["costs", "documents", "deadlines", "procedure", "requirements", "contact", "online"]
Decline = Literal["not_covered", "offtopic"]
Concern = Literal["crisis", "violence", "money", "housing"]
HandoverReason = Literal[
    "low_confidence", "citizen_request", "frustration", "repeated_failure", "form_needs_human", "distress"
]
FormName = Literal["defect_report", "application_status"]


class ArticlePayload(BaseModel):
    id: str
    title: str
    summary: str
    url: str | None = None
    online_service: str | None = None
    updated: str  # YYYY-MM-DD
    lebenslagen: list[str] = Field(default_factory=list)
    office: Office
    section: Section | None = None
    kind: ArticleKind = "service"
    sections: list[Section] = Field(default_factory=list)  # the whole article, for "Mehr anzeigen"


class CandidatePayload(BaseModel):
    id: str
    title: str
    score: float


class RelatedPayload(BaseModel):
    id: str
    title: str


class KnowledgePayload(BaseModel):
    type: Literal["knowledge"] = "knowledge"
    version: int = PAYLOAD_VERSION
    decision: Decision
    query: str
    score: float
    article: ArticlePayload | None = None
    candidates: list[CandidatePayload] = Field(default_factory=list)
    related: list[RelatedPayload] = Field(default_factory=list)
    feedback: bool = False
    aspect: Aspect | None = None
    follow_up: bool = False
    decline: Decline | None = None
    contact: Office | None = None


class HelplinePayload(BaseModel):
    name: str
    phone: str
    note: str


class SupportPayload(BaseModel):
    """Distress: the concern recognised, the helplines offered, and the article or referral that helps."""

    type: Literal["support"] = "support"
    version: int = PAYLOAD_VERSION
    concern: Concern
    helplines: list[HelplinePayload] = Field(default_factory=list)
    article: ArticlePayload | None = None


class MatchedArticle(BaseModel):
    """One step of the decision trail the agent sees: what the bot matched and what it decided."""

    id: str
    title: str
    score: float
    decision: Decision


class HandoverPayload(BaseModel):
    type: Literal["handover"] = "handover"
    version: int = PAYLOAD_VERSION
    reason: HandoverReason
    department: str | None = None
    summary: str = Field(max_length=300)
    language: Literal["de", "en", "tr", "uk", "ar"] = "de"  # the conversation's (bot/actions/language_detection.py)
    lebenslage: str | None = None
    articles: list[MatchedArticle] = Field(default_factory=list)
    last_query: str | None = None


class FormPayload(BaseModel):
    type: Literal["form"] = "form"
    version: int = PAYLOAD_VERSION
    form: FormName
    step: str
    error: str | None = None
    result: dict[str, Any] | None = None


def as_custom(payload: BaseModel) -> dict[str, Any]:
    return payload.model_dump(mode="json")
