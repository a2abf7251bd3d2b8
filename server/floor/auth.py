"""Floor secrets: PINs hashed with argon2id, device/session tokens and enrollment codes as SHA-256.

PINs are short, so they get a slow hash; tokens and codes are long and random (or short-lived
and single use), so a fast digest compared in constant time is enough.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)  # OWASP argon2id
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: typed from a screen
CODE_LENGTH = 10
_DUMMY_HASH: list[str] = []


def hash_pin(pin: str) -> str:
    return _HASHER.hash(pin)


def verify_pin(pin_hash: str | None, pin: str) -> bool:
    """Constant-ish time: an unknown badge (no hash) costs one verification like a known one."""
    if pin_hash is None:
        if not _DUMMY_HASH:
            _DUMMY_HASH.append(_HASHER.hash(secrets.token_hex(8)))
        pin_hash = _DUMMY_HASH[0]
        pin = pin + "\x00never"
    try:
        return _HASHER.verify(pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False


def valid_pin(pin: str) -> str | None:
    """Why a new PIN is refused, or None: 4 to 12 digits."""
    if not pin.isdigit() or not 4 <= len(pin) <= 12:
        return "a PIN is 4 to 12 digits"
    return None


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def same(stored: str | None, secret: str) -> bool:
    return stored is not None and hmac.compare_digest(stored, digest(secret))


def new_token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def new_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    return code.strip().upper().replace("-", "").replace(" ", "")
