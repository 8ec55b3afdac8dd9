"""Console HTTP: login/logout, the console and login pages, canned responses, tickets, departments, agents,
the supervisor overview, and a conversation's transcript and its export (docs/protocol.md §3). Reading a
transcript here (a ticket's too) follows the access rule of handover/domain/conversations/access.py and is
written to the access audit log."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from handover.domain import access_audit
from handover.domain import tickets as ticket_store
from handover.domain.agent_accounts import CSRF_COOKIE, SESSION_COOKIE, Authenticator, SessionInfo, csrf_matches
from handover.domain.conversations import access
from handover.domain.conversations.broadcasts import live_list
from handover.domain.conversations.core import CONSOLES_CHANNEL
from handover.domain.conversations.views import conversation_frame, summarizer, transcript_text
from handover.domain.models.conversations import CannedResponse
from handover.domain.routing import iso
from handover.web.frames import FrameError, Text

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
CONSOLE_DIR = STATIC_DIR / "console"

router = APIRouter(tags=["console"])
# What an editor (handles_conversations false) may call here; their pages are the insights (web/insights_api.py).
EDITOR_PATHS = {"/api/console/me", "/console/logout"}


def _runtime(request: Request):
    return request.app.state.handover


async def _session(request: Request) -> SessionInfo | None:
    runtime = _runtime(request)
    token = request.cookies.get(SESSION_COOKIE)
    return await runtime.db.run(lambda s: Authenticator.resolve(s, token))


async def require_session(request: Request) -> SessionInfo:
    info = await _session(request)
    if info is None:
        raise HTTPException(status_code=401, detail="Bitte melden Sie sich an.")
    if not info.agent.handles_conversations and request.url.path not in EDITOR_PATHS:
        raise HTTPException(status_code=403, detail="Ihre Rolle sieht nur die Wissens-Auswertungen.")
    return info


async def require_csrf(request: Request, info: Annotated[SessionInfo, Depends(require_session)]) -> SessionInfo:
    given = request.headers.get("x-csrf-token")
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        given = (await request.form()).get("csrf_token")
    if not csrf_matches(info.csrf_token, given):
        raise HTTPException(status_code=403, detail="Sicherheitsprüfung fehlgeschlagen (CSRF). Bitte laden Sie die Seite neu.")
    return info


SessionDep = Annotated[SessionInfo, Depends(require_session)]
CsrfDep = Annotated[SessionInfo, Depends(require_csrf)]


def _agent_dict(info: SessionInfo) -> dict:
    agent = info.agent
    return {"id": agent.id, "username": agent.username, "display_name": agent.display_name, "role": agent.role,
            "departments": list(agent.departments), "skills": list(agent.skills), "capacity": agent.capacity}


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


# --- pages ---------------------------------------------------------------------------------------
@router.post("/console/logout")
async def logout(request: Request, _info: CsrfDep) -> Response:
    runtime = _runtime(request)
    token = request.cookies.get(SESSION_COOKIE)
    await runtime.db.run(lambda s: Authenticator.logout(s, token))
    response: Response = (
        JSONResponse({"ok": True}) if _wants_json(request) else RedirectResponse("/console/login", status_code=303)
    )
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.get("/console", include_in_schema=False)
async def console_page(request: Request) -> Response:
    info = await _session(request)
    if info is None:
        return RedirectResponse("/console/login", status_code=303)
    if not info.agent.handles_conversations:
        return RedirectResponse("/console/insights", status_code=303)
    index = CONSOLE_DIR / "index.html"
    if not index.exists():
        return HTMLResponse("<p>Die Agentenkonsole ist nicht installiert (handover/static/console/index.html fehlt).</p>",
                            status_code=503)
    return FileResponse(index, media_type="text/html", headers={"Cache-Control": "no-store"})


# --- API -----------------------------------------------------------------------------------------
@router.get("/api/console/me")
async def me(info: SessionDep) -> dict:
    return {"agent": _agent_dict(info), "csrf_token": info.csrf_token}


class CannedIn(BaseModel):
    title: Text = Field(min_length=1, max_length=120)
    text: Text = Field(min_length=1, max_length=4000)
    department: Text | None = Field(None, max_length=64)
    shortcut: Text | None = Field(None, max_length=40)


def _canned_dict(item: CannedResponse) -> dict:
    return {"id": item.id, "title": item.title, "text": item.text, "department": item.department,
            "shortcut": item.shortcut, "updated_at": iso(item.updated_at)}


@router.get("/api/console/canned")
async def list_canned(request: Request, info: SessionDep) -> list[dict]:
    def work(session):
        rows = session.scalars(select(CannedResponse).order_by(CannedResponse.title))
        return [_canned_dict(r) for r in rows
                if info.agent.is_supervisor or r.department is None or r.department in info.agent.departments]

    return await _runtime(request).db.run(work)


@router.post("/api/console/canned", status_code=201)
async def create_canned(request: Request, body: CannedIn, _info: CsrfDep) -> dict:
    def work(session):
        item = CannedResponse(**body.model_dump(), updated_at=datetime.now(timezone.utc))
        session.add(item)
        session.flush()
        return _canned_dict(item)

    return await _runtime(request).db.run(work)


@router.put("/api/console/canned/{item_id}")
async def update_canned(request: Request, item_id: int, body: CannedIn, _info: CsrfDep) -> dict:
    def work(session):
        item = session.get(CannedResponse, item_id)
        if item is None:
            raise HTTPException(status_code=404, detail="Textbaustein nicht gefunden.")
        for key, value in body.model_dump().items():
            setattr(item, key, value)
        item.updated_at = datetime.now(timezone.utc)
        return _canned_dict(item)

    return await _runtime(request).db.run(work)


@router.delete("/api/console/canned/{item_id}", status_code=204)
async def delete_canned(request: Request, item_id: int, _info: CsrfDep) -> Response:
    def work(session):
        item = session.get(CannedResponse, item_id)
        if item is None:
            raise HTTPException(status_code=404, detail="Textbaustein nicht gefunden.")
        session.delete(item)

    await _runtime(request).db.run(work)
    return Response(status_code=204)


def _visible_departments(request: Request, info: SessionInfo) -> set[str] | None:
    if info.agent.is_supervisor:
        return None
    return set(info.agent.departments) | {_runtime(request).routing.default_department}


@router.get("/api/console/tickets")
async def list_tickets(request: Request, info: SessionDep, status: str = "open") -> list[dict]:
    departments = _visible_departments(request, info)
    return await _runtime(request).db.run(
        lambda s: [ticket_store.ticket_dict(t) for t in ticket_store.list_tickets(s, status, departments)]
    )


def _visible_ticket(request: Request, info: SessionInfo, ticket) -> bool:
    departments = _visible_departments(request, info)
    return ticket is not None and (departments is None or ticket.department in departments)


@router.get("/api/console/tickets/{ticket_id}")
async def get_ticket(request: Request, ticket_id: int, info: SessionDep) -> dict:
    def work(session):
        from handover.domain.models.conversations import Ticket

        ticket = session.get(Ticket, ticket_id)
        if not _visible_ticket(request, info, ticket):
            raise HTTPException(status_code=404, detail="Ticket nicht gefunden.")
        if ticket.transcript:  # the attached transcript is the conversation's: an audited access
            access_audit.record(session, info.agent, ticket.conversation_id, "ticket", ticket_id=ticket.id)
        return {**ticket_store.ticket_dict(ticket), "transcript": ticket.transcript or []}

    return await _runtime(request).db.run(work)


class TicketPatch(BaseModel):
    status: str


@router.patch("/api/console/tickets/{ticket_id}")
async def patch_ticket(request: Request, ticket_id: int, body: TicketPatch, info: CsrfDep) -> dict:
    runtime = _runtime(request)

    def work(session):
        from handover.domain.models.conversations import Ticket

        if not _visible_ticket(request, info, session.get(Ticket, ticket_id)):
            raise HTTPException(status_code=404, detail="Ticket nicht gefunden.")
        try:
            ticket = ticket_store.set_status(session, ticket_id, body.status)
        except ValueError as error:
            raise HTTPException(status_code=422, detail=str(error)) from None
        return ticket_store.ticket_dict(ticket)

    ticket = await runtime.db.run(work)
    await runtime.pubsub.publish(CONSOLES_CHANNEL, {"kind": "ticket", "ticket": ticket})
    return ticket


@router.get("/api/console/departments")
async def departments(request: Request, _info: SessionDep) -> list[dict]:
    return _runtime(request).routing.departments(datetime.now(timezone.utc))


@router.get("/api/console/agents")
async def agents(request: Request, _info: SessionDep) -> list[dict]:
    runtime = _runtime(request)
    return await runtime.db.run(lambda s: runtime.routing.agent_summaries(s, datetime.now(timezone.utc)))


@router.get("/api/console/overview")
async def overview(request: Request, info: SessionDep) -> dict:
    if not info.agent.is_supervisor:
        raise HTTPException(status_code=403, detail="Nur für Teamleitungen und Administration.")
    runtime = _runtime(request)

    def work(session):
        now = datetime.now(timezone.utc)
        return {
            "queues": runtime.routing.queues(session, now, summarizer(runtime.routing)),
            "agents": runtime.routing.agent_summaries(session, now),
            "live": live_list(runtime.conversations, session, now),
            "tickets_open": len(ticket_store.list_tickets(session, "open")),
        }

    return await runtime.db.run(work)


# --- a conversation's transcript -----------------------------------------------------------------
ConversationPath = Annotated[str, PathParam(max_length=32, pattern=r"^[A-Za-z0-9]+$")]


def _permitted(session, request: Request, info: SessionInfo, conversation_id: str):
    try:
        return access.permitted_conversation(session, _runtime(request).routing, info.agent, conversation_id)
    except FrameError as error:
        status = 404 if error.code == "not_found" else 403
        raise HTTPException(status_code=status, detail="Gespräch nicht gefunden." if status == 404
                            else error.message) from None


@router.get("/api/console/conversations/{conversation_id}")
async def conversation_transcript(request: Request, conversation_id: ConversationPath, info: SessionDep) -> dict:
    """The conversation as the agent websocket's `open` returns it (transcript, notes, context)."""
    routing = _runtime(request).routing

    def work(session):
        conversation = _permitted(session, request, info, conversation_id)
        return conversation_frame(routing, session, conversation, info.agent, "transcript")

    return await _runtime(request).db.run(work)


@router.get("/api/console/conversations/{conversation_id}/export")
async def export_transcript(request: Request, conversation_id: ConversationPath, info: SessionDep) -> Response:
    """The transcript as a plain-text file (e.g. for a citizen's request for a copy of their data)."""
    routing = _runtime(request).routing

    def work(session):
        conversation = _permitted(session, request, info, conversation_id)
        access_audit.record(session, info.agent, conversation.id, "export")
        return transcript_text(routing, session, conversation, info.agent)

    text = await _runtime(request).db.run(work)
    return Response(text, media_type="text/plain; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="gespraech-{conversation_id}.txt"',
        "Cache-Control": "no-store",
    })
