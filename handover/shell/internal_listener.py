"""The optional internal listener: the same app on a second port (`BUERGERBOT_INTERNAL_PORT`, usually on a
private interface), for what only Rasa and the monitoring need — `/webhook`, `/actions`, `/metrics`.

It runs inside the app process, started by the lifespan, so `make run`, uvicorn and every deployment that starts
the app factory get it without a second command. It serves the very app object of the public listener with its
lifespan switched off (the services exist once); a route tells the listeners apart by the local port the request
arrived on (`scope["server"]`), which a client cannot forge.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from typing import Iterator

import uvicorn
from starlette.requests import HTTPConnection

from handover.shell.settings import Settings

log = logging.getLogger(__name__)


def on_internal_listener(connection: HTTPConnection, settings: Settings) -> bool:
    server = connection.scope.get("server")
    return settings.internal_port is not None and bool(server) and server[1] == settings.internal_port


class _QuietServer(uvicorn.Server):
    """A second server in a running event loop must leave the signal handlers to the main one."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class InternalListener:
    def __init__(self, app, settings: Settings) -> None:
        self.settings = settings
        family = socket.AF_INET6 if ":" in settings.internal_host else socket.AF_INET
        # Bound here, so a port in use fails the app's start with a clear error instead of inside a task.
        self.socket = socket.socket(family, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self.socket.bind((settings.internal_host, settings.internal_port))
        except OSError as error:
            self.socket.close()
            raise RuntimeError(f"BUERGERBOT_INTERNAL_PORT: cannot listen on {settings.internal_host}:"
                               f"{settings.internal_port} ({error})") from None
        config = uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False,
                                ws="none")
        self.server = _QuietServer(config)
        self.task: asyncio.Task | None = None

    async def start(self) -> None:
        self.task = asyncio.create_task(self.server.serve(sockets=[self.socket]))
        while not self.server.started:
            if self.task.done():
                self.task.result()  # raises what stopped it
                raise RuntimeError("the internal listener stopped while starting")
            await asyncio.sleep(0.02)
        log.info("internal listener on %s:%s", self.settings.internal_host, self.settings.internal_port)

    async def stop(self) -> None:
        self.server.should_exit = True
        if self.task is not None:
            await asyncio.gather(self.task, return_exceptions=True)
        self.socket.close()


async def start_internal_listener(app, settings: Settings) -> InternalListener | None:
    if settings.internal_port is None:
        return None
    listener = InternalListener(app, settings)
    await listener.start()
    return listener
