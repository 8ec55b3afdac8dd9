"""Reloads never block answers: searches run on the serving version while a new one is built.

Speeds are measured in `make bench-knowledge`; these tests check orderings that hold on any machine: searches
complete all through a long rebuild instead of queueing behind it, a 5 MB article is refused while searches
go on, and a duplicate id never replaces the article that is being served.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from pathlib import Path

from knowledge.limits import DEFAULT_LIMITS

from .conftest import write_article
from .test_hot_reload import _until, watching

QUESTION = "Was kostet der Personalausweis?"


def _long_sections(count: int, chars: int) -> dict[str, str]:
    """Varied German sentences, `count` sections of about `chars` characters (within the article limits)."""
    topics = ["Antrag", "Gebühr", "Frist", "Nachweis", "Termin", "Vollmacht", "Widerspruch", "Zustellung"]
    sections = {}
    for number in range(count):
        sentences = []
        length = 0
        index = 0
        while length < chars - 120:
            topic = topics[(number + index) % len(topics)]
            sentence = f"Für den {topic} nach Absatz {index} gilt Satz {number}.{index} der Satzung in der Fassung von {2000 + index % 25}. "
            sentences.append(sentence)
            length += len(sentence)
            index += 1
        sections[f"Teil {number + 1}"] = "".join(sentences).strip()
    return sections


def test_searches_are_answered_all_through_a_long_rebuild(small_kb: Path, make_service) -> None:
    service = make_service(small_kb)
    service.load()
    # About 19 000 characters in four sections: just inside the limits, a few seconds of embedding.
    sections = _long_sections(4, DEFAULT_LIMITS.max_section_chars - 300)
    write_article(small_kb, "satzung", title="Gebührensatzung", summary="Die Satzung regelt alle Gebühren.",
                  sections=sections)

    finished: list[float] = []
    wrong: list[str] = []
    reload_done = threading.Event()
    outcome: dict = {}

    def rebuild() -> None:
        outcome["started"] = time.perf_counter()
        outcome["stats"] = service.load()
        outcome["ended"] = time.perf_counter()
        reload_done.set()

    builder = threading.Thread(target=rebuild)
    with service.model.uncached_queries():  # each search embeds its question, as a new citizen's would
        builder.start()
        while not reload_done.is_set():
            result = service.search(QUESTION, top_k=3)
            finished.append(time.perf_counter())
            if result.hits[0].article.id != "personalausweis":
                wrong.append(result.hits[0].article.id)
        builder.join()

    started, ended = outcome["started"], outcome["ended"]
    assert outcome["stats"].chunks_embedded >= 20  # really a long rebuild, not a cached one
    assert service.get_article("satzung") is not None  # and it finished: the new version is served
    assert wrong == []
    during = [started] + [t for t in finished if started < t < ended] + [ended]
    longest_gap = max(b - a for a, b in zip(during, during[1:]))
    # Queued behind the rebuild, one search would wait for (nearly) all of it; served beside it, searches
    # keep finishing from start to end.
    assert len(during) - 2 >= 5, f"only {len(during) - 2} searches finished during a {ended - started:.1f} s rebuild"
    assert longest_gap < (ended - started) / 3, f"a search waited {longest_gap:.2f} s of a {ended - started:.2f} s rebuild"


async def test_a_5_mb_article_is_refused_while_searches_keep_answering(small_kb: Path, make_service) -> None:
    async with watching(make_service(small_kb)) as service:
        answered: list[str] = []
        stop = threading.Event()

        def searcher() -> None:
            with service.model.uncached_queries():
                while not stop.is_set():
                    answered.append(service.search(QUESTION, top_k=1).hits[0].article.id)

        thread = threading.Thread(target=searcher)
        thread.start()
        try:
            before = len(answered)
            body = "## Paragraphen\n" + "Jede Gebühr ist in der Satzung geregelt. " * 125_000
            write_article(small_kb, "satzung", sections={"Paragraphen": body})
            await _until(lambda: any(e.path == "satzung.md" for e in service.status().errors))
            await asyncio.sleep(0.3)
        finally:
            stop.set()
            thread.join()
        assert len(answered) - before >= 3 and set(answered) == {"personalausweis"}
        assert [str(e) for e in service.status().errors] == [
            "satzung.md: file: ist zu groß: 5,0 MB (höchstens 64 KB je Artikel); bitte auf mehrere Artikel aufteilen"
        ]
        assert service.get_article("satzung") is None
        assert service.status().chunks_embedded_last_reload == 0


def test_a_duplicate_id_never_replaces_the_served_article(small_kb: Path, make_service, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    service = make_service(small_kb, index_dir)
    service.load()
    # The newcomer sorts first and is the newer file: neither decides, the served file does.
    write_article(small_kb, "hundesteuer", name="aa-hund.md", title="Hundesteuer (Entwurf)")
    service.reload()
    assert service.get_article("hundesteuer").title == "Hundesteuer anmelden"
    assert [str(e) for e in service.status().errors] == [
        "aa-hund.md:2: id: 'hundesteuer' ist doppelt vergeben (schon in hundesteuer.md)"
    ]
    assert service.search("Wie hoch ist die Hundesteuer?", top_k=1).hits[0].article.path == "hundesteuer.md"

    # After a restart the index folder says which file was served, even when that file is now the newer one.
    future = time.time() + 3600
    os.utime(small_kb / "hundesteuer.md", (future, future))
    restarted = make_service(small_kb, index_dir)
    restarted.load()
    assert restarted.get_article("hundesteuer").title == "Hundesteuer anmelden"
    assert [e.path for e in restarted.status().errors] == ["aa-hund.md"]

    # Once the served file is gone, the other one is no longer a duplicate.
    (small_kb / "hundesteuer.md").unlink()
    restarted.reload()
    assert restarted.get_article("hundesteuer").title == "Hundesteuer (Entwurf)"
    assert restarted.status().errors == []


def test_a_symlink_out_of_the_folder_is_refused_by_the_service(small_kb: Path, make_service, tmp_path: Path) -> None:
    elsewhere = write_article(tmp_path / "privat", "briefwahl", title="Briefwahl")
    (small_kb / "briefwahl.md").symlink_to(elsewhere)
    service = make_service(small_kb)
    service.load()
    assert service.get_article("briefwahl") is None
    assert [(e.path, e.field) for e in service.status().errors] == [("briefwahl.md", "file")]
    assert "aus dem Artikelordner hinaus" in service.status().errors[0].message
