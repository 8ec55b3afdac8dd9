"""Knowledge gaps for editors: the questions the bot could not answer, grouped by meaning.

A question is a gap when it ended
- in no answer (decision no_answer),
- in a menu nobody picked ("Meinen Sie …?" followed by something else, or by nothing for 30 minutes),
- in "hat nicht geholfen" (the verdict on the answer), or
- in a handover after a failed answer (handover reason low_confidence or repeated_failure).

The distinct redacted questions are embedded with the knowledge service's own model (as queries, like a search;
each text once, the vector kept in analytics_question_vectors and in this process) and clustered: faiss k-means
first splits a large set into small groups (one per twenty questions, at most 200), then an agglomerative pass
(average linkage) merges groups, or for a few hundred questions the questions themselves, while the mean cosine
similarity of their questions stays at or above the threshold (BUERGERBOT_INSIGHTS_CLUSTER_SIMILARITY). Each
cluster gets its size, its trend (second half of the range against the first), a label from its most
distinctive frequent words, up to five examples, the nearest article (its centroid searched in the index) and a
ready `questions:` entry for that article's front matter. Clusters of fewer than five conversations are only
counted. Editors' marks (new article needed / out of scope) stick to a cluster's meaning: a later cluster whose
centroid is as similar as the threshold carries the mark."""

from __future__ import annotations

import hashlib
import logging
import math
import re
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from difflib import SequenceMatcher

import numpy as np
import yaml
from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from handover.domain.insights.filters import FINISHED_AFTER, MIN_GROUP, Filters
from handover.domain.insights.tables import Column, Table
from handover.domain.models.analytics import GapMark, QuestionFacts as Q, QuestionVector

log = logging.getLogger(__name__)

FAILURE_REASONS = ("low_confidence", "repeated_failure")
KINDS = {
    "no_answer": "Keine Antwort",
    "unpicked": "Auswahl nicht genutzt",
    "not_helpful": "Hat nicht geholfen",
    "handover": "Übergabe nach fehlgeschlagener Antwort",
}
MARKS = {"new_article": "Neuer Artikel nötig", "out_of_scope": "Nicht unser Thema"}
MAX_EXAMPLES = 5
MICRO_CLUSTERS = 200  # at most this many k-means groups (one per 20 questions) before the agglomerative pass
DIRECT_LIMIT = 400  # up to this many distinct questions are merged one by one
EMBED_BATCH = 64
PLACEHOLDER = re.compile(r"\[[A-ZÄÖÜ-]+\]")
WORD = re.compile(r"[a-zäöüß]{3,}")
STOPWORDS = set(
    """aber alle allem allen aller alles als also am an ander andere anderen auch auf aus bei beim bin bis bitte
    bist da dabei damit dann das dass dazu dem den denn der des dessen die dies diese diesem diesen dieser dieses
    doch dort du durch ein eine einem einen einer eines einfach er es etwas euch euer für gibt habe haben hallo hat
    hatte hier hin ich ihm ihn ihnen ihr ihre im in ist ja jetzt kann kannst kein keine können könnte man mehr mein
    meine meinem meinen meiner mich mir mit muss müssen nach nicht nichts noch nun nur ob oder ohne sein seine
    sich sie sind so soll sollte sowie über um und uns unser unter viel vom von vor war warum was weil welche
    welcher welches wenn wer werde werden wie wieder will wir wird wo wohin woher zu zum zur zwischen guten tag
    danke brauche möchte wann wieso weshalb geht gehen machen mache muß gerne bekomme bekommen frage fragen
    heiße heisse name entschuldigung schnell musterstadt
    the and for you your with how what where when can does need want have this that from are not please"""
    .split()
)


@dataclass
class GapQuestion:
    text_hash: str
    text: str
    questions: int
    conversations: int
    recent: int
    kinds: Counter = field(default_factory=Counter)
    vector: np.ndarray | None = None


