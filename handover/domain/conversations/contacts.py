"""How a citizen can be reached: an e-mail address or a phone number, nothing else ("xyz" is no contact).

Deliberately plain rules, the same a clerk would apply: an address is something@domain.tld (letters with umlauts
allowed, as in IDN domains); a phone number has 6 to 15 digits (E.164's maximum), optionally a leading +, and
may be written with spaces, slashes, dashes, dots and brackets ("0123 / 456-789", "+49 (0)123 456789")."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[^\s@\"(),:;<>\[\]\\]{1,64}@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63}")
_PHONE = re.compile(r"\+?[\d\s()/.\-]+")

INVALID = (
    "Bitte geben Sie eine gültige E-Mail-Adresse (z. B. name@beispiel.de) oder eine Telefonnummer "
    "(z. B. 0123 456789) an, damit wir uns bei Ihnen melden können."
)


def kind_of(contact: str) -> str | None:
    """'email', 'phone' or None when it is neither."""
    value = contact.strip()
    if _EMAIL.fullmatch(value):
        return "email"
    digits = sum(character.isdigit() for character in value)
    if _PHONE.fullmatch(value) and 6 <= digits <= 15 and value[-1].isdigit():
        return "phone"
    return None
