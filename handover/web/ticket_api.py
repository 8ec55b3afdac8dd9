"""Console HTTP for answering tickets (docs/protocol.md §3, "Ticket desk"): the list with assignees and
department names, a ticket's history, a reply by e-mail, a noted phone call, status and assignee. The ticket's
transcript is read through the console API's audited routes (`GET /api/console/tickets/{id}` and the
conversation's transcript), not here. Handlers only parse and call handover/domain/tickets.py."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from handover.domain.tickets import TicketDesk, TicketError
from handover.web.console_api import CsrfDep, SessionDep
from handover.web.staff_scope import visible_departments

router = APIRouter(prefix="/api/console/desk/tickets", tags=["console"])
Status = Literal["open", "in_progress", "done"]


def _desk(request: Request) -> TicketDesk:
    return request.app.state.handover.tickets


async def _call(coro):
    try:
        return await coro
    except TicketError as error:
        raise HTTPException(status_code=error.status, detail=error.message) from None


@router.get("")
async def list_tickets(request: Request, info: SessionDep, status: str = "active", mine: bool = False) -> list[dict]:
    if status not in ("open", "in_progress", "done", "active", "all"):
        raise HTTPException(status_code=422, detail="Unbekannter Status.")
    return await _desk(request).list(status, visible_departments(request, info), info.agent.id if mine else None)


@router.get("/{ticket_id}")
async def ticket_work(request: Request, ticket_id: int, info: SessionDep) -> dict:
    """Everything to answer it except the transcript: contact, e-mail address, language, history, assignee,
    and whether e-mail works at all."""
    detail = await _call(_desk(request).detail(ticket_id, visible_departments(request, info)))
    detail.pop("transcript", None)
    return detail


class TicketUpdate(BaseModel):
    status: Status | None = None
    assignee_id: int | None = None  # send null to take the assignee away


@router.patch("/{ticket_id}")
async def update_ticket(request: Request, ticket_id: int, body: TicketUpdate, info: CsrfDep) -> dict:
    return await _call(_desk(request).update(
        ticket_id, visible_departments(request, info), info.agent, status=body.status,
        assignee_id=body.assignee_id, assign_change="assignee_id" in body.model_fields_set))


class Reply(BaseModel):
    text: str = Field(min_length=1, max_length=10_000)
    status: Status | None = None  # e.g. "done": answer and close in one step


@router.post("/{ticket_id}/reply")
async def reply(request: Request, ticket_id: int, body: Reply, info: CsrfDep) -> dict:
    """Sends the reply by e-mail. 409 when e-mail is not set up or the ticket has no address (the console says
    so and offers the phone note); a mail server that refuses is recorded and answered with `mail.status`."""
    return await _call(_desk(request).reply_by_email(
        ticket_id, visible_departments(request, info), info.agent, body.text, body.status))


class Call(BaseModel):
    text: str = Field(min_length=1, max_length=4_000)
    status: Status | None = None


@router.post("/{ticket_id}/calls")
async def note_call(request: Request, ticket_id: int, body: Call, info: CsrfDep) -> dict:
    return await _call(_desk(request).note_call(
        ticket_id, visible_departments(request, info), info.agent, body.text, body.status))
