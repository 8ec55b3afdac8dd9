"""Open311 GeoReport v2 over the real app (SQLite, and PostgreSQL with Redis): services, a POST from another
client with its API key, the GET round trip validated against the specification's field names, the report in
the department's "Meldungen" and its status change back out through GET; errors as the specification says."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone

import httpx

from tests.handover.conftest import AgentConsole, Citizen
from tests.handover.staff_servers import OPEN311_KEY

# GeoReport v2 (http://wiki.open311.org/GeoReport_v2/): the fields of each response, exactly.
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
POST_FIELDS = {"service_request_id", "service_notice", "account_id"}
REQUEST_FIELDS = {"service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"}
ERROR_FIELDS = {"code", "description"}
W3 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def assert_error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    [error] = response.json()
    assert set(error) == ERROR_FIELDS and error["code"] == status
    return error["description"]


async def test_services_and_errors(staff_server):
    async with httpx.AsyncClient(base_url=f"{staff_server.base}/open311/v2") as client:
        services = (await client.get("/services.json")).json()
        assert services and all(set(s) == SERVICE_FIELDS for s in services)
        lights = next(s for s in services if s["service_code"] == "beleuchtung")
        assert lights["service_name"] == "Straßenbeleuchtung" and lights["metadata"] is False
        assert lights["type"] == "realtime" and "Laterne" in lights["keywords"].split(",")
        definition = (await client.get("/services/beleuchtung.json")).json()
        assert definition == {"service_code": "beleuchtung", "attributes": []}
        assert_error(await client.get("/services/gibtsnicht.json"), 404)
        assert_error(await client.get("/services.json", params={"jurisdiction_id": "anderswo.example"}), 404)
        discovery = (await client.get("/discovery.json")).json()
        assert discovery["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"

        base = {"service_code": "beleuchtung", "lat": "52.52", "long": "13.40", "description": "Laterne aus"}
        assert "api_key" in assert_error(await client.post("/requests.json", data=base), 403)
        assert_error(await client.post("/requests.json", data={**base, "api_key": "falsch"}), 403)
        keyed = {**base, "api_key": OPEN311_KEY}
        assert_error(await client.post("/requests.json", data={**keyed, "service_code": "ufo"}), 404)
        assert "service_code" in assert_error(
            await client.post("/requests.json", data={k: v for k, v in keyed.items() if k != "service_code"}), 400)
        assert "location" in assert_error(await client.post("/requests.json", data={
            "api_key": OPEN311_KEY, "service_code": "beleuchtung", "description": "wo?"}), 400)
        assert_error(await client.post("/requests.json", data={**keyed, "long": ""}), 400)  # lat without long
        assert_error(await client.post("/requests.json", data={**keyed, "lat": "123"}), 400)
        assert_error(await client.post("/requests.json", data={**keyed, "email": "keine-adresse"}), 400)
        assert_error(await client.post("/requests.json", data={**keyed, "media_url": "javascript:alert(1)"}), 400)
        assert_error(await client.post("/requests.json", data={**keyed, "description": "x" * 4001}), 400)
        assert_error(await client.get("/requests.json", params={"status": "kaputt"}), 400)
        assert_error(await client.get("/requests.json", params={"start_date": "gestern"}), 400)
        too_long = {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}
        assert "90 days" in assert_error(await client.get("/requests.json", params=too_long), 400)
        assert_error(await client.get("/requests/MM-1999-999999.json"), 404)


async def test_post_get_round_trip_and_staff_status(staff_server):
    server = staff_server
    street = f"Am Markt {uuid.uuid4().hex[:5]}, 12345 Musterstadt"
    form = {"api_key": OPEN311_KEY, "jurisdiction_id": "musterstadt.example", "service_code": "beleuchtung",
            "lat": "52.5200066", "long": "13.404954", "address_string": street,
            "email": "fixmystreet-user@example.org", "first_name": "Maximilian", "last_name": "Beispielmann",
            "phone": "0170 1234567", "device_id": "abc", "account_id": "42",
            "description": "Die Laterne vor der Apotheke brennt seit Tagen nicht.",
            "media_url": "https://fixmystreet.example/photo/1.jpeg"}
    async with httpx.AsyncClient(base_url=f"{server.base}/open311/v2") as client:
        posted = await client.post("/requests.json", data=form)  # application/x-www-form-urlencoded
        assert posted.status_code == 200, posted.text
        [created] = posted.json()
        assert set(created) == POST_FIELDS
        request_id = created["service_request_id"]
        assert re.fullmatch(r"MM-\d{4}-\d{6}", request_id) and "Tiefbau und Straßen" in created["service_notice"]

        [public] = (await client.get(f"/requests/{request_id}.json")).json()
        [trusted] = (await client.get(f"/requests/{request_id}.json", params={"api_key": OPEN311_KEY})).json()
        for item in (public, trusted):
            assert set(item) == REQUEST_FIELDS
            assert item["service_request_id"] == request_id and item["status"] == "open"
            assert item["service_code"] == "beleuchtung" and item["service_name"] == "Straßenbeleuchtung"
            assert item["agency_responsible"] == "Tiefbau und Straßen" and item["address"] == street
            assert item["lat"] == 52.5200066 and item["long"] == 13.404954
            assert W3.match(item["requested_datetime"]) and W3.match(item["updated_datetime"])
            text = str(item)
            assert "fixmystreet-user@example.org" not in text and "Beispielmann" not in text and "0170" not in text
        assert public["description"] is None and public["media_url"] is None  # nothing the citizen wrote
        assert trusted["description"] == form["description"] and trusted["media_url"] == form["media_url"]

        listing = (await client.get("/requests.json", params={"service_code": "beleuchtung,spielplatz",
                                                                "status": "open", "api_key": OPEN311_KEY})).json()
        assert all(set(item) == REQUEST_FIELDS for item in listing)
        assert request_id in [item["service_request_id"] for item in listing]
        several = (await client.get("/requests.json", params={"service_request_id": f"{request_id},MM-1999-000001"})).json()
        assert [item["service_request_id"] for item in several] == [request_id]
        window = {"start_date": (datetime.now(timezone.utc) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")}
        assert request_id in [i["service_request_id"] for i in (await client.get("/requests.json", params=window)).json()]
        before = {"end_date": (datetime.now(timezone.utc) - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")}
        assert request_id not in [i["service_request_id"] for i in (await client.get("/requests.json", params=before)).json()]

    # The report is in the department's "Meldungen"; the staff's status comes back out through Open311.
    agent = await AgentConsole.connect(server, server.add_agent(departments=("tiefbau",)))
    async with httpx.AsyncClient(base_url=server.base, cookies={"bb_session": agent.cookie},
                                 headers={"X-CSRF-Token": agent.csrf}) as console:
        entry = next(r for r in (await console.get("/api/console/reports")).json() if r["reference"] == request_id)
        assert entry["source"] == "open311" and entry["latitude"] == 52.5200066
        for status, comment in (("in_progress", None), ("done", "Leuchtmittel getauscht.")):
            changed = await console.post(f"/api/console/reports/{entry['id']}/status",
                                         json={"status": status, "public_comment": comment})
            assert changed.status_code == 200, changed.text
    async with httpx.AsyncClient(base_url=f"{server.base}/open311/v2") as client:
        [closed] = (await client.get(f"/requests/{request_id}.json")).json()
        assert closed["status"] == "closed" and closed["status_notes"] == "Leuchtmittel getauscht."
        assert closed["updated_datetime"] >= closed["requested_datetime"]
        open_now = (await client.get("/requests.json", params={"status": "open"})).json()
        assert request_id not in [i["service_request_id"] for i in open_now]
        closed_now = (await client.get("/requests.json", params={"status": "closed"})).json()
        assert request_id in [i["service_request_id"] for i in closed_now]
    await agent.close()


async def test_photo_of_a_chat_report_only_for_keyed_clients(staff_server):
    """A photo uploaded in the chat goes out as media_url only to clients with a key, and carries no EXIF."""
    from handover.domain.defect_reports import attach_upload
    from handover.domain.models.services import DefectReport
    from tests.handover.test_defect_reports_staff import chat_report, photo_with_gps, upload

    server = staff_server
    citizen = await Citizen.connect(server)
    conversation_id = citizen.welcome["conversation_id"]
    reference = chat_report(server, category="spielplatz", location="Spielplatz Lindenpark",
                            description="Schaukel kaputt.", contact=None, conversation_id=conversation_id)
    upload_id = (await upload(server, citizen.token, photo_with_gps())).json()["upload_id"]
    server.db.run_sync(lambda s: attach_upload(
        s, s.query(DefectReport).filter_by(reference=reference).one().id, upload_id, conversation_id))
    async with httpx.AsyncClient(base_url=f"{server.base}/open311/v2") as client:
        [public] = (await client.get(f"/requests/{reference}.json")).json()
        [trusted] = (await client.get(f"/requests/{reference}.json", params={"api_key": OPEN311_KEY})).json()
        assert public["media_url"] is None and trusted["media_url"].endswith(f"/open311/v2/media/{upload_id}.jpg")
        assert trusted["agency_responsible"] == "Umwelt und Grünflächen"
        media = await client.get(trusted["media_url"])
        assert media.status_code == 200 and media.headers["content-type"] == "image/jpeg"
        assert b"Exif" not in media.content
        assert (await client.get(f"/media/{'0' * 32}.jpg")).status_code == 404
    await citizen.close()
