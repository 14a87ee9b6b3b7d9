"""Uploads are cleaned before they are kept (issue 13 §4): images are decoded within a pixel limit and encoded again
without metadata, PDFs with JavaScript, launch actions, embedded files or a password are refused, and only the
cleaned bytes are stored. Every file here is a real one, made in the test."""

from __future__ import annotations

import hashlib
import io
import os

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import ExifTags, Image, ImageCms, ImageFile
from PIL.PngImagePlugin import PngInfo

from kreds.audit.constants import Action
from kreds.audit.models import AuditEvent
from kreds.core.exceptions import KredsError
from kreds.documents import cleaning, services
from kreds.documents.models import Document
from kreds.testing.files import jpeg, new_pdf, pdf, png, png_header, save

pytestmark = pytest.mark.django_db
JS = pikepdf.String("app.alert('hej')")


@pytest.fixture(autouse=True)
def upload_root(settings, tmp_path):
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    return settings.UPLOAD_ROOT


def _store(world, name, content, kind="assessment"):
    return services.store(actor=world.caseworker, case=world.case, upload=SimpleUploadedFile(name, content), kind=kind)


def _stored_files(upload_root):
    return [path for path in upload_root.rglob("*") if path.is_file()] if upload_root.exists() else []


def _assert_nothing_kept(upload_root):
    assert _stored_files(upload_root) == []
    assert not Document.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.DOCUMENT_UPLOAD).exists()


