"""Uploaded photos keep no metadata, are refused when cut short, and one request's photos are
bounded together before any is decoded."""

import io
import struct

import pytest
import weasyprint  # noqa: F401 - imported for its side effect: LOAD_TRUNCATED_IMAGES = True
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile, PngImagePlugin

from meetings.models import MeetingPhoto
from portal.lib import images
from tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db

PERSONAL = "นายสมชาย ใจดี 081-234-5678 GPS 15.1167N 104.3167E"
XMP = (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description '
    f'dc:creator="{PERSONAL}"/></rdf:RDF></x:xmpmeta>'
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def noisy(size=(640, 480)) -> Image.Image:
    return Image.effect_noise(size, 60).convert("RGB")


def jpeg_with_metadata() -> bytes:
    exif = Image.Exif()
    exif[0x010E] = PERSONAL  # ImageDescription
    exif[0x8825] = {1: "N", 2: (15.0, 7.0, 0.0), 3: "E", 4: (104.0, 19.0, 0.0)}
    buffer = io.BytesIO()
    noisy().save(
        buffer,
        "JPEG",
        exif=exif,
        comment=PERSONAL.encode(),
        xmp=XMP.encode(),
        icc_profile=b"\0" * 128,
    )
    return buffer.getvalue()


def png_with_text_chunks() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Somchai 0812345678")  # tEXt
    info.add_text("Comment", "Somchai 0812345678 GPS 15.1167N 104.3167E", zip=True)  # zTXt
    info.add_itxt("Description", PERSONAL, lang="th")  # iTXt
    info.add_itxt("XML:com.adobe.xmp", XMP)
    buffer = io.BytesIO()
    noisy().save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def jpeg_segments(data: bytes) -> list[int]:
    """The markers of a JPEG's header segments, up to the start of the scan."""
    assert data[:2] == b"\xff\xd8"
    markers, position = [], 2
    while position < len(data):
        assert data[position] == 0xFF
        marker = data[position + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: the entropy-coded data follows
            break
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        position += 2 + length
    return markers


def png_chunks(data: bytes) -> list[bytes]:
    chunks, position = [], 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        chunks.append(data[position + 4 : position + 8])
        position += 12 + length
    return chunks


def post_photos(client, *files):
    meeting = MeetingFactory()
    response = client.post(f"/meetings/{meeting.pk}/photos/", {"photos": list(files)}, follow=True)
    return meeting, response


def assert_no_metadata(stored: bytes) -> None:
    markers = jpeg_segments(stored)
    assert 0xFE not in markers  # COM: comments
    assert 0xE1 not in markers  # APP1: EXIF and XMP
    assert 0xE2 not in markers  # APP2: ICC profile
    assert not [m for m in markers if 0xE2 < m <= 0xEF]  # any other application segment
    assert b"Exif" not in stored
    assert b"xmpmeta" not in stored and b"adobe" not in stored
    assert PERSONAL.encode() not in stored
    assert b"0812345678" not in stored and b"Somchai" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif()
        assert "comment" not in image.info and "xmp" not in image.info
        assert "icc_profile" not in image.info


def test_the_test_files_really_carry_the_metadata():
    jpeg = jpeg_with_metadata()
    assert {0xFE, 0xE1, 0xE2} <= set(jpeg_segments(jpeg))
    assert {b"tEXt", b"zTXt", b"iTXt"} <= set(png_chunks(png_with_text_chunks()))


def test_a_jpeg_comment_exif_xmp_and_icc_profile_are_not_stored(staff_client):
    meeting, _response = post_photos(
        staff_client, SimpleUploadedFile("a.jpg", jpeg_with_metadata(), "image/jpeg")
    )
    photo = MeetingPhoto.objects.get(meeting=meeting)
    for stored in (photo.image, photo.thumbnail):
        with stored.open("rb") as handle:
            assert_no_metadata(handle.read())


def test_png_text_chunks_are_not_stored(staff_client):
    meeting, _response = post_photos(
        staff_client, SimpleUploadedFile("a.png", png_with_text_chunks(), "image/png")
    )
    photo = MeetingPhoto.objects.get(meeting=meeting)
    for stored in (photo.image, photo.thumbnail):
        with stored.open("rb") as handle:
            data = handle.read()
        assert_no_metadata(data)
        assert b"tEXt" not in data and b"iTXt" not in data and b"zTXt" not in data


def test_metadata_is_dropped_from_a_photo_with_transparency_too():
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", PERSONAL)
    buffer = io.BytesIO()
    noisy().convert("RGBA").save(buffer, "PNG", pnginfo=info)
    processed = images.process_photo(SimpleUploadedFile("t.png", buffer.getvalue()))
    assert_no_metadata(processed.image.read())


def truncated(data: bytes, keep: float) -> bytes:
    return data[: int(len(data) * keep)]


def plain(fmt: str) -> bytes:
    buffer = io.BytesIO()
    noisy().save(buffer, fmt)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("half.jpg", truncated(plain("JPEG"), 0.5)),
        ("almost.jpg", plain("JPEG")[:-2]),  # only the end-of-image marker missing
        ("half.png", truncated(plain("PNG"), 0.5)),
        ("no-end.png", plain("PNG")[:-12]),  # pixels complete, the end chunk cut off
    ],
)
def test_a_truncated_photo_is_refused_even_with_weasyprint_loaded(staff_client, name, content):
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # what WeasyPrint set for the process
    _meeting, response = post_photos(staff_client, SimpleUploadedFile(name, content))
    assert MeetingPhoto.objects.count() == 0
    assert f"“{name}” ไม่สมบูรณ์" in response.text
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # left as WeasyPrint wants it


