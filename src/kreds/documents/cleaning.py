"""Cleaning an upload before it is kept (SECURITY 24, issue 13 §4): only what was cleaned is stored.

Images (PNG, JPEG) are decoded with Pillow and encoded again, so nothing but pixels survives:

* the declared size is checked *before* any pixel is decoded (``Image.open`` only reads the header), against
  ``UPLOAD_MAX_PIXELS`` (default 50 million: a 48 MP phone photo, 8064 × 6048, still fits, and since an upload is
  at most 8 MB, real photos are far below it (a 12 MP photo is 3–8 MB); what it stops is a small file that declares
  a huge image, which would need ``width × height × 4`` bytes of memory to decode). Pillow's own decompression-bomb
  check (``Image.MAX_IMAGE_PIXELS``, which refuses in ``Image.open`` above 179 MP) stays in place behind it;
* a JPEG with an absurd number of scans (progressive-JPEG CPU bomb: every scan walks the whole image) is refused
  before decoding;
* a truncated or damaged file is refused (``ImageFile.LOAD_TRUNCATED_IMAGES`` is left off);
* the EXIF orientation is applied to the pixels, because the EXIF block that carried it is dropped;
* an embedded colour profile is converted to sRGB (so an iPhone's Display P3 photo keeps its colours) and then
  dropped; EXIF (GPS, camera, time), XMP, IPTC, comments, text chunks, thumbnails and extra MPO frames are not
  written. The output is a baseline JPEG (quality 90, no Huffman optimisation, which would need the whole image's
  coefficients in memory) or a PNG (zlib level 6); an animated PNG keeps its first frame.

Peak memory is about two decoded copies of the image (decode, then rotation), so at most roughly
``8 × UPLOAD_MAX_PIXELS`` bytes (400 MB at the default) for a file that declares the largest allowed size.

PDFs are opened with pikepdf (qpdf). Refused: a PDF that needs a password to open, one qpdf cannot read or that has
no pages, and one with active or hidden content anywhere in any object (every indirect object and everything nested
directly in it, plus the trailer, is walked; names are compared after qpdf has decoded ``#xx`` escapes):

* JavaScript: any ``/JS`` or ``/JavaScript`` key (the ``/Names /JavaScript`` tree, JavaScript and Rendition actions),
  or an action of type ``/JavaScript`` wherever it hangs (``/OpenAction``, ``/AA`` of the document, a page, a form
  field or an annotation, a link's ``/A``, a ``/Next`` chain);
* actions that open programs or other files: ``/Launch``, ``/GoToR``, ``/GoToE``, ``/ImportData`` (a ``/GoToR`` or
  ``/Launch`` to a ``\\\\server\\share`` path leaks a Windows login hash);
* embedded files: ``/EmbeddedFiles`` (the name tree), ``/EF`` (a file specification carrying a file), streams of
  ``/Type /EmbeddedFile``, ``/FileAttachment`` annotations and ``/RichMedia`` (Flash/3D with attached assets);
* XFA forms (``/XFA`` in ``/AcroForm``): an XML form language with its own scripts.

Links to web addresses (``/URI``) and ordinary forms are kept. What is stored is what pikepdf writes: the same
objects, so the document opens and looks the same, but only those reachable from the trailer (earlier revisions left
behind by incremental saves, and any bytes after the end of the file, are gone), and without the encryption of a
PDF that only had an owner password (it opened without one, so the encryption protected nothing). The document's
metadata (``/Info``, XMP) is kept: it carries no location, and removing the XMP would break a PDF/A's conformance.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from typing import Any

import pikepdf
from django.conf import settings
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps

from kreds.core.exceptions import KredsError

log = logging.getLogger(__name__)

JPEG_QUALITY = 90
PNG_COMPRESS_LEVEL = 6
# A progressive JPEG has about ten scans (an MPO a few dozen); 500 is far beyond any real photo.
JPEG_MAX_SCANS = 500
PNG_MODES = {"1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16", "I;16B"}
PILLOW_FORMATS = {"image/png": ("PNG", {"PNG"}), "image/jpeg": ("JPEG", {"JPEG", "MPO"})}


def clean(content: bytes, content_type: str) -> bytes:
    """The cleaned bytes to keep instead of ``content`` (of the type the magic bytes said), or a KredsError."""
    if content_type == "application/pdf":
        return clean_pdf(content)
    return clean_image(content, content_type)


# Images -------------------------------------------------------------------------------------------------------------


def _unreadable_image() -> KredsError:
    return KredsError(
        _(
            "The image could not be read. It may be damaged or only partly uploaded. "
            "Try again, or save it again as JPEG or PNG."
        )
    )


def _too_many_pixels(width: int, height: int, limit: int) -> KredsError:
    return KredsError(
        _(
            "The image is too large: %(width)s × %(height)s pixels. The limit is %(limit)s megapixels. "
            "Make the image smaller and try again."
        )
        % {"width": width, "height": height, "limit": floatformat(limit / 1_000_000, -1)}
    )


def clean_image(content: bytes, content_type: str) -> bytes:
    """Decode a PNG or JPEG within the pixel limit and encode only its pixels again, the right way up, in sRGB."""
    pillow_format, accepted = PILLOW_FORMATS[content_type]
    limit: int = settings.UPLOAD_MAX_PIXELS
    if pillow_format == "JPEG" and content.count(b"\xff\xda") > JPEG_MAX_SCANS:
        raise _unreadable_image()
    try:
        with Image.open(io.BytesIO(content), formats=[pillow_format]) as image:
            # Only the header has been read: refuse an oversized image before a single pixel is decoded.
            width, height = image.size
            if width * height > limit:
                raise _too_many_pixels(width, height, limit)
            if image.format not in accepted:
                raise _unreadable_image()
            image.load()
            return _encode(image, pillow_format)
    except KredsError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow's own check, in Image.open: above 2 × Image.MAX_IMAGE_PIXELS (179 MP) it refuses before we look.
        log.info("upload refused: %s", type(exc).__name__)
        raise KredsError(
            _("The image is too large. The limit is %(limit)s megapixels. Make the image smaller and try again.")
            % {"limit": floatformat(limit / 1_000_000, -1)}
        ) from exc
    except Exception as exc:  # Pillow raises OSError, SyntaxError, ValueError, struct.error, ...
        log.info("upload refused, image not decodable: %s", type(exc).__name__)
        raise _unreadable_image() from exc


def _encode(image: Image.Image, pillow_format: str) -> bytes:
    icc_profile = image.info.get("icc_profile")
    transparency = image.info.get("transparency")
    ImageOps.exif_transpose(image, in_place=True)
    image = _to_srgb(image, icc_profile)
    if pillow_format == "JPEG":
        if image.mode not in {"L", "RGB"}:
            image = image.convert("RGB")
        image.info = {}  # Pillow copies a JPEG comment, and a PNG's ICC profile, from here into the output
        out = io.BytesIO()
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=False, progressive=False)
        return out.getvalue()
    if image.mode not in PNG_MODES:
        image = image.convert("RGBA")
        transparency = None
    image.info = {}
    options: dict[str, Any] = {"compress_level": PNG_COMPRESS_LEVEL}
    if transparency is not None and image.mode in {"1", "L", "P", "RGB"}:
        options["transparency"] = transparency
    out = io.BytesIO()
    image.save(out, "PNG", **options)
    return out.getvalue()


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Pixels converted from an embedded colour profile to sRGB (which viewers assume when there is none).

    Grey and palette images keep their pixels; a CMYK JPEG without a profile is converted the plain way. A profile
    LittleCMS cannot use is ignored: the colours may be a little off, which is better than refusing a photo."""
    if not icc_profile or image.mode not in {"RGB", "RGBA", "CMYK"}:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        if image.mode != "CMYK" and "srgb" in ImageCms.getProfileDescription(source).lower().replace(" ", ""):
            return image
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError) as exc:
        log.info("upload: colour profile ignored: %s", type(exc).__name__)
        return image
    return converted if converted is not None else image


