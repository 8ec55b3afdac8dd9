"""`buergerbot insights …`: the knowledge gaps for editors who work in the articles folder (the same clusters as
the console's "Wissenslücken"), and sample data for a demonstration of the reports."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(help="Auswertungen: Wissenslücken für die Redaktion, Beispieldaten.", no_args_is_help=True)
console = Console()
errors_console = Console(stderr=True)


def _context():
    from handover.domain.office_hours import OfficeHours
    from handover.shell.commands.agents import _database
    from handover.shell.settings import get_settings

    settings = get_settings()
    return settings, _database(), OfficeHours.from_file(settings.departments_file)


@app.command()
def gaps(
    since: Annotated[str, typer.Option(help="Zeitraum bis heute: z. B. 30d, 8w, 6m.")] = "30d",
    csv: Annotated[bool, typer.Option("--csv", help="Als CSV (Semikolon) auf die Standardausgabe.")] = False,
    department: Annotated[str | None, typer.Option(help="Nur dieser Fachbereich (Schlüssel).")] = None,
    lebenslage: Annotated[str | None, typer.Option(help="Nur diese Lebenslage (Ordnername).")] = None,
    language: Annotated[str | None, typer.Option(help="Nur diese Sprache (de, en, …).")] = None,
) -> None:
    """Fragen ohne befriedigende Antwort, nach Bedeutung gruppiert: Größe, Trend, Beispiele, nächster Artikel und
    ein fertiger questions:-Eintrag für dessen Front Matter."""
    from handover.domain.insights import gaps as gap_clusters
    from handover.domain.insights.filters import FilterError, Filters
    from handover.shell.commands.knowledge import _service

    settings, db, office_hours = _context()
    try:
        filters = Filters.build(tz=office_hours.tz, since=since, department=department, lebenslage=lebenslage,
                                language=language)
    except FilterError as error:
        errors_console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    knowledge = _service(settings)
    result = db.run_sync(lambda s: gap_clusters.gaps(
        s, filters, knowledge, threshold=settings.insights_cluster_similarity, limit=settings.insights_gap_limit))
    if csv:
        sys.stdout.write(gap_clusters.table(result).csv())
        return
    console.print(
        f"[bold]Wissenslücken {filters.start.isoformat()} bis {filters.end.isoformat()}[/bold]: "
        f"{result['total_questions']} Fragen ohne befriedigende Antwort, {len(result['clusters'])} Gruppen ab 5 "
        "Gesprächen.", highlight=False, soft_wrap=True,
    )
    if result["small"]["clusters"]:
        console.print(f"{result['small']['clusters']} kleinere Gruppen mit zusammen {result['small']['questions']} "
                      "Fragen werden nur gezählt.", highlight=False)
    if result["truncated"]:
        console.print(f"Nur die {result['clustered_questions']} häufigsten verschiedenen Fragen wurden gruppiert.",
                      highlight=False)
    trends = {"rising": "steigend", "falling": "fallend", "steady": "gleichbleibend"}
    for number, cluster in enumerate(result["clusters"], 1):
        mark = f"  [{cluster['mark']['label']}]" if cluster["mark"] else ""
        console.print(f"\n[bold]{number}. {cluster['label']}[/bold]{mark}", highlight=False)
        console.print(f"   {cluster['conversations']} Gespräche, {cluster['questions']} Fragen, Trend "
                      f"{trends[cluster['trend']]} ({cluster['earlier']} → {cluster['recent']})", highlight=False)
        kinds = ", ".join(f"{gap_clusters.KINDS[k]} {n}" for k, n in cluster["kinds"].items() if n)
        if kinds:
            console.print(f"   {kinds}", highlight=False)
        article = cluster["article"]
        if article:
            console.print(f"   Nächster Artikel: {article['title']} ({article['path'] or article['id']}, "
                          f"Ähnlichkeit {article['similarity']:.2f})", highlight=False, soft_wrap=True)
        for example in cluster["examples"]:
            console.print(f"   – {example}", highlight=False, soft_wrap=True)
        console.print("   Eintrag für die Front Matter:", highlight=False)
        for line in cluster["questions_yaml"].splitlines():
            console.print(f"     {line}", highlight=False, markup=False, soft_wrap=True)


@app.command()
def demo(
    conversations: Annotated[int, typer.Option(help="So viele Beispielgespräche anlegen.")] = 2000,
    days: Annotated[int, typer.Option(help="Über so viele Tage bis heute verteilt.")] = 60,
    seed: Annotated[int, typer.Option(help="Startwert des Zufallsgenerators (gleiche Daten bei gleichem Wert).")] = 15,
) -> None:
    """Beispieldaten nur für die Auswertungen anlegen (keine echten Gespräche): für eine Vorführung oder den
    Screenshot. Nicht in einer Produktivinstallation verwenden."""
    from handover.domain.insights import sample_data
    from knowledge.articles import scan_folder

    settings, db, office_hours = _context()
    articles = list(scan_folder(settings.articles_dir).articles.values())  # answered questions from real articles
    counts = db.run_sync(lambda s: sample_data.seed(s, conversations=conversations, days=days, tz=office_hours.tz,
                                                    seed=seed, articles=articles))
    console.print(f"Angelegt: {counts['conversations']} Beispielgespräche mit {counts['questions']} Fragen.",
                  highlight=False)
