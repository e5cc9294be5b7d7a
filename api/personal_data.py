"""Personal data at rest and in answers: encryption, keyed lookup hashes and masking.

Keys are derived from ``DATA_KEY`` with HKDF, one per purpose, so the hash key cannot
decrypt and rotating ``SECRET_KEY`` (tokens) leaves the data readable.
"""

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

_VERSION = "v1"


@lru_cache(maxsize=8)
def _derive(data_key: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"civpractice", info=purpose).derive(
        data_key.encode()
    )


def _key(purpose: bytes) -> bytes:
    return _derive(current_app.config["DATA_KEY"], purpose)


def encrypt(plaintext: str) -> str:
    """Encrypt with AES-256-GCM; the result is ASCII, safe for a text column."""
    nonce = os.urandom(12)
    sealed = AESGCM(_key(b"encrypt")).encrypt(nonce, plaintext.encode(), None)
    return f"{_VERSION}:" + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt(token: str) -> str:
    """Reverse :func:`encrypt`. :raises cryptography.exceptions.InvalidTag: on tampering."""
    version, _, payload = token.partition(":")
    if version != _VERSION:
        raise ValueError("unknown personal-data cipher version")
    raw = base64.urlsafe_b64decode(payload)
    return AESGCM(_key(b"encrypt")).decrypt(raw[:12], raw[12:], None).decode()


def lookup_hash(value: str) -> str:
    """A keyed hash (HMAC-SHA256) for uniqueness and equality lookups of a secret value."""
    return hmac.new(_key(b"lookup"), value.strip().upper().encode(), hashlib.sha256).hexdigest()


def mask_phone(phone: str) -> str:
    """``13812345678`` → ``138****5678``."""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_id_number(id_number: str) -> str:
    """``411122199001011234`` → ``4111**********1234``."""
    if len(id_number) < 8:
        return "*" * len(id_number)
    return id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:]


def mask_name(name: str) -> str:
    """``张三`` → ``张*``; ``张小三`` → ``张*三``; longer names keep first and last."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
