"""Distress in a citizen's message: someone in crisis, threatened with violence, without money for rent or food, or
about to lose their home. Recognised by phrases, not by the NLU model: a missed crisis is the worst error this bot
can make, so the check runs in front of every knowledge search and needs no training data to be reliable.

The reply is empathetic, names concrete help (the helplines, the article or referral that fits) and offers a
person at once — before any topic menu.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Concern = Literal["crisis", "violence", "money", "housing"]


@dataclass(frozen=True)
class Helpline:
    name: str
    phone: str
    note: dict[str, str]


# The TelefonSeelsorge answers in German: the notes in the other languages say so.
_SEELSORGE_NOTE = {"de": "kostenlos, anonym, rund um die Uhr", "en": "free, anonymous, day and night (German)",
                   "tr": "ücretsiz, isim vermeden, günün her saati (Almanca)",
                   "uk": "безкоштовно, анонімно, цілодобово (німецькою мовою)",
                   "ar": "مجانًا، دون ذكر الاسم، على مدار الساعة (باللغة الألمانية)"}
TELEFONSEELSORGE = (
    Helpline("TelefonSeelsorge", "0800 111 0 111", _SEELSORGE_NOTE),
    Helpline("TelefonSeelsorge", "0800 111 0 222", _SEELSORGE_NOTE),
)
EMERGENCY = Helpline("Notruf", "112", {"de": "bei akuter Lebensgefahr", "en": "if a life is in danger",
                                       "tr": "hayati tehlike varsa", "uk": "якщо є загроза життю",
                                       "ar": "إذا كانت هناك حياة في خطر"})
POLICE = Helpline("Polizei", "110", {"de": "wenn Sie bedroht werden", "en": "if you are being threatened",
                                     "tr": "tehdit ediliyorsanız", "uk": "якщо Вам погрожують",
                                     "ar": "إذا كنت تتعرض للتهديد"})
VIOLENCE_HELPLINE = Helpline(
    "Hilfetelefon Gewalt gegen Frauen", "116 016",
    {"de": "kostenlos, anonym, rund um die Uhr, in vielen Sprachen",
     "en": "free, anonymous, day and night, in many languages",
     "tr": "ücretsiz, isim vermeden, günün her saati, birçok dilde",
     "uk": "безкоштовно, анонімно, цілодобово, багатьма мовами",
     "ar": "مجانًا، دون ذكر الاسم، على مدار الساعة، بلغات كثيرة"},
)

HELPLINES: dict[Concern, tuple[Helpline, ...]] = {
    "crisis": (*TELEFONSEELSORGE, EMERGENCY),
    "violence": (POLICE, VIOLENCE_HELPLINE, EMERGENCY),
    "money": (),
    "housing": (),
}

# The knowledge search that finds the concrete help for a concern (the bot answers with the best article of it).
HELP_TOPICS: dict[Concern, str | None] = {
    "crisis": None,
    "violence": None,
    "money": "Bürgergeld Hilfe zum Lebensunterhalt Wohngeld",
    "housing": "Wohngeld Mietzuschuss Wohnberechtigungsschein Wohnungslosigkeit",
}

_W = r"[\wäöüß]*"
_PATTERNS: dict[Concern, re.Pattern[str]] = {
    # Order: the gravest first; the first concern that matches is the one answered.
    "crisis": re.compile(
        r"(umbringen|suizid|selbstmord|das leben nehmen|nicht mehr leben|will sterben|möchte sterben|"
        r"mich töten|mich toeten|keinen sinn mehr|ritze mich|kill myself|suicide|end my life|want to die|"
        r"don'?t want to live)",
        re.IGNORECASE,
    ),
    "violence": re.compile(
        r"(schlägt mich|schlaegt mich|geschlagen|bedroht mich|bedrohen mich|droht mir|häusliche gewalt|"
        r"haeusliche gewalt|gewalt|misshandelt|vergewaltig|stalk|hits me|beats me|threaten|domestic violence|abuse)",
        re.IGNORECASE,
    ),
    "housing": re.compile(
        r"((bin|werde|wäre|waere|sind|werden|bald|jetzt|gerade) (bald |jetzt |gerade |dann )?(obdachlos|wohnungslos)|"
        r"(lebe|schlafe|stehe|sitze|lande|landen|sitzen|stehen) (bald |jetzt |dann |morgen )?auf der stra(ß|ss)e|"
        r"setzt mich auf die stra(ß|ss)e|räumungsklage|raeumungsklage|zwangsräumung|"
        r"zwangsraeumung|rauswurf|fristlos gekündigt|fristlos gekuendigt|wohnung verlier|keine wohnung mehr|"
        r"homeless|eviction|evicted)",
        re.IGNORECASE,
    ),
    "money": re.compile(
        rf"(kein geld mehr|kein geld für|kein geld fuer|nichts mehr zu essen|nichts zu essen|miete nicht (mehr )?"
        rf"(zahlen|bezahlen)|kann die miete nicht|strom (wird )?abgestellt|stromsperre|schulden{_W} über den kopf|"
        rf"pleite|no money|can'?t (afford|pay) (the )?(rent|food)|nothing to eat)",
        re.IGNORECASE,
    ),
}


def detect_distress(text: str) -> Concern | None:
    for concern, pattern in _PATTERNS.items():
        if pattern.search(text):
            return concern
    return None
