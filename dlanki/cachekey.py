"""The key that seals the build cache, kept per user outside every project.

The cache holds results dlanki trusts without checking again: sanitised HTML, problems found, formulas
proven, the package last written. A pull request could commit a crafted build/.cache (build/ is only
git-ignored, and ignoring can be forced), and CI would then take its contents as proven. So every cache
file is sealed with a keyed hash whose key never leaves the user's cache folder: a cache made on
another machine, or by hand, fails the seal and is ignored, which only costs time.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from functools import cache
from pathlib import Path

SEAL_SIZE = 32


def key_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "dlanki" / "cache-key"


@cache
def cache_key() -> bytes | None:
    """This user's key, made on first use; None if it cannot be kept (then nothing is cached)."""
    path = key_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            data = path.read_bytes()
            return data if len(data) == 32 else None
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(32))
        return path.read_bytes()
    except OSError:
        return None


def seal(body: bytes) -> bytes | None:
    """body with its seal in front; None if there is no key (then do not write a cache)."""
    key = cache_key()
    if key is None:
        return None
    return hashlib.blake2b(body, key=key, digest_size=SEAL_SIZE).digest() + body


def unseal(blob: bytes) -> bytes | None:
    """The body, if this user's key sealed it; else None."""
    key = cache_key()
    if key is None or len(blob) < SEAL_SIZE:
        return None
    body = blob[SEAL_SIZE:]
    expected = hashlib.blake2b(body, key=key, digest_size=SEAL_SIZE).digest()
    return body if hmac.compare_digest(expected, blob[:SEAL_SIZE]) else None
