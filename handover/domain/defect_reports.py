"""Defect reports (Mängelmelder) for the staff and other systems: the department's list with filters, a report
with photo, location and history, the status `neu → in Bearbeitung → erledigt | abgelehnt` with a public comment,
an e-mail to the citizen on each change (when they left an address), new reports from Open311 clients, photos
attached from the upload endpoint, and the public status by reference number.

Status keys: received (shown "neu"), in_progress, done, rejected. Reports stored by the bot's form before this
existed have no department or e-mail column yet: both are derived (category → department, contact → e-mail)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from handover.domain.agent_accounts import AgentInfo
from handover.domain.defect_report_categories import CATEGORIES, categories_of, category
from handover.domain.defect_report_photos import PhotoStore
from handover.domain.mail import Mailer, MailResult, OutgoingMail, email_address, render
from handover.domain.models.conversations import Conversation
from handover.domain.models.defect_report_history import DefectReportEvent, PhotoUpload
from handover.domain.models.services import DEFECT_REFERENCE_PREFIX, DefectReport, format_reference
from handover.domain.office_hours import OfficeHours
from handover.domain.routing import iso

STATUSES = ("received", "in_progress", "done", "rejected")
# What may follow what. A report can be closed at once (a quick fix, a duplicate) and reopened when it was wrong.
TRANSITIONS = {
    "received": ("in_progress", "done", "rejected"),
    "in_progress": ("done", "rejected"),
    "done": ("in_progress",),
    "rejected": ("in_progress",),
}
STATUS_LABELS = {
    "de": {"received": "neu", "in_progress": "in Bearbeitung", "done": "erledigt", "rejected": "abgelehnt"},
    "en": {"received": "new", "in_progress": "in progress", "done": "resolved", "rejected": "rejected"},
    "tr": {"received": "yeni", "in_progress": "işleniyor", "done": "giderildi", "rejected": "reddedildi"},
    "uk": {"received": "нове", "in_progress": "в роботі", "done": "усунено", "rejected": "відхилено"},
    "ar": {"received": "جديد", "in_progress": "قيد المعالجة", "done": "تم الإصلاح", "rejected": "مرفوض"},
}
MAX_COMMENT_CHARS = 2000


class ReportError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def aware(moment: datetime | None) -> datetime | None:
    """defect_reports keeps plain DateTime(timezone=True), which SQLite hands back without a zone (UTC)."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


def status_label(status: str, language: str | None = "de") -> str:
    return STATUS_LABELS.get(language, STATUS_LABELS["de"]).get(status, status)


def department_of(report: DefectReport) -> str:
    return report.department or category(report.category).department


def email_of(report: DefectReport) -> str | None:
    return report.email or email_address(report.contact)


def visible_clause(departments: set[str] | None):
    """SQL filter for the reports of these departments (None: all); rows without a department count by category."""
    if departments is None:
        return None
    return or_(
        DefectReport.department.in_(departments),
        and_(DefectReport.department.is_(None), DefectReport.category.in_(categories_of(departments))),
    )


def event_dict(event: DefectReportEvent) -> dict:
    return {
        "id": event.id,
        "status": event.status,
        "public_comment": event.public_comment,
        "author": {"id": event.agent_id, "display_name": event.author_name} if event.author_name else None,
        "source": event.source,
        "mail": {"status": event.mail_status, "error": event.mail_error} if event.mail_status else None,
        "created_at": iso(aware(event.created_at)),
    }


