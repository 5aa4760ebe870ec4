"""Photos: real images only, re-encoded without EXIF, thumbnailed, and served only in scope."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from meetings.models import MeetingPhoto
from projects.models import ProgressPhoto, ProgressUpdate
from tests.factories import MeetingFactory, ProjectFactory, ProvinceFactory, UserFactory

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
ORIENTATION = 0x0112


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def photo_bytes(fmt="JPEG", size=(800, 600), *, with_gps=True, rotate=True) -> bytes:
    image = Image.new("RGB", size, "red")
    exif = Image.Exif()
    if rotate:
        exif[ORIENTATION] = 6  # the camera was turned: the photo must be shown portrait
    if with_gps:
        exif[GPS_IFD] = {1: "N", 2: (15.0, 7.0, 0.0), 3: "E", 4: (104.0, 19.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, fmt, exif=exif)
    return buffer.getvalue()


def upload(name, content, content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def post_photos(client, meeting, *files, caption=""):
    return client.post(
        f"/meetings/{meeting.pk}/photos/", {"photos": list(files), "caption": caption}, follow=True
    )


def test_several_photos_are_stored_reencoded_without_exif_and_with_thumbnails(staff_client):
    meeting = MeetingFactory()
    response = post_photos(
        staff_client,
        meeting,
        upload("a.jpg", photo_bytes()),
        upload("b.png", photo_bytes("PNG", with_gps=False, rotate=False), "image/png"),
        caption="เวทีประชาคม",
    )
    assert response.status_code == 200
    photos = list(MeetingPhoto.objects.filter(meeting=meeting).order_by("position"))
    assert len(photos) == 2
    first = Image.open(photos[0].image.path)
    assert first.format == "JPEG"
    assert first.size == (600, 800)  # orientation applied
    assert not first.getexif()  # no GPS, no orientation tag left
    thumbnail = Image.open(photos[0].thumbnail.path)
    assert max(thumbnail.size) <= 480
    assert photos[0].caption == "เวทีประชาคม"
    # Stored under a generated name, never the user's file name.
    assert re.fullmatch(r"photos/meetingphoto/[0-9a-f]{32}\.jpg", photos[0].image.name)
    assert "เพิ่มภาพแล้ว 2 ภาพ" in response.text


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("drawing.jpg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("page.jpg", b"<html><script>alert(1)</script></html>"),
        ("report.jpg", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"),
        ("figure.jpg", b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n"),
        ("empty.jpg", b""),
    ],
)
def test_files_that_are_not_photos_are_refused_and_nothing_is_stored(staff_client, name, content):
    meeting = MeetingFactory()
    response = post_photos(staff_client, meeting, upload(name, content))
    assert MeetingPhoto.objects.count() == 0
    if content:
        assert f"“{name}” ไม่ใช่ภาพถ่าย JPEG, PNG หรือ WebP" in response.text


def test_a_tiny_file_declaring_a_huge_image_is_refused(staff_client):
    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, "PNG")  # a few KB, 400 million pixels
    assert buffer.tell() < 100_000
    response = post_photos(staff_client, MeetingFactory(), upload("bomb.png", buffer.getvalue()))
    assert MeetingPhoto.objects.count() == 0
    assert "มีจำนวนพิกเซลมากเกินไป" in response.text


def test_a_photo_over_the_size_limit_is_refused_in_english_too(staff_client, settings):
    settings.PHOTO_MAX_BYTES = 1024
    response = staff_client.post(
        f"/meetings/{MeetingFactory().pk}/photos/",
        {"photos": [upload("big.jpg", photo_bytes())]},
        headers={"accept-language": "en"},
        follow=True,
    )
    assert MeetingPhoto.objects.count() == 0
    assert "“big.jpg” is larger than 1.0\xa0KB." in response.text


def test_one_bad_file_among_good_ones_stores_nothing(staff_client):
    response = post_photos(
        staff_client,
        MeetingFactory(),
        upload("good.jpg", photo_bytes()),
        upload("bad.jpg", b"not an image"),
    )
    assert response.status_code == 200
    assert MeetingPhoto.objects.count() == 0


def test_a_progress_update_is_reported_with_photos(staff_client):
    project = ProjectFactory()
    response = staff_client.post(
        f"/projects/{project.pk}/updates/new/",
        {
            "reported_on": "15/01/2566",
            "percent_complete": "40",
            "text": "ก่อสร้างบ้านแล้ว 12 หลัง",
            "photos": [upload("site.jpg", photo_bytes()), upload("site2.jpg", photo_bytes())],
        },
        follow=True,
    )
    update = ProgressUpdate.objects.get(project=project)
    assert str(update.reported_on) == "2023-01-15"
    assert update.photos.count() == 2
    assert "ก่อสร้างบ้านแล้ว 12 หลัง" in response.text
    assert ProgressPhoto.objects.first().thumbnail.url in response.text


def test_photos_are_served_only_to_users_who_see_the_record(client, staff_client):
    meeting = MeetingFactory()
    post_photos(staff_client, meeting, upload("a.jpg", photo_bytes()))
    photo = MeetingPhoto.objects.get()
    response = staff_client.get(photo.image.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert staff_client.get(photo.thumbnail.url).status_code == 200

    elsewhere = UserFactory(username="other", role="staff")
    elsewhere.provinces.add(ProvinceFactory(code="10", name_th="กรุงเทพมหานคร", name_en="Bangkok"))
    client.force_login(elsewhere)
    assert client.get(photo.image.url).status_code == 404
    client.logout()
    assert client.get(photo.image.url).status_code == 302  # to the login page


def test_a_photo_whose_file_is_gone_is_not_found_not_an_error(staff_client, settings):
    meeting = MeetingFactory()
    post_photos(staff_client, meeting, upload("a.jpg", photo_bytes()))
    photo = MeetingPhoto.objects.get()
    (settings.MEDIA_ROOT / photo.image.name).unlink()
    assert staff_client.get(photo.image.url).status_code == 404
    assert staff_client.get(photo.thumbnail.url).status_code == 200
    assert staff_client.get(f"/meetings/{meeting.pk}/").status_code == 200
