"""Two installations on one Redis (db 1 and db 2 of a redis-server of this test's own; Redis pub/sub ignores the
db number) never see each other's events, while a replica of the same installation (same database, same Redis)
does. The consoles are supervisors' (they see every queue, the watch list and the live list), so nothing
department visibility hides is mistaken for isolation."""

from __future__ import annotations

import asyncio
import json

import pytest

from handover.shell.pubsub import default_namespace
from tests.handover.conftest import AgentConsole, AppServer, Citizen, make_settings, seed_index_cache
from tests.handover.redis_server import RedisServer


@pytest.fixture(scope="module")
def installations(tmp_path_factory):
    seed_index_cache()
    redis = RedisServer(tmp_path_factory.mktemp("ns-redis")).start()
    started = {}
    try:
        rathaus, landkreis = tmp_path_factory.mktemp("ns-rathaus"), tmp_path_factory.mktemp("ns-landkreis")
        started["rathaus"] = AppServer(make_settings(rathaus, database_url=None, pubsub_url=redis.url(1))).start()
        started["landkreis"] = AppServer(make_settings(landkreis, database_url=None,
                                                       pubsub_url=redis.url(2))).start()
        # the same installation as "rathaus", written as an explicit URL: one namespace with it
        started["rathaus_replica"] = AppServer(make_settings(
            tmp_path_factory.mktemp("ns-rathaus-2"), database_url=f"sqlite:///{rathaus / 'buergerbot.db'}",
            pubsub_url=redis.url(1))).start()
        yield started
    finally:
        for server in started.values():
            server.stop()
        redis.stop()


async def _handover_and_watch(server: AppServer) -> str:
    """A bot conversation (watch list) that then asks for a person (handover, queue)."""
    citizen = await Citizen.connect(server)
    await citizen.say("Ich habe eine Frage zu meinem Antrag.")
    await citizen.send({"type": "request_human"})
    await citizen.expect_type("state", state="waiting")
    await citizen.close()
    return citizen.welcome["conversation_id"]


async def test_installations_on_one_redis_are_isolated_and_replicas_are_not(installations):
    rathaus, landkreis, replica = (installations[k] for k in ("rathaus", "landkreis", "rathaus_replica"))
    consoles = {
        "rathaus": await AgentConsole.connect(rathaus, rathaus.add_agent(role="supervisor")),
        "landkreis": await AgentConsole.connect(landkreis, landkreis.add_agent(role="supervisor")),
        "replica": await AgentConsole.connect(replica, rathaus.add_agent(role="supervisor")),
    }
    ids = {"rathaus": await _handover_and_watch(rathaus), "landkreis": await _handover_and_watch(landkreis)}

    # Each installation's consoles get their own handover (the replica's through Redis) ...
    for name, own in (("rathaus", "rathaus"), ("replica", "rathaus"), ("landkreis", "landkreis")):
        await consoles[name].expect(lambda f, c=ids[own]: f.get("type") == "handover" and f["conversation"]["id"] == c,
                                    timeout=10, what=f"{own}'s handover on {name}")
        await consoles[name].expect(lambda f, c=ids[own]: f.get("type") == "queue_update" and c in json.dumps(f),
                                    timeout=10, what=f"{own}'s queue_update on {name}")
    await asyncio.sleep(1.0)  # overview broadcasts are coalesced (0.25 s): let every late one arrive
    for console in consoles.values():
        try:
            while True:
                await console.recv(0.3)
        except asyncio.TimeoutError:
            pass

    # ... and never anything of the other installation: no handover, queue, watch or live entry, no summary text.
    for name, foreign in (("rathaus", "landkreis"), ("replica", "landkreis"), ("landkreis", "rathaus")):
        leaked = [f.get("type") for f in consoles[name].frames if ids[foreign] in json.dumps(f)]
        assert leaked == [], f"{name} saw {foreign}'s events: {leaked}"
    kinds = {f.get("type") for f in consoles["rathaus"].frames}
    assert {"handover", "queue_update", "watch_update"} <= kinds  # the kinds that leaked before
    for console in consoles.values():
        await console.close()


def test_default_namespace_follows_the_installation_not_the_credentials(tmp_path):
    pg = "postgresql+psycopg2://buergerbot:{}@db.example:5432/buergerbot"
    redis = "redis://redis:6379/0"
    assert default_namespace(pg.format("alt"), redis) == default_namespace(pg.format("neu"), redis)
    assert default_namespace(pg.format("x"), redis) != default_namespace(pg.format("x").replace("/buergerbot",
                                                                                               "/landkreis"), redis)
    assert default_namespace(pg.format("x"), redis) != default_namespace(pg.format("x"), "redis://redis:6379/2")
    sqlite = f"sqlite:///{tmp_path}/a.db"
    assert default_namespace(sqlite, redis) != default_namespace(f"sqlite:///{tmp_path}/b.db", redis)
