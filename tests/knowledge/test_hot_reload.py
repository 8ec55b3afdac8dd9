"""Hot reload through the real file watcher: edits, new and deleted files become searchable.

How fast (the 2 s promise) is measured in `make bench-knowledge` over 20 edits, not here: on a busy machine a
timed assertion only tests the machine. These tests wait up to WAIT_S for what must happen, and fail if it
never does; `start_watching()` returns only once the OS watch is in place, so no edit precedes the watch.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import threading
import time
from pathlib import Path

from .conftest import SAMPLE, article_text, write_article

WAIT_S = 30.0


async def _until(condition, deadline: float = WAIT_S) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < deadline:
        if await asyncio.to_thread(condition):
            return time.perf_counter() - started
        await asyncio.sleep(0.05)
    raise AssertionError(f"not visible within {deadline} s")


@contextlib.asynccontextmanager
async def watching(service, force_polling: bool = False):
    """Started inside the test so the watcher runs on the test's own event loop."""
    service.load()
    await service.start_watching(force_polling=force_polling)
    try:
        yield service
    finally:
        await service.stop_watching()


def _top(service, query: str) -> str | None:
    hits = service.search(query, top_k=1).hits
    return hits[0].article.id if hits else None


async def test_edit_add_delete_are_picked_up_by_the_watcher(small_kb: Path, make_service) -> None:
    async with watching(make_service(small_kb)) as service:
        assert service.status().watcher == "native"
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


async def test_files_written_right_after_their_folder_was_created_are_picked_up(small_kb: Path, make_service) -> None:
    """The cause of the flaky hot-reload test (its "new file in a new sub-folder" step failed 3 of 9 runs and,
    given 30 s instead of 2 s, was still never seen): the new folder's own event was filtered out (no `.md`),
    and the file written before the OS watch on that folder existed produced none. Ten folders one after the
    other, each waited for, so no other event can carry a missed one along."""
    async with watching(make_service(small_kb)) as service:
        for n in range(10):
            article_id = f"neu-{n}"
            text = article_text(article_id, **{**SAMPLE["hundesteuer"], "title": f"Neuer Artikel {n}"})
            folder = small_kb / f"ordner-{n}"
            folder.mkdir()
            (folder / f"{article_id}.md").write_text(text, encoding="utf-8")
            await _until(lambda: service.get_article(article_id) is not None)


async def test_polling_mode_picks_up_edits(small_kb: Path, make_service) -> None:
    async with watching(make_service(small_kb), force_polling=True) as service:
        assert service.status().watcher == "polling"
        write_article(small_kb, "hundesteuer", summary="Hunde melden Sie beim Steueramt an. Die Steuer beträgt 99 Euro.")
        await _until(lambda: "99 Euro" in service.get_article("hundesteuer").summary)


async def test_a_replaced_articles_folder_is_watched_again(small_kb: Path, make_service, tmp_path: Path) -> None:
    """A deployment that replaces the folder: the OS watch stays on the deleted one, which never reports again."""
    async with watching(make_service(small_kb)) as service:
        release = tmp_path / "release-2"
        shutil.copytree(small_kb, release)
        write_article(release, "briefwahl", title="Briefwahl beantragen", summary="Briefwahl beantragen Sie online.")
        shutil.rmtree(small_kb)
        release.rename(small_kb)
        await _until(lambda: service.get_article("briefwahl") is not None)
        assert service.status().watcher == "native"
        write_article(small_kb, "hundesteuer", summary="Hunde melden Sie beim Steueramt an. Die Steuer beträgt 77 Euro.")
        await _until(lambda: "77 Euro" in service.get_article("hundesteuer").summary)
