"""Outgoing mail through a real SMTP server (aiosmtpd on a loopback port): what arrives, with which headers,
login, refused addresses, an unreachable server and no SMTP configured at all; every template filled in."""

from __future__ import annotations

import re

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from handover.domain.mail import Mailer, OutgoingMail, SmtpConfig, email_address, render
from handover.domain.mail.templates import TEMPLATES
from tests.handover.conftest import free_port
from tests.handover.staff_servers import MAIL_FROM, SmtpSink


def config(port: int, **values) -> SmtpConfig:
    return SmtpConfig(**{"host": "127.0.0.1", "port": port, "tls": "none", "sender": MAIL_FROM, "timeout": 5.0,
                         **values})


async def test_mail_arrives_with_headers_and_umlauts(smtp_server, smtp):
    controller, _ = smtp_server
    result = await Mailer(config(controller.port)).send(OutgoingMail(
        to="erika.mustermann@example.de", subject="Ihre Meldung MM-2026-000001: in Bearbeitung",
        body="Grüße aus der Straßenmeisterei – Größe: 3 m²", automatic=True))
    assert result.status == "sent" and result.error is None
    [mail] = await smtp.wait_for("erika.mustermann@example.de")
    assert mail.sender == "buergerservice@musterstadt.example"
    assert mail.message["From"] == MAIL_FROM and mail.message["To"] == "erika.mustermann@example.de"
    assert mail.subject == "Ihre Meldung MM-2026-000001: in Bearbeitung"
    assert mail.body.strip() == "Grüße aus der Straßenmeisterei – Größe: 3 m²"
    assert mail.message["Message-ID"] == result.message_id and "musterstadt.example" in result.message_id
    assert mail.message["Auto-Submitted"] == "auto-generated"  # no out-of-office replies to confirmations
    assert mail.message["Date"]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # loopback only: no TLS in the test
async def test_login_is_used_and_a_wrong_password_is_reported():
    sink = SmtpSink()

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"bot" and auth_data.password == b"geheim"
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself

    controller = Controller(sink, hostname="127.0.0.1", port=free_port(), authenticator=authenticator,
                            auth_require_tls=False, auth_required=True)
    controller.start()
    try:
        good = await Mailer(config(controller.port, user="bot", password="geheim")).send(
            OutgoingMail(to="a@example.de", subject="Test", body="mit Anmeldung"))
        assert good.status == "sent"
        await sink.wait_for("a@example.de")
        bad = await Mailer(config(controller.port, user="bot", password="falsch")).send(
            OutgoingMail(to="b@example.de", subject="Test", body="falsches Passwort"))
        assert bad.status == "failed" and "Anmeldung am Mailserver" in bad.error
        anonymous = await Mailer(config(controller.port)).send(OutgoingMail(to="c@example.de", subject="T", body="x"))
        assert anonymous.status == "failed"
        assert sink.to("b@example.de") == [] and sink.to("c@example.de") == []
    finally:
        controller.stop()


async def test_refused_address_unreachable_server_and_no_configuration(smtp_server, smtp):
    controller, _ = smtp_server
    smtp.refuse.add("gibt-es-nicht@example.de")
    refused = await Mailer(config(controller.port)).send(
        OutgoingMail(to="gibt-es-nicht@example.de", subject="Test", body="x"))
    assert refused.status == "failed" and "abgelehnt" in refused.error
    assert smtp.to("gibt-es-nicht@example.de") == []

    down = await Mailer(config(free_port())).send(OutgoingMail(to="x@example.de", subject="Test", body="x"))
    assert down.status == "failed" and "nicht erreichbar" in down.error

    off = Mailer(SmtpConfig())
    assert off.configured is False and off.status() == {"configured": False, "sender": None}
    result = await off.send(OutgoingMail(to="x@example.de", subject="Test", body="x"))
    assert result.status == "not_configured" and "nicht eingerichtet" in result.error
    # a host without a sender is not a configuration either: mail would go out without a From
    assert Mailer(SmtpConfig(host="127.0.0.1")).configured is False


VALUES = {"name": "Erika Mustermann", "reference": "T-2026-000007", "department": "Bauordnung", "city": "Musterstadt",
          "concern": "Bitte rufen Sie mich an.\nAm besten vormittags.", "reply": "Wir haben Ihren Antrag geprüft.",
          "agent": "Anna Amt", "date": "30.11.2026", "category": "Straßenbeleuchtung", "location": "Lindenweg 4",
          "status": "erledigt", "comment": "Die Lampe wurde ersetzt."}


@pytest.mark.parametrize("template", sorted(TEMPLATES))
@pytest.mark.parametrize("language", ["de", "en"])
def test_every_template_is_filled_in(template, language):
    subject, body = render(template, language, **VALUES)
    assert not re.search(r"\{\w+\}", subject + body), "a placeholder was left"
    assert "\n" not in subject and subject.strip()
    if template == "ticket_reply":
        assert "Wir haben Ihren Antrag geprüft." in body and "Anna Amt" in body
        assert "> Bitte rufen Sie mich an.\n> Am besten vormittags." in body  # the original concern, quoted
    if template == "defect_status":
        assert "Die Lampe wurde ersetzt." in body


def test_greeting_without_a_name_and_language_fallback():
    _, body = render("ticket_confirmation", "de", **{**VALUES, "name": ""})
    assert body.startswith("Guten Tag,\n")
    _, english = render("ticket_confirmation", "en", **VALUES)
    assert english.startswith("Dear Erika Mustermann,")
    _, unknown = render("ticket_confirmation", "fr", **VALUES)  # no French template: German
    assert unknown.startswith("Guten Tag Erika Mustermann,")
    _, no_comment = render("defect_status", "de", **{**VALUES, "comment": None})
    assert "Hinweis des Teams" not in no_comment


def test_email_address_in_a_contact_field():
    assert email_address(" erika@example.de ") == "erika@example.de"
    assert email_address("Erika <erika@example.de>") == "erika@example.de"
    assert email_address("0123 456789") is None
    assert email_address("erika@localhost") is None
    assert email_address("") is None


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, standing in for a relay with an internal CA."""
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("smtp-tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(folder / "key.pem"),
                    "-out", str(folder / "cert.pem"), "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return folder / "cert.pem", folder / "key.pem"


@pytest.mark.parametrize("mode", ["starttls", "tls"])
async def test_encrypted_delivery_checks_the_certificate(certificate, mode):
    import ssl

    cert, key = certificate
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    sink = SmtpSink()
    options = {"tls_context": server_context, "require_starttls": True} if mode == "starttls" else {
        "ssl_context": server_context}
    controller = Controller(sink, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    try:
        trusted = await Mailer(config(controller.port, tls=mode, ca_file=str(cert))).send(
            OutgoingMail(to="tls@example.de", subject="Verschlüsselt", body="über TLS"))
        assert trusted.status == "sent", trusted.error
        [mail] = await sink.wait_for("tls@example.de")
        assert mail.body.strip() == "über TLS"
        # the system's CAs do not know this certificate: refused, nothing delivered in the clear
        untrusted = await Mailer(config(controller.port, tls=mode)).send(
            OutgoingMail(to="unsicher@example.de", subject="x", body="x"))
        assert untrusted.status == "failed" and "Zertifikat" in untrusted.error
        assert sink.to("unsicher@example.de") == []
    finally:
        controller.stop()