# PDFs ---------------------------------------------------------------------------------------------------------------

ACTIVE_KEYS = {"/JS", "/JavaScript"}
ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/GoToR", "/ImportData"}
EMBEDDED_KEYS = {"/EmbeddedFiles", "/EF"}
EMBEDDED_ACTIONS = {"/GoToE"}
EMBEDDED_TYPES = {"/EmbeddedFile", "/FileAttachment", "/RichMedia"}
# Every name above, as qpdf writes it: an object whose text has none of these cannot hold any of them.
SUSPECT_NAMES = re.compile(
    "|".join(
        re.escape(name)
        for name in sorted({*ACTIVE_KEYS, *ACTIVE_ACTIONS, *EMBEDDED_KEYS, *EMBEDDED_ACTIONS, *EMBEDDED_TYPES, "/XFA"})
    ).encode()
)


def _unreadable_pdf() -> KredsError:
    return KredsError(_("The PDF file could not be read. It may be damaged. Try to save or print it as PDF again."))


def clean_pdf(content: bytes) -> bytes:
    """Refuse a PDF with a password, JavaScript, launch actions, embedded files or XFA; else the PDF pikepdf writes."""
    try:
        with pikepdf.open(io.BytesIO(content)) as pdf:
            if len(pdf.pages) == 0:
                raise _unreadable_pdf()
            found = set(_findings(pdf))
            if "active" in found:
                raise KredsError(
                    _(
                        "The PDF file contains JavaScript or actions that open programs or other files, which is "
                        "not allowed. Print it to a new PDF file (or scan the paper) and upload that instead."
                    )
                )
            if "xfa" in found:
                raise KredsError(
                    _(
                        "The PDF file is a dynamic (XFA) form, which is not allowed. "
                        "Print it to a new PDF file and upload that instead."
                    )
                )
            if "embedded" in found:
                raise KredsError(
                    _(
                        "The PDF file contains attached or embedded files, which is not allowed. "
                        "Upload each file on its own, or print the PDF to a new PDF file."
                    )
                )
            out = io.BytesIO()
            pdf.save(out)
            return out.getvalue()
    except KredsError:
        raise
    except pikepdf.PasswordError as exc:
        raise KredsError(_("The PDF file is protected by a password. Upload a copy without a password.")) from exc
    except Exception as exc:  # qpdf raises PdfError, and a damaged object can raise almost anything
        log.info("upload refused, PDF not readable: %s", type(exc).__name__)
        raise _unreadable_pdf() from exc


