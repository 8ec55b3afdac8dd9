"""The conventional set-up the bot benchmark compares with: Rasa's custom actions in a separate action server.

    python -m benchmarks.peer_action_server --port 5055      (settings from BUERGERBOT_* like the app)

This is what `rasa run actions` starts — rasa_sdk's own Sanic action server (`rasa_sdk.endpoint.create_app`),
one process — with the same actions package and the same knowledge index as the app, loaded in this process.
No gateway runs here, so nothing is embedded ahead of the search: each knowledge answer embeds its query in
the action, as any action server would.

Two adaptations, both about versions rather than the set-up: the actions read the app's services from a bound
`ActionContext` (bound here for the life of the process), and rasa_sdk 3.21 (in the app's environment) expects
a domain digest that Rasa 3.6 does not send, so a call without a domain gets an empty one, as rasa_sdk 3.6 —
the version that goes with Rasa 3.6 — does (`action_call.get("domain", {})`).
"""

from __future__ import annotations

import argparse
import logging
from typing import Any

from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor

from bot.actions.context import ActionContext, bound_context
from handover.app import build_knowledge_service
from handover.shell.database import make_engine, make_sessionmaker, upgrade_database
from handover.shell.settings import Settings
from handover.web.rasa_action_endpoint import ACTIONS_PACKAGE


class Rasa36ActionExecutor(ActionExecutor):
    def update_and_return_domain(self, payload: dict[str, Any], action_name: str) -> dict[str, Any]:
        return payload.get("domain") or {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade_database(settings.resolved_database_url)
    knowledge = build_knowledge_service(settings)
    knowledge.load()
    executor = Rasa36ActionExecutor()
    executor.register_package(ACTIONS_PACKAGE)
    context = ActionContext(knowledge=knowledge, settings=settings,
                            sessions=make_sessionmaker(make_engine(settings.resolved_database_url)))
    app = create_app(executor, cors_origins=None)
    # One process, as `rasa run actions` with its default of one Sanic worker; the context is bound in the
    # thread that runs the server's event loop, so every request's task inherits it.
    with bound_context(context):
        app.run(host=args.host, port=args.port, single_process=True, access_log=False, motd=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
