"""Sample analytics facts with a realistic mix, for a demonstration of the reports (`buergerbot insights demo`),
the screenshot in the README and the benchmark (benchmarks/insights.py seeds 200,000 conversations with it).

Only the analytics tables are filled (no transcripts, no tickets, nobody's data): conversation ids start with
"demo", so the rows are told apart from real ones and go with retention like orphans do. The mix follows what a
city's chat sees: most questions on weekdays in office hours, German first, most answered by an article, a
fifth without an answer (topics the knowledge base lacks, a few off-topic ones), some handed over to a person,
a third of the ended conversations rated. Deterministic for a given seed."""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from handover.domain.insights.recording import local_parts, text_hash
from handover.domain.models.analytics import ConversationFacts, QuestionFacts
from handover.domain.models.conversations import Agent
from handover.domain.redaction import redact


@dataclass(frozen=True)
class Topic:
    article_id: str | None
    lebenslage: str | None
    department: str | None
    questions: tuple[str, ...]
    kind: str = "service"


# What citizens ask that the demo articles answer (a few of them; the seed adds the real articles when given).
ANSWERED = (
    Topic("personalausweis", "ausweise-und-dokumente", "buergerbuero",
          ("Was kostet ein neuer Personalausweis?", "Wie lange dauert ein Perso?", "Personalausweis beantragen",
           "Brauche ich einen Termin für den Ausweis?")),
    Topic("reisepass", "ausweise-und-dokumente", "buergerbuero",
          ("Reisepass beantragen was brauche ich", "Wie viel kostet ein Reisepass?", "Express Reisepass möglich?")),
    Topic("wohnsitz-anmelden", "umzug", "buergerbuero",
          ("Wie melde ich meinen Wohnsitz an?", "Ummelden nach Umzug", "Wohnungsgeberbestätigung was ist das?")),
    Topic("kfz-zulassung", "auto-und-verkehr", "kfz",
          ("Auto anmelden was brauche ich", "Wunschkennzeichen reservieren", "Zulassung Auto Kosten")),
    Topic("kita-platz", "familie-und-geburt", "familie",
          ("Wie bekomme ich einen Kitaplatz?", "Kita Anmeldung Frist", "Kita-Gebühren wie hoch")),
    Topic("sperrmuell", "abfall-und-umwelt", "abfall",
          ("Sperrmüll anmelden", "Wann wird Sperrmüll abgeholt?", "Was kostet Sperrmüll?")),
    Topic("wohngeld", "soziales-und-wohnen", "soziales",
          ("Habe ich Anspruch auf Wohngeld?", "Wohngeld Antrag stellen", "Wie lange dauert Wohngeld?")),
    Topic("hundesteuer", "steuern-und-abgaben", "steuern",
          ("Hund anmelden Steuer", "Wie hoch ist die Hundesteuer?", "Hundesteuer abmelden")),
    Topic("finanzamt", "steuern-und-abgaben", None,
          ("Wo ist das Finanzamt?", "Steuererklärung Hilfe Finanzamt"), kind="referral"),
)

