"""Runs blocking SQLAlchemy work off the event loop: one session and one transaction per call.

SQLite allows one writer at a time and its busy handler sleeps while it waits, which makes latency spiky
under concurrent writes; for SQLite all work therefore runs on one dedicated thread, in order. PostgreSQL
work runs on the default thread pool and the connection pool."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, TypeVar

from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")


class Database:
    def __init__(self, sessions: sessionmaker, *, serialize: bool = False) -> None:
        self.sessions = sessions
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite") if serialize else None

    def run_sync(self, work: Callable[[Session], T]) -> T:
        with self.sessions() as session:
            try:
                result = work(session)
                session.commit()
                return result
            except BaseException:
                session.rollback()
                raise

    async def run(self, work: Callable[[Session], T]) -> T:
        if self._executor is None:
            return await asyncio.to_thread(self.run_sync, work)
        return await asyncio.get_running_loop().run_in_executor(self._executor, self.run_sync, work)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
