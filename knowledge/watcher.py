"""Hot reload: watch the articles folder and rebuild the index after a change settles.

watchfiles batches the events of one save (editors write temp files, rename, touch) into one change set;
the rebuild runs in a worker thread so searches keep being answered from the serving version meanwhile.

Two ways a change used to be missed, both fixed here:

* A file written right after its folder was created (`mkdir wahlen && cp … wahlen/`) produces no event: the
  OS watch on the new folder is added only after the folder's own "created" event, and that event was
  filtered out for not ending in `.md`. Folder events now count; the reload's scan finds the files inside.
* A watcher that could not start (inotify limits, a vanished folder) was logged and forgotten after a 5 s
  wait, and the service went on without hot reload. Now `start()` returns only when the watch is in place,
  falls back to polling if the native watcher fails, and raises if that fails too; a watcher that dies
  later is logged as an error and restarted in polling mode.

A folder that is replaced (deleted and created again, or a symlink switched to a new release) keeps an OS
watch on the old one, which never reports again; the watcher notices the new folder and starts over on it.

Polling is done here, not by watchfiles: its poller compares modification times in whole seconds, so a save
within the second of the previous one went unseen (1 test run in 10). The snapshot below compares
nanosecond times, sizes and inodes, and the content of files changed in the last two seconds (for file
systems whose clock is coarse, which is where polling is needed).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import time
from pathlib import Path
from typing import Callable, Literal

from watchfiles import Change, awatch

log = logging.getLogger(__name__)

RELEVANT_SUFFIXES = (".md", ".yml", ".yaml")
DEBOUNCE_MS = 150
STEP_MS = 50
# How often the Rust side hands back an empty batch; the first one proves the OS watch is registered.
READY_POLL_MS = 200
START_TIMEOUT_S = 10.0
POLL_DELAY_MS = 300
RECENT_S = 2.0  # files modified this recently are compared by content too
RESTART_DELAY_S = 1.0

WatchMode = Literal["native", "polling"]


class WatcherError(RuntimeError):
    """The articles folder cannot be watched at all (neither natively nor by polling)."""


class _FolderReplaced(Exception):
    """The watched path now names another folder (or none): the OS watch is on the old one."""


def _identity(folder: Path) -> tuple[int, int] | None:
    try:
        stat = folder.stat()
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def _relevant(change: Change, path: str) -> bool:
    name = Path(path).name
    if name.startswith("."):
        return False  # editor swap and temp files
    # No suffix: a folder (created, moved or deleted), whose articles may have produced no events of their own.
    return name.endswith(RELEVANT_SUFFIXES) or not Path(name).suffix or Path(path).is_dir()


def _is_watched_file(name: str) -> bool:
    return name.endswith(RELEVANT_SUFFIXES) and not name.startswith(".")


def snapshot(folder: Path) -> frozenset:
    """What polling compares: every folder, and every article or offices file with its time, size and inode."""
    entries = []
    now = time.time()
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        entries.extend(("folder", os.path.join(dirpath, d)) for d in dirnames)
        for name in filenames:
            if not _is_watched_file(name):
                continue
            path = os.path.join(dirpath, name)
            try:
                stat = os.stat(path)
                digest = None
                if now - stat.st_mtime < RECENT_S:
                    with open(path, "rb") as handle:
                        digest = hashlib.sha1(handle.read()).hexdigest()
            except OSError:
                continue  # deleted between listing and stat: the next snapshot has it gone
            entries.append((path, stat.st_mtime_ns, stat.st_size, stat.st_ino, digest))
    return frozenset(entries)


class ArticleWatcher:
    def __init__(self, folder: Path, on_change: Callable[[], None], force_polling: bool = False) -> None:
        self.folder = Path(folder)
        self.on_change = on_change
        self.force_polling = force_polling
        self.mode: WatchMode | None = None
        self._stop = asyncio.Event()
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        """Return once the folder is watched; raise `WatcherError` if it cannot be."""
        self.folder.mkdir(parents=True, exist_ok=True)
        failures = []
        for mode in (("polling",) if self.force_polling else ("native", "polling")):
            ready = asyncio.Event()
            task = asyncio.create_task(self._run(mode, ready), name=f"knowledge-watcher-{mode}")
            waiter = asyncio.create_task(ready.wait())
            done, _ = await asyncio.wait({task, waiter}, timeout=START_TIMEOUT_S, return_when=asyncio.FIRST_COMPLETED)
            if waiter in done:
                self._task, self.mode = task, mode
                task.add_done_callback(self._on_task_done)
                log.info("knowledge watcher on %s (%s)", self.folder, mode)
                return
            waiter.cancel()
            if task in done:
                failures.append(f"{mode}: {task.exception()!r}")
            else:
                task.cancel()
                failures.append(f"{mode}: not watching after {START_TIMEOUT_S} s")
            log.error("knowledge watcher (%s) could not start: %s", mode, failures[-1])
        raise WatcherError(f"cannot watch {self.folder}: " + "; ".join(failures))

    async def stop(self) -> None:
        self._stop.set()
        task, self._task = self._task, None
        if task is not None:
            task.remove_done_callback(self._on_task_done)
            try:
                await asyncio.wait_for(task, timeout=5)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                task.cancel()
            except Exception:  # already logged by _run
                pass
        self.mode = None

    def _on_task_done(self, task: asyncio.Task) -> None:
        """A watcher that ends without stop() must not leave the service silently without hot reload."""
        if self._stop.is_set() or task.cancelled():
            return
        if isinstance(task.exception(), _FolderReplaced):
            log.warning("knowledge folder %s was replaced; watching the new one", self.folder)
        else:
            log.error("knowledge watcher (%s) stopped unexpectedly; restarting with polling", self.mode)
            self.force_polling = True
        self.mode = None
        self._task = asyncio.get_running_loop().create_task(self._restart(), name="knowledge-watcher-restart")

    async def _restart(self) -> None:
        # Not re-created here: a deployment moving a new folder into place would find an empty one in its way.
        while not self.folder.is_dir():
            await asyncio.sleep(RESTART_DELAY_S)
            if self._stop.is_set():
                return
        try:
            await self.start()
        except WatcherError:
            log.exception("knowledge watcher could not be restarted; edits need a restart of the app")
            return
        # Changes made while no watcher ran would otherwise wait for the next one.
        await asyncio.to_thread(self.on_change)

    async def _run(self, mode: WatchMode, ready: asyncio.Event) -> None:
        if mode == "polling":
            await self._poll(ready)
            return
        identity = _identity(self.folder)
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
                ready.set()
                if _identity(self.folder) != identity:
                    raise _FolderReplaced()
                if not changes:
                    continue
                log.info("knowledge folder changed (%d events); reloading", len(changes))
                await asyncio.to_thread(self.on_change)
        except _FolderReplaced:
            raise
        except Exception:
            log.exception("knowledge watcher (%s) failed", mode)
            raise

    async def _poll(self, ready: asyncio.Event) -> None:
        try:
            seen = await asyncio.to_thread(snapshot, self.folder)
            ready.set()
            while not await self._stopped_within(POLL_DELAY_MS / 1000):
                current = await asyncio.to_thread(snapshot, self.folder)
                if current == seen:
                    continue
                # Let a save in several steps (temp file, rename) settle, as the native watcher's debounce does.
                while not await self._stopped_within(DEBOUNCE_MS / 1000):
                    settled = await asyncio.to_thread(snapshot, self.folder)
                    if settled == current:
                        break
                    current = settled
                seen = current
                log.info("knowledge folder changed (polling); reloading")
                await asyncio.to_thread(self.on_change)
        except Exception:
            log.exception("knowledge watcher (polling) failed")
            raise

    async def _stopped_within(self, seconds: float) -> bool:
        try:
            await asyncio.wait_for(self._stop.wait(), timeout=seconds)
        except asyncio.TimeoutError:
            return False
        return True
