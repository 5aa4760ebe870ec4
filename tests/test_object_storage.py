"""Media on an S3-compatible object store (MEDIA_STORAGE=s3), against a local S3-protocol
server started here (moto's server mode, on a free port): photos uploaded through the forms
and served only after the permission check (streamed, or redirected to a signed address),
import files checked and imported from the bucket, `/healthz` on the bucket, backup and
restore of the bucket's objects, and the settings read from the environment."""

import io
import json
import logging
import os
import subprocess
import sys
import tarfile
import urllib.request
import uuid
from pathlib import Path

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from PIL import Image

from councils.models import Council
from imports.models import ImportBatch
from meetings.models import MeetingPhoto
from projects.models import ProgressPhoto
from tests.factories import (
    CouncilFactory,
    CouncilMemberFactory,
    MeetingFactory,
    ProjectFactory,
    ProvinceFactory,
    UserFactory,
)
from tests.test_imports import xlsx

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
BUCKET = "portal-media"
KEYS = {"access_key": "test-access-key", "secret_key": "test-secret-key"}


@pytest.fixture(scope="session")
def s3_endpoint():
    """A local S3-protocol server for the whole test session, with the portal's bucket."""
    from moto.server import ThreadedMotoServer  # noqa: PLC0415 - only these tests need it

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client(endpoint).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


def client(endpoint):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
    )


def s3_options(endpoint, **overrides) -> dict:
    """What portal/settings.py makes of MEDIA_STORAGE=s3 and the AWS_* variables."""
    return {
        "bucket_name": BUCKET,
        # Each test in its own folder of the bucket: it starts with no objects.
        "location": f"test-{uuid.uuid4().hex}",
        "endpoint_url": endpoint,
        "region_name": "us-east-1",
        "querystring_expire": 60,
        "signature_version": "s3v4",
        "default_acl": None,
        "file_overwrite": True,
        **KEYS,
        **overrides,
    }


@pytest.fixture
def bucket(settings, s3_endpoint, tmp_path):
    """The media storage is the bucket; MEDIA_ROOT is an empty folder that must stay empty."""
    settings.MEDIA_ROOT = tmp_path / "media"
    options = s3_options(s3_endpoint)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "portal.storage.PrivateS3Storage", "OPTIONS": options},
    }
    yield default_storage
    assert not settings.MEDIA_ROOT.exists(), "nothing may be written to the local folder"


def keys_in(storage) -> set[str]:
    prefix = storage.location + "/"
    listed = client(storage.endpoint_url).list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    return {entry["Key"].removeprefix(prefix) for entry in listed.get("Contents", [])}


def photo_bytes(size=(800, 600)) -> bytes:
    image = Image.new("RGB", size, "red")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (15.0, 7.0, 0.0), 3: "E", 4: (104.0, 19.0, 0.0)}  # GPS
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def post_photo(client, meeting):
    return client.post(
        f"/meetings/{meeting.pk}/photos/",
        {"photos": [SimpleUploadedFile("a.jpg", photo_bytes(), "image/jpeg")], "caption": ""},
        follow=True,
    )


