"""The second factor of the application status lookup: the PIN printed on the receipt of an application.

Only a salted, deliberately slow hash is stored (scrypt, a salt of its own per case), so a copy of the database
does not give away the PINs and guessing them offline costs real time. The hash is written as
`scrypt$<n>$<r>$<p>$<salt hex>$<hash hex>`, so the cost can be raised later without breaking stored PINs.

A lookup always does the same work whether the case number exists or not (`verify_pin` against a dummy hash), so
neither the answer nor its timing tells anyone that a number is taken.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from functools import lru_cache

PIN_DIGITS = 6
# n = 2^14, r = 8: 16 MiB and about 50 ms per check on one core — unnoticeable for a citizen, expensive in bulk.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
_SEPARATORS = re.compile(r"[\s\-./]")
_PIN = re.compile(rf"\d{{{PIN_DIGITS}}}")


def normalize_pin(text: str | None) -> str | None:
    """`"731 904"`, `"731-904"` → `"731904"`; None when it is not six digits (nothing else is a PIN)."""
    candidate = _SEPARATORS.sub("", str(text or "")).strip()
    return candidate if _PIN.fullmatch(candidate) else None


def new_pin() -> str:
    """A PIN for a new case, to print on its receipt (store only `hash_pin` of it)."""
    return f"{secrets.randbelow(10**PIN_DIGITS):0{PIN_DIGITS}d}"


def hash_pin(pin: str, *, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_pin(new_pin())


def verify_pin(pin: str, stored: str | None) -> bool:
    """True when `pin` matches the stored hash. Without a stored hash (unknown number, a case without a PIN) a
    dummy hash is checked instead and the answer is False: the same work, the same answer."""
    try:
        scheme, n, r, p, salt, expected = (stored or _dummy_hash()).split("$")
        if scheme != "scrypt":
            raise ValueError(scheme)
        digest = hashlib.scrypt(pin.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                                dklen=len(expected) // 2)
    except ValueError:  # a malformed stored value never opens a case
        return False
    return stored is not None and hmac.compare_digest(digest.hex(), expected)
