"""The access audit log over HTTP, for admins only (docs/security.md "Audit log"): the log filtered by
conversation and agent, its CSV export, and the answer to a citizen's request under GDPR Art. 15 — who has seen
conversation X, how often, when."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import Response

from handover.domain import access_audit
from handover.domain.agent_accounts import SessionInfo
from handover.web.console_api import require_session

router = APIRouter(tags=["console"])
MAX_EXPORT_ROWS = 100_000


async def require_admin(info: Annotated[SessionInfo, Depends(require_session)]) -> SessionInfo:
    if info.agent.role != "admin":
        raise HTTPException(status_code=403, detail="Das Zugriffsprotokoll sehen nur Administratorinnen und "
                                                    "Administratoren.")
    return info


AdminDep = Annotated[SessionInfo, Depends(require_admin)]
ConversationFilter = Annotated[str | None, Query(max_length=32, pattern=r"^[A-Za-z0-9]*$")]
AgentFilter = Annotated[int | None, Query(ge=1, le=2**31 - 1)]


def _db(request: Request):
    return request.app.state.handover.db


@router.get("/api/console/access-audit")
async def audit_log(request: Request, _info: AdminDep, conversation_id: ConversationFilter = None,
                    agent_id: AgentFilter = None, since: datetime | None = None, until: datetime | None = None,
                    before_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
                    limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict:
    """Newest first, `limit` per page; `next_before_id` asks for the next page."""
    def work(session):
        rows = access_audit.entries(session, conversation_id=conversation_id or None, agent_id=agent_id,
                                    since=since, until=until, before_id=before_id, limit=limit + 1)
        page = rows[:limit]
        return {"entries": [access_audit.entry_dict(e) for e in page],
                "next_before_id": page[-1].id if len(rows) > limit else None}

    return await _db(request).run(work)


@router.get("/api/console/access-audit.csv")
async def audit_csv(request: Request, _info: AdminDep, conversation_id: ConversationFilter = None,
                    agent_id: AgentFilter = None, since: datetime | None = None,
                    until: datetime | None = None) -> Response:
    newest = await _db(request).run(lambda s: access_audit.entries(
        s, conversation_id=conversation_id or None, agent_id=agent_id, since=since, until=until,
        limit=MAX_EXPORT_ROWS))
    text = access_audit.to_csv(list(reversed(newest)))  # a file reads oldest first
    name = f"zugriffsprotokoll-{conversation_id}.csv" if conversation_id else "zugriffsprotokoll.csv"
    return Response("\ufeff" + text, media_type="text/csv; charset=utf-8",  # BOM: spreadsheets read it as UTF-8
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@router.get("/api/console/conversations/{conversation_id}/access-log")
async def who_saw(request: Request, conversation_id: Annotated[str, Path(max_length=32, pattern=r"^[A-Za-z0-9]+$")],
                  _info: AdminDep) -> dict:
    """GDPR Art. 15: every member of staff who has seen the conversation's transcript, with each access (also
    after the conversation itself has been purged, for as long as the entries are kept)."""
    return await _db(request).run(lambda s: access_audit.accesses_of(s, conversation_id))
