"""Structured JSON log lines with personal data redacted (handover/domain/redaction.py): e-mail addresses, phone
numbers, IBANs, case numbers, street addresses and introduced names never reach log files, whatever a log call
interpolates."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

# The one redaction of the project (also applied before anything is stored for statistics).
from handover.domain.redaction import redact

__all__ = ["JsonFormatter", "RedactingFormatter", "configure_logging", "redact"]


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat().replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class RedactingFormatter(logging.Formatter):
    """Plain text lines; only the message and exception text are redacted (the timestamp stays intact)."""

    def format(self, record: logging.LogRecord) -> str:
        clean = logging.makeLogRecord(record.__dict__)
        clean.msg, clean.args = redact(record.getMessage()), None
        if record.exc_info:
            clean.exc_text = redact(self.formatException(record.exc_info))
            clean.exc_info = None
        return super().format(clean)


def configure_logging(log_format: str, level: str) -> None:
    formatter: logging.Formatter = (
        JsonFormatter() if log_format == "json" else RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.setLevel(level.upper())
    for handler in root.handlers:
        handler.setFormatter(formatter)
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(formatter)
        root.addHandler(handler)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        for handler in logging.getLogger(name).handlers:
            handler.setFormatter(formatter)
