"""Finding the responsible office (and so the handover queue) for things that are not knowledge articles."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knowledge.articles import Office
    from knowledge.service import KnowledgeService

# Which office of knowledge/articles/_offices.yml handles which kind of defect report.
DEFECT_CATEGORY_OFFICES: dict[str, str] = {
    "strassenschaden": "tiefbauamt",
    "beleuchtung": "tiefbauamt",
    "verkehrszeichen": "tiefbauamt",
    "muell": "stadtwerke_abfall",
    "gruenflaeche": "umweltamt",
    "spielplatz": "umweltamt",
    "sonstiges": "ordnungsamt",
}


def find_office(knowledge: "KnowledgeService", key: str) -> "Office | None":
    """Offices live in the shared office file; every one in use is reachable through an article."""
    for article in knowledge.articles():
        if article.office.key == key:
            return article.office
    return None


def defect_category_office(knowledge: "KnowledgeService", category: str) -> "Office | None":
    return find_office(knowledge, DEFECT_CATEGORY_OFFICES.get(category, "ordnungsamt"))
