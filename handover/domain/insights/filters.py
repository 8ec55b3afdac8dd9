"""What every report is asked for: a date range (local days of the city, both ends included) and the filters
department, life event and language; plus the rules all reports share: when a conversation counts as finished,
and that groups of fewer than five conversations are not shown on their own."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from sqlalchemy import and_, or_

from handover.domain.models.analytics import ConversationFacts, QuestionFacts

# Aggregates below this many conversations are not broken down further (privacy; docs/insights.md).
MIN_GROUP = 5
# A conversation nobody wrote in for this long counts as finished (the citizen left without closing the chat).
FINISHED_AFTER = timedelta(minutes=30)
MAX_DAYS = 366 * 2
OTHER = "__other__"

_SINCE = re.compile(r"^\s*(\d{1,4})\s*([dwm])\s*$", re.IGNORECASE)


class FilterError(ValueError):
    """A date range or filter that cannot be used; the message is for the person who asked (German)."""


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def parse_since(value: str) -> int:
    """'30d', '8w', '6m' → days."""
    match = _SINCE.match(value or "")
    if not match:
        raise FilterError(f"Zeitraum '{value}' nicht verstanden: bitte z. B. 30d, 8w oder 6m angeben.")
    number, unit = int(match.group(1)), match.group(2).lower()
    days = number * {"d": 1, "w": 7, "m": 30}[unit]
    if not 1 <= days <= MAX_DAYS:
        raise FilterError(f"Zeitraum muss zwischen 1 und {MAX_DAYS} Tagen liegen.")
    return days


def _day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise FilterError(f"{name} '{value}' ist kein Datum (JJJJ-MM-TT).") from None


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    department: str | None = None
    lebenslage: str | None = None
    language: str | None = None
    as_of: datetime = field(default_factory=utcnow)

    @classmethod
    def build(cls, *, tz: tzinfo, start: str | None = None, end: str | None = None, since: str | None = None,
              department: str | None = None, lebenslage: str | None = None, language: str | None = None,
              as_of: datetime | None = None) -> "Filters":
        """From request parameters: `since` (30d) or `start`/`end` (local days); default the last 30 days."""
        as_of = as_of or utcnow()
        today = as_of.astimezone(tz).date()
        end_day = _day(end, "Bis") if end else today
        if since:
            start_day = end_day - timedelta(days=parse_since(since) - 1)
        else:
            start_day = _day(start, "Von") if start else end_day - timedelta(days=29)
        if start_day > end_day:
            raise FilterError("Der Beginn des Zeitraums liegt nach seinem Ende.")
        if (end_day - start_day).days >= MAX_DAYS:
            raise FilterError(f"Der Zeitraum darf höchstens {MAX_DAYS} Tage lang sein.")

        def clean(value: str | None, limit: int) -> str | None:
            value = (value or "").strip()
            if len(value) > limit:
                raise FilterError("Ein Filterwert ist zu lang.")
            return value or None

        return cls(start=start_day, end=end_day, department=clean(department, 64),
                   lebenslage=clean(lebenslage, 120), language=clean(language, 5), as_of=as_of)

    # --- the range --------------------------------------------------------------------------------
    @property
    def days(self) -> list[str]:
        return [(self.start + timedelta(days=i)).isoformat() for i in range((self.end - self.start).days + 1)]

    def utc_bounds(self, tz: tzinfo) -> tuple[datetime, datetime]:
        """[first moment, moment after the last local day) in UTC, for tables without a local day column."""
        begin = datetime.combine(self.start, time(0), tzinfo=tz).astimezone(timezone.utc)
        after = datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=tz).astimezone(timezone.utc)
        return begin, after

    def previous(self) -> "Filters":
        """The range of the same length just before this one (for trends)."""
        length = (self.end - self.start).days + 1
        return Filters(start=self.start - timedelta(days=length), end=self.start - timedelta(days=1),
                       department=self.department, lebenslage=self.lebenslage, language=self.language,
                       as_of=self.as_of)

    def as_dict(self) -> dict:
        return {"from": self.start.isoformat(), "to": self.end.isoformat(), "department": self.department,
                "lebenslage": self.lebenslage, "language": self.language}

    # --- SQL conditions --------------------------------------------------------------------------
    def conversations(self) -> list:
        """Conversations that started in the range and match the filters."""
        c = ConversationFacts
        conditions = [c.local_day >= self.start.isoformat(), c.local_day <= self.end.isoformat()]
        if self.department:
            conditions.append(c.department == self.department)
        if self.lebenslage:
            conditions.append(c.lebenslage == self.lebenslage)
        if self.language:
            conditions.append(c.language == self.language)
        return conditions

    def questions(self) -> list:
        """Questions asked in the range that match the filters (by their own article's department and life
        event, or the conversation's where the bot found no article)."""
        q = QuestionFacts
        conditions = [q.local_day >= self.start.isoformat(), q.local_day <= self.end.isoformat()]
        if self.department:
            conditions.append(q.department == self.department)
        if self.lebenslage:
            conditions.append(q.lebenslage == self.lebenslage)
        if self.language:
            conditions.append(q.language == self.language)
        return conditions

    def finished(self):
        """Closed (and not written in since), or nobody wrote for FINISHED_AFTER: its outcome cannot change."""
        c = ConversationFacts
        return or_(
            and_(c.closed_at.is_not(None), c.closed_at >= c.last_activity_at),
            c.last_activity_at < self.as_of - FINISHED_AFTER,
        )


def merge_small(rows: list[dict], count_key: str, label_key: str, sum_keys: tuple[str, ...] = ()) -> list[dict]:
    """Rows of groups with fewer than MIN_GROUP conversations are summed into one row "Weitere (je unter 5)";
    if that row is itself below MIN_GROUP, its figures are withheld (only "fewer than 5" is said)."""
    keep = [row for row in rows if (row.get(count_key) or 0) >= MIN_GROUP]
    small = [row for row in rows if (row.get(count_key) or 0) < MIN_GROUP]
    if not small:
        return keep
    other = {key: None for key in rows[0]}
    other[label_key] = OTHER
    other["key"] = OTHER
    total = sum(row.get(count_key) or 0 for row in small)
    other[count_key] = total if total >= MIN_GROUP else None
    if total >= MIN_GROUP:
        for key in sum_keys:
            other[key] = sum(row.get(key) or 0 for row in small)
    other["groups"] = len(small)
    return keep + [other]


def fold_tail(rows: list[dict], keep: int, count_key: str, label_key: str) -> list[dict]:
    """At most `keep` rows of their own (biggest first); the rest join the row of further groups."""
    named = [row for row in rows if row.get(label_key) != OTHER]
    other = [row for row in rows if row.get(label_key) == OTHER]
    if len(named) <= keep:
        return rows
    tail = named[keep:] + other
    total = sum(row.get(count_key) or 0 for row in tail)
    folded = {key: None for key in rows[0]}
    folded.update({label_key: OTHER, "key": OTHER, count_key: total,
                   "groups": sum(row.get("groups") or 1 for row in tail)})
    return named[:keep] + [folded]


def rate(numerator: int | None, denominator: int | None) -> float | None:
    """numerator / denominator, or None (not shown) when the denominator has fewer than MIN_GROUP conversations."""
    if not denominator or denominator < MIN_GROUP or numerator is None:
        return None
    return round(numerator / denominator, 4)
