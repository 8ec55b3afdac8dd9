"""Insights HTTP: the reports page (/console/insights), the reports and knowledge gaps as JSON and CSV, and the
editors' marks on gap clusters (docs/insights.md).

Access by role (handover/domain/insights/catalog.py): supervisors and admins see every report, editors only
the knowledge insights (articles, gaps), agents none. The reports run in a worker thread with a session of
their own, so the serialized SQLite writer of the conversations is never held up by a report."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from handover.domain.agent_accounts import SESSION_COOKIE, Authenticator, SessionInfo, csrf_matches
from handover.domain.insights import catalog, gaps as gap_clusters
from handover.domain.insights.filters import FilterError, Filters
from handover.domain.models.analytics import ConversationFacts
from handover.web.deps import KnowledgeDep, SettingsDep
from handover.web.pages import STATIC_DIR

router = APIRouter(tags=["insights"])
PAGE = STATIC_DIR / "console" / "insights.html"


def _runtime(request: Request):
    return request.app.state.handover


async def _session(request: Request) -> SessionInfo | None:
    token = request.cookies.get(SESSION_COOKIE)
    return await _runtime(request).db.run(lambda s: Authenticator.resolve(s, token))


async def require_insights(request: Request) -> SessionInfo:
    info = await _session(request)
    if info is None:
        raise HTTPException(status_code=401, detail="Bitte melden Sie sich an.")
    if not catalog.allowed(info.agent.role):
        raise HTTPException(status_code=403, detail="Die Auswertungen sehen Teamleitungen und Redaktion.")
    return info


InsightsDep = Annotated[SessionInfo, Depends(require_insights)]


def _may(info: SessionInfo, report: str) -> None:
    if report not in catalog.TITLES:
        raise HTTPException(status_code=404, detail="Diese Auswertung gibt es nicht.")
    if report not in catalog.allowed(info.agent.role):
        raise HTTPException(status_code=403, detail="Diese Auswertung ist für Ihre Rolle nicht freigegeben.")


class FilterParams(BaseModel):
    start: str | None = Field(None, alias="from")
    end: str | None = Field(None, alias="to")
    since: str | None = None
    department: str | None = None
    lebenslage: str | None = None
    language: str | None = None


def _filters(request: Request, params: FilterParams) -> Filters:
    try:
        return Filters.build(tz=_runtime(request).routing.office_hours.tz, start=params.start, end=params.end,
                             since=params.since, department=params.department, lebenslage=params.lebenslage,
                             language=params.language)
    except FilterError as error:
        raise HTTPException(status_code=422, detail=str(error)) from None


def _params(
    start: Annotated[
        str | None, Query(alias="from", max_length=10, description="First local day (YYYY-MM-DD).")
    ] = None,
    end: Annotated[str | None, Query(alias="to", max_length=10, description="Last local day (YYYY-MM-DD).")] = None,
    since: Annotated[str | None, Query(max_length=8, description="Instead of from: 30d, 8w, 6m.")] = None,
    department: Annotated[str | None, Query(max_length=64)] = None,
    lebenslage: Annotated[str | None, Query(max_length=120)] = None,
    language: Annotated[str | None, Query(max_length=5)] = None,
) -> FilterParams:
    return FilterParams.model_validate({"from": start, "to": end, "since": since, "department": department,
                                        "lebenslage": lebenslage, "language": language})


ParamsDep = Annotated[FilterParams, Depends(_params)]


def _sources(request: Request, settings, knowledge) -> catalog.Sources:
    office_hours = _runtime(request).routing.office_hours
    return catalog.Sources(
        tz=office_hours.tz,
        department_names={key: office_hours.name(key) for key in office_hours.departments},
        articles=knowledge.articles,
        stale_months=settings.insights_stale_months,
    )


async def _in_thread(request: Request, work):
    return await asyncio.to_thread(_runtime(request).db.run_sync, work)


def _csv(text: str, name: str) -> Response:
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"',
                             "Cache-Control": "no-store"})


# --- the page ------------------------------------------------------------------------------------
@router.get("/console/insights", include_in_schema=False)
async def insights_page(request: Request) -> Response:
    info = await _session(request)
    if info is None:
        return RedirectResponse("/console/login", status_code=303)
    if not catalog.allowed(info.agent.role):
        return RedirectResponse("/console", status_code=303)
    return FileResponse(PAGE, media_type="text/html", headers={"Cache-Control": "no-store"})


# --- API -----------------------------------------------------------------------------------------
@router.get("/api/insights/meta", summary="What the signed-in person may see, and the filter choices")
async def meta(request: Request, info: InsightsDep, knowledge: KnowledgeDep) -> dict:
    office_hours = _runtime(request).routing.office_hours
    languages = await _in_thread(request, lambda s: sorted(
        {"de", "en"} | {code for code in s.scalars(select(ConversationFacts.language).distinct()) if code}))
    life_events = sorted({event for article in knowledge.articles() for event in article.lebenslagen})
    today = datetime.now(timezone.utc).astimezone(office_hours.tz).date()
    default = Filters.build(tz=office_hours.tz)
    return {
        "role": info.agent.role,
        "reports": [{"id": report, "title": catalog.TITLES[report]} for report in catalog.allowed(info.agent.role)],
        "departments": [{"key": key, "name": office_hours.name(key)} for key in office_hours.departments],
        "lebenslagen": life_events,
        "languages": languages,
        "today": today.isoformat(),
        "default": {"from": default.start.isoformat(), "to": default.end.isoformat()},
    }


@router.get("/api/insights/reports/{report}", summary="The tables of one report")
async def report(request: Request, report: str, info: InsightsDep, params: ParamsDep, settings: SettingsDep,
                 knowledge: KnowledgeDep) -> dict:
    _may(info, report)
    if report == "gaps":
        raise HTTPException(status_code=404, detail="Wissenslücken: /api/insights/gaps.")
    filters = _filters(request, params)
    sources = _sources(request, settings, knowledge)
    tables = await _in_thread(request, lambda s: catalog.build(report, s, filters, sources))
    return {"report": report, "title": catalog.TITLES[report], "filters": filters.as_dict(),
            "tables": [t.as_dict() for t in tables]}


@router.get("/api/insights/reports/{report}/{table_id}.csv", summary="One table of a report as CSV")
async def report_csv(request: Request, report: str, table_id: str, info: InsightsDep, params: ParamsDep,
                     settings: SettingsDep, knowledge: KnowledgeDep) -> Response:
    _may(info, report)
    filters = _filters(request, params)
    if report == "gaps":
        result = await _gaps(request, filters, settings, knowledge)
        tables = [gap_clusters.table(result)]
    else:
        sources = _sources(request, settings, knowledge)
        tables = await _in_thread(request, lambda s: catalog.build(report, s, filters, sources))
    table = next((t for t in tables if t.id == table_id), None)
    if table is None:
        raise HTTPException(status_code=404, detail="Diese Tabelle gibt es in der Auswertung nicht.")
    return _csv(table.csv(), f"{table_id}_{filters.start.isoformat()}_{filters.end.isoformat()}")


# New questions embedded within one view at most (about ten seconds on two cores); the rest in the background.
EMBED_BUDGET = 600


async def _gaps(request: Request, filters: Filters, settings, knowledge) -> dict:
    result = await _in_thread(request, lambda s: gap_clusters.gaps(
        s, filters, knowledge, threshold=settings.insights_cluster_similarity, limit=settings.insights_gap_limit,
        embed_budget=EMBED_BUDGET))
    if result["pending"]:
        runtime = _runtime(request)
        runtime.conversations.tasks.spawn(asyncio.to_thread(
            gap_clusters.warm_vectors, runtime.db.run_sync, filters, knowledge, settings.insights_gap_limit))
    return result


@router.get("/api/insights/gaps", summary="Knowledge gaps: unanswered questions clustered by meaning")
async def knowledge_gaps(request: Request, info: InsightsDep, params: ParamsDep, settings: SettingsDep,
                         knowledge: KnowledgeDep) -> dict:
    _may(info, "gaps")
    result = await _gaps(request, _filters(request, params), settings, knowledge)
    return {**gap_clusters.public(result), "table": gap_clusters.table(result).as_dict()}


class MarkIn(BaseModel):
    key: str = Field(min_length=1, max_length=64)
    status: str = Field(pattern="^(new_article|out_of_scope|clear)$")


@router.post("/api/insights/gaps/marks", summary="Mark a gap cluster: new article needed, out of scope, or clear")
async def mark_gap(request: Request, body: MarkIn, info: InsightsDep, params: ParamsDep, settings: SettingsDep,
                   knowledge: KnowledgeDep) -> dict:
    _may(info, "gaps")
    if not csrf_matches(info.csrf_token, request.headers.get("x-csrf-token")):
        raise HTTPException(status_code=403, detail="Sicherheitsprüfung fehlgeschlagen (CSRF). Bitte laden Sie die "
                            "Seite neu.")
    filters = _filters(request, params)

    def work(session):
        result = gap_clusters.gaps(session, filters, knowledge, threshold=settings.insights_cluster_similarity,
                                   limit=settings.insights_gap_limit, embed_budget=EMBED_BUDGET)
        try:
            return gap_clusters.mark(session, result, body.key, body.status, info.agent.display_name)
        except LookupError as error:
            raise HTTPException(status_code=409, detail=str(error)) from None

    return await _in_thread(request, work)
