"""What citizens can report (Mängelmelder) and which department deals with it: the categories the bot's form
offers, their names in German and English, and how they appear as Open311 services (service_code = key).

Department keys are those of handover/config/departments.yml (and `department` in knowledge/articles/_offices.yml);
the console and Open311 show their names, never the keys. The bot's form keeps its own labels and offices
(bot/actions/texts.py, bot/actions/offices.py) with the same keys; a category added there belongs here too."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DefectCategory:
    key: str
    name_de: str
    name_en: str
    department: str
    group: str  # Open311 `group`
    description: str  # Open311 `description` (German, the city's language)
    keywords: tuple[str, ...] = ()

    def name(self, language: str | None) -> str:
        return self.name_en if language == "en" else self.name_de


CATEGORIES: dict[str, DefectCategory] = {c.key: c for c in (
    DefectCategory("strassenschaden", "Straßen- oder Gehwegschaden", "Road or pavement damage", "tiefbau",
                   "Straßen und Wege", "Schlaglöcher, lose Pflastersteine, beschädigte Geh- und Radwege.",
                   ("Schlagloch", "Gehweg", "Radweg", "Pflaster")),
    DefectCategory("beleuchtung", "Straßenbeleuchtung", "Street lighting", "tiefbau", "Straßen und Wege",
                   "Defekte oder dauerhaft brennende Straßenlaternen.", ("Laterne", "Straßenlaterne", "Licht")),
    DefectCategory("verkehrszeichen", "Verkehrszeichen und Ampeln", "Traffic signs and lights", "tiefbau",
                   "Straßen und Wege", "Beschädigte, verdrehte oder fehlende Verkehrszeichen, gestörte Ampeln.",
                   ("Schild", "Ampel")),
    DefectCategory("muell", "Müll und illegale Ablagerung", "Litter and illegal dumping", "abfall",
                   "Sauberkeit", "Wilder Müll, illegal abgestellter Sperrmüll, überquellende Papierkörbe.",
                   ("Müll", "Sperrmüll", "Ablagerung")),
    DefectCategory("gruenflaeche", "Grünfläche und Bäume", "Green spaces and trees", "umwelt", "Grün und Spielen",
                   "Umgestürzte Bäume, herabhängende Äste, verwilderte Grünflächen.", ("Baum", "Ast", "Park")),
    DefectCategory("spielplatz", "Spielplatz", "Playground", "umwelt", "Grün und Spielen",
                   "Beschädigte Spielgeräte, Verunreinigungen auf Spielplätzen.", ("Schaukel", "Rutsche", "Sandkasten")),
    DefectCategory("sonstiges", "Sonstiges", "Other", "ordnungsamt", "Sonstiges",
                   "Alles andere, was im öffentlichen Raum nicht in Ordnung ist.", ()),
)}
FALLBACK = "sonstiges"


def category(key: str | None) -> DefectCategory:
    return CATEGORIES.get(key or "", CATEGORIES[FALLBACK])


def categories_of(departments: set[str]) -> list[str]:
    return [c.key for c in CATEGORIES.values() if c.department in departments]