@dataclass
class DefectReportDesk:
    db: object  # handover.shell.database.Database
    mailer: Mailer
    office_hours: OfficeHours
    photos: PhotoStore
    city_name: str

    # --- shapes ---------------------------------------------------------------------------------------
    def report_dict(self, report: DefectReport, photo_ids: list[str] | None = None) -> dict:
        department = department_of(report)
        kind = category(report.category)
        return {
            "id": report.id,
            "reference": report.reference,
            "category": kind.key,
            "category_name": kind.name_de,
            "department": department,
            "department_name": self.office_hours.name(department),
            "status": report.status,
            "status_label": status_label(report.status),
            "next_statuses": list(TRANSITIONS.get(report.status, ())),
            "location": report.location,
            "latitude": report.latitude,
            "longitude": report.longitude,
            "description": report.description,
            "public_comment": report.public_comment,
            "has_email": email_of(report) is not None,
            "language": report.language,
            "source": report.source,
            "photos": [{"id": p, "url": f"/api/console/reports/{report.id}/photos/{p}"} for p in photo_ids or []],
            "media_url": report.media_url,
            "created_at": iso(aware(report.created_at)),
            "updated_at": iso(aware(report.updated_at or report.created_at)),
        }

    @staticmethod
    def photo_ids(session: Session, report_ids: list[int]) -> dict[int, list[str]]:
        result: dict[int, list[str]] = {}
        if report_ids:
            for upload in session.scalars(select(PhotoUpload).where(PhotoUpload.report_id.in_(report_ids))
                                          .order_by(PhotoUpload.created_at)):
                result.setdefault(upload.report_id, []).append(upload.id)
        return result

    def _load(self, session: Session, report_id: int, visible: set[str] | None) -> DefectReport:
        report = session.get(DefectReport, report_id)
        if report is None or (visible is not None and department_of(report) not in visible):
            raise ReportError(404, "Meldung nicht gefunden.")
        return report

    # --- reading ------------------------------------------------------------------------------------
    async def list(self, visible: set[str] | None, *, status: str | None = None, category_key: str | None = None,
                   department: str | None = None, limit: int = 200) -> list[dict]:
        if status and status not in STATUSES and status not in ("open", "closed", "all"):
            raise ReportError(422, "Unbekannter Status.")
        if category_key and category_key not in CATEGORIES:
            raise ReportError(422, "Unbekannte Kategorie.")

        def work(session: Session) -> list[dict]:
            query = select(DefectReport).order_by(DefectReport.created_at.desc(), DefectReport.id.desc())
            clause = visible_clause(visible)
            if clause is not None:
                query = query.where(clause)
            if department:
                query = query.where(visible_clause({department}))
            if status == "open":
                query = query.where(DefectReport.status.in_(("received", "in_progress")))
            elif status == "closed":
                query = query.where(DefectReport.status.in_(("done", "rejected")))
            elif status and status != "all":
                query = query.where(DefectReport.status == status)
            if category_key:
                query = query.where(DefectReport.category == category_key)
            reports = list(session.scalars(query.limit(max(1, min(limit, 1000)))))
            photos = self.photo_ids(session, [r.id for r in reports])
            return [self.report_dict(r, photos.get(r.id)) for r in reports]

        return await self.db.run(work)

    async def detail(self, report_id: int, visible: set[str] | None) -> dict:
        def work(session: Session) -> dict:
            report = self._load(session, report_id, visible)
            events = session.scalars(select(DefectReportEvent).where(DefectReportEvent.report_id == report.id)
                                     .order_by(DefectReportEvent.created_at, DefectReportEvent.id))
            return {
                **self.report_dict(report, self.photo_ids(session, [report.id]).get(report.id)),
                "history": [event_dict(e) for e in events],
                "mail": self.mailer.status(),
            }

        return await self.db.run(work)

    async def photo_path(self, report_id: int, photo_id: str, visible: set[str] | None):
        def work(session: Session):
            self._load(session, report_id, visible)
            upload = session.get(PhotoUpload, photo_id)
            return upload is not None and upload.report_id == report_id

        if not await self.db.run(work):
            raise ReportError(404, "Foto nicht gefunden.")
        path = self.photos.path(photo_id)
        if path is None:
            raise ReportError(404, "Foto nicht gefunden.")
        return path

    async def search(self, *, references: list[str] | None = None, categories: list[str] | None = None,
                     start: datetime | None = None, end: datetime | None = None,
                     statuses: list[str] | None = None, limit: int = 1000) -> list[dict]:
        """Reports by reference numbers, or by category, time span (of `created_at`) and status keys; newest
        first (the Open311 GET requests)."""
        def work(session: Session) -> list[dict]:
            query = select(DefectReport).order_by(DefectReport.created_at.desc(), DefectReport.id.desc())
            if references is not None:
                query = query.where(DefectReport.reference.in_([r.strip().upper() for r in references]))
            else:
                if categories:
                    query = query.where(DefectReport.category.in_(categories))
                if start is not None:
                    query = query.where(DefectReport.created_at >= start)
                if end is not None:
                    query = query.where(DefectReport.created_at <= end)
                if statuses:
                    query = query.where(DefectReport.status.in_(statuses))
            reports = list(session.scalars(query.limit(limit)))
            photos = self.photo_ids(session, [r.id for r in reports])
            return [self.report_dict(r, photos.get(r.id)) for r in reports]

        return await self.db.run(work)

    def photo_file(self, photo_id: str):
        """The stored photo of an upload that belongs to a report (Open311 `media_url`), else None."""
        return self.photos.path(photo_id)

    async def photo_of_a_report(self, photo_id: str) -> bool:
        return await self.db.run(lambda s: (upload := s.get(PhotoUpload, photo_id)) is not None
                                 and upload.report_id is not None)

    async def public_status(self, reference: str) -> dict | None:
        """What anyone with the reference number may know (the chat's status lookup): no personal data."""
        return await self.db.run(lambda session: public_status_of(session, reference, self.office_hours))

    # --- changing -----------------------------------------------------------------------------------
    async def change_status(self, report_id: int, visible: set[str] | None, agent: AgentInfo, status: str,
                            public_comment: str | None) -> dict:
        """One step of the status, with the public comment; the citizen gets an e-mail about it when they left an
        address. The e-mail's result is part of the answer and of the history."""
        comment = (public_comment or "").strip() or None
        if status not in STATUSES:
            raise ReportError(422, "Unbekannter Status.")
        if comment and len(comment) > MAX_COMMENT_CHARS:
            raise ReportError(422, f"Der Kommentar ist zu lang (höchstens {MAX_COMMENT_CHARS} Zeichen).")
        if status == "rejected" and not comment:
            raise ReportError(422, "Bitte begründen Sie die Ablehnung in einem öffentlichen Kommentar.")

        def work(session: Session):
            report = self._load(session, report_id, visible)
            if status not in TRANSITIONS.get(report.status, ()):
                raise ReportError(409, f"„{status_label(report.status)}“ kann nicht zu „{status_label(status)}“ "
                                       "wechseln.")
            now = now_utc()
            report.status = status
            report.public_comment = comment
            report.updated_at = now
            report.department = department_of(report)
            event = DefectReportEvent(report_id=report.id, status=status, public_comment=comment, agent_id=agent.id,
                                      author_name=agent.display_name, source="console", created_at=now)
            session.add(event)
            session.flush()
            return event.id, email_of(report), self._status_mail(report)

        event_id, address, mail = await self.db.run(work)
        result: MailResult | None = None
        if address is not None:
            result = await self.mailer.send(OutgoingMail(to=address, subject=mail[0], body=mail[1], automatic=True))

            def record(session: Session) -> None:
                event = session.get(DefectReportEvent, event_id)
                event.mail_status, event.mail_error = result.status, result.error

            await self.db.run(record)
        detail = await self.detail(report_id, visible)
        return {"report": detail, "mail": result.as_dict() if result else {"status": "no_address"}}

    def _status_mail(self, report: DefectReport) -> tuple[str, str]:
        kind = category(report.category)
        return render(
            "defect_status", report.language, reference=report.reference, category=kind.name(report.language),
            location=report.location, status=status_label(report.status, report.language),
            comment=report.public_comment, department=self.office_hours.name(department_of(report)),
            city=self.city_name,
        )

    async def create(self, *, category_key: str, description: str, location: str, latitude: float | None = None,
                     longitude: float | None = None, email: str | None = None, name: str | None = None,
                     phone: str | None = None, media_url: str | None = None, language: str = "de",
                     source: str = "open311", conversation_id: str | None = None) -> dict:
        """A new report from outside the chat form (Open311 clients): numbered like the chat's, filed under
        the category's department, with its first history entry."""
        kind = category(category_key)

        def work(session: Session) -> dict:
            now = now_utc()
            report = DefectReport(
                category=kind.key, location=location, description=description,
                contact=email or phone or None, email=email_address(email), name=name, latitude=latitude,
                longitude=longitude, media_url=media_url, conversation_id=conversation_id, language=language,
                status="received", department=kind.department, source=source, created_at=now, updated_at=now,
            )
            session.add(report)
            session.flush()
            report.reference = format_reference(DEFECT_REFERENCE_PREFIX, now.year, report.id)
            session.add(DefectReportEvent(report_id=report.id, status="received", source=source, created_at=now))
            session.flush()
            return self.report_dict(report)

        return await self.db.run(work)

    # --- photos -------------------------------------------------------------------------------------
    async def store_upload(self, conversation_id: str | None, data: bytes) -> dict:
        """Cleans and stores an uploaded photo (PhotoError for what we do not take); the report form attaches it
        later by its id."""
        # Decoding and re-encoding a 12-megapixel photo takes a while: not on the event loop.
        photo_id, photo = await asyncio.to_thread(self.photos.save, data)

        def work(session: Session) -> None:
            known = conversation_id and session.get(Conversation, conversation_id) is not None
            session.add(PhotoUpload(id=photo_id, conversation_id=conversation_id if known else None,
                                    file_name=f"{photo_id}.jpg", size_bytes=len(photo.data), width=photo.width,
                                    height=photo.height, created_at=now_utc()))

        try:
            await self.db.run(work)
        except Exception:
            self.photos.delete(photo_id)
            raise
        return {"upload_id": photo_id, "width": photo.width, "height": photo.height, "bytes": len(photo.data),
                "metadata_removed": True}


