"""`buergerbot knowledge …`: check, index, search, evaluate and benchmark the knowledge base."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from handover.shell.settings import Settings, get_settings

app = typer.Typer(help="Wissensartikel prüfen, indexieren, durchsuchen, evaluieren.", no_args_is_help=True)
console = Console()
errors_console = Console(stderr=True)

ArticlesOption = Annotated[
    Optional[Path], typer.Option("--articles", help="Artikelordner (Standard: Einstellung articles_dir) oder JSONL-Datei.")
]


def _thresholds(settings: Settings):
    from knowledge.service import Thresholds

    return Thresholds(answer=settings.answer_threshold, clarify=settings.clarify_threshold, margin=settings.answer_margin)


def _service(settings: Settings, articles: Path | None = None):
    from knowledge.service import KnowledgeService

    return KnowledgeService(
        articles_dir=articles or settings.articles_dir,
        index_dir=settings.resolved_index_dir,
        model_name=settings.embedding_model,
        thresholds=_thresholds(settings),
        ann_min_chunks=settings.ann_min_chunks,
    )


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


@app.command()
def check(articles: ArticlesOption = None) -> None:
    """Alle Artikel prüfen und ALLE Fehler ausgeben; Exit-Code 1, wenn es einen Fehler gibt."""
    from knowledge.article_warnings import article_warnings
    from knowledge.articles import article_files, scan_folder

    folder = articles or get_settings().articles_dir
    if not folder.is_dir():
        errors_console.print(f"[red]Ordner nicht gefunden:[/red] {folder}")
        raise typer.Exit(2)
    scan = scan_folder(folder)
    files = len(article_files(folder))
    for error in scan.errors:
        console.print(f"[red]FEHLER[/red] {error}", highlight=False, soft_wrap=True)
    # Warnings (incomplete translations, Leichte Sprache too hard) do not fail the check: the article is served.
    for warning in article_warnings(scan.articles):
        console.print(f"[yellow]HINWEIS[/yellow] {warning}", highlight=False, soft_wrap=True)
    if scan.errors:
        console.print(
            f"{len(scan.errors)} Fehler in {len(scan.failed_paths) or 1} Datei(en); "
            f"{len(scan.articles)} von {files} Artikeln sind gültig.",
            soft_wrap=True,
            highlight=False,
        )
        raise typer.Exit(1)
    console.print(f"[green]OK[/green]: {len(scan.articles)} Artikel geprüft, keine Fehler.", highlight=False)


@app.command()
def index(articles: ArticlesOption = None) -> None:
    """Index aufbauen (bettet nur geänderte Artikel neu ein) und speichern."""
    settings = get_settings()
    service = _service(settings, articles)
    with _progress() as progress:
        task = progress.add_task("Modell laden", total=None)
        service.model  # noqa: B018 - load before the bar starts counting chunks
        progress.update(task, description="Abschnitte einbetten", total=1, completed=0)

        def advance(done: int, total: int) -> None:
            progress.update(task, total=max(total, 1), completed=done if total else 1)

        stats = service.load(progress=advance)
        progress.update(task, completed=progress.tasks[0].total)
    status = service.status()
    console.print(
        f"{status.articles} Artikel, {status.chunks} Abschnitte, Index {status.index_kind}, Modell {status.model}; "
        f"neu eingebettet: {stats.chunks_embedded} Abschnitte aus {stats.articles_embedded} Artikeln "
        f"in {stats.seconds:.1f} s → {settings.resolved_index_dir}",
        soft_wrap=True,
        highlight=False,
    )
    for error in status.errors:
        console.print(f"[red]FEHLER[/red] {error}", highlight=False, soft_wrap=True)
    if status.errors:
        raise typer.Exit(1)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Die Frage, z. B. \"Wie melde ich mich um?\"")],
    top_k: Annotated[int, typer.Option("--top-k", "-k", min=1, max=20)] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Ergebnis als JSON ausgeben.")] = False,
) -> None:
    """Eine Frage stellen und die besten Artikel mit Entscheidung anzeigen."""
    service = _service(get_settings())
    service.load()
    result = service.search(query, top_k=top_k)
    if as_json:
        print(result.model_dump_json(indent=1))
        return
    console.print(f"Entscheidung: [bold]{result.decision}[/bold] ({result.took_ms:.1f} ms)")
    table = Table("#", "Score", "Artikel", "Abschnitt")
    for rank, hit in enumerate(result.hits, start=1):
        table.add_row(str(rank), f"{hit.score:.3f}", f"{hit.article.title} ({hit.article.id})",
                      hit.section.heading if hit.section else "–")
    console.print(table)


@app.command("eval")
def evaluate_command(
    articles: ArticlesOption = None,
    questions: Annotated[Optional[Path], typer.Option("--questions", help="Fragen-JSONL: id, question, answer_ids.")] = None,
    oos: Annotated[Optional[Path], typer.Option("--oos", help="JSONL mit Fragen außerhalb der Wissensbasis: id, question.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Kennzahlen als ein JSON-Objekt ausgeben.")] = False,
    weakest: Annotated[int, typer.Option("--weakest", help="So viele schwache Artikel zeigen (Leave-one-out).")] = 10,
) -> None:
    """Suchqualität messen: mit --questions auf einem Benchmark, sonst Leave-one-out über die Beispielfragen."""
    from knowledge.evaluation import (
        build_for_eval,
        evaluate,
        leave_one_out_setup,
        load_articles,
        load_questions,
        weak_articles,
    )
    from knowledge.model import load_model

    settings = get_settings()
    source = articles or settings.articles_dir
    loaded = load_articles(source)
    if not loaded:
        errors_console.print(f"[red]Keine Artikel in {source}[/red]")
        raise typer.Exit(2)
    model = load_model(settings.embedding_model)
    with _progress() if not as_json else _NullProgress() as progress:
        task = progress.add_task("Abschnitte einbetten", total=None)
        built = build_for_eval(
            loaded, model, settings.ann_min_chunks,
            progress=lambda done, total: progress.update(task, total=max(total, 1), completed=done),
        )
    excluded = None
    if questions is not None:
        test_questions = load_questions(questions)
    else:
        built, test_questions, excluded = leave_one_out_setup(built)
    out_of_scope = load_questions(oos) if oos else None
    report = evaluate(built, model, test_questions, _thresholds(settings), out_of_scope, excluded_rows_of=excluded)
    figures = report.figures()
    if as_json:
        print(json.dumps(figures))
        return
    table = Table("Kennzahl", "Wert", title="Auswertung" + (" (Leave-one-out)" if questions is None else ""))
    for key, value in figures.items():
        table.add_row(key, "–" if value is None else str(value))
    console.print(table)
    if questions is None:
        weak = [w for w in weak_articles(report) if w.found_top3 < w.questions][:weakest]
        if not weak:
            console.print("[green]Jede Beispielfrage findet ihren Artikel unter den ersten drei.[/green]")
        for entry in weak:
            console.print(f"[yellow]{entry.article_id}[/yellow]: {entry.found_top3}/{entry.questions} Fragen in den Top 3")
            for question, found in entry.misses:
                console.print(f"   – „{question}“ → gefunden: {found}", highlight=False)


class _NullProgress:
    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def add_task(self, *args, **kwargs) -> int:
        return 0

    def update(self, *args, **kwargs) -> None:
        return None


@app.command()
def bench(
    shared: Annotated[Path, typer.Option("--shared", help="Ordner mit articles.jsonl, questions-dev.jsonl, oos-dev.jsonl.")],
    out: Annotated[Path, typer.Option("--out", help="Ergebnisdatei (JSON).")] = Path("benchmarks/results/knowledge.json"),
    synthetic_chunks: Annotated[int, typer.Option("--synthetic-chunks")] = 100_000,
) -> None:
    """Benchmark: de-covid-faq (dev), Latenz bei 1 000 Artikeln und Suche über 100 000 synthetische Abschnitte."""
    from knowledge.benchmark import run_benchmark

    settings = get_settings()
    results = run_benchmark(shared, settings, synthetic_chunks=synthetic_chunks, log=console.print)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    console.print_json(json.dumps(results))
    console.print(f"→ {out}")