def _findings(pdf: pikepdf.Pdf) -> Iterator[str]:
    """The kinds of danger ("active", "embedded", "xfa") found in any object (see the module docstring).

    Every indirect object is visited once from ``pdf.objects``; what is nested directly inside it is walked from
    there, so a reference to another indirect object is not followed (it has its own turn). qpdf first writes each
    object out (with names in their canonical spelling); only an object whose text mentions one of the names is
    walked key by key in Python, which halves the time for a file of many small objects (an 8 MB PDF with 60,000
    objects: about 1 s, most of it pikepdf listing the objects)."""
    for root in [pdf.trailer, *pdf.objects]:
        if isinstance(root, pikepdf.Stream):
            root = root.stream_dict
        elif not isinstance(root, (pikepdf.Dictionary, pikepdf.Array)):
            continue
        if not SUSPECT_NAMES.search(root.unparse(resolved=True)):
            continue
        stack = [root]
        while stack:
            item = stack.pop()
            if isinstance(item, pikepdf.Array):
                stack.extend(value for value in item if _direct_container(value))
                continue
            if isinstance(item, pikepdf.Stream):
                item = item.stream_dict
            elif not isinstance(item, pikepdf.Dictionary):
                continue
            for key, value in item.items():
                if key in ACTIVE_KEYS:
                    yield "active"
                elif key in EMBEDDED_KEYS:
                    yield "embedded"
                elif key == "/XFA":
                    yield "xfa"
                elif key in {"/S", "/Type", "/Subtype"} and isinstance(value, pikepdf.Name):
                    name = str(value)
                    if key == "/S" and name in ACTIVE_ACTIONS:
                        yield "active"
                    elif (key == "/S" and name in EMBEDDED_ACTIONS) or (key != "/S" and name in EMBEDDED_TYPES):
                        yield "embedded"
                if _direct_container(value):
                    stack.append(value)


def _direct_container(value: Any) -> bool:
    """A dictionary, array or stream nested in place (pikepdf gives numbers, booleans and strings as Python values)."""
    return isinstance(value, (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)) and not value.is_indirect
