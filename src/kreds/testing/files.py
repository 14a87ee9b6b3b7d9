"""Small real files for upload tests (uploads are decoded and cleaned, so a signature plus zeros no longer passes).

Any test can use them: ``from kreds.testing.files import png, jpeg, pdf``."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

import pikepdf
from PIL import Image


def png(width: int = 24, height: int = 16, colour: str = "green", **save: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG", **save)
    return out.getvalue()


def jpeg(width: int = 24, height: int = 16, colour: str = "green", **save: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "JPEG", **save)
    return out.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG that only declares its size (IHDR with a correct CRC, an empty IDAT): a few bytes, no pixel data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def new_pdf(text: str = "Vurdering af netværket") -> pikepdf.Pdf:
    """A one-page PDF with a line of text (built with pikepdf, so a test can add to it before saving)."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    font = pdf.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)
    )
    page = pdf.pages[0]
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    safe = text.encode("latin-1", "replace").replace(b"(", b"[").replace(b")", b"]")
    page.Contents = pdf.make_stream(b"BT /F1 14 Tf 72 770 Td (" + safe + b") Tj ET")
    return pdf


def save(pdf: pikepdf.Pdf, **options: Any) -> bytes:
    out = io.BytesIO()
    pdf.save(out, **options)
    return out.getvalue()


def pdf(text: str = "Vurdering af netværket") -> bytes:
    return save(new_pdf(text))
