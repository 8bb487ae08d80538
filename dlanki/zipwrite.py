"""A zip archive written in one go, each entry deflated by libdeflate.

libdeflate (through the `deflate` package) compresses a whole buffer at once, about twice as fast as
zlib at the same level and a little smaller: 13.3 MB of collection in 0.12 s to 2.96 MB, where zlib took
0.27 s for 3.02 MB. Its output depends only on the data, the level and libdeflate's version, which the
pinned `deflate` release fixes, so the bytes are the same on every machine.

Entries carry no clock (1980-01-01, the zip epoch) and mode 0644, like the archives zipfile wrote before.
"""

from __future__ import annotations

import os
import struct
import zlib

import deflate

LEVEL = 6
"""libdeflate's default, as zlib's and zipfile's."""
DEFLATE = f"deflate {deflate.__version__}, level {LEVEL}"
"""What deflates the package: another version or level may write other bytes."""
_DOS_TIME, _DOS_DATE = 0, (0 << 9) | (1 << 5) | 1  # 00:00:00 on 1980-01-01
_VERSION = 20  # 2.0: deflate
_MADE_BY = (3 << 8) | _VERSION  # Unix, so the external attributes carry a mode
_MODE = 0o644 << 16
_LIMIT = 0xFFFFFFFF


def zip_bytes(entries: list[tuple[str, bytes]]) -> bytes:
    """A zip archive of (name, data) entries, in order, each deflated. Names are ASCII (they are
    `collection.anki2`, `media` and numbers in a package)."""
    from concurrent.futures import ThreadPoolExecutor  # only a command that writes a package needs them

    # libdeflate lets go of Python's lock: the collection deflates on one core while the media files take
    # turns on another.
    with ThreadPoolExecutor(min(2, os.cpu_count() or 1, len(entries) or 1)) as pool:
        deflated = list(pool.map(_deflate, [data for _, data in entries]))
    archive, central = bytearray(), bytearray()
    for (name, data), (body, crc) in zip(entries, deflated):
        raw = name.encode("ascii")
        offset = len(archive)
        if max(len(data), len(body), offset) >= _LIMIT:
            raise OverflowError("a package over 4 GiB needs zip64, which this writer does not write")
        archive += struct.pack(
            "<4s5H3L2H", b"PK\x03\x04", _VERSION, 0, zlib.DEFLATED, _DOS_TIME, _DOS_DATE, crc, len(body), len(data), len(raw), 0
        )
        archive += raw + body
        central += struct.pack(
            "<4s6H3L5H2L", b"PK\x01\x02", _MADE_BY, _VERSION, 0, zlib.DEFLATED, _DOS_TIME, _DOS_DATE, crc, len(body), len(data),
            len(raw), 0, 0, 0, 0, _MODE, offset,
        )  # fmt: skip
        central += raw
    directory = len(archive)
    archive += central
    archive += struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), directory, 0)
    return bytes(archive)


def _deflate(data: bytes) -> tuple[bytes, int]:
    """Raw deflate of `data`, and its CRC-32 (libdeflate's, 6x faster than zlib's)."""
    return deflate.deflate_compress(data, LEVEL), deflate.crc32(data)
