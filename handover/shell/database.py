"""The database: the engine (SQLite by default, PostgreSQL or any SQLAlchemy URL by setting), the declarative
base of every model, the migrations run at start-up, and `Database`, which runs blocking SQLAlchemy work off the
event loop — one session and one transaction per call.

SQLite allows one writer at a time and its busy handler sleeps while it waits, which makes latency spiky
under concurrent writes; for SQLite all work therefore runs on one dedicated thread, in order. PostgreSQL
work runs on the default thread pool and the connection pool."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
T = TypeVar("T")


class Base(DeclarativeBase):
    pass


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # WAL: readers never block the writer
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            # With WAL, NORMAL keeps every commit across an app crash; only an OS crash may lose the last moments.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def make_sessionmaker(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, expire_on_commit=False)


def upgrade_database(url: str) -> None:
    """`alembic upgrade heads` programmatically; each feature area owns a migration branch."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolates "%": a URL-encoded password (p%40ss) must be escaped.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "heads")


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