def record_chat_report(session: Session, *, category_key: str, location: str, description: str,
                       contact: str | None, conversation_id: str | None, language: str,
                       latitude: float | None = None, longitude: float | None = None,
                       upload_id: str | None = None) -> DefectReport:
    """A report from the chat's form, in the caller's transaction (the bot's form action): numbered, filed under
    its category's department, the e-mail address kept for status updates, coordinates and an uploaded photo of
    the same conversation attached, and the first history entry."""
    kind = category(category_key)
    now = now_utc()
    report = DefectReport(
        category=kind.key, location=location, description=description, contact=contact or None,
        email=email_address(contact), conversation_id=conversation_id, language=language, status="received",
        department=kind.department, latitude=latitude, longitude=longitude, source="chat", created_at=now,
        updated_at=now,
    )
    session.add(report)
    session.flush()  # the id the reference number is made from
    report.reference = format_reference(DEFECT_REFERENCE_PREFIX, now.year, report.id)
    session.add(DefectReportEvent(report_id=report.id, status="received", source="chat", created_at=now))
    if upload_id:
        attach_upload(session, report.id, upload_id, conversation_id)
    session.flush()
    return report


def public_status_of(session: Session, reference: str, office_hours: OfficeHours) -> dict | None:
    """The status of a report by its reference number, as anyone holding the number may see it: no contact
    details, no description, no photo. Labels in German and English."""
    report = session.scalar(select(DefectReport).where(DefectReport.reference == reference.strip().upper()))
    if report is None:
        return None
    kind = category(report.category)
    return {
        "reference": report.reference,
        "category": kind.key,
        "category_name": {"de": kind.name_de, "en": kind.name_en},
        "department_name": office_hours.name(department_of(report)),
        "status": report.status,
        "status_label": {language: status_label(report.status, language) for language in ("de", "en")},
        "public_comment": report.public_comment,
        "created_at": iso(aware(report.created_at)),
        "updated_at": iso(aware(report.updated_at or report.created_at)),
    }