def gap_condition(filters: Filters):
    unpicked = and_(
        Q.decision == "clarify",
        or_(Q.picked.is_(False), and_(Q.picked.is_(None), Q.asked_at < filters.as_of - FINISHED_AFTER)),
    )
    return and_(
        Q.decision != "support",
        Q.question != "",
        or_(Q.decision == "no_answer", unpicked, Q.helpful.is_(False), Q.handover_reason.in_(FAILURE_REASONS)),
    ), unpicked


def load_questions(session: Session, filters: Filters, limit: int) -> tuple[list[GapQuestion], int, int]:
    """The distinct gap questions of the range, most frequent first (at most `limit`); also the number of
    gap questions and of distinct texts in all (window functions over the groups: one query)."""
    gap, unpicked = gap_condition(filters)
    days = filters.days
    middle = days[len(days) // 2]

    def flag(condition):
        return func.sum(case((condition, 1), else_=0))

    rows = session.execute(
        select(
            Q.text_hash, func.min(Q.question), func.count(), func.count(func.distinct(Q.conversation_id)),
            flag(Q.local_day >= middle) if len(days) > 1 else literal(0),
            flag(Q.decision == "no_answer"), flag(unpicked), flag(Q.helpful.is_(False)),
            flag(Q.handover_reason.in_(FAILURE_REASONS)),
            func.count().over(), func.sum(func.count()).over(),
        ).where(*filters.questions(), gap).group_by(Q.text_hash)
        .order_by(func.count().desc(), Q.text_hash).limit(limit)
    ).all()
    questions, distinct, total = [], 0, 0
    for row in rows:
        text_hash, text, count, conversations, recent, no_answer, unpicked_n, not_helpful, handover, groups, all_ = row
        kinds = Counter({"no_answer": int(no_answer or 0), "unpicked": int(unpicked_n or 0),
                         "not_helpful": int(not_helpful or 0), "handover": int(handover or 0)})
        questions.append(GapQuestion(text_hash, text, int(count), int(conversations), int(recent or 0), +kinds))
        distinct, total = int(groups), int(all_)
    return questions, total, distinct


class VectorCache:
    """Question vectors of this process (text hash → float32), so repeated views need not read them from the
    database again; bounded, least recently used out first (20,000 vectors are about 30 MB)."""

    def __init__(self, limit: int = 20_000) -> None:
        self.limit = limit
        self._vectors: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, model_id: str, text_hash: str) -> np.ndarray | None:
        with self._lock:
            vector = self._vectors.get((model_id, text_hash))
            if vector is not None:
                self._vectors.move_to_end((model_id, text_hash))
            return vector

    def put(self, model_id: str, text_hash: str, vector: np.ndarray) -> None:
        with self._lock:
            self._vectors[(model_id, text_hash)] = vector
            self._vectors.move_to_end((model_id, text_hash))
            while len(self._vectors) > self.limit:
                self._vectors.popitem(last=False)


VECTORS = VectorCache()


