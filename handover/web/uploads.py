"""`POST /api/uploads/photo`: the widget uploads a defect report photo before the form is sent. The body is the
image itself (JPEG, PNG or HEIC; `Content-Type` image/*), the conversation's token in `X-Conversation-Token`.
The photo is stored without any metadata (handover/domain/defect_report_photos.py); the answer's `upload_id`
is what the report form later attaches. Cross-origin from the widget sites in BUERGERBOT_WIDGET_ORIGINS."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select

from handover.domain.conversations.citizen_turns import token_hash
from handover.domain.defect_report_photos import PhotoError
from handover.domain.models.conversations import Conversation
from handover.web.origins import origin_allowed

router = APIRouter(tags=["citizen"])
PATH = "/api/uploads/photo"


def _cors(request: Request) -> dict[str, str]:
    origin = request.headers.get("origin")
    if origin is None or not origin_allowed(origin, request.app.state.settings, widget=True,
                                            request_host=request.headers.get("host")):
        return {}
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}


def _error(request: Request, status: int, message: str) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=status, headers=_cors(request))


@router.options(PATH, include_in_schema=False)
async def preflight(request: Request) -> Response:
    headers = _cors(request)
    if headers:
        headers.update({"Access-Control-Allow-Methods": "POST",
                        "Access-Control-Allow-Headers": "Content-Type, X-Conversation-Token",
                        "Access-Control-Max-Age": "600"})
    return Response(status_code=204 if headers else 403, headers=headers)


@router.post(PATH)
async def upload_photo(request: Request) -> Response:
    runtime = request.app.state.handover
    settings = runtime.settings
    if request.headers.get("origin") and not _cors(request):
        return _error(request, 403, "Hochladen von dieser Seite aus nicht erlaubt.")
    token = request.headers.get("x-conversation-token", "")
    conversation_id = await runtime.db.run(lambda s: s.scalar(
        select(Conversation.id).where(Conversation.token_hash == token_hash(token)))) if token else None
    if conversation_id is None:
        return _error(request, 401, "Bitte starten Sie zuerst den Chat.")
    if not runtime.conversations.rate_limiter.allow(conversation_id):
        return _error(request, 429, "Zu viele Versuche. Bitte warten Sie einen Moment.")
    declared = request.headers.get("content-length")
    limit = settings.upload_max_bytes
    too_large = f"Das Foto ist zu groß (höchstens {limit // 1_000_000} MB)."
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return _error(request, 413, too_large)
    # Read no more than the limit, whatever the client declared (or did not).
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            return _error(request, 413, too_large)
    if not body:
        return _error(request, 400, "Es wurde kein Foto gesendet.")
    try:
        stored = await runtime.reports.store_upload(conversation_id, bytes(body))
    except PhotoError as error:
        return _error(request, error.status, error.message)
    return JSONResponse(stored, status_code=201, headers=_cors(request))