def _phone_photo() -> bytes:
    """60 × 40 pixels, left half red and right half blue, with the metadata a phone writes: EXIF with camera, time,
    GPS position and "rotate 90° clockwise to show", XMP, a comment and an sRGB colour profile."""
    image = Image.new("RGB", (60, 40), "red")
    image.paste("blue", (30, 0, 60, 40))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Telefonfabrik"
    exif[ExifTags.Base.Model] = "Model 12"
    exif[ExifTags.Base.DateTime] = "2026:03:14 15:09:26"
    exif[ExifTags.Base.Orientation] = 6
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (55.0, 40.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (12.0, 34.0, 56.0)
    out = io.BytesIO()
    image.save(
        out,
        "JPEG",
        exif=exif,
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>55,40.5N</exif:GPSLatitude></x:xmpmeta>',
        comment=b"Hjemme hos familien Jensen",
        icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes(),
        quality=95,
    )
    return out.getvalue()


def _close(pixel, colour, tolerance=40):
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


# Images -------------------------------------------------------------------------------------------------------------


def test_the_phone_photo_fixture_really_carries_gps():
    with Image.open(io.BytesIO(_phone_photo())) as image:
        gps = image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert gps[ExifTags.GPS.GPSLatitudeRef] == "N" and image.getexif()[ExifTags.Base.Orientation] == 6
        assert {"xmp", "comment", "icc_profile"} <= set(image.info)


def test_a_jpeg_is_kept_without_exif_gps_or_other_metadata_and_the_right_way_up(world, upload_root):
    document = _store(world, "tegning.jpg", _phone_photo(), kind="drawing")
    kept = services.path_of(document).read_bytes()
    for trace in (b"Exif\x00\x00", b"xmpmeta", b"Jensen", b"Telefonfabrik", b"ICC_PROFILE"):
        assert trace not in kept
    with Image.open(io.BytesIO(kept)) as image:
        assert image.format == "JPEG" and image.mode == "RGB"
        assert len(image.getexif()) == 0 and not {"exif", "xmp", "comment", "icc_profile"} & set(image.info)
        # The orientation is in the pixels now: 40 wide, 60 high, red (the photo's left) on top.
        assert image.size == (40, 60)
        assert _close(image.getpixel((20, 10)), (255, 0, 0)) and _close(image.getpixel((20, 50)), (0, 0, 255))
    assert document.content_type == "image/jpeg" and document.size == len(kept)
    assert document.sha256 == hashlib.sha256(kept).hexdigest()
    event = AuditEvent.objects.get(action=Action.DOCUMENT_UPLOAD)
    assert event.details["size"] == len(kept)


def test_a_png_is_kept_without_text_exif_or_colour_profile(world):
    info = PngInfo()
    info.add_text("Author", "Mor")
    info.add_itxt("Description", "Tegnet hjemme på Bakkevej 4")
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Telefonfabrik"
    original = png(
        8,
        6,
        "purple",
        pnginfo=info,
        exif=exif,
        icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes(),
    )
    assert b"tEXt" in original and b"eXIf" in original and b"iCCP" in original
    kept = services.path_of(_store(world, "hus.png", original, kind="drawing")).read_bytes()
    for chunk in (b"tEXt", b"iTXt", b"zTXt", b"eXIf", b"iCCP", b"Bakkevej", b"Telefonfabrik"):
        assert chunk not in kept
    with Image.open(io.BytesIO(kept)) as image, Image.open(io.BytesIO(original)) as before:
        assert image.format == "PNG" and image.size == (8, 6) and image.tobytes() == before.tobytes()


@pytest.mark.parametrize(
    ("mode", "pillow_format", "kept_mode"),
    [
        ("RGBA", "PNG", "RGBA"),
        ("LA", "PNG", "LA"),
        ("P", "PNG", "P"),
        ("L", "PNG", "L"),
        ("1", "PNG", "1"),
        ("L", "JPEG", "L"),
        ("CMYK", "JPEG", "RGB"),
    ],
)
def test_image_modes_are_kept_or_converted_sensibly(mode, pillow_format, kept_mode):
    out = io.BytesIO()
    Image.new(mode, (10, 10)).save(out, pillow_format)
    kept = cleaning.clean(out.getvalue(), f"image/{pillow_format.lower()}")
    with Image.open(io.BytesIO(kept)) as image:
        assert image.format == pillow_format and image.mode == kept_mode and image.size == (10, 10)


def test_a_multi_picture_jpeg_keeps_only_its_first_picture():
    """Phones write MPO (a JPEG with more pictures appended, e.g. a depth map); only the photo itself is kept."""
    out = io.BytesIO()
    Image.new("RGB", (20, 10), "red").save(out, "MPO", save_all=True, append_images=[Image.new("RGB", (20, 10))])
    with Image.open(io.BytesIO(cleaning.clean(out.getvalue(), "image/jpeg"))) as kept:
        assert kept.format == "JPEG" and getattr(kept, "n_frames", 1) == 1
        assert _close(kept.getpixel((5, 5)), (255, 0, 0))


def test_palette_transparency_survives():
    image = Image.new("P", (4, 4), 1)
    image.putpalette([0, 0, 0, 255, 255, 255] * 2)
    image.putpixel((0, 0), 0)
    out = io.BytesIO()
    image.save(out, "PNG", transparency=0)
    with Image.open(io.BytesIO(cleaning.clean(out.getvalue(), "image/png"))) as kept:
        assert kept.info.get("transparency") == 0 and kept.convert("RGBA").getpixel((0, 0))[3] == 0


def test_an_image_declaring_100000_by_100000_pixels_is_refused_without_decoding(world, upload_root, monkeypatch):
    def decode(self):
        raise AssertionError("the pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", decode)
    bomb = png_header(100_000, 100_000)
    assert len(bomb) < 100
    with pytest.raises(KredsError, match="too large"):
        _store(world, "tegning.png", bomb)
    # Below Pillow's own alarm (89 MP) but above ours: our check, with the size in the message.
    with pytest.raises(KredsError, match=r"8000 × 8000 pixels\. The limit is 50 megapixels"):
        _store(world, "tegning.png", png_header(8000, 8000))
    _assert_nothing_kept(upload_root)


def test_the_pixel_limit_is_a_setting(world, settings, upload_root):
    settings.UPLOAD_MAX_PIXELS = 10 * 10
    with pytest.raises(KredsError, match="11 × 10 pixels"):
        _store(world, "tegning.jpg", jpeg(11, 10))
    assert _store(world, "tegning.jpg", jpeg(10, 10)).content_type == "image/jpeg"


@pytest.mark.parametrize(
    "damaged",
    [
        pytest.param(lambda: jpeg(300, 200, "teal")[:300], id="truncated-jpeg"),
        pytest.param(lambda: png(300, 200)[:-40], id="truncated-png"),
        pytest.param(lambda: b"\xff\xd8\xff\xe0" + b"\x00" * 40, id="jpeg-signature-only"),
        pytest.param(lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, id="png-signature-only"),
        pytest.param(lambda: png_header(20, 20)[:-12], id="png-without-pixels"),
        pytest.param(lambda: png(20, 20)[:29] + b"\x00\x00\x00\x00" + png(20, 20)[33:], id="png-bad-crc"),
        pytest.param(lambda: jpeg(20, 20) + b"\xff\xda" * (cleaning.JPEG_MAX_SCANS + 1), id="jpeg-scan-bomb"),
    ],
)
def test_a_damaged_image_is_refused_with_a_clear_message(world, upload_root, damaged):
    with pytest.raises(KredsError, match="could not be read"):
        _store(world, "tegning.jpg", damaged())
    _assert_nothing_kept(upload_root)


def _noisy_jpeg(width: int, height: int) -> bytes:
    """A photo-like JPEG (noise compresses as badly as a real photo does)."""
    image = Image.frombytes("RGB", (width // 4, height // 4), os.urandom(width * height * 3 // 16))
    out = io.BytesIO()
    image.resize((width, height), Image.Resampling.BICUBIC).save(out, "JPEG", quality=95)
    return out.getvalue()


def test_a_truncated_photo_is_refused(world, upload_root):
    photo = _noisy_jpeg(400, 300)
    assert cleaning.clean(photo, "image/jpeg")
    with pytest.raises(KredsError, match="could not be read"):
        _store(world, "foto.jpg", photo[: len(photo) * 2 // 3])
    _assert_nothing_kept(upload_root)


# PDFs ---------------------------------------------------------------------------------------------------------------


def test_a_normal_pdf_is_kept_and_still_opens_and_looks_the_same(world, upload_root):
    original = pdf("Vurdering af moster som netværksplejefamilie")
    document = _store(world, "vurdering.pdf", original)
    kept = services.path_of(document).read_bytes()
    assert kept.startswith(b"%PDF-") and document.content_type == "application/pdf"
    assert document.size == len(kept) and document.sha256 == hashlib.sha256(kept).hexdigest()
    with pikepdf.open(io.BytesIO(kept)) as after, pikepdf.open(io.BytesIO(original)) as before:
        assert len(after.pages) == 1
        assert after.pages[0].MediaBox == before.pages[0].MediaBox
        assert after.pages[0].Contents.read_bytes() == before.pages[0].Contents.read_bytes()
        assert b"Vurdering af moster" in after.pages[0].Contents.read_bytes()


def test_what_is_kept_is_what_pikepdf_wrote_not_the_upload(world):
    """Bytes after the end of the file (a polyglot, an old revision) do not survive."""
    original = pdf() + b"\n<html><script>alert(1)</script></html>\n"
    kept = services.path_of(_store(world, "vurdering.pdf", original)).read_bytes()
    assert b"<script>" not in kept
    with pikepdf.open(io.BytesIO(kept)) as after:
        assert len(after.pages) == 1


def _open_action_js(pdf_):
    pdf_.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=JS)


def _names_javascript(pdf_):
    action = pdf_.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pdf_.make_stream(b"app.alert(1)")))
    pdf_.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("start"), action]))
    )


