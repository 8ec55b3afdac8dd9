"""Console HTTP for defect reports ("Meldungen", docs/protocol.md §3): the list of the agent's departments with
filters, a report with photos and history, a status change with public comment (the citizen is e-mailed), and
the photos themselves (only for agents who may see the report). Handlers only parse and call
handover/domain/defect_reports.py."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from handover.domain.defect_reports import DefectReportDesk, ReportError
from handover.web.console_api import CsrfDep, SessionDep
from handover.web.staff_scope import visible_departments

router = APIRouter(prefix="/api/console/reports", tags=["console"])


def _desk(request: Request) -> DefectReportDesk:
    return request.app.state.handover.reports


async def _call(coro):
    try:
        return await coro
    except ReportError as error:
        raise HTTPException(status_code=error.status, detail=error.message) from None


@router.get("")
async def list_reports(request: Request, info: SessionDep, status: str = "open", category: str | None = None,
                       department: str | None = None) -> list[dict]:
    """status: received | in_progress | done | rejected | open (received + in_progress) | closed | all."""
    return await _call(_desk(request).list(visible_departments(request, info), status=status,
                                           category_key=category or None, department=department or None))


@router.get("/{report_id}")
async def report_detail(request: Request, report_id: int, info: SessionDep) -> dict:
    return await _call(_desk(request).detail(report_id, visible_departments(request, info)))


class StatusChange(BaseModel):
    status: Literal["received", "in_progress", "done", "rejected"]
    public_comment: str | None = Field(None, max_length=2000)


@router.post("/{report_id}/status")
async def change_status(request: Request, report_id: int, body: StatusChange, info: CsrfDep) -> dict:
    return await _call(_desk(request).change_status(report_id, visible_departments(request, info), info.agent,
                                                    body.status, body.public_comment))


@router.get("/{report_id}/photos/{photo_id}")
async def photo(request: Request, report_id: int, photo_id: str, info: SessionDep) -> FileResponse:
    path = await _call(_desk(request).photo_path(report_id, photo_id, visible_departments(request, info)))
    # Personal data may be on a photo (faces, number plates): never cached by shared caches.
    return FileResponse(path, media_type="image/jpeg", headers={"Cache-Control": "private, no-store"})