def attach_vectors(session: Session, questions: list[GapQuestion], model, cache: VectorCache = VECTORS,
                   budget: int | None = None) -> int:
    """Vectors from this process's cache, then from the store (float16); the missing ones embedded now (and
    stored), at most `budget` of them (the most frequent first; the others keep no vector). Returns how many
    were embedded."""
    model_id = model.model_id
    for question in questions:
        question.vector = cache.get(model_id, question.text_hash)
    by_hash = {q.text_hash: q for q in questions if q.vector is None}
    hashes = list(by_hash)
    for start in range(0, len(hashes), 1000):
        chunk = hashes[start:start + 1000]
        for text_hash, blob in session.execute(
            select(QuestionVector.text_hash, QuestionVector.vector)
            .where(QuestionVector.model == model_id, QuestionVector.text_hash.in_(chunk))
        ):
            vector = np.frombuffer(blob, dtype=np.float16).astype(np.float32)
            by_hash[text_hash].vector = vector
            cache.put(model_id, text_hash, vector)
    missing = [q for q in questions if q.vector is None][:budget]
    for start in range(0, len(missing), EMBED_BATCH):
        batch = missing[start:start + EMBED_BATCH]
        vectors = model.encode_queries([q.text for q in batch])
        for question, vector in zip(batch, vectors):
            question.vector = np.asarray(vector, dtype=np.float16).astype(np.float32)
            cache.put(model_id, question.text_hash, question.vector)
        try:
            with session.begin_nested():
                known = set(session.scalars(select(QuestionVector.text_hash).where(
                    QuestionVector.model == model_id, QuestionVector.text_hash.in_([q.text_hash for q in batch]))))
                session.add_all(QuestionVector(text_hash=q.text_hash, model=model_id,
                                               vector=q.vector.astype(np.float16).tobytes())
                                for q in batch if q.text_hash not in known)
        except Exception:  # another replica stored the same vectors at the same moment: they are equal
            log.info("insights: question vectors stored concurrently; keeping the other copy")
    return len(missing)


def _normalize(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)


