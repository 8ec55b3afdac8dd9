"""The hot-reload part of `buergerbot knowledge bench`: how soon edits are searchable, and what a big or an
oversized article costs while searches go on.

Everything runs through the real path on a copy of the demo knowledge base: the file watcher, the reload in
a worker thread, the searches on the serving version. The copy starts from the index `make index` wrote
(`var/index`), so the set-up embeds nothing when the articles are unchanged.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Callable

import numpy as np

from handover.shell.settings import Settings
from knowledge.articles import Article, Office, Section, article_files
from knowledge.chunking import chunk_article
from knowledge.limits import DEFAULT_LIMITS
from knowledge.model import EmbeddingModel
from knowledge.service import KnowledgeService, Thresholds

EDITS = 20
POLL_S = 0.005
SETTLE_S = 0.3  # between edits, so that each one is a reload of its own
IDLE_S = 5.0  # searches without a reload, the baseline for the searches during one
CHUNKING_SIZES = (25_000, 50_000, 100_000, 1_000_000, 5_000_000)
TARGET_EDIT_P95_S = 2.0


def _percentiles(values: list[float], digits: int = 3) -> dict:
    if not values:
        return {"p50": None, "p95": None, "max": None}
    return {
        "p50": round(float(np.percentile(values, 50)), digits),
        "p95": round(float(np.percentile(values, 95)), digits),
        "max": round(float(max(values)), digits),
    }


async def _until(condition: Callable[[], bool], timeout: float = 120.0) -> float:
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > timeout:
            raise TimeoutError("change not visible after %.0f s" % timeout)
        await asyncio.sleep(POLL_S)
    return time.perf_counter() - started


class _Searcher:
    """Searches in a loop on its own thread, as citizens' questions arrive, recording each latency."""

    def __init__(self, service: KnowledgeService, questions: list[str]) -> None:
        self.service, self.questions = service, questions
        self.latencies_ms: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-searcher")

    def _run(self) -> None:
        number = 0
        while not self._stop.is_set():
            question = self.questions[number % len(self.questions)]
            started = time.perf_counter()
            self.service.search(question, top_k=3)
            self.latencies_ms.append((time.perf_counter() - started) * 1000)
            number += 1

    def __enter__(self) -> "_Searcher":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def _fee_edit(path: Path, number: int) -> str:
    """A fee changes: one sentence appended to the article's last section. Returns the new fee text."""
    fee = f"{100 + number},50 Euro"
    text = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(f"{text}\nAb 2027 beträgt die Gebühr {fee}.\n", encoding="utf-8")
    return fee


def _big_article(article_id: str, edition: int = 1) -> str:
    """An article just inside every limit: four sections of 4 700 characters of distinct sentences.

    Each `edition` has other sentences, so nothing of it is cached from an earlier one."""
    sections = []
    for part in range(4):
        sentences, length, index = [], 0, 0
        while length < DEFAULT_LIMITS.max_section_chars - 300:
            sentence = (f"Nach Paragraf {part}.{index} der Gebührensatzung ({edition}. Fassung) gilt für Anträge "
                        f"aus dem Jahr {1990 + index % 35} eine eigene Frist von {index % 12 + 1} Wochen. ")
            sentences.append(sentence)
            length += len(sentence)
            index += 1
        sections.append(f"## Teil {part + 1}\n{''.join(sentences).strip()}\n")
    return (
        f"---\nid: {article_id}\ntitle: Gebührensatzung im Wortlaut\nsummary: Die Satzung regelt alle Gebühren.\n"
        "office: buergerbuero\nupdated: 2026-01-01\nquestions:\n  - Wo steht die Gebührensatzung?\n"
        "  - Welche Fristen gelten?\n  - Was regelt die Satzung?\n---\n" + "\n".join(sections)
    )


