"""`GET /api/console/setup`: what the console needs to know about this installation — the city's name (for the
canned responses' {city}), whether e-mail works (the ticket and report views say so before an agent tries),
the defect report categories and statuses with their names."""

from __future__ import annotations

from fastapi import APIRouter, Request

from handover.domain.defect_report_categories import CATEGORIES
from handover.domain.defect_reports import STATUS_LABELS, STATUSES
from handover.web.console_api import SessionDep

router = APIRouter(tags=["console"])


@router.get("/api/console/setup")
async def setup(request: Request, _info: SessionDep) -> dict:
    runtime = request.app.state.handover
    return {
        "city_name": runtime.settings.city_name,
        "mail": runtime.mail.status(),
        "report_categories": [{"key": c.key, "name": c.name_de, "name_en": c.name_en, "department": c.department}
                              for c in CATEGORIES.values()],
        "report_statuses": [{"key": s, "name": STATUS_LABELS["de"][s], "name_en": STATUS_LABELS["en"][s]}
                            for s in STATUSES],
    }