def _link(pdf_, action):
    annotation = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[72, 700, 300, 720], Border=[0, 0, 0], A=action
    )
    pdf_.pages[0].Annots = pdf_.make_indirect(pikepdf.Array([pdf_.make_indirect(annotation)]))


def _annotation_js(pdf_):
    _link(pdf_, pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=JS))


def _page_open_js(pdf_):
    pdf_.pages[0].AA = pikepdf.Dictionary(O=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=JS))


def _chained_js(pdf_):
    _link(
        pdf_,
        pikepdf.Dictionary(
            S=pikepdf.Name.URI,
            URI=pikepdf.String("https://example.org"),
            Next=[pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=JS)],
        ),
    )


def _launch(pdf_):
    pdf_.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe"))


def _remote_go_to(pdf_):
    target = pikepdf.String("\\\\angriber.example\\share\\x.pdf")
    _link(pdf_, pikepdf.Dictionary(S=pikepdf.Name.GoToR, F=target, D=[0, pikepdf.Name.Fit]))


@pytest.mark.parametrize(
    "add",
    [_open_action_js, _names_javascript, _annotation_js, _page_open_js, _chained_js, _launch, _remote_go_to],
    ids=lambda f: f.__name__.strip("_"),
)
def test_a_pdf_with_javascript_or_a_launch_action_is_refused(world, upload_root, add):
    document = new_pdf()
    add(document)
    with pytest.raises(KredsError, match="JavaScript or actions that open programs"):
        _store(world, "vurdering.pdf", save(document))
    _assert_nothing_kept(upload_root)


def test_javascript_in_an_object_stream_is_found():
    document = new_pdf()
    _annotation_js(document)
    packed = save(document, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    assert b"/ObjStm" in packed and b"JavaScript" not in packed  # compressed out of sight
    with pytest.raises(KredsError, match="JavaScript"):
        cleaning.clean(packed, "application/pdf")


def test_javascript_spelled_with_escapes_in_names_is_found():
    """/Java#53cript is /JavaScript and /J#53 is /JS to a PDF reader; qpdf decodes the escapes before we look."""
    document = new_pdf()
    document.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name("/JavaQQQcript"), JQQQ=JS)
    raw = save(document, compress_streams=False, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    hidden = raw.replace(b"/JavaQQQcript", b"/Java#53cript").replace(b"/JQQQ", b"/J#53")
    assert b"/JavaScript" not in hidden and b"/JS" not in hidden
    with pytest.raises(KredsError, match="JavaScript"):
        cleaning.clean(hidden, "application/pdf")


def _attachment(pdf_):
    pdf_.attachments["regneark.xlsm"] = pikepdf.AttachedFileSpec(pdf_, b"PK\x03\x04 macro", mime_type="text/plain")


def _file_attachment_annotation(pdf_):
    annotation = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.FileAttachment,
        Rect=[72, 700, 90, 720],
        FS=pikepdf.String("bilag.exe"),
    )
    pdf_.pages[0].Annots = pikepdf.Array([pdf_.make_indirect(annotation)])