# What the demo knowledge base does not answer: each topic in several wordings (and a few with personal data,
# which the redaction removes before anything is stored).
GAPS = (
    ("ungeziefer", ("Wer hilft bei Ratten im Hinterhof?", "Ratten im Keller melden", "Schädlingsbekämpfung Stadt",
                    "Wir haben Ratten im Garten, was tun?", "Kakerlaken in der Mietwohnung wer zuständig",
                    "Ich heiße Jana Krüger und habe Ratten im Hof")),
    ("laerm", ("Nachbar ist nachts immer laut wo beschweren", "Ruhestörung melden", "Lärmbelästigung Baustelle Sonntag",
               "Wer ist zuständig für Lärm von der Kneipe?", "laute Musik Nachbarn Ordnungsamt")),
    ("baustelle", ("Warum ist die Brücke gesperrt?", "Umleitung wegen Baustelle wie lange",
                   "Straßensperrung Hauptstraße 12 wie lange noch", "Baustelle vor meinem Haus Dauer")),
    ("bibliothek", ("Bibliotheksausweis verlängern", "Öffnungszeiten Stadtbücherei", "Bücher online verlängern",
                    "Wie bekomme ich einen Büchereiausweis?", "Mahngebühren Bibliothek")),
    ("feuerwerk", ("Darf ich Silvester Feuerwerk im Park zünden?", "Feuerwerk Erlaubnis Hochzeit",
                   "Wo ist Böllerverbot in der Stadt?")),
    ("grillen", ("Darf man im Stadtpark grillen?", "Grillplätze in Musterstadt", "Grillen am See erlaubt?")),
    ("strassenmusik", ("Brauche ich eine Genehmigung für Straßenmusik?", "Straßenmusik Innenstadt erlaubt",
                       "Als Straßenmusiker auftreten Regeln")),
    ("hochzeitsfotos", ("Dürfen wir im Rathaus Hochzeitsfotos machen?", "Fotoshooting Schlosspark Genehmigung")),
    ("wetter", ("Wie wird das Wetter morgen?", "Wer wird Deutscher Meister?", "Erzähl mir einen Witz")),
)
OFFTOPIC = {"wetter"}
PAGES = ("www.musterstadt.example/buergerservice", "www.musterstadt.example", "www.musterstadt.example/umzug",
         "www.musterstadt.example/familie", "www.musterstadt.example/kfz", "www.musterstadt.example/abfall",
         "www.musterstadt.example/soziales", "www.musterstadt.example/steuern")
LANGUAGES = (("de", 0.88), ("en", 0.08), ("tr", 0.02), ("uk", 0.02))
REASONS = (("citizen_request", 0.45), ("low_confidence", 0.3), ("repeated_failure", 0.12), ("frustration", 0.08),
           ("form_needs_human", 0.05))
COMMENTS = ("Schnell und freundlich, danke!", "Hat lange gedauert.", "Sehr hilfreich.",
            "Die Mitarbeiterin war sehr nett.", "Ich wurde nicht verstanden.", "Top, alles geklärt.",
            "Erreichbar unter 0621 123 4567, bitte zurückrufen")
# Short questions that fit several articles ("Meinen Sie …?").
AMBIGUOUS = ("Antrag stellen", "Termin machen", "Welche Unterlagen brauche ich?", "Formular", "Was kostet das?",
             "Bescheinigung beantragen", "Anmeldung", "Wo muss ich hin?", "Gebühren")
ENGLISH = ("How do I register my address?", "How much is a passport?", "Where can I get a residence permit?")


PREFIXES = ("", "", "", "Hallo, ", "Guten Tag, ", "Frage: ", "Hi ", "Entschuldigung, ")
SUFFIXES = ("", "", "", " bitte", " danke", "??", " in Musterstadt", " schnell")


def _vary(rng: random.Random, text: str) -> str:
    """Citizens write the same question in many ways: greetings, additions, a typo now and then."""
    text = rng.choice(PREFIXES) + text + rng.choice(SUFFIXES)
    if rng.random() < 0.3:
        text = text.lower()
    if rng.random() < 0.2 and len(text) > 6:
        i = rng.randrange(1, len(text) - 2)
        text = text[:i] + text[i + 1] + text[i] + text[i + 2:]
    return text


def _choice(rng: random.Random, weighted):
    point, total = rng.random(), 0.0
    for value, weight in weighted:
        total += weight
        if point < total:
            return value
    return weighted[-1][0]


def _start(rng: random.Random, now: datetime, days: int, tz: tzinfo) -> datetime:
    """A start time with the week's rhythm: weekdays 8-18 h busiest, evenings some, nights and weekends few."""
    while True:
        day = rng.randrange(days)
        hour = rng.randrange(24)
        local = (now.astimezone(tz) - timedelta(days=day)).replace(hour=hour, minute=rng.randrange(60),
                                                                    second=rng.randrange(60), microsecond=0)
        weekend = local.weekday() >= 5
        weight = (1.0 if 8 <= hour < 18 else 0.35 if 6 <= hour < 22 else 0.05) * (0.3 if weekend else 1.0)
        if rng.random() < weight and local <= now.astimezone(tz):
            return local.astimezone(timezone.utc)