def attach_upload(session: Session, report_id: int, upload_id: str, conversation_id: str | None) -> bool:
    """Links an uploaded photo to a report, in the caller's transaction (the bot's form stores the report and
    attaches its photo together). Only a photo uploaded in the same conversation and not attached yet."""
    upload = session.get(PhotoUpload, upload_id)
    if upload is None or upload.report_id is not None or upload.conversation_id != conversation_id:
        return False
    upload.report_id = report_id
    return True


UNATTACHED_UPLOAD_HOURS = 24


def purge(session: Session, photos: PhotoStore, retention_days: int) -> dict:
    """Data retention (`buergerbot conversations purge`): photos never attached to a report go after a day; closed
    reports older than the retention period keep what the public may know (category, place, status, comment)
    but lose the reporter's contact details and their photos. Returns counts."""
    from datetime import timedelta

    now = now_utc()
    photo_ids: list[str] = []
    stale = session.scalars(select(PhotoUpload).where(
        PhotoUpload.report_id.is_(None), PhotoUpload.created_at < now - timedelta(hours=UNATTACHED_UPLOAD_HOURS)))
    for upload in stale:
        photo_ids.append(upload.id)
        session.delete(upload)
    cutoff = now - timedelta(days=retention_days)
    reports = 0
    for report in session.scalars(select(DefectReport).where(
            DefectReport.status.in_(("done", "rejected")), DefectReport.updated_at < cutoff,
            or_(DefectReport.contact.is_not(None), DefectReport.email.is_not(None), DefectReport.name.is_not(None)))):
        report.contact = report.email = report.name = None
        reports += 1
        for upload in session.scalars(select(PhotoUpload).where(PhotoUpload.report_id == report.id)):
            photo_ids.append(upload.id)
            session.delete(upload)
    session.flush()
    for photo_id in photo_ids:  # after the rows: a file without a row is never served
        photos.delete(photo_id)
    return {"photos": len(photo_ids), "reports": reports}
