"""The knowledge search of a citizen's question, started one action call early.

Rasa calls `action_detect_language` (the `language` slot's mapping) after NLU on every message, before it predicts
the next action. When NLU read the message as a question for the knowledge base, that call starts the search
`action_answer_from_knowledge` will run — the same function with the same arguments, so the same result — in a
worker thread; it runs while Rasa predicts the next action and calls the knowledge action, which takes the result
instead of searching again. Measured in `make bench-bot` (README, Latency).

Only helps when both calls reach the same process (the app, or one action server); elsewhere the action searches
as before. A result nobody takes is dropped after a few seconds.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, OrderedDict, deque
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knowledge.service import KnowledgeService, SearchResult

# The intents Rasa answers with action_answer_from_knowledge (bot/data/rules.yml, stories.yml).
QUESTION_INTENTS = frozenset({"ask_question", "nlu_fallback"})
# Searches started ahead and not taken yet; more than this means nobody takes them.
MAX_PENDING = 32
# A result older than this belongs to a turn that did not end in the knowledge action; the index may have changed.
MAX_AGE_SECONDS = 5.0

Key = tuple[int, str, int, str]
_pending: OrderedDict[Key, tuple[float, asyncio.Future]] = OrderedDict()
# How the knowledge action's searches went: "taken" (started ahead) or "own" (searched in the action). Read by the
# bot benchmark.
outcomes: Counter[str] = Counter()
# How long the knowledge action waited for a search started ahead (ms): zero when Rasa's prediction and the action
# call took longer than the search. Read by the bot benchmark.
waited_ms: deque[float] = deque(maxlen=1000)


def _key(knowledge: "KnowledgeService", query: str, top_k: int, language: str) -> Key:
    return id(knowledge), query, top_k, language


def start(knowledge: "KnowledgeService", query: str, top_k: int, language: str) -> None:
    """Starts `knowledge.search(query, top_k=top_k, language=language)` in a worker thread; returns at once."""
    key = _key(knowledge, query, top_k, language)
    if not query or key in _pending:
        return
    future = asyncio.get_running_loop().run_in_executor(
        None, lambda: knowledge.search(query, top_k=top_k, language=language))
    future.add_done_callback(lambda done: done.exception() if not done.cancelled() else None)  # never unretrieved
    _pending[key] = (time.monotonic(), future)
    while len(_pending) > MAX_PENDING:
        _pending.popitem(last=False)


async def search(knowledge: "KnowledgeService", query: str, top_k: int, language: str) -> "SearchResult":
    """The search started ahead for these arguments (waiting for the rest of it), else a search of its own."""
    started = _pending.pop(_key(knowledge, query, top_k, language), None)
    if started is not None and time.monotonic() - started[0] <= MAX_AGE_SECONDS:
        asked = time.perf_counter()
        try:
            result = await started[1]
        except Exception:  # the search ahead failed: search again and let that one report
            pass
        else:
            outcomes["taken"] += 1
            waited_ms.append((time.perf_counter() - asked) * 1000)
            return result
    outcomes["own"] += 1
    return await asyncio.to_thread(knowledge.search, query, top_k=top_k, language=language)
