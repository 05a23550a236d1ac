"""Image input: a locally generated PNG sent as an ``image_url`` content part.

Shows the two ways to attach an image with ``image_block``: from a file path (the MIME
type is guessed from the name) and from bytes, both sent inline as base64 ``data:`` URLs,
so nothing is uploaded anywhere else and no URL has to be reachable by the server. The
PNG is drawn with the standard library, so the example needs no image files or packages.

Run: ``python examples/image_input.py`` (offline), or with ``COMPAT_BASE_URL`` and
``COMPAT_MODEL`` set to use your own server (pick a vision model).
"""

from __future__ import annotations

import struct
import tempfile
import zlib
from pathlib import Path

from _endpoint import endpoint
from langchain_core.messages import HumanMessage

from langchain_compat_chat import image_block


def gradient_png(width: int = 32, height: int = 32) -> bytes:
    """An RGB gradient encoded as PNG (signature, IHDR, one zlib IDAT, IEND)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(
        b"\x00"  # filter type "none" for each scanline
        + bytes(
            channel
            for x in range(width)
            for channel in (x * 255 // (width - 1), y * 255 // (height - 1), 160)
        )
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def main() -> None:
    """Send the same picture from a file and from bytes."""
    png = gradient_png()
    with endpoint() as ep, tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "gradient.png"
        path.write_bytes(png)
        model = ep.chat_model(max_tokens=100)

        from_file = HumanMessage(
            content=[{"type": "text", "text": "Describe the colours."}, image_block(path)]
        )
        print(f"sent {path.name} ({len(png)} bytes):", model.invoke([from_file]).text)

        from_bytes = HumanMessage(
            content=[
                {"type": "text", "text": "Which corner is brightest?"},
                image_block(png, mime_type="image/png"),
            ]
        )
        reply = model.invoke([from_bytes])
        print("sent the same image from bytes:", reply.text)
        print("usage reported by the server:", reply.usage_metadata)


if __name__ == "__main__":
    main()
