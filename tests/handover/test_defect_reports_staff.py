"""Mängelmelder, staff side, over the real app (SQLite, and PostgreSQL with Redis) and a real SMTP server: the
photo upload (EXIF and GPS gone from the stored file, HEIC to JPEG, size limit, token), the "Meldungen" view's
API per department with filters, photo and history, the status neu → in Bearbeitung → erledigt | abgelehnt with
a public comment, and the e-mail the citizen gets on each change."""

from __future__ import annotations

import io
import uuid

import httpx
import pillow_heif
from PIL import Image

from bot.actions.service_records import save_defect_report
from handover.domain.defect_reports import attach_upload
from handover.domain.models.defect_report_history import PhotoUpload
from handover.domain.models.services import DefectReport
from tests.handover.conftest import AgentConsole, Citizen


def photo_with_gps(size=(1600, 1200)) -> bytes:
    """A camera-like JPEG: EXIF with maker, serial, time, orientation and a GPS position."""
    image = Image.new("RGB", size, (90, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "Musterkamera"  # Make
    exif[0xA431] = "SN-123456"  # BodySerialNumber
    exif[0x0132] = "2026:11:30 08:15:00"  # DateTime
    exif[0x0112] = 6  # Orientation: rotated, so the stored photo must come out upright (portrait)
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 12.5), 3: "E", 4: (13.0, 24.0, 36.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), comment=b"Aufgenommen vor Haus 12")
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)[2] == (52.0, 31.0, 12.5)
    return data


def heic_photo() -> bytes:
    out = io.BytesIO()
    pillow_heif.from_pillow(Image.new("RGB", (640, 480), (20, 160, 60))).save(out, quality=70)
    return out.getvalue()


async def upload(server, token: str | None, data: bytes, content_type: str = "image/jpeg") -> httpx.Response:
    headers = {"Content-Type": content_type, "Origin": "https://www.musterstadt.example"}
    if token:
        headers["X-Conversation-Token"] = token
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as client:
        return await client.post("/api/uploads/photo", content=data, headers=headers)


def chat_report(server, *, category: str, location: str, description: str, contact: str | None,
                conversation_id: str | None = None) -> str:
    """A report as the bot's form stores it (bot/actions/service_records.py)."""
    return save_defect_report(server.db.sessions, category=category, location=location, description=description,
                              contact=contact, conversation_id=conversation_id, language="de")


def console_client(server, console: AgentConsole) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=server.base, cookies={"bb_session": console.cookie},
                             headers={"X-CSRF-Token": console.csrf}, timeout=30)


