"""Hot reload: watch the articles folder and rebuild the index after a change settles.

watchfiles batches the events of one save (editors write temp files, rename, touch) into one change set;
the rebuild runs in a worker thread so searches keep being answered from the serving version meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Callable

from watchfiles import Change, awatch

log = logging.getLogger(__name__)

RELEVANT_SUFFIXES = (".md", ".yml", ".yaml")
DEBOUNCE_MS = 150
STEP_MS = 50
READY_POLL_MS = 200
READY_TIMEOUT_S = 5.0


def _relevant(change: Change, path: str) -> bool:
    name = Path(path).name
    return name.endswith(RELEVANT_SUFFIXES) and not name.startswith(".")


class ArticleWatcher:
    def __init__(self, folder: Path, on_change: Callable[[], None]) -> None:
        self.folder = Path(folder)
        self.on_change = on_change
        self._stop = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._ready = asyncio.Event()

    async def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._task = asyncio.create_task(self._run(), name="knowledge-watcher")
        # Return only once the OS watch is registered, so a change made right after start() is not missed.
        try:
            await asyncio.wait_for(self._ready.wait(), timeout=READY_TIMEOUT_S)
        except asyncio.TimeoutError:
            log.warning("knowledge watcher not ready after %s s; continuing", READY_TIMEOUT_S)

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=5)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                self._task.cancel()
            self._task = None

    async def _run(self) -> None:
        try:
            async for changes in awatch(
                self.folder,
                watch_filter=_relevant,
                debounce=DEBOUNCE_MS,
                step=STEP_MS,
                stop_event=self._stop,
                recursive=True,
                force_polling=False,
                rust_timeout=READY_POLL_MS,
                yield_on_timeout=True,
            ):
                self._ready.set()  # the first (possibly empty) batch proves the watch is in place
                if not changes:
                    continue
                log.info("knowledge folder changed (%d events); reloading", len(changes))
                await asyncio.to_thread(self.on_change)
        except Exception:
            log.exception("knowledge watcher stopped")