@pytest.mark.parametrize("add", [_attachment, _file_attachment_annotation], ids=lambda f: f.__name__.strip("_"))
def test_a_pdf_with_an_embedded_file_is_refused(world, upload_root, add):
    document = new_pdf()
    add(document)
    with pytest.raises(KredsError, match="embedded files"):
        _store(world, "vurdering.pdf", save(document))
    _assert_nothing_kept(upload_root)


def test_an_xfa_form_is_refused():
    document = new_pdf()
    document.Root.AcroForm = pikepdf.Dictionary(Fields=[], XFA=document.make_stream(b"<xdp:xdp/>"))
    with pytest.raises(KredsError, match="XFA"):
        cleaning.clean(save(document), "application/pdf")


def test_a_pdf_that_needs_a_password_is_refused(world, upload_root):
    locked = save(new_pdf(), encryption=pikepdf.Encryption(owner="ejer-kode", user="bruger-kode"))
    with pytest.raises(KredsError, match="password"):
        _store(world, "vurdering.pdf", locked)
    _assert_nothing_kept(upload_root)


def test_a_pdf_with_only_an_owner_password_is_kept_without_encryption(world):
    restricted = save(new_pdf(), encryption=pikepdf.Encryption(owner="ejer-kode", user=""))
    with pikepdf.open(io.BytesIO(restricted)) as before:
        assert before.is_encrypted
    kept = services.path_of(_store(world, "vurdering.pdf", restricted)).read_bytes()
    with pikepdf.open(io.BytesIO(kept)) as after:
        assert not after.is_encrypted and b"Vurdering" in after.pages[0].Contents.read_bytes()


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param(b"%PDF-1.7\n" + b"x" * 64, id="no-objects"),
        pytest.param(pdf()[:200], id="truncated"),
        pytest.param(save(pikepdf.new()), id="no-pages"),
    ],
)
def test_a_broken_pdf_is_refused(world, upload_root, broken):
    with pytest.raises(KredsError, match="PDF file could not be read"):
        _store(world, "vurdering.pdf", broken)
    _assert_nothing_kept(upload_root)


def test_links_to_web_pages_and_metadata_are_kept():
    document = new_pdf()
    _link(document, pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://www.retsinformation.dk")))
    document.docinfo["/Title"] = "Vurdering"
    with pikepdf.open(io.BytesIO(cleaning.clean(save(document), "application/pdf"))) as kept:
        assert str(kept.pages[0].Annots[0].A.URI) == "https://www.retsinformation.dk"
        assert str(kept.docinfo["/Title"]) == "Vurdering"


# Never a 500 ------------------------------------------------------------------------------------------------------


def test_a_refusal_shows_on_the_form_and_keeps_nothing(world, client, login, upload_root):
    login(world.caseworker)
    response = client.post(
        reverse("voice:houses_add", args=[world.case.public_id]),
        {
            "recorded_on": timezone.localdate().isoformat(),
            "good_things": "Fodbold",
            "parents_consent_by": "Far",
            "parents_consent_on": timezone.localdate().isoformat(),
            "drawing": SimpleUploadedFile("hus.png", png_header(100_000, 100_000)),
        },
    )
    assert response.status_code == 200 and b"The image is too large" in response.content
    _assert_nothing_kept(upload_root)


SAMPLES = [jpeg(16, 12, "orange"), png(16, 12, "navy"), pdf("Kort")]


@hypothesis_settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    sample=st.sampled_from(SAMPLES),
    position=st.integers(min_value=0, max_value=2000),
    junk=st.binary(min_size=0, max_size=16),
    cut=st.booleans(),
)
def test_a_damaged_file_is_cleaned_or_refused_never_an_error(sample, position, junk, cut):
    """Bytes overwritten or the file cut off anywhere: the answer is a cleaned file or a KredsError, nothing else."""
    position %= len(sample)
    content = sample[:position] + junk if cut else sample[:position] + junk + sample[position + len(junk) :]
    content_type = services.sniff(content[:16])
    if content_type is None:
        return
    try:
        kept = cleaning.clean(content, content_type[0])
    except KredsError:
        return
    assert services.sniff(kept[:16]) == content_type
