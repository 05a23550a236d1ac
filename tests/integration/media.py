"""Small media files made locally, served in place of the ones the standard suite downloads.

langchain-tests fetches a PNG (GitHub), a WAV (Wikimedia) and a PDF (w3.org) with
``httpx.get``; tests must not reach the internet, so those URLs are answered from here.
"""

from __future__ import annotations

import io
import struct
import wave
import zlib

import httpx


def png(width: int = 16, height: int = 16) -> bytes:
    """A valid RGB PNG with a simple gradient."""
    raw = b"".join(
        b"\x00" + b"".join(bytes((x * 16 % 256, y * 16 % 256, 128)) for x in range(width))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return (
            struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def wav(seconds: float = 0.2, rate: int = 8000) -> bytes:
    """A short mono 16-bit WAV of silence with a click."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        frames = bytearray(int(seconds * rate) * 2)
        frames[100:104] = b"\xff\x7f\x00\x80"
        out.writeframes(bytes(frames))
    return buf.getvalue()


def pdf() -> bytes:
    """A one-page PDF saying 'Dummy PDF file' (the text the suite's file contains)."""
    text = b"BT /F1 24 Tf 72 720 Td (Dummy PDF file) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def fake_get(url: str, *args: object, **kwargs: object) -> httpx.Response:
    """Answer the suite's media downloads locally; refuse anything else."""
    request = httpx.Request("GET", url)
    if url.endswith(".png"):
        return httpx.Response(
            200, content=png(), headers={"content-type": "image/png"}, request=request
        )
    if url.endswith(".wav"):
        return httpx.Response(
            200, content=wav(), headers={"content-type": "audio/wav"}, request=request
        )
    if url.endswith(".pdf"):
        return httpx.Response(
            200, content=pdf(), headers={"content-type": "application/pdf"}, request=request
        )
    msg = f"test tried to download {url}; serve it locally in tests/integration/media.py"
    raise AssertionError(msg)
