"""Issue 11, point 3: a login that cannot be turned against agents — against the running app, on SQLite and on
PostgreSQL. Exponential back-off per account and per address (no lock: the correct password after the wait signs
in), a browser that signed in before is not kept out by someone hammering its account, the counters are in the
database (a second replica sees them, a restarted app keeps them), and the optional TOTP second factor.

Each test speaks from addresses of its own (X-Forwarded-For from 127.0.0.1, a trusted proxy by default), so
its counters meet no other test's."""

from __future__ import annotations

import asyncio
import itertools
import uuid

import httpx
import pyotp
import pytest

from handover.domain.models.second_factor import AgentTotp
from tests.handover.conftest import PASSWORD, AppServer, make_settings, seed_index_cache

JSON = {"Accept": "application/json"}
_addresses = itertools.count(1)


def address() -> str:
    """A fresh documentation address (RFC 5737) for each caller."""
    number = next(_addresses)
    return f"198.51.{100 + number // 250}.{number % 250 + 1}"


async def attempt(server: AppServer, username: str, password: str, *, source: str,
                  http: httpx.AsyncClient | None = None, otp: str | None = None) -> httpx.Response:
    data = {"username": username, "password": password, **({"otp": otp} if otp is not None else {})}
    headers = {**JSON, "X-Forwarded-For": source}
    if http is not None:
        return await http.post("/console/login", data=data, headers=headers)
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as client:
        return await client.post("/console/login", data=data, headers=headers)


async def fail(server: AppServer, username: str, times: int, source: str) -> None:
    for _ in range(times):
        response = await attempt(server, username, "falsch-falsch", source=source)
        assert response.status_code == 401, response.text


async def test_back_off_per_account_then_the_correct_password_signs_in(server):
    account = server.add_agent()
    source = address()
    await fail(server, account["username"], 5, source)  # BUERGERBOT_LOGIN_FREE_ATTEMPTS: 5
    refused = await attempt(server, account["username"], PASSWORD, source=source)
    assert refused.status_code == 429
    wait = int(refused.headers["Retry-After"])
    assert wait == 1 and refused.json()["retry_after"] == 1
    assert refused.json()["detail"] == ("Zu viele fehlgeschlagene Anmeldungen. Bitte warten Sie 1 Sekunde und "
                                        "versuchen Sie es dann erneut.")
    # a refused attempt is not counted and the password is not even looked at: the wait stays as it was
    await asyncio.sleep(wait + 0.1)
    await fail(server, account["username"], 1, source)  # the 6th failure doubles the wait
    again = await attempt(server, account["username"], PASSWORD, source=source)
    assert again.status_code == 429 and int(again.headers["Retry-After"]) == 2
    # the account is throttled, not locked: from another address, too, only after the wait
    other = await attempt(server, account["username"], PASSWORD, source=address())
    assert other.status_code == 429
    await asyncio.sleep(2.1)
    signed_in = await attempt(server, account["username"], PASSWORD, source=source)
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["agent"]["username"] == account["username"]
    # a success forgets the account's failures: five fresh ones before the next wait
    await fail(server, account["username"], 4, source)
    assert (await attempt(server, account["username"], PASSWORD, source=source)).status_code == 200


async def test_the_form_login_redirects_with_the_wait(server):
    account = server.add_agent()
    source = address()
    await fail(server, account["username"], 5, source)
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
        response = await http.post("/console/login", data={"username": account["username"], "password": PASSWORD},
                                   headers={"X-Forwarded-For": source})
        assert response.status_code == 303
        assert response.headers["location"] == "/console/login?error=wait&retry=1"
        page = await http.get("/static/console/login.js")
        assert "Bitte warten Sie" in page.text  # the page says it in words


async def test_password_spraying_is_slowed_per_address_not_per_account(server):
    """30 user names from one address: after BUERGERBOT_LOGIN_FREE_ATTEMPTS_PER_IP (20) the address waits, while
    the agents themselves, from their own addresses, are not affected."""
    account = server.add_agent()
    sprayer = address()
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
        answers = [(await attempt(server, f"niemand-{uuid.uuid4().hex[:6]}", "Sommer2026!", source=sprayer,
                                  http=http)).status_code for _ in range(30)]
    assert answers[:20] == [401] * 20
    # from then on one guess per wait (1 s, 2 s …): the rest of the burst is refused without a password check
    assert answers[20] == 429 and answers[20:].count(401) <= 2, answers
    assert (await attempt(server, account["username"], PASSWORD, source=address())).status_code == 200