def test_a_truncated_photo_is_refused_in_english(staff_client):
    meeting = MeetingFactory()
    response = staff_client.post(
        f"/meetings/{meeting.pk}/photos/",
        {"photos": [SimpleUploadedFile("cut.jpg", truncated(plain("JPEG"), 0.6))]},
        headers={"accept-language": "en"},
        follow=True,
    )
    assert "“cut.jpg” is incomplete (the file was cut short): upload it again." in response.text
    assert MeetingPhoto.objects.count() == 0


def big_png(size) -> bytes:
    """A PNG that declares `size` pixels in a few KB (one colour compresses to nothing)."""
    buffer = io.BytesIO()
    Image.new("L", size, 128).save(buffer, "PNG")
    return buffer.getvalue()


def test_photos_over_the_request_budget_are_refused_before_any_is_decoded(
    staff_client, settings, monkeypatch
):
    settings.PHOTO_UPLOAD_MAX_PIXELS = 10_000_000
    decoded = []
    monkeypatch.setattr(images, "process_photo", lambda upload: decoded.append(upload))
    files = [SimpleUploadedFile(f"p{i}.png", big_png((2000, 1500))) for i in range(4)]
    _meeting, response = post_photos(staff_client, *files)  # 4 × 3 MP = 12 MP
    assert decoded == []
    assert MeetingPhoto.objects.count() == 0
    assert "ภาพเหล่านี้รวมกันมีขนาดใหญ่เกินไป (12 ล้านพิกเซล" in response.text


def test_the_default_budget_refuses_twenty_36_megapixel_photos(staff_client, monkeypatch):
    decoded = []
    monkeypatch.setattr(images, "process_photo", lambda upload: decoded.append(upload))
    files = [SimpleUploadedFile(f"p{i}.png", big_png((7360, 4912))) for i in range(20)]
    _meeting, response = post_photos(staff_client, *files)
    assert decoded == []
    assert MeetingPhoto.objects.count() == 0
    assert "ไม่เกิน 250 ล้านพิกเซล" in response.text


def test_photos_within_the_budget_are_all_stored(staff_client, settings):
    settings.PHOTO_UPLOAD_MAX_PIXELS = 1_000_000
    files = [SimpleUploadedFile(f"p{i}.jpg", plain("JPEG")) for i in range(3)]  # 0.92 MP
    meeting, _response = post_photos(staff_client, *files)
    assert MeetingPhoto.objects.filter(meeting=meeting).count() == 3


def test_the_budget_counts_a_pixel_bomb_header_without_decoding_it():
    huge = io.BytesIO()
    Image.new("1", (20000, 20000)).save(huge, "PNG")
    assert images.declared_pixels(SimpleUploadedFile("bomb.png", huge.getvalue())) > 40_000_000
    assert images.declared_pixels(SimpleUploadedFile("x.jpg", b"not a photo")) == 0


def test_a_png_whose_checksum_does_not_fit_is_refused():
    data = bytearray(plain("PNG"))
    start = data.index(b"IDAT") + 4
    data[start + 100] ^= 0xFF  # one byte of pixel data changed: its chunk's CRC no longer fits
    with pytest.raises(ValidationError):
        images.process_photo(SimpleUploadedFile("bad.png", bytes(data)))
