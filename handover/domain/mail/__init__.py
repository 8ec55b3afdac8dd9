"""Outgoing e-mail: SMTP delivery (sender.py), the German and English texts (templates.py) and telling an e-mail
address from a phone number in what citizens leave as contact (addresses.py)."""

from handover.domain.mail.addresses import email_address
from handover.domain.mail.sender import Mailer, MailResult, OutgoingMail, SmtpConfig
from handover.domain.mail.templates import render

__all__ = ["Mailer", "MailResult", "OutgoingMail", "SmtpConfig", "email_address", "render"]
