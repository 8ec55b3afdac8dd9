"""Citizens leave "E-Mail-Adresse oder Telefonnummer" in one field; mail goes only to what is an address."""

from __future__ import annotations

import re
from email.utils import parseaddr

# Deliberately plain: one @, a dot in the domain, no spaces. SMTP tells us the rest.
EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[A-Za-z]{2,}$")


def email_address(contact: str | None) -> str | None:
    """The e-mail address in a contact field ("erika@example.de", "Erika <erika@example.de>"), else None."""
    if not contact:
        return None
    _name, address = parseaddr(contact.strip())
    address = address.strip()
    return address if EMAIL.match(address) else None
