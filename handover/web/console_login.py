"""The console's sign-in: the page, and the login that the throttle guards (handover/domain/login_throttle.py).

Per attempt: origin check; the throttle counts the attempt for the account and the client address — or, for a
browser that signed in to this account before (its signed browser cookie), for that browser only — and refuses
it during a back-off with 429, `Retry-After` and a German sentence saying how long; then the password (and the
code of an account with a second factor) is checked; a success takes the count back and renews the browser
cookie. The form on /console/login posts here (redirects with ?error=…), the console page's own form asks for
JSON.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timezone
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response

from handover.domain import login_throttle
from handover.domain.agent_accounts import CSRF_COOKIE, SESSION_COOKIE, LoginResult
from handover.domain.login_throttle import LoginPolicy
from handover.shell.settings import Settings
from handover.web.client_address import client_address, client_key
from handover.web.console_api import CONSOLE_DIR, _agent_dict
from handover.web.origins import origin_allowed

router = APIRouter(tags=["console"])

BROWSER_COOKIE_PREFIX = "bb_browser_"
BROWSER_COOKIE_DAYS = 180
MAX_FIELD_CHARS = 200  # user names are at most 80 characters, passwords of sane length; nothing to hash beyond

FAILURE_TEXTS = {
    "wrong": "Benutzername oder Passwort ist falsch.",
    "otp_required": "Bitte geben Sie den sechsstelligen Bestätigungscode aus Ihrer Authenticator-App ein.",
    "otp_invalid": "Der Bestätigungscode ist falsch oder abgelaufen.",
}
FORM_ERRORS = {"wrong": "1", "otp_required": "otp", "otp_invalid": "otp_invalid"}


def policy(settings: Settings) -> LoginPolicy:
    return LoginPolicy(free_per_account=settings.login_free_attempts,
                       free_per_address=settings.login_free_attempts_per_ip,
                       max_delay_seconds=settings.login_backoff_max_seconds)


def wait_text(seconds: int) -> str:
    amount = "1 Sekunde" if seconds == 1 else f"{seconds} Sekunden"
    return f"Zu viele fehlgeschlagene Anmeldungen. Bitte warten Sie {amount} und versuchen Sie es dann erneut."


# --- the browser cookie ---------------------------------------------------------------------------
def _cookie_name(username: str) -> str:
    return BROWSER_COOKIE_PREFIX + hashlib.sha256(username.strip().lower().encode("utf-8")).hexdigest()[:12]


def _signature(secret: str, username: str, nonce: str) -> str:
    key = hashlib.sha256(f"console-browser:{secret}".encode()).digest()
    return hmac.new(key, f"{username.strip().lower()}:{nonce}".encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def known_browser(request: Request, secret: str, username: str) -> str | None:
    """The browser's id when it carries a valid cookie for this account (it signed in to it before)."""
    nonce, _, signature = (request.cookies.get(_cookie_name(username)) or "").partition(".")
    if nonce and signature and hmac.compare_digest(signature, _signature(secret, username, nonce)):
        return f"{username.strip().lower()}:{nonce}"
    return None


def _set_browser_cookie(response: Response, request: Request, secret: str, username: str, secure: bool) -> None:
    nonce = secrets.token_urlsafe(16)
    response.set_cookie(_cookie_name(username), f"{nonce}.{_signature(secret, username, nonce)}",
                        max_age=BROWSER_COOKIE_DAYS * 86400, httponly=True, samesite="strict", secure=secure,
                        path="/console/login")


# --- routes ---------------------------------------------------------------------------------------
def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


@router.get("/console/login", include_in_schema=False)
async def login_page() -> Response:
    return FileResponse(CONSOLE_DIR / "login.html", media_type="text/html", headers={"Cache-Control": "no-store"})


@router.post("/console/login")
async def login(request: Request, username: Annotated[str, Form()], password: Annotated[str, Form()],
                otp: Annotated[str, Form()] = "") -> Response:
    runtime = request.app.state.handover
    settings: Settings = runtime.settings
    wants_json = _wants_json(request)
    if not origin_allowed(request.headers.get("origin"), settings, widget=False,
                          request_host=request.headers.get("host")):
        if wants_json:
            return JSONResponse({"detail": "Anmeldung von dieser Seite aus nicht erlaubt."}, status_code=403)
        return RedirectResponse("/console/login?error=origin", status_code=303)
    username, password, otp = username[:MAX_FIELD_CHARS], password[:MAX_FIELD_CHARS], otp[:MAX_FIELD_CHARS]
    secret: str = request.app.state.action_secret
    rules = policy(settings)
    address = client_address(request, settings)
    keys = rules.keys(account=username, address=client_key(address, secret) if address else None,
                      browser=known_browser(request, secret, username))

    def count_attempt(session):
        wait = login_throttle.claim(session, rules, keys, datetime.now(timezone.utc))
        if wait is not None:
            session.rollback()  # a refused attempt is not counted
        return wait

    wait = await runtime.db.run(count_attempt)
    if wait is not None:
        if wants_json:
            return JSONResponse({"detail": wait_text(wait), "retry_after": wait}, status_code=429,
                                headers={"Retry-After": str(wait)})
        return RedirectResponse(f"/console/login?error=wait&retry={wait}", status_code=303,
                                headers={"Retry-After": str(wait)})

    result: LoginResult = await runtime.db.run(lambda s: runtime.auth.login(s, username, password, otp or None))
    if result.outcome != "ok":
        if wants_json:
            return JSONResponse({"detail": FAILURE_TEXTS[result.outcome], "reason": result.outcome}, status_code=401)
        return RedirectResponse(f"/console/login?error={FORM_ERRORS[result.outcome]}", status_code=303)

    await runtime.db.run(lambda s: login_throttle.succeeded(s, rules, keys))
    info = result.info
    response: Response = (
        JSONResponse({"agent": _agent_dict(info), "csrf_token": info.csrf_token})
        if wants_json
        else RedirectResponse("/console", status_code=303)
    )
    secure = urlsplit(settings.public_url).scheme == "https"
    max_age = settings.session_hours * 3600
    response.set_cookie(SESSION_COOKIE, result.token, max_age=max_age, httponly=True, samesite="strict",
                        secure=secure, path="/")
    response.set_cookie(CSRF_COOKIE, info.csrf_token, max_age=max_age, httponly=False, samesite="strict",
                        secure=secure, path="/")
    _set_browser_cookie(response, request, secret, username, secure)
    return response
