"""SMTP delivery with aiosmtplib. Sending never raises: the caller gets a `MailResult` and records it (ticket
history, report history), so an agent sees "nicht gesendet: …" instead of an e-mail that silently went nowhere.

Without `BUERGERBOT_SMTP_HOST` and `BUERGERBOT_MAIL_FROM` the mailer is not configured: every send returns
`not_configured` at once, and the console shows that e-mail is switched off where it would be used."""

from __future__ import annotations

import logging
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

import aiosmtplib

from handover.shell.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmtpConfig:
    host: str = ""
    port: int = 587
    tls: str = "starttls"  # starttls | tls | none
    user: str = ""
    password: str = field(default="", repr=False)
    sender: str = ""
    timeout: float = 15.0
    ca_file: str | None = None  # an internal CA that signs the server's certificate

    @classmethod
    def from_settings(cls, settings: Settings) -> "SmtpConfig":
        return cls(
            host=settings.smtp_host.strip(),
            port=settings.smtp_port,
            tls=settings.smtp_tls,
            user=settings.smtp_user,
            password=settings.smtp_password.get_secret_value(),
            sender=settings.mail_from.strip(),
            timeout=settings.smtp_timeout_seconds,
            ca_file=str(settings.smtp_ca_file) if settings.smtp_ca_file else None,
        )

    @property
    def configured(self) -> bool:
        return bool(self.host and self.sender)


@dataclass(frozen=True)
class OutgoingMail:
    to: str
    subject: str
    body: str
    # RFC 3834: confirmations and status updates are machine-made; out-of-office replies should not answer them.
    automatic: bool = False
    reply_to: str | None = None


@dataclass(frozen=True)
class MailResult:
    status: str  # sent | failed | not_configured
    message_id: str | None = None
    error: str | None = None

    @property
    def sent(self) -> bool:
        return self.status == "sent"

    def as_dict(self) -> dict:
        return {"status": self.status, "message_id": self.message_id, "error": self.error}


class Mailer:
    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    @property
    def configured(self) -> bool:
        return self.config.configured

    def status(self) -> dict:
        """What the console may know: whether mail works and from which address (never the login)."""
        return {"configured": self.configured, "sender": self.config.sender or None}

    def build(self, mail: OutgoingMail) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.config.sender
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message["Date"] = formatdate(localtime=False, usegmt=True)
        domain = parseaddr(self.config.sender)[1].rpartition("@")[2] or None
        message["Message-ID"] = make_msgid(domain=domain)
        if mail.reply_to:
            message["Reply-To"] = mail.reply_to
        if mail.automatic:
            message["Auto-Submitted"] = "auto-generated"
        message.set_content(mail.body)  # text/plain; charset=utf-8
        return message

    async def send(self, mail: OutgoingMail) -> MailResult:
        if not self.configured:
            return MailResult("not_configured", error="E-Mail-Versand ist nicht eingerichtet (SMTP).")
        message = self.build(mail)
        config = self.config
        try:
            # Certificate and host name are checked, against the system's CAs or the configured internal one.
            tls_context = ssl.create_default_context(cafile=config.ca_file) if config.tls != "none" else None
            await aiosmtplib.send(
                message,
                hostname=config.host,
                port=config.port,
                username=config.user or None,
                password=config.password or None,
                use_tls=config.tls == "tls",
                start_tls=True if config.tls == "starttls" else False,
                timeout=config.timeout,
                tls_context=tls_context,
            )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            # The address is personal data: the log names only the SMTP server and the error.
            log.warning("mail to SMTP %s:%s failed: %s", config.host, config.port, type(error).__name__)
            return MailResult("failed", message_id=message["Message-ID"], error=_describe(error))
        return MailResult("sent", message_id=message["Message-ID"])


def _describe(error: Exception) -> str:
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return "Die E-Mail-Adresse wurde vom Mailserver abgelehnt."
    if isinstance(error, aiosmtplib.SMTPAuthenticationError):
        return "Anmeldung am Mailserver fehlgeschlagen (SMTP-Benutzer oder -Passwort)."
    if isinstance(error, ssl.SSLCertVerificationError) or isinstance(error.__cause__, ssl.SSLCertVerificationError):
        return ("Das Zertifikat des Mailservers wurde nicht anerkannt (Aussteller oder Name passt nicht; "
                "BUERGERBOT_SMTP_CA_FILE für eine eigene Zertifizierungsstelle).")
    if isinstance(error, FileNotFoundError):
        return "Die CA-Datei für den Mailserver (BUERGERBOT_SMTP_CA_FILE) gibt es nicht."
    # Before OSError: a timeout is one (TimeoutError is an OSError since Python 3.10).
    if isinstance(error, (aiosmtplib.SMTPTimeoutError, TimeoutError)):
        return "Der Mailserver hat nicht rechtzeitig geantwortet."
    if isinstance(error, (aiosmtplib.SMTPConnectError, aiosmtplib.SMTPServerDisconnected, OSError)):
        return "Der Mailserver ist nicht erreichbar."
    return f"Der Mailserver hat die E-Mail nicht angenommen ({type(error).__name__})."
