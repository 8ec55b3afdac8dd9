"""Hot reload through the real file watcher: edits, new and deleted files are searchable within 2 s."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from pathlib import Path

from .conftest import write_article

DEADLINE_S = 2.0


async def _until(condition, deadline: float = DEADLINE_S) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < deadline:
        if await asyncio.to_thread(condition):
            return time.perf_counter() - started
        await asyncio.sleep(0.05)
    raise AssertionError(f"not visible within {deadline} s")


@contextlib.asynccontextmanager
async def watching(service):
    """Started inside the test so the watcher runs on the test's own event loop."""
    service.load()
    await service.start_watching()
    try:
        yield service
    finally:
        await service.stop_watching()


def _top(service, query: str) -> str | None:
    hits = service.search(query, top_k=1).hits
    return hits[0].article.id if hits else None


async def test_edit_add_delete_are_searchable_within_two_seconds(small_kb: Path, make_service) -> None:
    async with watching(make_service(small_kb)) as service:
        # Edit: a new sample question is found by its own wording.
        write_article(small_kb, "sperrmuell", questions=[
            "Wie werde ich mein altes Sofa los?", "Wann wird Sperrmüll abgeholt?", "Kostet die Sperrmüllabholung etwas?",
            "Holt die Stadt auch meinen kaputten Kühlschrank ab?"])
        await _until(lambda: "Holt die Stadt auch meinen kaputten Kühlschrank ab?" in service.get_article("sperrmuell").questions)
        assert _top(service, "Holt die Stadt auch meinen kaputten Kühlschrank ab?") == "sperrmuell"

        # New file in a new sub-folder.
        write_article(small_kb, "briefwahl", name="wahlen/briefwahl.md", title="Briefwahl beantragen",
                      summary="Die Briefwahlunterlagen beantragen Sie online oder mit der Wahlbenachrichtigung.",
                      questions=["Wie kann ich per Brief wählen?", "Wo beantrage ich Briefwahl?", "Bis wann muss der Wahlbrief da sein?"],
                      keywords=["Briefwahl", "Wahl"], sections={"Fristen": "Der Wahlbrief muss am Wahlsonntag um 18 Uhr vorliegen."})
        await _until(lambda: service.get_article("briefwahl") is not None)
        assert _top(service, "Wie kann ich per Brief wählen?") == "briefwahl"

        # Deletion.
        (small_kb / "hundesteuer.md").unlink()
        await _until(lambda: service.get_article("hundesteuer") is None)
        assert _top(service, "Wie hoch ist die Hundesteuer?") != "hundesteuer"
        assert service.status().errors == []


async def test_broken_save_keeps_last_good_version_and_reports_the_error(small_kb: Path, make_service) -> None:
    async with watching(make_service(small_kb)) as service:
        path = small_kb / "personalausweis.md"
        good = path.read_text(encoding="utf-8")
        path.write_text(good[: len(good) // 3], encoding="utf-8")  # a half-saved file
        await _until(lambda: any(e.path == "personalausweis.md" for e in service.status().errors))
        assert service.get_article("personalausweis") is not None
        assert _top(service, "Wie beantrage ich einen neuen Personalausweis?") == "personalausweis"
        assert [str(e) for e in service.status().errors] == [
            "personalausweis.md:1: front_matter: nicht abgeschlossen: Die schließende Zeile '---' fehlt"
        ]

        path.write_bytes(b"\x00\x01\x02 junk")
        await _until(lambda: any("Binärdaten" in e.message for e in service.status().errors))
        assert service.get_article("personalausweis") is not None

        path.write_text(good.replace("37,00 Euro", "46,00 Euro"), encoding="utf-8")
        await _until(lambda: not service.status().errors)
        assert "46,00 Euro" in service.get_article("personalausweis").summary


def test_search_never_sees_a_half_built_index(small_kb: Path, make_service) -> None:
    """Searches run in a loop while another thread reloads after edits; every result is complete."""
    service = make_service(small_kb)
    service.load()
    failures: list[str] = []
    stop = threading.Event()

    def searcher() -> None:
        while not stop.is_set():
            result = service.search("Was kostet der Personalausweis?", top_k=3)
            ids = [h.article.id for h in result.hits]
            if not ids or ids[0] != "personalausweis" or len(set(ids)) != len(ids):
                failures.append(repr(ids))

    thread = threading.Thread(target=searcher)
    thread.start()
    try:
        for round_number in range(3):
            write_article(small_kb, "hundesteuer", summary=f"Hunde melden Sie an. Runde {round_number}.")
            service.load()
    finally:
        stop.set()
        thread.join()
    assert failures == []
