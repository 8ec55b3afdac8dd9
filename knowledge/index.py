"""The searchable index: chunk vectors in faiss, BM25 over articles, and their persistence on disk.

Layout of the index folder::

    manifest.json          model id, dimension, index kind, article order, per article: content hash,
                           chunk fingerprint, chunk count
    vectors/<id>.npy       the article's chunk vectors (float32), reused while its fingerprint is unchanged
    index.faiss            the faiss index over all chunks, in manifest order

A restart with unchanged articles reads `index.faiss` and embeds nothing; a change embeds only the changed
articles and rebuilds the faiss index from cached vectors. A `KnowledgeIndex` is immutable once built, so a
searcher holding a reference never sees a half-built one.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import faiss
import numpy as np

from knowledge.articles import Article
from knowledge.chunking import Chunk, chunk_article, chunks_fingerprint
from knowledge.evidence import EvidenceIndex
from knowledge.translation_evidence import TranslationEvidence
from knowledge.lexical import BM25, normalise
from knowledge.model import EmbeddingModel

log = logging.getLogger(__name__)

MANIFEST_VERSION = 2
HNSW_NEIGHBOURS = 32
HNSW_EF_CONSTRUCTION = 80
# 100k chunks shaped like e5 vectors: efSearch 128 found the exact nearest chunk for 78 % of real questions,
# 512 for 96 % at p95 1.6 ms (make bench-knowledge); the query embedding costs ten times that anyway.
HNSW_EF_SEARCH = 512
# Weight of the normalised BM25 score added to the best cosine similarity (calibrated: docs/knowledge-calibration.md).
LEXICAL_WEIGHT = 0.05

ProgressCallback = Callable[[int, int], None]


def build_faiss(vectors: np.ndarray, ann_min_chunks: int) -> tuple[faiss.Index, str]:
    """Exact inner product for small sets; HNSW from `ann_min_chunks` chunks on."""
    dimension = vectors.shape[1]
    if len(vectors) >= ann_min_chunks:
        index = faiss.IndexHNSWFlat(dimension, HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
        kind = "hnsw"
    else:
        index = faiss.IndexFlatIP(dimension)
        kind = "flat"
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index, kind


def index_kind_of(index: faiss.Index) -> str:
    return "hnsw" if isinstance(index, faiss.IndexHNSW) or "HNSW" in type(index).__name__ else "flat"


def article_lexical_text(article: Article) -> str:
    parts = [article.title, article.title, article.summary, " ".join(article.keywords), " ".join(article.questions)]
    parts.extend(f"{s.heading} {s.text}" for s in article.sections)
    return "\n".join(parts)


@dataclass
class ArticleMatch:
    article: Article
    score: float
    dense: float
    lexical: float
    section_index: int | None


@dataclass
class BuildStats:
    articles_embedded: int = 0
    chunks_embedded: int = 0
    reused_index_file: bool = False
    seconds: float = 0.0


@dataclass
class KnowledgeIndex:
    """One immutable version of the searchable knowledge."""

    articles: list[Article]
    chunks: list[Chunk]
    vectors: np.ndarray  # (n_chunks, dim), rows grouped by article in `articles` order
    chunk_article: np.ndarray  # article position of each chunk row
    article_rows: list[tuple[int, int]]  # [start, end) rows per article
    faiss_index: faiss.Index
    bm25: BM25
    model_id: str
    by_id: dict[str, int] = field(default_factory=dict)

    evidence: EvidenceIndex | None = None
    translation_evidence: TranslationEvidence | None = None

    def __post_init__(self) -> None:
        self.by_id = {a.id: i for i, a in enumerate(self.articles)}
        if self.evidence is None:
            self.evidence = EvidenceIndex.build(self.articles, article_lexical_text)
        if self.translation_evidence is None:
            self.translation_evidence = TranslationEvidence.build(self.articles)

    @property
    def kind(self) -> str:
        return index_kind_of(self.faiss_index)

    def search_vectors(self, query_vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        k = min(k, len(self.chunks))
        if k <= 0:
            return np.zeros((len(query_vectors), 0), np.float32), np.zeros((len(query_vectors), 0), np.int64)
        return self.faiss_index.search(np.ascontiguousarray(query_vectors, dtype=np.float32), k)

    def rank(
        self,
        query: str,
        query_vectors: np.ndarray,
        top_k: int,
        lexical_weight: float = LEXICAL_WEIGHT,
        candidates_per_query: int = 64,
        excluded_rows: frozenset[int] = frozenset(),
    ) -> list[ArticleMatch]:
        """Articles ordered by best chunk similarity plus weighted lexical overlap.

        `excluded_rows` hides chunks from the search (leave-one-out evaluation of sample questions).
        """
        if not self.articles:
            return []
        sims, rows = self.search_vectors(query_vectors, max(candidates_per_query, top_k * 8) + len(excluded_rows))
        dense: dict[int, float] = {}
        for sim_row, id_row in zip(sims, rows):
            for sim, row in zip(sim_row, id_row):
                if row < 0 or row in excluded_rows:
                    continue
                position = int(self.chunk_article[row])
                if sim > dense.get(position, -2.0):
                    dense[position] = float(sim)
        lexical = self.bm25.scores(query) if lexical_weight > 0 else np.zeros(len(self.articles), np.float32)
        if lexical_weight > 0 and len(self.articles):
            # Strong lexical matches that the dense search missed get an exact dense score too.
            for position in np.argsort(-lexical)[: max(10, top_k)]:
                position = int(position)
                if lexical[position] > 0 and position not in dense:
                    start, end = self.article_rows[position]
                    keep = [r for r in range(start, end) if r not in excluded_rows]
                    dense[position] = float((self.vectors[keep] @ query_vectors.T).max()) if keep else 0.0
        scored = sorted(
            ((d + lexical_weight * float(lexical[p]), p, d) for p, d in dense.items()), reverse=True
        )[:top_k]
        matches = []
        for score, position, best_dense in scored:
            matches.append(
                ArticleMatch(
                    article=self.articles[position],
                    score=score,
                    dense=best_dense,
                    lexical=float(lexical[position]),
                    section_index=self._best_section(position, query_vectors),
                )
            )
        return matches

    def _best_section(self, position: int, query_vectors: np.ndarray) -> int | None:
        start, end = self.article_rows[position]
        best, best_sim = None, -2.0
        for row in range(start, end):
            chunk = self.chunks[row]
            if chunk.kind != "section":
                continue
            sim = float((self.vectors[row] @ query_vectors.T).max())
            if sim > best_sim:
                best, best_sim = chunk.section_index, sim
        return best


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _vector_file(index_dir: Path, article_id: str) -> Path:
    return index_dir / "vectors" / f"{article_id}.npy"


def _article_file(index_dir: Path, article_id: str) -> Path:
    return index_dir / "articles" / f"{article_id}.json"


class IndexStore:
    """Reads and writes the persisted index; `None` as folder keeps everything in memory (benchmarks)."""

    def __init__(self, index_dir: Path | None) -> None:
        self.index_dir = Path(index_dir) if index_dir else None

    def read_manifest(self) -> dict:
        if not self.index_dir:
            return {}
        try:
            manifest = json.loads((self.index_dir / "manifest.json").read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        return manifest if manifest.get("version") == MANIFEST_VERSION else {}

    def cached_vectors(self, manifest: dict, article_id: str, fingerprint: str, model_id: str) -> np.ndarray | None:
        if not self.index_dir or manifest.get("model_id") != model_id:
            return None
        entry = manifest.get("articles", {}).get(article_id)
        if not entry or entry.get("chunks_fingerprint") != fingerprint:
            return None
        try:
            vectors = np.load(_vector_file(self.index_dir, article_id), allow_pickle=False)
        except (OSError, ValueError):
            return None
        return vectors if vectors.shape[0] == entry.get("chunks") else None

    def write(self, index: KnowledgeIndex, hashes: dict[str, str], fingerprints: dict[str, str], changed: set[str]) -> None:
        if not self.index_dir:
            return
        folder = self.index_dir
        stored = self.read_manifest().get("articles", {})
        for article, (start, end) in zip(index.articles, index.article_rows):
            if article.id in changed or not _vector_file(folder, article.id).exists():
                buffer = _npy_bytes(index.vectors[start:end])
                _atomic_write(_vector_file(folder, article.id), buffer)
            # The parsed article itself: if its file is broken at the next start, this version serves. Any edit
            # counts (a new "Stand" or phone number changes no vector), so this follows the file's content hash.
            content_changed = stored.get(article.id, {}).get("content_hash") != hashes.get(article.id, "")
            if content_changed or not _article_file(folder, article.id).exists():
                _atomic_write(_article_file(folder, article.id), article.model_dump_json().encode("utf-8"))
        _atomic_write(folder / "index.faiss", faiss.serialize_index(index.faiss_index).tobytes())
        manifest = {
            "version": MANIFEST_VERSION,
            "model_id": index.model_id,
            "dimension": int(index.vectors.shape[1]),
            "index_kind": index.kind,
            "chunks": len(index.chunks),
            "order": [a.id for a in index.articles],
            "articles": {
                a.id: {
                    "content_hash": hashes.get(a.id, ""),
                    "chunks_fingerprint": fingerprints[a.id],
                    "chunks": end - start,
                    "path": a.path,
                }
                for a, (start, end) in zip(index.articles, index.article_rows)
            },
        }
        _atomic_write(folder / "manifest.json", json.dumps(manifest, indent=1, ensure_ascii=False).encode("utf-8"))
        # Vectors of deleted articles are dropped so the folder does not grow forever.
        live = {a.id for a in index.articles}
        for stale in [*(folder / "vectors").glob("*.npy"), *(folder / "articles").glob("*.json")]:
            if stale.stem not in live:
                stale.unlink(missing_ok=True)

    def live_paths(self) -> dict[str, str]:
        """Article id -> the file it was served from when the index was last written (decides duplicate ids)."""
        return {
            article_id: entry["path"]
            for article_id, entry in self.read_manifest().get("articles", {}).items()
            if entry.get("path")
        }

    def cached_chunk_vectors(self, manifest: dict, model_id: str) -> dict[tuple[bool, str], np.ndarray]:
        """Vectors of the persisted chunks by embedded text, for articles whose stored version is consistent.

        At start-up an edited article then embeds only its changed chunks: its other chunks' texts are found in
        the stored article and vectors of its previous version.
        """
        if not self.index_dir or manifest.get("model_id") != model_id:
            return {}
        found: dict[tuple[bool, str], np.ndarray] = {}
        for article_id, entry in manifest.get("articles", {}).items():
            try:
                article = Article.model_validate_json(_article_file(self.index_dir, article_id).read_bytes())
                vectors = np.load(_vector_file(self.index_dir, article_id), allow_pickle=False)
            except (OSError, ValueError):
                continue
            chunks = chunk_article(article)
            if chunks_fingerprint(chunks) != entry.get("chunks_fingerprint") or len(chunks) != vectors.shape[0]:
                continue  # written by another chunking or a half-finished write: not trusted
            found.update(_chunk_keys(chunks, vectors))
        return found

    def last_good_articles(self, paths: set[str]) -> list[Article]:
        """The persisted last good versions of the articles that came from `paths` (files broken now)."""
        if not self.index_dir or not paths:
            return []
        found = []
        for article_id, entry in self.read_manifest().get("articles", {}).items():
            if entry.get("path") not in paths:
                continue
            try:
                found.append(Article.model_validate_json(_article_file(self.index_dir, article_id).read_bytes()))
            except (OSError, ValueError):
                log.warning("no readable last good version of %s in the index folder", article_id)
        return found

    def read_faiss(self, manifest: dict, order: list[str], expected_kind: str) -> faiss.Index | None:
        if not self.index_dir or manifest.get("order") != order or manifest.get("index_kind") != expected_kind:
            return None
        try:
            data = np.fromfile(self.index_dir / "index.faiss", dtype=np.uint8)
            index = faiss.deserialize_index(data)
        except Exception:  # a truncated or foreign file is simply rebuilt
            return None
        if index.ntotal != manifest.get("chunks"):
            return None
        if isinstance(index, faiss.IndexHNSW):
            index.hnsw.efSearch = HNSW_EF_SEARCH
        return index


def _npy_bytes(array: np.ndarray) -> bytes:
    import io

    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array, dtype=np.float32), allow_pickle=False)
    return buffer.getvalue()


def _chunk_keys(chunks: list[Chunk], vectors: np.ndarray) -> dict[tuple[bool, str], np.ndarray]:
    return {(c.embed_as_query, c.text): vectors[i] for i, c in enumerate(chunks)}


def embed_chunks(model: EmbeddingModel, chunks: list[Chunk], progress: ProgressCallback | None = None,
                 batch: int = 64) -> np.ndarray:
    """Vectors for `chunks` in order; query-like chunks get the query prompt, the rest the document prompt."""
    vectors = np.zeros((len(chunks), model.dimension), dtype=np.float32)
    groups = {True: [i for i, c in enumerate(chunks) if c.embed_as_query],
              False: [i for i, c in enumerate(chunks) if not c.embed_as_query]}
    done = 0
    for as_query, positions in groups.items():
        for start in range(0, len(positions), batch):
            part = positions[start : start + batch]
            texts = [chunks[i].text for i in part]
            vectors[part] = model.encode_queries(texts) if as_query else model.encode_documents(texts)
            done += len(part)
            if progress:
                progress(done, len(chunks))
    return vectors


def build_index(
    articles: list[Article],
    model: EmbeddingModel,
    store: IndexStore,
    ann_min_chunks: int,
    hashes: dict[str, str] | None = None,
    previous: KnowledgeIndex | None = None,
    progress: ProgressCallback | None = None,
) -> tuple[KnowledgeIndex, BuildStats]:
    """Build a new index version, embedding only articles whose chunks are not cached (on disk or in `previous`)."""
    import time

    started = time.perf_counter()
    stats = BuildStats()
    hashes = hashes or {}
    articles = sorted(articles, key=lambda a: a.id)
    manifest = store.read_manifest()
    per_article_chunks = [chunk_article(a) for a in articles]
    fingerprints = {a.id: chunks_fingerprint(c) for a, c in zip(articles, per_article_chunks)}

    previous_vectors: dict[str, np.ndarray] = {}
    if previous is not None and previous.model_id == model.model_id:
        for article, (start, end) in zip(previous.articles, previous.article_rows):
            if chunks_fingerprint(previous.chunks[start:end]) == fingerprints.get(article.id):
                previous_vectors[article.id] = previous.vectors[start:end]

    vectors_by_article: dict[str, np.ndarray] = {}
    changed: list[tuple[Article, list[Chunk]]] = []
    for article, chunks in zip(articles, per_article_chunks):
        cached = previous_vectors.get(article.id)
        if cached is None:
            cached = store.cached_vectors(manifest, article.id, fingerprints[article.id], model.model_id)
        if cached is not None:
            vectors_by_article[article.id] = cached
        else:
            changed.append((article, chunks))

    # A changed article keeps the vectors of its unchanged chunks (a new fee re-embeds one section, not the
    # whole article): looked up by embedded text in the serving index, or at start-up in the stored one.
    known: dict[tuple[bool, str], np.ndarray] = {}
    if changed:
        if previous is not None and previous.model_id == model.model_id:
            known = _chunk_keys(previous.chunks, previous.vectors)
        else:
            known = store.cached_chunk_vectors(manifest, model.model_id)
    pending: list[Chunk] = []
    for _, chunks in changed:
        pending.extend(c for c in chunks if (c.embed_as_query, c.text) not in known)
    pending = list({(c.embed_as_query, c.text): c for c in pending}.values())  # a text repeated is embedded once
    if pending:
        fresh = embed_chunks(model, pending, progress)
        known.update(_chunk_keys(pending, fresh))
    elif progress:
        progress(0, 0)
    for article, chunks in changed:
        vectors_by_article[article.id] = (
            np.stack([known[(c.embed_as_query, c.text)] for c in chunks]).astype(np.float32, copy=False)
            if chunks else np.zeros((0, model.dimension), dtype=np.float32)
        )
    pending_keys = {(c.embed_as_query, c.text) for c in pending}
    stats.articles_embedded = sum(
        1 for _, chunks in changed if any((c.embed_as_query, c.text) in pending_keys for c in chunks)
    )
    stats.chunks_embedded = len(pending)

    all_chunks: list[Chunk] = []
    rows: list[tuple[int, int]] = []
    for chunks in per_article_chunks:
        rows.append((len(all_chunks), len(all_chunks) + len(chunks)))
        all_chunks.extend(chunks)
    matrix = (
        np.concatenate([vectors_by_article[a.id] for a in articles]).astype(np.float32, copy=False)
        if articles
        else np.zeros((0, model.dimension), dtype=np.float32)
    )
    positions = np.repeat(np.arange(len(articles)), [end - start for start, end in rows]).astype(np.int64)

    order = [a.id for a in articles]
    expected_kind = "hnsw" if len(all_chunks) >= ann_min_chunks else "flat"
    faiss_index = None
    if not changed and manifest.get("model_id") == model.model_id:
        faiss_index = store.read_faiss(manifest, order, expected_kind)
        stats.reused_index_file = faiss_index is not None
    if faiss_index is None:
        faiss_index, _ = build_faiss(matrix, ann_min_chunks)

    bm25 = BM25([normalise(article_lexical_text(a)) for a in articles])
    index = KnowledgeIndex(
        articles=articles,
        chunks=all_chunks,
        vectors=matrix,
        chunk_article=positions,
        article_rows=rows,
        faiss_index=faiss_index,
        bm25=bm25,
        model_id=model.model_id,
    )
    unchanged_on_disk = stats.reused_index_file and all(
        manifest.get("articles", {}).get(a.id, {}).get("content_hash") == hashes.get(a.id, "") for a in articles
    )
    if not unchanged_on_disk:
        try:
            store.write(index, hashes, fingerprints, {a.id for a, _ in changed})
        except OSError as exc:  # a read-only disk must not stop searching
            log.warning("could not persist the knowledge index: %s", exc)
    stats.seconds = time.perf_counter() - started
    return index, stats
