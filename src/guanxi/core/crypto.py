"""Field encryption for sensitive personal data (PIPL), kept apart from SECRET_KEY.

Ciphertext format: ``gx1:<key id>:<base64url(nonce || AES-GCM ciphertext+tag)>``.
The key id in every value lets keys rotate: new writes use the active key, old
values still decrypt with the key they name.

Exact lookups go through blind indexes: an HMAC-SHA256 of the normalised value
under a separate key derived (HKDF) from the index secret. Equality is all they
reveal, and only to someone holding the key file.

The key file (JSON) lives in the data dir by default, or wherever
GUANXI_KEY_FILE points; GUANXI_KEYS may carry the same JSON from a KMS/env.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "gx1"


class CryptoError(Exception):
    """The key ring is missing or does not hold a key a value names."""


@dataclass(frozen=True)
class KeyRing:
    active: str
    keys: dict[str, bytes]
    index_secret: bytes

    def aead(self, key_id: str) -> AESGCM:
        try:
            return AESGCM(self.keys[key_id])
        except KeyError as exc:
            raise CryptoError(f"no encryption key with id {key_id!r}") from exc


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_key_ring_json() -> str:
    key_id = "k" + secrets.token_hex(4)
    return json.dumps(
        {
            "active": key_id,
            "keys": {key_id: _b64(AESGCM.generate_key(bit_length=256))},
            "index_secret": _b64(secrets.token_bytes(32)),
        },
        indent=2,
    )


def ensure_key_file(path: Path | None = None) -> Path:
    """Create the key file on first start (0600); never overwrite an existing one."""
    path = Path(path or settings.GUANXI_KEY_FILE)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(new_key_ring_json())
    return path


def parse_key_ring(text: str) -> KeyRing:
    data = json.loads(text)
    return KeyRing(
        active=data["active"],
        keys={kid: _unb64(v) for kid, v in data["keys"].items()},
        index_secret=_unb64(data["index_secret"]),
    )


_lock = threading.Lock()
_ring: KeyRing | None = None
_ring_source: str | None = None


def key_ring() -> KeyRing:
    global _ring, _ring_source
    env_json = os.environ.get("GUANXI_KEYS")
    source = "env" if env_json else str(settings.GUANXI_KEY_FILE)
    with _lock:
        if _ring is None or _ring_source != source:
            if env_json:
                _ring = parse_key_ring(env_json)
            else:
                path = ensure_key_file()
                _ring = parse_key_ring(path.read_text())
            _ring_source = source
        return _ring


def reset_key_ring() -> None:
    """Forget the cached ring (after a restore or a rotation)."""
    global _ring
    with _lock:
        _ring = None


def encrypt(plaintext: str) -> str:
    ring = key_ring()
    nonce = secrets.token_bytes(12)
    sealed = ring.aead(ring.active).encrypt(nonce, plaintext.encode("utf-8"), PREFIX.encode())
    return f"{PREFIX}:{ring.active}:{_b64(nonce + sealed)}"


def decrypt(token: str) -> str:
    try:
        prefix, key_id, body = token.split(":", 2)
    except ValueError as exc:
        raise CryptoError("value is not a Guanxi ciphertext") from exc
    if prefix != PREFIX:
        raise CryptoError("value is not a Guanxi ciphertext")
    raw = _unb64(body)
    return key_ring().aead(key_id).decrypt(raw[:12], raw[12:], PREFIX.encode()).decode("utf-8")


def _index_key(purpose: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"guanxi-bidx:" + purpose.encode()
    ).derive(key_ring().index_secret)


_index_keys: dict[tuple[bytes, str], bytes] = {}


def blind_index(value: str, purpose: str) -> str:
    """HMAC of a normalised value; 128 bits in hex is plenty for equality lookups."""
    ring = key_ring()
    cache_key = (ring.index_secret, purpose)
    key = _index_keys.get(cache_key)
    if key is None:
        key = _index_keys[cache_key] = _index_key(purpose)
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:32]