def chunking_cost() -> dict:
    """Chunking time of one single-paragraph section of 25 KB … 5 MB (no limits: the cost itself is measured)."""
    sentence = "Der Antrag wird im Bürgerbüro gestellt und kostet 37 Euro nach der Gebührensatzung. "
    rows = []
    for size in CHUNKING_SIZES:
        text = (sentence * (size // len(sentence) + 1))[:size]
        article = Article(
            id="gross", title="Groß", summary="Kurz.", updated=date(2026, 1, 1),
            office=Office(key="x", name="Amt", department="amt"), sections=[Section(heading="Text", text=text)],
        )
        started = time.perf_counter()
        chunks = chunk_article(article)
        seconds = time.perf_counter() - started
        rows.append({"chars": size, "chunks": len(chunks), "ms": round(seconds * 1000, 2),
                     "ms_per_mb": round(seconds * 1000 / (size / 1_000_000), 1)})
    return {"single_paragraph": rows}


def _prepare(settings: Settings, workdir: Path) -> tuple[Path, Path]:
    articles = workdir / "articles"
    shutil.copytree(settings.articles_dir, articles)
    index = workdir / "index"
    if (settings.resolved_index_dir / "manifest.json").exists():
        shutil.copytree(settings.resolved_index_dir, index)
    return articles, index


async def _measure(service: KnowledgeService, articles_dir: Path, questions: list[str],
                   log: Callable[[str], None]) -> dict:
    await service.start_watching()
    try:
        with service.model.uncached_queries():
            log(f"Hot reload: {EDITS} Änderungen …")
            files = article_files(articles_dir)
            edit_seconds, embedded = [], []
            for number in range(EDITS):
                path = files[(number * 7) % len(files)]  # spread over the folder
                article_id = re.search(r"^id:\s*(\S+)", path.read_text(encoding="utf-8"), re.M).group(1)
                fee = _fee_edit(path, number)
                edit_seconds.append(await _until(lambda: fee in service.get_article(article_id).sections[-1].text))
                embedded.append(service.status().chunks_embedded_last_reload)
                await asyncio.sleep(SETTLE_S)

            log("Großer Artikel (an den Grenzen) und 5-MB-Artikel, während gesucht wird …")
            big = articles_dir / "satzung-wortlaut.md"
            big.write_text(_big_article("satzung-wortlaut", edition=1), encoding="utf-8")
            alone_seconds = await _until(lambda: service.get_article("satzung-wortlaut") is not None)
            with _Searcher(service, questions) as idle:
                await asyncio.sleep(IDLE_S)
            with _Searcher(service, questions) as during_big:
                big.write_text(_big_article("satzung-wortlaut", edition=2), encoding="utf-8")
                big_seconds = await _until(lambda: "2. Fassung" in service.get_article("satzung-wortlaut").sections[0].text)
            big_chunks = service.status().chunks_embedded_last_reload
            with _Searcher(service, questions) as during_huge:
                huge = articles_dir / "satzung-5mb.md"
                huge.write_text(_big_article("satzung-5mb") + "Wortlaut. " * 500_000, encoding="utf-8")
                huge_seconds = await _until(lambda: any(e.path == huge.name for e in service.status().errors))
                await asyncio.sleep(1.0)  # searches after the refusal, too
    finally:
        await service.stop_watching()
    return {
        "edits": {
            "count": EDITS,
            "what": "one sentence with a new fee appended to an article's last section, through the file watcher",
            "seconds_until_searchable": _percentiles(edit_seconds),
            "chunks_embedded_per_edit": round(float(np.mean(embedded)), 2),
            "target_p95_seconds": TARGET_EDIT_P95_S,
        },
        "search_ms_without_reload": _percentiles(idle.latencies_ms, 2),
        "article_at_limits": {
            "chars": len(_big_article("satzung-wortlaut")),
            "chunks_embedded": big_chunks,
            "seconds_until_searchable_alone": round(alone_seconds, 2),
            "seconds_until_searchable_while_searching": round(big_seconds, 2),
            "searches_during": len(during_big.latencies_ms),  # back to back, no pause: the worst case
            "search_ms_during": _percentiles(during_big.latencies_ms, 2),
        },
        "article_5mb": {
            "bytes": huge.stat().st_size,
            "seconds_until_refused": round(huge_seconds, 3),
            "searches_during": len(during_huge.latencies_ms),
            "search_ms_during": _percentiles(during_huge.latencies_ms, 2),
        },
    }


def run_reload_benchmark(settings: Settings, model: EmbeddingModel, questions: list[str],
                         log: Callable[[str], None] = print) -> dict:
    thresholds = Thresholds(settings.answer_threshold, settings.clarify_threshold, settings.answer_margin)
    with tempfile.TemporaryDirectory(prefix="buergerbot-reload-bench-") as workdir:
        articles_dir, index_dir = _prepare(settings, Path(workdir))
        service = KnowledgeService(
            articles_dir=articles_dir, index_dir=index_dir, model_name=settings.embedding_model,
            thresholds=thresholds, ann_min_chunks=settings.ann_min_chunks, model=model,
        )
        setup = service.load()
        figures = asyncio.run(_measure(service, articles_dir, questions, log))
    figures["setup_chunks_embedded"] = setup.chunks_embedded
    figures["chunking"] = chunking_cost()
    return figures
