"""What a citizen asks about a service: its costs, the documents, deadlines, the procedure, the requirements, whom to
contact, whether it can be done online.

An aspect decides which section of an article answers first ("Was kostet ein Perso?" → "Kosten"), and its words are
taken out of the text the topic is searched with: "was muss ich mitbringen" says nothing about which service is
meant, and left in, it pulls every article whose documents section is long towards the top.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from knowledge.articles import Article, Section

Aspect = Literal["costs", "documents", "deadlines", "procedure", "requirements", "contact", "online"]

# Phrases per aspect, German and English, matched on the lower-cased text at word starts. Order matters where two
# aspects share words: the first aspect whose phrase occurs wins ("Wie lange dauert …" is a deadline, not a
# procedure; "Wo kann ich das online beantragen" is online, not contact).
_PHRASES: dict[Aspect, tuple[str, ...]] = {
    "costs": (
        "was kostet", "wie viel kostet", "wieviel kostet", "kostet", "kosten", "kostenlos", "gebühr", "gebuehr",
        "preis", "wie teuer", "teuer", "bezahlen", "zahlen", "euro", "how much", "cost", "fee", "price", "pay",
        "charge",
    ),
    "online": (
        "online", "im internet", "übers internet", "digital", "von zu hause", "von zuhause", "per e-mail",
        "per mail", "elster", "internet",
    ),
    "deadlines": (
        "wie lange", "wielange", "dauer", "dauert", "frist", "bis wann", "wie schnell", "wann muss", "rechtzeitig",
        "wartezeit", "how long", "deadline", "how soon", "until when",
    ),
    "documents": (
        "unterlagen", "dokumente", "dokument", "mitbringen", "mitnehmen", "mit bringen", "papiere", "nachweise",
        "welche nachweise", "formulare", "was brauche ich", "was muss ich vorlegen", "vorlegen", "documents",
        "paperwork", "what do i need to bring", "bring",
    ),
    "requirements": (
        "voraussetzung", "bedingung", "berechtigt", "anspruch", "wer darf", "wer kann", "wer bekommt",
        "darf ich", "bekomme ich", "habe ich anspruch", "requirement", "eligible", "entitled", "who can",
    ),
    "contact": (
        "wo muss ich hin", "wohin", "wo kann ich", "wo bekomme", "wo beantrage", "wo finde", "wo ist", "zuständig",
        "zustaendig", "ansprechpartner", "ansprechperson", "telefonnummer", "anrufen", "erreichen",
        "öffnungszeit", "oeffnungszeit", "geöffnet", "offen", "sprechzeit", "adresse", "where", "whom", "contact",
        "opening hours", "phone",
    ),
    "procedure": (
        "ablauf", "wie beantrage", "wie geht", "wie funktioniert", "wie mache ich", "wie läuft", "schritte",
        "vorgehen", "was muss ich tun", "was muss ich machen", "wie melde", "how do i", "how does", "process",
        "steps", "procedure",
    ),
}

# The section headings that answer each aspect, in order of preference (casefolded prefix match).
SECTION_HEADINGS: dict[Aspect, tuple[str, ...]] = {
    "costs": ("kosten", "gebühren"),
    "documents": ("unterlagen", "dokumente"),
    "deadlines": ("fristen", "dauer"),
    "procedure": ("ablauf", "so geht", "verfahren"),
    "requirements": ("voraussetzungen", "wer "),
    "contact": ("zuständigkeit", "wer ist zuständig", "so erreichen", "kontakt"),
    "online": ("online", "ablauf"),
}

_COMPILED = {
    aspect: re.compile(r"(?<![\wäöüß])(?:" + "|".join(re.escape(p) for p in phrases) + r")", re.IGNORECASE)
    for aspect, phrases in _PHRASES.items()
}
# Words that carry no topic once the aspect is known ("Was muss ich dafür mitbringen?").
_FILLER = re.compile(
    r"(?<![\wäöüß])(?:was|wie|wo|wann|welche[rsnm]?|muss|müssen|ich|man|wir|dafür|dazu|denn|da|das|es|dort|"
    r"hin|und|noch|brauche|braucht|bitte|eigentlich|genau|what|how|where|when|do|does|i|need|to|the|is|it|for|"
    r"that|there)(?![\wäöüß])",
    re.IGNORECASE,
)


def detect_aspect(text: str) -> Aspect | None:
    """The aspect a question asks about, or None when it asks about the service as a whole."""
    found = [(match.start(), order, aspect) for order, (aspect, pattern) in enumerate(_COMPILED.items())
             if (match := pattern.search(text))]
    if not found:
        return None
    # Several aspects named ("Was kostet das und wie lange dauert es?"): the first one asked.
    return min(found)[2]


def topic_text(text: str) -> str:
    """The question without its aspect phrases and filler words: what is left names the topic, possibly nothing."""
    stripped = text
    for pattern in _COMPILED.values():
        stripped = pattern.sub(" ", stripped)
    stripped = _FILLER.sub(" ", stripped)
    return re.sub(r"[\s?!.,;:]+", " ", stripped).strip()


def aspect_section(article: "Article", aspect: Aspect | None) -> "Section | None":
    """The article's section for the aspect, if it has one."""
    if aspect is None:
        return None
    for wanted in SECTION_HEADINGS[aspect]:
        for section in article.sections:
            if section.heading.casefold().startswith(wanted):
                return section
    return None