def cluster(vectors: np.ndarray, weights: np.ndarray, threshold: float) -> np.ndarray:
    """Cluster label of each row of `vectors` (unit length, `weights` = how often each was asked): for large sets
    faiss k-means first forms up to MICRO_CLUSTERS groups; then average linkage (UPGMA) merges the most similar
    pair of groups while their average pairwise cosine similarity is at least `threshold`."""
    n = len(vectors)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if n > DIRECT_LIMIT:
        import faiss

        k = min(MICRO_CLUSTERS, n // 20)
        data = np.ascontiguousarray(vectors, dtype=np.float32)
        kmeans = faiss.Kmeans(data.shape[1], k, niter=10, seed=20261130, spherical=True, verbose=False,
                              min_points_per_centroid=1, max_points_per_centroid=max(256, n // k + 1))
        kmeans.train(data, weights=np.ascontiguousarray(weights, dtype=np.float32))
        _, assigned = kmeans.index.search(data, 1)
        _, assign = np.unique(assigned[:, 0], return_inverse=True)
        groups = int(assign.max()) + 1
        sums = np.zeros((groups, vectors.shape[1]), dtype=np.float64)
        np.add.at(sums, assign, vectors.astype(np.float64) * weights[:, None])
        group_weights = np.bincount(assign, weights=weights, minlength=groups)
    else:
        assign = np.arange(n)
        sums = vectors.astype(np.float64) * weights[:, None]
        group_weights = weights.astype(np.float64)
    return _average_linkage(sums, group_weights, threshold)[assign]


def _average_linkage(sums: np.ndarray, weights: np.ndarray, threshold: float) -> np.ndarray:
    """UPGMA on groups given by the weighted sums of their unit vectors: the similarity of two groups is the
    weighted mean cosine of their members' pairs, (S_a · S_b) / (w_a · w_b); a merge updates it by the
    Lance-Williams rule, so nothing is recomputed from the vectors."""
    m = len(sums)
    sim = (sums @ sums.T) / np.outer(weights, weights)
    np.fill_diagonal(sim, -np.inf)
    size = weights.astype(np.float64).copy()
    label = np.arange(m)
    while m > 1:
        flat = int(np.argmax(sim))
        i, j = divmod(flat, len(sim))
        if not sim[i, j] >= threshold:
            break
        merged = (size[i] * sim[i] + size[j] * sim[j]) / (size[i] + size[j])
        size[i] += size[j]
        label[label == j] = i
        sim[i, :] = merged
        sim[:, i] = merged
        sim[i, i] = -np.inf
        sim[j, :] = -np.inf
        sim[:, j] = -np.inf
    _, dense = np.unique(label, return_inverse=True)
    return dense


def _words(text: str) -> list[str]:
    return [w for w in WORD.findall(PLACEHOLDER.sub(" ", text.lower())) if w not in STOPWORDS]


def _labels(groups: list[list[GapQuestion]]) -> list[str]:
    """The three most distinctive frequent words of each cluster (tf-idf over the clusters)."""
    term_counts = []
    for members in groups:
        counts = Counter()
        for question in members:
            for word in set(_words(question.text)):
                counts[word] += question.questions
        term_counts.append(counts)
    document_frequency = Counter(word for counts in term_counts for word in counts)
    labels = []
    for counts in term_counts:
        scored = sorted(counts, key=lambda w: (-counts[w] * math.log((1 + len(groups)) / document_frequency[w]) -
                                              counts[w] * 0.01, w))
        labels.append(" · ".join(scored[:3]) or "(ohne Stichwort)")
    return labels


GREETING = re.compile(r"^(?:(?:hallo|hi|guten\s+(?:tag|morgen|abend)|moin|entschuldigung|frage)\b[\s,.:!]*)+",
                      re.IGNORECASE)
NEAR_DUPLICATE = 0.85  # examples whose wording is this alike say nothing new (a greeting, a typo, "bitte")


def _plain(text: str) -> str:
    return " ".join(WORD.findall(GREETING.sub("", text.lower())))


def _examples(members: list[GapQuestion]) -> list[str]:
    """Up to five examples: the most frequent first, without placeholders where possible, none a near copy of
    one already chosen (the same question with a greeting, a typo or an addition)."""
    ordered = sorted(members, key=lambda q: (bool(PLACEHOLDER.search(q.text)), -q.questions, q.text))
    chosen: list[tuple[str, str]] = []
    for question in ordered[:60]:
        plain = _plain(question.text)
        if all(SequenceMatcher(None, plain, other).ratio() < NEAR_DUPLICATE for _, other in chosen):
            chosen.append((question.text, plain))
        if len(chosen) == MAX_EXAMPLES:
            break
    return [text for text, _ in chosen]


def _as_question(text: str) -> str:
    """An example as an article question: without the greeting, starting with a capital letter."""
    text = GREETING.sub("", text).strip() or text.strip()
    return text[:1].upper() + text[1:]


def questions_yaml(examples) -> str:
    """A `questions:` entry as the articles write it (two spaces, a dash per question)."""
    lines = ["questions:"]
    for example in examples:
        dumped = yaml.safe_dump([example], allow_unicode=True, width=10_000, default_flow_style=False).strip()
        lines.append(f"  {dumped}")
    return "\n".join(lines) + "\n"


def _trend(earlier: int, recent: int) -> str:
    if recent >= max(earlier * 1.25, earlier + 2):
        return "rising"
    if earlier >= max(recent * 1.25, recent + 2):
        return "falling"
    return "steady"


def _nearest_article(knowledge, centroid: np.ndarray) -> dict | None:
    try:
        index = knowledge.index
        scores, rows = index.search_vectors(centroid[None, :].astype(np.float32), 10)
    except Exception:  # no index (yet): the cluster is shown without an article
        log.exception("insights: nearest article search failed")
        return None
    for score, row in zip(scores[0], rows[0]):
        if row < 0:
            continue
        article = index.articles[int(index.chunk_article[int(row)])]
        return {"id": article.id, "title": article.title, "url": article.url, "path": article.path,
                "similarity": round(float(score), 3)}
    return None


def _key(members: list[GapQuestion]) -> str:
    return hashlib.sha256("|".join(sorted(q.text_hash for q in members)).encode()).hexdigest()[:16]


def _marks(session: Session, model_id: str) -> list[tuple[GapMark, np.ndarray]]:
    return [(mark, np.frombuffer(mark.centroid, dtype=np.float32))
            for mark in session.scalars(select(GapMark).where(GapMark.model == model_id).order_by(GapMark.id))]


def _mark_of(marks, centroid: np.ndarray, threshold: float) -> dict | None:
    best, best_score = None, threshold
    for mark, vector in marks:
        if len(vector) != len(centroid):
            continue
        score = float(np.dot(vector, centroid))
        if score >= best_score:
            best, best_score = mark, score
    if best is None:
        return None
    return {"id": best.id, "status": best.status, "label": MARKS.get(best.status, best.status),
            "marked_by": best.marked_by, "marked_at": best.created_at.isoformat() if best.created_at else None}


def gaps(session: Session, filters: Filters, knowledge, *, threshold: float, limit: int,
         embed_budget: int | None = None) -> dict:
    """The clusters of the range (biggest first) with what the console and the CLI show. With `embed_budget`,
    at most that many new questions are embedded in this call; questions still without a vector are left out
    and counted as `pending` (warm_vectors embeds them in the background)."""
    questions, total, distinct = load_questions(session, filters, limit)
    model = knowledge.model
    embedded = attach_vectors(session, questions, model, budget=embed_budget) if questions else 0
    pending = sum(q.vector is None for q in questions)
    questions = [q for q in questions if q.vector is not None]
    clusters: list[dict] = []
    small_clusters = small_questions = 0
    if questions:
        vectors = _normalize(np.stack([q.vector for q in questions]).astype(np.float32))
        weights = np.array([q.questions for q in questions], dtype=np.float64)
        labels = cluster(vectors, weights, threshold)
        groups: dict[int, list[int]] = {}
        for position, label in enumerate(labels):
            groups.setdefault(int(label), []).append(position)
        member_lists = [[questions[i] for i in positions] for positions in groups.values()]
        centroids = [_normalize((vectors[positions] * weights[positions][:, None]).sum(axis=0)[None, :])[0]
                     for positions in groups.values()]
        names = _labels(member_lists)
        marks = _marks(session, model.model_id)
        conversations = [sum(q.conversations for q in members) for members in member_lists]
        for index_, members in enumerate(member_lists):
            if MIN_GROUP <= conversations[index_] < 2 * MIN_GROUP:  # close to the threshold: count exactly
                conversations[index_] = _distinct_conversations(session, filters, [q.text_hash for q in members])
        for members, centroid, name, size in zip(member_lists, centroids, names, conversations):
            count = sum(q.questions for q in members)
            if size < MIN_GROUP:
                small_clusters += 1
                small_questions += count
                continue
            recent = sum(q.recent for q in members)
            kinds = Counter()
            for q in members:
                kinds.update(q.kinds)
            examples = _examples(members)
            clusters.append({
                "key": _key(members),
                "label": name,
                "questions": count,
                "conversations": size,
                "distinct": len(members),
                "earlier": count - recent,
                "recent": recent,
                "trend": _trend(count - recent, recent),
                "kinds": {kind: kinds.get(kind, 0) for kind in KINDS},
                "examples": examples,
                "article": _nearest_article(knowledge, centroid.astype(np.float32)),
                "questions_yaml": questions_yaml(_as_question(e) for e in examples),
                "mark": _mark_of(marks, centroid.astype(np.float32), threshold),
                "_centroid": centroid.astype(np.float32),
            })
    clusters.sort(key=lambda c: (c["mark"] is not None and c["mark"]["status"] == "out_of_scope",
                                 -c["conversations"], c["label"]))
    return {
        "filters": filters.as_dict(),
        "total_questions": total,
        "distinct_questions": distinct,
        "clustered_questions": len(questions),
        "truncated": distinct > len(questions),
        "embedded_now": embedded,
        "pending": pending,
        "model": model.model_id,
        "threshold": threshold,
        "clusters": clusters,
        "small": {"clusters": small_clusters, "questions": small_questions},
    }


_warming = threading.Lock()


def warm_vectors(run_db, filters: Filters, knowledge, limit: int) -> int:
    """Embeds (and stores) the vectors the last view left pending; one warm-up at a time per process.
    `run_db(work)` runs work(session) in a transaction of its own."""
    if not _warming.acquire(blocking=False):
        return 0
    try:
        def work(session: Session) -> int:
            questions, _, _ = load_questions(session, filters, limit)
            return attach_vectors(session, questions, knowledge.model)

        return run_db(work)
    finally:
        _warming.release()


def _distinct_conversations(session: Session, filters: Filters, hashes: list[str]) -> int:
    gap, _ = gap_condition(filters)
    seen: set[str] = set()
    for start in range(0, len(hashes), 500):
        seen.update(session.scalars(
            select(Q.conversation_id).distinct()
            .where(*filters.questions(), gap, Q.text_hash.in_(hashes[start:start + 500]))
        ))
    return len(seen)


def public(result: dict) -> dict:
    """The result without the centroids (they stay on the server)."""
    return {**result, "clusters": [{k: v for k, v in c.items() if not k.startswith("_")} for c in result["clusters"]]}


def mark(session: Session, result: dict, key: str, status: str, marked_by: str | None) -> dict:
    """Stores an editor's mark on the cluster `key` of `result` (a gaps() result); 'clear' removes the marks
    that cluster carries."""
    found = next((c for c in result["clusters"] if c["key"] == key), None)
    if found is None:
        raise LookupError("Diese Gruppe gibt es im gewählten Zeitraum nicht (mehr). Bitte neu laden.")
    if status == "clear":
        if found["mark"]:
            for existing, vector in _marks(session, result["model"]):
                if float(np.dot(vector, found["_centroid"])) >= result["threshold"]:
                    session.delete(existing)
        return {"key": key, "mark": None}
    if status not in MARKS:
        raise ValueError(f"Unbekannte Markierung '{status}'.")
    record = GapMark(status=status, label=found["label"][:200], model=result["model"],
                     centroid=found["_centroid"].tobytes(), examples=found["examples"],
                     marked_by=(marked_by or "")[:120] or None)
    session.add(record)
    session.flush()
    return {"key": key, "mark": {"id": record.id, "status": status, "label": MARKS[status],
                                 "marked_by": record.marked_by, "marked_at": record.created_at.isoformat()}}


def table(result: dict) -> Table:
    """The clusters as a table (console CSV export, `buergerbot insights gaps --csv`)."""
    rows = []
    for c in result["clusters"]:
        article = c["article"] or {}
        rows.append({
            "key": c["key"], "label": c["label"], "conversations": c["conversations"], "questions": c["questions"],
            "trend": {"rising": "steigend", "falling": "fallend", "steady": "gleich"}[c["trend"]],
            "kinds": ", ".join(f"{KINDS[k]} {n}" for k, n in c["kinds"].items() if n),
            "article": article.get("title"), "article_id": article.get("id"),
            "similarity": article.get("similarity"), "examples": " | ".join(c["examples"]),
            "mark": c["mark"]["label"] if c["mark"] else "",
        })
    return Table(
        "gaps_clusters", "Wissenslücken",
        [Column("label", "Thema (häufige Wörter)"), Column("conversations", "Gespräche", "count"),
         Column("questions", "Fragen", "count"), Column("trend", "Trend"), Column("kinds", "Art"),
         Column("article", "Nächster Artikel"), Column("article_id", "Artikel-ID"),
         Column("similarity", "Ähnlichkeit", "number"), Column("examples", "Beispiele (geschwärzt)"),
         Column("mark", "Markierung")],
        rows,
        definition="Fragen ohne Antwort, mit nicht genutzter Auswahl, mit „hat nicht geholfen“ oder mit Übergabe "
        "nach fehlgeschlagener Antwort, nach Bedeutung gruppiert. Gruppen unter 5 Gesprächen werden nur gezählt.",
        note=f"{result['small']['clusters']} kleinere Gruppen mit zusammen {result['small']['questions']} Fragen "
        "nicht einzeln aufgeführt." if result["small"]["clusters"] else None,
    )