async def test_an_attacker_cannot_keep_an_agent_out_of_a_browser_that_signed_in_before(server):
    account = server.add_agent()
    office = address()
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as agents_browser:
        first = await attempt(server, account["username"], PASSWORD, source=office, http=agents_browser)
        assert first.status_code == 200
        browser_cookie = next(c for c in first.headers.get_list("set-cookie") if c.startswith("bb_browser_"))
        assert "HttpOnly" in browser_cookie and "Path=/console/login" in browser_cookie
        attacker = address()  # someone else hammers the account: 6 failures, a wait of 2 s
        await fail(server, account["username"], 5, attacker)
        await asyncio.sleep(1.05)
        await fail(server, account["username"], 1, attacker)
        assert (await attempt(server, account["username"], PASSWORD, source=address())).status_code == 429
        # the agent's own browser goes in at once, and its own failures have a counter of their own
        again = await attempt(server, account["username"], PASSWORD, source=office, http=agents_browser)
        assert again.status_code == 200, again.text
        forged = httpx.AsyncClient(base_url=server.base, timeout=30, cookies={browser_cookie.split("=")[0]: "abc.def"})
        async with forged:
            assert (await attempt(server, account["username"], PASSWORD, source=office, http=forged)).status_code == 429


async def test_counters_are_shared_by_replicas(postgres_server, postgres_replica):
    account = postgres_server.add_agent()
    source = address()
    await fail(postgres_server, account["username"], 5, source)
    refused = await attempt(postgres_replica, account["username"], PASSWORD, source=source)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"


async def test_parallel_guesses_are_counted_before_they_are_checked(postgres_server):
    """A burst of 20 guesses at once: only the free attempts get as far as the password check."""
    account = postgres_server.add_agent()
    source = address()
    answers = await asyncio.gather(*(attempt(postgres_server, account["username"], f"rate-{n}", source=source)
                                     for n in range(20)))
    statuses = sorted(response.status_code for response in answers)
    assert statuses.count(401) == 5 and statuses.count(429) == 15, statuses


@pytest.fixture(params=["sqlite", "postgres"])
def restartable(request, tmp_path, postgres_schema_url, redis_url):
    seed_index_cache()
    database_url = None if request.param == "sqlite" else postgres_schema_url
    settings = make_settings(tmp_path, database_url=database_url, pubsub_url="memory://")
    started = [AppServer(settings).start()]

    def restart() -> AppServer:
        started[-1].stop()
        started.append(AppServer(settings).start())
        return started[-1]

    yield started[0], restart
    started[-1].stop()


async def test_counters_survive_a_restart(restartable):
    server, restart = restartable
    account = server.add_agent()
    source = address()
    await fail(server, account["username"], 5, source)
    assert (await attempt(server, account["username"], PASSWORD, source=source)).status_code == 429
    server = restart()
    await asyncio.sleep(1.1)  # the 1 s wait is over however long the restart took
    await fail(server, account["username"], 1, source)
    # a counter that started afresh would let this through; the stored one makes it the 6th failure: 2 s
    refused = await attempt(server, account["username"], PASSWORD, source=source)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "2"


async def test_second_factor_for_a_supervisor(server):
    supervisor = server.add_agent(role="supervisor")
    secret = pyotp.random_base32()
    server.db.run_sync(lambda s: s.add(AgentTotp(agent_id=supervisor["id"], secret=secret)))
    source = address()
    missing = await attempt(server, supervisor["username"], PASSWORD, source=source)
    assert missing.status_code == 401 and missing.json()["reason"] == "otp_required"
    assert "Bestätigungscode" in missing.json()["detail"]
    not_the_code = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    wrong = await attempt(server, supervisor["username"], PASSWORD, source=source, otp=not_the_code)
    assert wrong.status_code == 401 and wrong.json()["reason"] == "otp_invalid"
    code = pyotp.TOTP(secret).now()
    signed_in = await attempt(server, supervisor["username"], PASSWORD, source=source, otp=code)
    assert signed_in.status_code == 200, signed_in.text
    # a code is good for one sign-in only (someone who saw it over the shoulder cannot reuse it)
    replayed = await attempt(server, supervisor["username"], PASSWORD, source=address(), otp=code)
    assert replayed.status_code == 401 and replayed.json()["reason"] == "otp_invalid"
    # without the password the code is worth nothing
    assert (await attempt(server, supervisor["username"], "falsch-falsch", source=address(),
                          otp=pyotp.TOTP(secret).now())).json()["reason"] == "wrong"