def topics_of(articles) -> tuple[Topic, ...]:
    """Topics from real articles (their questions, life event, department); the built-in list without them."""
    topics = [Topic(a.id, (a.lebenslagen or [None])[0], a.office.department, tuple(a.questions[:6]),
                    getattr(a, "kind", "service") or "service") for a in articles if a.questions]
    return tuple(topics) or ANSWERED


def seed(session: Session, *, conversations: int, days: int, tz: tzinfo, seed: int = 15, articles=(),
         now: datetime | None = None, batch: int = 5000) -> dict:
    rng = random.Random(seed)
    now = now or datetime.now(timezone.utc)
    topics = topics_of(articles)
    # Most questions are about services; referrals to other bodies are the smaller share.
    services = tuple(t for t in topics if t.kind != "referral") or topics
    referrals = tuple(t for t in topics if t.kind == "referral") or services
    agents = list(session.scalars(select(Agent.id).where(Agent.role.in_(("agent", "supervisor")))))[:12] or \
        list(range(1, 9))
    facts, questions = [], []
    counts = {"conversations": 0, "questions": 0}

    def flush() -> None:
        if facts:
            session.execute(insert(ConversationFacts), facts)
        if questions:
            session.execute(insert(QuestionFacts), questions)
        counts["conversations"] += len(facts)
        counts["questions"] += len(questions)
        facts.clear()
        questions.clear()

    # In start order, as a running installation appends them (rows of a date range lie together on disk).
    for started in sorted(_start(rng, now, days, tz) for _ in range(conversations)):
        facts_row, question_rows = _conversation(rng, started, now, tz, (services, referrals), agents)
        facts.append(facts_row)
        questions.extend(question_rows)
        if len(facts) >= batch:
            flush()
    flush()
    return counts