@pytest.fixture
def elsewhere(db):
    """Another client, logged in as staff of another province."""
    client = Client()
    user = UserFactory(username="other", role="staff")
    user.provinces.add(ProvinceFactory(code="10", name_th="กรุงเทพมหานคร", name_en="Bangkok"))
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_a_meeting_photo_goes_to_the_bucket_and_is_streamed_only_to_who_may_see_it(
    bucket, staff_client, elsewhere, django_assert_num_queries
):
    meeting = MeetingFactory()
    assert post_photo(staff_client, meeting).status_code == 200
    photo = MeetingPhoto.objects.get()
    assert keys_in(bucket) == {photo.image.name, photo.thumbnail.name}
    # Pages link the portal's checked address, never the bucket.
    assert photo.image.url == f"/media/{photo.image.name}"
    page = staff_client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert photo.thumbnail.url in page and BUCKET not in page

    with django_assert_num_queries(9):  # as from the folder: the bucket adds none
        response = staff_client.get(photo.image.url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, max-age=3600"
    served = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert served.size == (800, 600) and not served.getexif()  # re-encoded: no GPS
    assert staff_client.get(photo.thumbnail.url).status_code == 200

    assert elsewhere.get(photo.image.url).status_code == 404
    elsewhere.logout()
    assert elsewhere.get(photo.image.url).status_code == 302  # to the login page


@pytest.mark.django_db
def test_a_progress_report_photo_goes_to_the_bucket(bucket, staff_client):
    project = ProjectFactory()
    staff_client.post(
        f"/projects/{project.pk}/updates/new/",
        {
            "reported_on": "15/01/2566",
            "percent_complete": "40",
            "text": "ก่อสร้างบ้านแล้ว 12 หลัง",
            "photos": [SimpleUploadedFile("site.jpg", photo_bytes(), "image/jpeg")],
        },
    )
    photo = ProgressPhoto.objects.get()
    assert keys_in(bucket) == {photo.image.name, photo.thumbnail.name}
    assert staff_client.get(photo.image.url).status_code == 200


@pytest.mark.django_db
def test_with_redirects_a_permitted_user_gets_a_signed_address_valid_a_minute(
    bucket, staff_client, elsewhere, settings
):
    settings.MEDIA_S3_REDIRECT = True
    post_photo(staff_client, MeetingFactory())
    photo = MeetingPhoto.objects.get()

    response = staff_client.get(photo.image.url)
    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    address = response["Location"]
    assert address.startswith(bucket.endpoint_url) and "X-Amz-Expires=60" in address
    assert "X-Amz-Signature=" in address
    with urllib.request.urlopen(address) as fetched:  # noqa: S310 - the local test server
        assert fetched.read() == photo.image.storage.open(photo.image.name).read()
    # Unsigned, the object is not readable: the bucket is private.
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(address.split("?")[0])  # noqa: S310

    assert elsewhere.get(photo.image.url).status_code == 404  # checked before any address


@pytest.mark.django_db
@pytest.mark.parametrize("redirect", [False, True], ids=["streamed", "redirected"])
def test_a_photo_whose_object_is_gone_is_not_found_not_an_error(
    bucket, staff_client, settings, redirect
):
    settings.MEDIA_S3_REDIRECT = redirect
    meeting = MeetingFactory()
    post_photo(staff_client, meeting)
    photo = MeetingPhoto.objects.get()
    bucket.delete(photo.image.name)
    assert staff_client.get(photo.image.url).status_code == 404
    assert staff_client.get(photo.thumbnail.url).status_code == (302 if redirect else 200)
    assert staff_client.get(f"/meetings/{meeting.pk}/").status_code == 200


@pytest.fixture
def geography(db):
    call_command("load_geography", "--province", "33", verbosity=0)


def upload_import(client, name):
    return client.post(
        "/imports/",
        {"kind": "councils", "file": SimpleUploadedFile(name, (DATA / name).read_bytes())},
        headers={"accept-language": "en"},
    )


@pytest.mark.django_db
@pytest.mark.parametrize("background", [False, True], ids=["at-once", "in-background"])
def test_an_import_is_kept_checked_and_imported_from_the_bucket(
    bucket, geography, staff_client, settings, background
):
    if background:
        settings.IMPORT_BACKGROUND_BYTES = 1000  # queued: the task reads the file back
    upload_import(staff_client, "councils_with_errors.xlsx")
    batch = ImportBatch.objects.get()
    assert batch.status == "preview"
    assert keys_in(bucket) == {batch.file.name}
    page = staff_client.get(f"/imports/{batch.pk}/", headers={"accept-language": "en"})
    assert [row["row"] for row in page.context["rows"]] == [4, 5, 6, 7, 8, 10]

    staff_client.post(
        f"/imports/{batch.pk}/commit/",
        {"mode": "valid", "confirm": batch.commit_confirmation("valid")},
    )
    batch.refresh_from_db()
    assert batch.status == "imported"
    assert Council.objects.count() == 3


@pytest.mark.django_db
def test_a_refused_import_leaves_no_object(bucket, geography, staff_client):
    response = staff_client.post(
        "/imports/",
        {"kind": "councils", "file": SimpleUploadedFile("report.xlsx", b"%PDF-1.4")},
    )
    assert response.status_code == 400
    assert keys_in(bucket) == set()


@pytest.mark.django_db
def test_healthz_writes_reads_and_deletes_in_the_bucket(bucket, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["storage"] == {"status": "ok"}
    assert keys_in(bucket) == set()  # the probe file is deleted


@pytest.mark.django_db
def test_healthz_fails_when_the_bucket_is_missing(settings, s3_endpoint, client, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "portal.storage.PrivateS3Storage",
            "OPTIONS": s3_options(s3_endpoint, bucket_name="no-such-bucket"),
        },
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == {"status": "failing"}
    assert "storage" in response.json()["failing"]


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_copy_the_buckets_objects(bucket, tmp_path):
    MeetingPhoto.objects.create(
        meeting=MeetingFactory(), image=SimpleUploadedFile("p.jpg", photo_bytes((8, 8)))
    )
    photo = MeetingPhoto.objects.get()
    original = bucket.open(photo.image.name).read()
    call_command("backup", "--dir", str(tmp_path / "backups"))
    (target,) = (tmp_path / "backups").iterdir()
    with tarfile.open(target / "media.tar.gz") as archive:
        assert archive.getnames() == [f"media/{photo.image.name}"]

    bucket.delete(photo.image.name)
    stray = bucket.save("photos/meetingphoto/stray.jpg", ContentFile(b"not in the backup"))
    call_command("restore", str(target), "--yes")
    assert keys_in(bucket) == {photo.image.name}
    assert bucket.open(photo.image.name).read() == original
    assert not bucket.exists(stray)


def settings_in_a_fresh_process(**env) -> subprocess.CompletedProcess:
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "MEDIA_", "DJANGO_"))
    }
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps([settings.STORAGES['default'], settings.SECURE_CSP['img-src']]))"
    )
    return subprocess.run(  # noqa: S603 - our own settings
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**base, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_local_folder_is_the_default():
    storage, images = json.loads(settings_in_a_fresh_process().stdout)
    assert storage == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert images == ["'self'", "data:"]


def test_the_bucket_is_configured_by_environment_variables():
    result = settings_in_a_fresh_process(
        MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="portal",
        AWS_S3_ENDPOINT_URL="https://s3.example.org",
        AWS_S3_REGION_NAME="ap-southeast-1",
        AWS_ACCESS_KEY_ID="id",
        AWS_SECRET_ACCESS_KEY="secret",
        AWS_QUERYSTRING_EXPIRE="30",
    )
    storage, images = json.loads(result.stdout)
    assert images == ["'self'", "data:"]  # photos are streamed: nothing from the bucket
    assert storage["BACKEND"] == "portal.storage.PrivateS3Storage"
    expected = {
        "bucket_name": "portal",
        "endpoint_url": "https://s3.example.org",
        "region_name": "ap-southeast-1",
        "access_key": "id",
        "secret_key": "secret",
        "querystring_expire": 30,
    }
    assert {key: storage["OPTIONS"].get(key) for key in expected} == expected
    redirected = settings_in_a_fresh_process(
        MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="portal",
        AWS_S3_ENDPOINT_URL="https://s3.example.org:9000/",
        MEDIA_S3_REDIRECT="true",
    )
    assert json.loads(redirected.stdout)[1] == ["'self'", "data:", "https://s3.example.org:9000"]
    refused = settings_in_a_fresh_process(MEDIA_STORAGE="s3")
    assert refused.returncode != 0 and "needs AWS_STORAGE_BUCKET_NAME" in refused.stderr


@pytest.mark.django_db
def test_erasing_a_person_deletes_the_import_files_in_the_bucket_that_hold_them(
    bucket, geography, staff_client, admin_user, django_capture_on_commit_callbacks
):
    name, national_id = "นางสาวพิมพ์ใจ รักษ์ถิ่นเกิด", "1101700203450"
    CouncilFactory(code="C330401", subdistrict_id="330401", district_id="3304")
    CouncilMemberFactory(full_name=name, national_id=national_id)
    rows = [["สภา", "ชื่อ-สกุล", "เลขประจำตัวประชาชน"], ["C330401", name, national_id]]
    staff_client.post(
        "/imports/", {"kind": "members", "file": SimpleUploadedFile("m.xlsx", xlsx(rows))}
    )
    batch = ImportBatch.objects.get()
    stored = batch.file.name
    admin = Client()
    admin.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        admin.post("/privacy/person/erase/", {"q": name, "confirm": "yes"})
    assert stored not in keys_in(bucket)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CANCELLED and not batch.file
