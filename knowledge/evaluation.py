"""Retrieval evaluation: benchmark files (JSONL) or a knowledge folder with its own sample questions held out.

Metrics: top-1 / top-3 (a hit if any acceptable article is among the first k), MRR@10, the share of in-scope
questions answered or clarified, the share of out-of-scope questions given `no_answer`, query latency
(embedding + search + decision) p50/p95 and index build throughput.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from knowledge.articles import Article, scan_folder
from knowledge.index import IndexStore, KnowledgeIndex, article_lexical_text, build_index
from knowledge.lexical import BM25, normalise
from knowledge.model import EmbeddingModel
from knowledge.service import SearchResult, Thresholds, run_query


class EvalQuestion(BaseModel):
    id: str
    question: str
    answer_ids: list[str] = []


@dataclass
class QuestionOutcome:
    question: EvalQuestion
    result: SearchResult
    rank: int | None  # 1-based rank of the first acceptable article within the top 10


@dataclass
class EvalReport:
    top1: float
    top3: float
    mrr10: float
    answered_in_scope: float
    oos_no_answer: float | None
    latency_ms_p50: float
    latency_ms_p95: float
    build_chunks_per_s: float
    build_articles_per_s: float
    articles: int
    chunks: int
    questions: int
    oos_questions: int
    decisions: dict[str, int] = field(default_factory=dict)
    outcomes: list[QuestionOutcome] = field(default_factory=list, repr=False)
    oos_outcomes: list[SearchResult] = field(default_factory=list, repr=False)

    def figures(self) -> dict:
        return {
            "top1": round(self.top1, 4),
            "top3": round(self.top3, 4),
            "mrr10": round(self.mrr10, 4),
            "answered_in_scope": round(self.answered_in_scope, 4),
            "oos_no_answer": None if self.oos_no_answer is None else round(self.oos_no_answer, 4),
            "latency_ms_p50": round(self.latency_ms_p50, 2),
            "latency_ms_p95": round(self.latency_ms_p95, 2),
            "build_chunks_per_s": round(self.build_chunks_per_s, 1),
            "build_articles_per_s": round(self.build_articles_per_s, 1),
            "articles": self.articles,
            "chunks": self.chunks,
            "questions": self.questions,
            "oos_questions": self.oos_questions,
        }


def read_jsonl(path: Path) -> list[dict]:
    rows = []
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except ValueError as exc:
                    raise ValueError(f"{path}:{number}: kein gültiges JSON: {exc}") from exc
    return rows


def load_articles(source: Path) -> list[Article]:
    """A knowledge folder, or a JSONL file with id, title, text per line."""
    source = Path(source)
    if source.is_dir():
        return list(scan_folder(source).articles.values())
    return [Article.from_plain(str(r["id"]), str(r.get("title", "")), str(r.get("text", ""))) for r in read_jsonl(source)]


def load_questions(path: Path) -> list[EvalQuestion]:
    return [EvalQuestion(**{"answer_ids": [], **row}) for row in read_jsonl(path)]


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else 0.0


def first_hit_rank(result: SearchResult, answer_ids: list[str]) -> int | None:
    wanted = set(answer_ids)
    for rank, hit in enumerate(result.hits, start=1):
        if hit.article.id in wanted:
            return rank
    return None


@dataclass
class BuiltIndex:
    index: KnowledgeIndex
    seconds: float
    chunks_embedded: int


def build_for_eval(articles: list[Article], model: EmbeddingModel, ann_min_chunks: int = 20000,
                   progress=None) -> BuiltIndex:
    started = time.perf_counter()
    index, stats = build_index(articles, model, IndexStore(None), ann_min_chunks, progress=progress)
    return BuiltIndex(index=index, seconds=time.perf_counter() - started, chunks_embedded=stats.chunks_embedded)


def evaluate(
    built: BuiltIndex,
    model: EmbeddingModel,
    questions: list[EvalQuestion],
    thresholds: Thresholds,
    oos: list[EvalQuestion] | None = None,
    lexical_weight: float | None = None,
    excluded_rows_of: dict[str, frozenset[int]] | None = None,
) -> EvalReport:
    index = built.index
    extra = {} if lexical_weight is None else {"lexical_weight": lexical_weight}
    outcomes: list[QuestionOutcome] = []
    latencies: list[float] = []
    oos_results: list[SearchResult] = []
    with model.uncached_queries():
        for question in questions:
            excluded = (excluded_rows_of or {}).get(question.id, frozenset())
            started = time.perf_counter()
            result = run_query(index, model, question.question, top_k=10, thresholds=thresholds,
                               excluded_rows=excluded, **extra)
            latencies.append((time.perf_counter() - started) * 1000)
            outcomes.append(QuestionOutcome(question, result, first_hit_rank(result, question.answer_ids)))
        for question in oos or []:
            started = time.perf_counter()
            oos_results.append(run_query(index, model, question.question, top_k=10, thresholds=thresholds, **extra))
            latencies.append((time.perf_counter() - started) * 1000)

    n = max(len(outcomes), 1)
    decisions: dict[str, int] = {}
    for outcome in outcomes:
        decisions[outcome.result.decision] = decisions.get(outcome.result.decision, 0) + 1
    return EvalReport(
        top1=sum(1 for o in outcomes if o.rank == 1) / n,
        top3=sum(1 for o in outcomes if o.rank is not None and o.rank <= 3) / n,
        mrr10=sum(1 / o.rank for o in outcomes if o.rank is not None) / n,
        answered_in_scope=sum(1 for o in outcomes if o.result.decision != "no_answer") / n,
        oos_no_answer=(sum(1 for r in oos_results if r.decision == "no_answer") / len(oos_results)) if oos_results else None,
        latency_ms_p50=_percentile(latencies, 50),
        latency_ms_p95=_percentile(latencies, 95),
        build_chunks_per_s=built.chunks_embedded / built.seconds if built.seconds > 0 else 0.0,
        build_articles_per_s=len(index.articles) / built.seconds if built.seconds > 0 else 0.0,
        articles=len(index.articles),
        chunks=len(index.chunks),
        questions=len(outcomes),
        oos_questions=len(oos_results),
        decisions=decisions,
        outcomes=outcomes,
        oos_outcomes=oos_results,
    )


def leave_one_out_setup(built: BuiltIndex) -> tuple[BuiltIndex, list[EvalQuestion], dict[str, frozenset[int]]]:
    """Each sample question becomes a test question with its own chunk hidden.

    The lexical index is rebuilt without any sample questions, so the held-out wording cannot leak through
    BM25 either (slightly stricter than holding out one question at a time).
    """
    index = built.index
    questions: list[EvalQuestion] = []
    excluded: dict[str, frozenset[int]] = {}
    for row, chunk in enumerate(index.chunks):
        if chunk.kind != "question":
            continue
        qid = f"{chunk.article_id}#{chunk.question_index}"
        questions.append(EvalQuestion(id=qid, question=chunk.text, answer_ids=[chunk.article_id]))
        excluded[qid] = frozenset({row})
    bm25 = BM25([normalise(article_lexical_text(a.model_copy(update={"questions": []}))) for a in index.articles])
    return BuiltIndex(replace(index, bm25=bm25), built.seconds, built.chunks_embedded), questions, excluded


@dataclass
class WeakArticle:
    article_id: str
    title: str
    found_top1: int
    found_top3: int
    questions: int
    misses: list[tuple[str, str | None]]  # (question, article found first instead)


def weak_articles(report: EvalReport) -> list[WeakArticle]:
    by_article: dict[str, WeakArticle] = {}
    for outcome in report.outcomes:
        article_id = outcome.question.answer_ids[0]
        entry = by_article.setdefault(
            article_id,
            WeakArticle(article_id, "", 0, 0, 0, []),
        )
        entry.questions += 1
        if outcome.rank == 1:
            entry.found_top1 += 1
        if outcome.rank is not None and outcome.rank <= 3:
            entry.found_top3 += 1
        else:
            first = outcome.result.hits[0].article.id if outcome.result.hits else None
            entry.misses.append((outcome.question.question, first))
        for hit in outcome.result.hits:
            if hit.article.id == article_id:
                entry.title = hit.article.title
    return sorted(by_article.values(), key=lambda w: (w.found_top3 / w.questions, w.found_top1 / w.questions))


@dataclass
class Calibration:
    clarify: float
    answer: float
    margin: float
    in_scope_answered: float
    oos_no_answer: float
    answer_precision: float | None
    answer_share: float


def _top_scores(results: list[SearchResult]) -> tuple[np.ndarray, np.ndarray]:
    first = np.array([r.hits[0].score if r.hits else 0.0 for r in results], dtype=np.float64)
    second = np.array([r.hits[1].score if len(r.hits) > 1 else 0.0 for r in results], dtype=np.float64)
    return first, second


def calibrate(
    in_scope: list[QuestionOutcome],
    oos: list[SearchResult],
    answer_outcomes: list[QuestionOutcome] | None = None,
    answer_precision_target: float = 0.9,
) -> Calibration:
    """Thresholds from measured scores (see docs/knowledge-calibration.md).

    clarify: the score that best separates in-scope from out-of-scope questions, i.e. maximises the smaller of
    the two shares (answered-or-clarified in scope, no_answer out of scope); the middle of the best plateau.
    answer + margin: on `answer_outcomes` (the demo knowledge base's held-out sample questions), the loosest
    pair whose direct answers are right at least `answer_precision_target` of the time.
    """
    first_in, _ = _top_scores([o.result for o in in_scope])
    first_oos, _ = _top_scores(oos)
    grid = np.round(np.arange(0.70, 1.10, 0.001), 3)
    quality = np.array([min((first_in >= t).mean(), (first_oos < t).mean()) for t in grid])
    plateau = grid[quality >= quality.max() - 1e-9]
    clarify = float(np.round(plateau[len(plateau) // 2], 3))

    answer_outcomes = answer_outcomes or in_scope
    first, second = _top_scores([o.result for o in answer_outcomes])
    correct = np.array([o.rank == 1 for o in answer_outcomes])
    best = (clarify + 0.05, 0.05, None, 0.0)
    for margin in (0.0, 0.005, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05):
        for answer in grid[grid >= clarify]:
            chosen = (first >= answer) & (first - second >= margin)
            if chosen.sum() < 5:
                continue
            precision = float(correct[chosen].mean())
            share = float(chosen.mean())
            if precision >= answer_precision_target and share > best[3]:
                best = (float(answer), margin, precision, share)
            if precision >= answer_precision_target:
                break  # a higher threshold for this margin only answers less
    answer, margin, precision, share = best
    return Calibration(
        clarify=clarify,
        answer=round(max(answer, clarify), 3),
        margin=margin,
        in_scope_answered=float((first_in >= clarify).mean()),
        oos_no_answer=float((first_oos < clarify).mean()),
        answer_precision=precision,
        answer_share=share,
    )