def _conversation(rng: random.Random, started: datetime, now: datetime, tz: tzinfo, pools, agents):
    services, referrals = pools
    topics = services + referrals
    day, weekday, hour = local_parts(started, tz)
    language = _choice(rng, LANGUAGES)
    conversation_id = "demo" + uuid.UUID(int=rng.getrandbits(128)).hex[:28]
    at = started
    row = dict(
        conversation_id=conversation_id, started_at=started, local_day=day, local_weekday=weekday, local_hour=hour,
        language=language, page=rng.choice(PAGES) if rng.random() < 0.9 else None, department=None,
        lebenslage=None, last_activity_at=started, questions=0, answers=0, referrals=0, clarifies=0, no_answers=0,
        support=False, helpful=0, not_helpful=0, last_feedback=None, bot_unavailable=rng.random() < 0.005,
        handover_at=None, handover_reason=None, handover_outcome=None, answered_before_handover=None,
        queued_at=None, assigned_at=None, proactive=False, wait_seconds=None, agent_id=None,
        first_response_seconds=None, handling_seconds=None, abandoned=False, closed_at=None, resolution=None,
        csat_rating=None, csat_comment=None, csat_at=None,
    )
    asked = []
    direct = rng.random() < 0.08
    failures = 0
    for seq in range(0 if direct else 1 + int(rng.random() < 0.35) + int(rng.random() < 0.12)):
        at += timedelta(seconds=rng.randint(15, 120))
        q_day = local_parts(at, tz)[0]
        roll = rng.random()
        if roll < 0.005:
            decision, topic, text = "support", None, "Ich weiß nicht mehr weiter"
        elif roll < 0.66:
            decision, topic = "answer", rng.choice(referrals if rng.random() < 0.12 else services)
            text = rng.choice(topic.questions) if language == "de" else rng.choice(ENGLISH)
        elif roll < 0.78:
            decision, topic = "clarify", rng.choice(topics)
            text = rng.choice(AMBIGUOUS)
        else:
            decision, topic = "no_answer", None
            gap_key, wordings = rng.choice(GAPS) if rng.random() < 0.8 else rng.choice(GAPS[:3])
            text = rng.choice(wordings)
        question = redact(_vary(rng, text) if decision != "support" else text)
        helpful = None
        if decision == "answer" and rng.random() < 0.3:
            helpful = rng.random() < (0.55 if topic.article_id in ("wohngeld", "kita-platz") else 0.8)
        picked = (rng.random() < 0.6) if decision == "clarify" else None
        q = dict(
            conversation_id=row["conversation_id"], seq=(seq + 1) * 3, asked_at=at, local_day=q_day,
            question=question, text_hash=text_hash(question), decision=decision,
            article_id=topic.article_id if topic and decision == "answer" else None,
            article_kind=topic.kind if topic and decision == "answer" else None,
            decline=("offtopic" if gap_key in OFFTOPIC else "not_covered") if decision == "no_answer" else None,
            concern="crisis" if decision == "support" else None,
            score=round(rng.uniform(0.9, 1.05) if decision == "answer" else rng.uniform(0.7, 0.89), 3),
            candidates=[t.article_id for t in rng.sample(topics, min(3, len(topics)))]
            if decision == "clarify" else None,
            language=language, department=topic.department if topic and decision == "answer" else row["department"],
            lebenslage=topic.lebenslage if topic and decision == "answer" else row["lebenslage"],
            picked=picked, helpful=helpful, handover_reason=None,
        )
        asked.append(q)
        if decision == "support":
            row["support"] = True
            continue
        row["questions"] += 1
        if decision == "answer":
            row["answers"] += 1
            row["referrals"] += topic.kind == "referral"
            row["department"] = row["department"] or topic.department
            row["lebenslage"] = row["lebenslage"] or topic.lebenslage
            if helpful is not None:
                row["helpful" if helpful else "not_helpful"] += 1
                row["last_feedback"] = helpful
                failures += not helpful
        elif decision == "clarify":
            row["clarifies"] += 1
            failures += not picked
        else:
            row["no_answers"] += 1
            failures += 1
    row["last_activity_at"] = at
    # the handover: asked for directly, or after failures
    wants_person = direct or (failures and rng.random() < 0.4) or (row["answers"] and rng.random() < 0.06)
    if wants_person:
        at += timedelta(seconds=rng.randint(5, 60))
        reason = "citizen_request" if direct else _choice(rng, REASONS)
        row.update(handover_at=at, handover_reason=reason, answered_before_handover=row["answers"] > 0,
                   department=row["department"] or "servicecenter")
        if asked and not direct:
            asked[-1]["handover_reason"] = reason
        local = at.astimezone(tz)
        open_now = local.weekday() < 5 and 8 <= local.hour < 16
        outcome = ("queued" if rng.random() < 0.9 else "no_agent_online") if open_now else "outside_office_hours"
        row["handover_outcome"] = outcome
        if outcome == "queued":
            row["queued_at"] = at
            fate = rng.random()
            if fate < 0.86:
                wait = min(3600.0, rng.lognormvariate(math.log(75), 0.9))
                row.update(assigned_at=at + timedelta(seconds=wait), wait_seconds=round(wait, 1),
                           agent_id=rng.choice(agents))
                first = rng.lognormvariate(math.log(35), 0.7)
                handling = first + rng.lognormvariate(math.log(360), 0.6)
                row.update(first_response_seconds=round(first, 1), handling_seconds=round(handling, 1))
                at = row["assigned_at"] + timedelta(seconds=handling)
                row.update(closed_at=at, resolution="resolved" if rng.random() < 0.85 else "forwarded")
            elif fate < 0.96:
                at += timedelta(seconds=rng.lognormvariate(math.log(180), 0.6))
                row.update(abandoned=True, closed_at=at, resolution="citizen_ended")
        row["last_activity_at"] = at
    elif rng.random() < 0.25:
        at += timedelta(seconds=rng.randint(10, 120))
        row.update(closed_at=at, resolution="citizen_ended", last_activity_at=at)
    if row["closed_at"] is not None and row["closed_at"] < now and rng.random() < 0.35:
        rating = _choice(rng, ((5, 0.45), (4, 0.25), (3, 0.12), (2, 0.08), (1, 0.10)))
        comment = rng.choice(COMMENTS) if rng.random() < 0.2 else None
        row.update(csat_rating=rating, csat_comment=redact(comment) or None,
                   csat_at=row["closed_at"] + timedelta(seconds=30))
    if row["last_activity_at"] > now:  # nothing in the future: the conversation is still going on
        row["last_activity_at"] = now
        row.update(closed_at=None, resolution=None, csat_rating=None, csat_comment=None, csat_at=None,
                   handling_seconds=None)
    return row, asked