async def test_photo_upload_strips_metadata_and_checks_what_it_takes(staff_server):
    server = staff_server
    citizen = await Citizen.connect(server)
    response = await upload(server, citizen.token, photo_with_gps())
    assert response.status_code == 201, response.text
    stored = response.json()
    assert stored["metadata_removed"] is True and (stored["width"], stored["height"]) == (1200, 1600)
    assert response.headers["access-control-allow-origin"] == "https://www.musterstadt.example"
    path = server.settings.resolved_uploads_dir / "photos" / f"{stored['upload_id']}.jpg"
    raw = path.read_bytes()
    with Image.open(io.BytesIO(raw)) as image:
        assert image.format == "JPEG" and image.size == (1200, 1600)  # turned upright by the orientation
        assert dict(image.getexif()) == {} and image.getexif().get_ifd(0x8825) == {}
        assert not {"exif", "xmp", "icc_profile", "comment"} & set(image.info)
    assert b"Exif" not in raw and b"Musterkamera" not in raw and b"SN-123456" not in raw
    assert b"Aufgenommen vor Haus 12" not in raw
    row = server.db.run_sync(lambda s: s.get(PhotoUpload, stored["upload_id"]))
    assert row.conversation_id == citizen.welcome["conversation_id"] and row.report_id is None

    heic = await upload(server, citizen.token, heic_photo(), "image/heic")
    assert heic.status_code == 201, heic.text
    heic_path = server.settings.resolved_uploads_dir / "photos" / f"{heic.json()['upload_id']}.jpg"
    assert heic_path.read_bytes()[:3] == b"\xff\xd8\xff"  # stored as JPEG

    assert (await upload(server, None, photo_with_gps())).status_code == 401  # no conversation, no upload
    assert (await upload(server, "erfunden", photo_with_gps())).status_code == 401
    not_a_photo = await upload(server, citizen.token, b"%PDF-1.7 kein Foto", "image/jpeg")
    assert not_a_photo.status_code == 415 and "JPEG, PNG oder HEIC" in not_a_photo.json()["detail"]
    too_large = await upload(server, citizen.token, b"\xff\xd8\xff" + b"0" * (server.settings.upload_max_bytes + 1))
    assert too_large.status_code == 413 and "zu groß" in too_large.json()["detail"]
    broken = await upload(server, citizen.token, b"\xff\xd8\xff\xe0" + b"\x00" * 100)
    assert broken.status_code == 415
    async with httpx.AsyncClient(base_url=server.base) as client:
        preflight = await client.options("/api/uploads/photo", headers={
            "Origin": "https://www.musterstadt.example", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-conversation-token"})
        assert preflight.status_code == 204 and "X-Conversation-Token" in preflight.headers[
            "access-control-allow-headers"]
        evil = await client.post("/api/uploads/photo", content=photo_with_gps(), headers={
            "Origin": "https://evil.example", "X-Conversation-Token": citizen.token})
        assert evil.status_code == 403
    await citizen.close()


async def test_meldungen_per_department_status_comment_and_email(staff_server, smtp):
    server = staff_server
    address = f"melderin-{uuid.uuid4().hex[:8]}@example.de"
    citizen = await Citizen.connect(server)
    conversation_id = citizen.welcome["conversation_id"]
    street = f"Lindenweg {uuid.uuid4().hex[:4]}"
    reference = chat_report(server, category="beleuchtung", location=street, description="Die Laterne ist dunkel.",
                            contact=address, conversation_id=conversation_id)
    silent = chat_report(server, category="beleuchtung", location=f"{street}a", description="Flackert.",
                         contact="01234 555")
    litter = chat_report(server, category="muell", location=f"{street}b", description="Sperrmüll am Gehweg.",
                         contact=None)
    uploaded = (await upload(server, citizen.token, photo_with_gps())).json()["upload_id"]
    report_id = server.db.run_sync(lambda s: s.query(DefectReport).filter_by(reference=reference).one().id)
    attached = server.db.run_sync(lambda s: attach_upload(s, report_id, uploaded, conversation_id))
    assert attached is True
    # someone else's conversation cannot attach it again
    assert server.db.run_sync(lambda s: attach_upload(s, report_id, uploaded, "fremd")) is False

    tiefbau = await AgentConsole.connect(server, server.add_agent(departments=("tiefbau",)))
    abfall = await AgentConsole.connect(server, server.add_agent(departments=("abfall",)))
    async with console_client(server, tiefbau) as client, console_client(server, abfall) as other:
        listed = (await client.get("/api/console/reports", params={"status": "received"})).json()
        references = [r["reference"] for r in listed]
        assert reference in references and silent in references and litter not in references
        entry = next(r for r in listed if r["reference"] == reference)
        assert entry["department"] == "tiefbau" and entry["department_name"] == "Tiefbau und Straßen"
        assert entry["category_name"] == "Straßenbeleuchtung" and entry["status_label"] == "neu"
        assert entry["has_email"] is True and len(entry["photos"]) == 1
        assert entry["next_statuses"] == ["in_progress", "done", "rejected"]
        by_category = (await client.get("/api/console/reports", params={"status": "all", "category": "muell"})).json()
        assert by_category == []  # litter belongs to Abfallwirtschaft, not visible here
        assert litter in [r["reference"] for r in (await other.get("/api/console/reports")).json()]
        assert (await other.get(f"/api/console/reports/{entry['id']}")).status_code == 404
        assert (await client.get("/api/console/reports", params={"status": "kaputt"})).status_code == 422

        photo = await client.get(entry["photos"][0]["url"])
        assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
        assert "no-store" in photo.headers["cache-control"] and photo.content[:3] == b"\xff\xd8\xff"
        assert (await other.get(entry["photos"][0]["url"])).status_code == 404

        step = await client.post(f"/api/console/reports/{entry['id']}/status",
                                 json={"status": "in_progress", "public_comment": "Ein Team ist unterwegs."})
        assert step.status_code == 200, step.text
        assert step.json()["mail"]["status"] == "sent" and step.json()["report"]["status_label"] == "in Bearbeitung"
        [first] = await smtp.wait_for(address)
        assert reference in first.subject and "in Bearbeitung" in first.subject
        assert "Ein Team ist unterwegs." in first.body and street in first.body and "Straßenbeleuchtung" in first.body

        no_reason = await client.post(f"/api/console/reports/{entry['id']}/status", json={"status": "rejected"})
        assert no_reason.status_code == 422 and "begründen" in no_reason.json()["detail"]
        done = await client.post(f"/api/console/reports/{entry['id']}/status",
                                 json={"status": "done", "public_comment": "Das Leuchtmittel wurde getauscht."})
        assert done.status_code == 200
        mails = await smtp.wait_for(address, count=2)
        assert "erledigt" in mails[1].subject and "Das Leuchtmittel wurde getauscht." in mails[1].body
        wrong = await client.post(f"/api/console/reports/{entry['id']}/status",
                                  json={"status": "rejected", "public_comment": "doch nicht"})
        assert wrong.status_code == 409  # erledigt → abgelehnt is no step; reopening would be

        detail = (await client.get(f"/api/console/reports/{entry['id']}")).json()
        assert [(h["status"], h["source"]) for h in detail["history"]] == [
            ("received", "chat"), ("in_progress", "console"), ("done", "console")]
        assert [(h["mail"] or {}).get("status") for h in detail["history"]] == [None, "sent", "sent"]
        assert detail["public_comment"] == "Das Leuchtmittel wurde getauscht."
        assert "contact" not in detail and "email" not in detail  # the console shows only whether one exists

        silent_id = next(r["id"] for r in listed if r["reference"] == silent)
        quiet = await client.post(f"/api/console/reports/{silent_id}/status",
                                  json={"status": "rejected", "public_comment": "Doppelte Meldung."})
        assert quiet.json()["mail"] == {"status": "no_address"}
        closed = (await client.get("/api/console/reports", params={"status": "closed"})).json()
        assert {reference, silent} <= {r["reference"] for r in closed}
        assert (await client.post(f"/api/console/reports/{silent_id}/status", json={"status": "in_progress"},
                                  headers={"X-CSRF-Token": "falsch"})).status_code == 403
    for socket in (citizen, tiefbau, abfall):
        await socket.close()



async def test_retention_removes_contact_details_and_photos(staff_server):
    from datetime import datetime, timedelta, timezone

    from handover.domain import defect_reports
    from handover.domain.defect_report_photos import PhotoStore

    server = staff_server
    citizen = await Citizen.connect(server)
    conversation_id = citizen.welcome["conversation_id"]
    reference = chat_report(server, category="muell", location="Parkplatz Nord", description="Sperrmüll.",
                            contact="alt@example.de", conversation_id=conversation_id)
    attached = (await upload(server, citizen.token, photo_with_gps())).json()["upload_id"]
    forgotten = (await upload(server, citizen.token, photo_with_gps())).json()["upload_id"]
    long_ago = datetime.now(timezone.utc) - timedelta(days=400)

    def age(session):
        report = session.query(DefectReport).filter_by(reference=reference).one()
        assert attach_upload(session, report.id, attached, conversation_id)
        report.status, report.updated_at = "done", long_ago
        session.get(PhotoUpload, forgotten).created_at = long_ago

    server.db.run_sync(age)
    folder = server.settings.resolved_uploads_dir
    store = PhotoStore(folder, server.settings.upload_max_bytes, server.settings.photo_max_edge)
    counts = server.db.run_sync(lambda s: defect_reports.purge(s, store, 180))
    assert counts["reports"] >= 1 and counts["photos"] >= 2
    report = server.db.run_sync(lambda s: s.query(DefectReport).filter_by(reference=reference).one())
    assert (report.contact, report.email, report.name) == (None, None, None)
    assert (report.location, report.status, report.category) == ("Parkplatz Nord", "done", "muell")  # public part
    for photo_id in (attached, forgotten):
        assert not (folder / "photos" / f"{photo_id}.jpg").exists()
        assert server.db.run_sync(lambda s, p=photo_id: s.get(PhotoUpload, p)) is None
    await citizen.close()


async def test_a_report_from_the_chat_form_and_its_public_status(staff_server, smtp):
    """What the bot's form stores (record_chat_report, in its own transaction) reaches the department with photo,
    coordinates and e-mail; the status by reference number shows no personal data."""
    from handover.domain.defect_reports import public_status_of, record_chat_report
    from handover.domain.office_hours import OfficeHours

    server = staff_server
    citizen = await Citizen.connect(server)
    conversation_id = citizen.welcome["conversation_id"]
    upload_id = (await upload(server, citizen.token, photo_with_gps())).json()["upload_id"]
    address = f"form-{uuid.uuid4().hex[:8]}@example.de"
    reference = server.db.run_sync(lambda s: record_chat_report(
        s, category_key="beleuchtung", location="Hauptstraße 12, 12345 Musterstadt", description="Laterne aus.",
        contact=address, conversation_id=conversation_id, language="en", latitude=52.5201, longitude=13.4049,
        upload_id=upload_id).reference)
    agent = await AgentConsole.connect(server, server.add_agent(departments=("tiefbau",)))
    async with console_client(server, agent) as client:
        entry = next(r for r in (await client.get("/api/console/reports")).json() if r["reference"] == reference)
        assert entry["source"] == "chat" and entry["has_email"] and entry["latitude"] == 52.5201
        assert [p["id"] for p in entry["photos"]] == [upload_id]
        changed = await client.post(f"/api/console/reports/{entry['id']}/status",
                                    json={"status": "done", "public_comment": "Repaired."})
        assert changed.json()["mail"]["status"] == "sent"
    [mail] = await smtp.wait_for(address)
    assert mail.subject == f"Your report {reference}: resolved"  # in the citizen's language
    office_hours = OfficeHours.from_file(server.settings.departments_file)
    public = server.db.run_sync(lambda s: public_status_of(s, reference.lower(), office_hours))
    assert public["status"] == "done" and public["status_label"] == {"de": "erledigt", "en": "resolved"}
    assert public["public_comment"] == "Repaired." and public["department_name"] == "Tiefbau und Straßen"
    assert address not in str(public) and "Laterne" not in str(public)
    assert server.db.run_sync(lambda s: public_status_of(s, "MM-1999-000000", office_hours)) is None
    await citizen.close()
    await agent.close()
