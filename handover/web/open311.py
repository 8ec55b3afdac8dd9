"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2/), JSON format, so defect reports can flow into
the systems cities already run (FixMyStreet, Mark-a-Spot, back-office CRMs) and reports from them into the
departments' "Meldungen" view.

    GET  /open311/v2/discovery.json
    GET  /open311/v2/services.json                 the defect categories (service_code = category key)
    GET  /open311/v2/services/{service_code}.json  their definition (no extra attributes)
    POST /open311/v2/requests.json                 a new report (form-encoded, `api_key` required)
    GET  /open311/v2/requests.json                 reports: service_request_id, service_code, start_date,
                                                   end_date, status (open, closed); last 90 days, ≤ 1000
    GET  /open311/v2/requests/{service_request_id}.json

`service_request_id` is the reference number (MM-2026-000042). Personal data (name, e-mail, phone) never
leaves through this API. Without an API key, GET leaves out `description` and `media_url` too: citizens who
reported in the chat were not told their words would be public. Errors are `[{"code": …, "description": …}]`
with the same HTTP status, as the specification asks. Field names are the specification's; the mapping from
our reports is `request_dict` below. README "Open311 API" documents it for other clients."""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse

from handover.domain.defect_report_categories import CATEGORIES
from handover.domain.defect_reports import DefectReportDesk
from handover.domain.mail import email_address
from handover.shell.settings import Settings

router = APIRouter(prefix="/open311/v2", tags=["open311"])
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-30T00:00:00Z"
MAX_RESULTS = 1000
MAX_SPAN = timedelta(days=90)
MAX_DESCRIPTION = 4000
OPEN = {"received", "in_progress"}
CLOSED = {"done", "rejected"}


class Open311Error(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def error_response(error: Open311Error) -> JSONResponse:
    return JSONResponse([{"code": error.code, "description": error.description}], status_code=error.code)


def _desk(request: Request) -> DefectReportDesk:
    return request.app.state.handover.reports


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def key_valid(settings: Settings, given: str | None) -> bool:
    keys = [k.strip() for k in settings.open311_api_keys.get_secret_value().split(",") if k.strip()]
    return bool(given) and any(hmac.compare_digest(given.encode(), key.encode()) for key in keys)


def check_jurisdiction(settings: Settings, jurisdiction_id: str | None) -> None:
    if jurisdiction_id and jurisdiction_id != settings.open311_jurisdiction_id:
        raise Open311Error(404, f"jurisdiction_id not found: {jurisdiction_id}")


def w3(iso: str | None) -> str | None:
    """Our ISO times (with microseconds) as the specification's w3 format, 2010-01-01T00:00:00Z."""
    if not iso:
        return None
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(timezone.utc)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_w3(value: str, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{name} must be a w3 datetime such as 2026-01-01T00:00:00Z") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def service_dict(key: str) -> dict:
    c = CATEGORIES[key]
    return {
        "service_code": c.key,
        "service_name": c.name_de,
        "description": c.description,
        "metadata": False,
        "type": "realtime",
        "keywords": ",".join(c.keywords),
        "group": c.group,
    }


def request_dict(report: dict, *, trusted: bool, public_url: str) -> dict:
    """One of our reports as a GeoReport v2 service request."""
    photos = report.get("photos") or []
    media_url = report.get("media_url")
    if photos:
        media_url = f"{public_url.rstrip('/')}/open311/v2/media/{photos[0]['id']}.jpg"
    return {
        "service_request_id": report["reference"],
        "status": "closed" if report["status"] in CLOSED else "open",
        "status_notes": report.get("public_comment"),
        "service_name": report["category_name"],
        "service_code": report["category"],
        "description": report["description"] if trusted else None,
        "agency_responsible": report["department_name"],
        "service_notice": None,
        "requested_datetime": w3(report["created_at"]),
        "updated_datetime": w3(report["updated_at"]),
        "expected_datetime": None,
        "address": report["location"],
        "address_id": None,
        "zipcode": None,
        "lat": report["latitude"],
        "long": report["longitude"],
        "media_url": media_url if trusted else None,
    }


@router.get("/discovery.json")
async def discovery(request: Request) -> dict:
    settings = _settings(request)
    return {
        "changeset": CHANGESET,
        "contact": f"Stadt {settings.city_name}",
        "key_service": "API-Schlüssel vergibt die Stadtverwaltung (BUERGERBOT_OPEN311_API_KEYS).",
        "endpoints": [{"specification": SPECIFICATION, "url": f"{settings.public_url.rstrip('/')}/open311/v2",
                       "changeset": CHANGESET, "type": "production", "formats": ["application/json"]}],
    }


@router.get("/services.json")
async def services(request: Request, jurisdiction_id: str | None = None):
    try:
        check_jurisdiction(_settings(request), jurisdiction_id)
    except Open311Error as error:
        return error_response(error)
    return [service_dict(key) for key in CATEGORIES]


@router.get("/services/{service_code}.json")
async def service_definition(request: Request, service_code: str, jurisdiction_id: str | None = None):
    try:
        check_jurisdiction(_settings(request), jurisdiction_id)
        if service_code not in CATEGORIES:
            raise Open311Error(404, f"service_code not found: {service_code}")
    except Open311Error as error:
        return error_response(error)
    return {"service_code": service_code, "attributes": []}


def _float(value: str | None, name: str, bound: float) -> float | None:
    if value is None or not value.strip():
        return None
    try:
        number = float(value)
    except ValueError:
        raise Open311Error(400, f"{name} must be a number (WGS84)") from None
    if not -bound <= number <= bound:
        raise Open311Error(400, f"{name} is out of range")
    return number


@router.post("/requests.json")
async def create_request(request: Request):
    settings = _settings(request)
    form = await request.form()
    values = {**dict(request.query_params), **{k: v for k, v in form.items() if isinstance(v, str)}}

    def text(name: str, limit: int = 200) -> str | None:
        value = (values.get(name) or "").strip()
        if len(value) > limit:
            raise Open311Error(400, f"{name} is too long (at most {limit} characters)")
        return value or None

    try:
        if not key_valid(settings, values.get("api_key")):
            raise Open311Error(403, "api_key missing or not valid")
        check_jurisdiction(settings, values.get("jurisdiction_id"))
        code = text("service_code", 40)
        if code is None:
            raise Open311Error(400, "service_code was not provided")
        if code not in CATEGORIES:
            raise Open311Error(404, f"service_code not found: {code}")
        lat, long = _float(values.get("lat"), "lat", 90), _float(values.get("long"), "long", 180)
        if (lat is None) != (long is None):
            raise Open311Error(400, "lat and long must be sent together")
        address = text("address_string", 300)
        address_id = text("address_id", 100)
        if lat is None and address is None and address_id is None:
            raise Open311Error(400, "a location is required: lat and long, address_string or address_id")
        description = text("description", MAX_DESCRIPTION) or ""
        email = text("email")
        if email is not None and email_address(email) is None:
            raise Open311Error(400, "email is not a valid e-mail address")
        media_url = text("media_url", 500)
        if media_url is not None and urlsplit(media_url).scheme not in ("http", "https"):
            raise Open311Error(400, "media_url must be an http(s) URL")
        name = " ".join(part for part in (text("first_name", 100), text("last_name", 100)) if part) or None
        phone = text("phone", 40)
        location = address or (f"Adress-ID {address_id}" if address_id else f"{lat:.6f}, {long:.6f}")
    except Open311Error as error:
        return error_response(error)
    report = await _desk(request).create(
        category_key=code, description=description, location=location, latitude=lat, longitude=long,
        email=email, name=name, phone=phone, media_url=media_url, source="open311",
    )
    return [{
        "service_request_id": report["reference"],
        "service_notice": f"Ihre Meldung ist beim Team „{report['department_name']}“ eingegangen.",
        "account_id": None,
    }]


@router.get("/requests.json")
async def list_requests(request: Request, service_request_id: str | None = None, service_code: str | None = None,
                        start_date: str | None = None, end_date: str | None = None, status: str | None = None,
                        jurisdiction_id: str | None = None, api_key: str | None = None):
    settings = _settings(request)
    try:
        check_jurisdiction(settings, jurisdiction_id)
        trusted = key_valid(settings, api_key)
        if service_request_id:  # overrides all other arguments
            ids = [part for part in service_request_id.split(",") if part.strip()][:MAX_RESULTS]
            reports = await _desk(request).search(references=ids)
        else:
            codes = [c.strip() for c in (service_code or "").split(",") if c.strip()]
            unknown = [c for c in codes if c not in CATEGORIES]
            if unknown:
                raise Open311Error(404, f"service_code not found: {', '.join(unknown)}")
            statuses: set[str] = set()
            for part in (status or "").split(","):
                part = part.strip().lower()
                if part == "open":
                    statuses |= OPEN
                elif part == "closed":
                    statuses |= CLOSED
                elif part:
                    raise Open311Error(400, "status must be open or closed")
            now = datetime.now(timezone.utc)
            end = parse_w3(end_date, "end_date") if end_date else None
            start = parse_w3(start_date, "start_date") if start_date else None
            if start is None:
                start = (end or now) - MAX_SPAN
            if end is None:
                end = min(start + MAX_SPAN, now) if start_date else now
            if end < start:
                raise Open311Error(400, "end_date is before start_date")
            if end - start > MAX_SPAN:
                raise Open311Error(400, "start_date and end_date may not span more than 90 days")
            reports = await _desk(request).search(categories=codes or None, start=start, end=end,
                                                  statuses=sorted(statuses) or None, limit=MAX_RESULTS)
    except Open311Error as error:
        return error_response(error)
    return [request_dict(r, trusted=trusted, public_url=settings.public_url) for r in reports]


@router.get("/requests/{service_request_id}.json")
async def get_request(request: Request, service_request_id: str, jurisdiction_id: str | None = None,
                      api_key: str | None = None):
    settings = _settings(request)
    try:
        check_jurisdiction(settings, jurisdiction_id)
        reports = await _desk(request).search(references=[service_request_id])
        if not reports:
            raise Open311Error(404, f"service_request_id not found: {service_request_id}")
    except Open311Error as error:
        return error_response(error)
    return [request_dict(reports[0], trusted=key_valid(settings, api_key), public_url=settings.public_url)]


@router.get("/media/{photo_id}.jpg", include_in_schema=False)
async def media(request: Request, photo_id: str):
    """A report's photo, under the unguessable id that only the keyed `media_url` names."""
    desk = _desk(request)
    path = desk.photo_file(photo_id)
    if path is None or not await desk.photo_of_a_report(photo_id):
        return error_response(Open311Error(404, "media not found"))
    return FileResponse(path, media_type="image/jpeg", headers={"Cache-Control": "private, no-store"})
