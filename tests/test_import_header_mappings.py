"""What a user says an unknown column means is remembered for that user's files only: one
office's (or province's) answer never maps another's files."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation

from imports import service
from imports.models import HeaderMapping
from tests.factories import ProvinceFactory, UserFactory
from tests.test_imports import xlsx

HEADER = "ครัวเรือนปี 66"
CONTENT = xlsx(
    [
        ["ชื่อสภาองค์กรชุมชน", "ตำบล", "อำเภอ", HEADER],
        ["สภาองค์กรชุมชนตำบลบึงมะลู", "บึงมะลู", "กันทรลักษ์", "1,704"],
    ]
)


@pytest.fixture(autouse=True)
def _setup(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_geography", "--province", "33", verbosity=0)
    with translation.override("en"):
        yield


@pytest.fixture
def colleague(sisaket):
    user = UserFactory(username="colleague", role="staff")
    user.provinces.add(sisaket)
    return user


@pytest.fixture
def ubon_staff(db):
    user = UserFactory(username="ubon", role="staff")
    user.provinces.add(ProvinceFactory(code="34", name_th="อุบลราชธานี"))
    return user


def upload(client, content=CONTENT):
    client.post("/imports/", {"kind": "councils", "file": SimpleUploadedFile("u.xlsx", content)})


def test_an_answer_maps_the_same_users_next_file(staff, sisaket):
    upload(staff)
    batch = staff.get("/imports/batches/").context["page_obj"][0]
    staff.post(f"/imports/{batch.pk}/columns/", {"column-0": "households"})
    mapping = HeaderMapping.objects.get()
    assert (mapping.user, mapping.field) == (batch.created_by, "households")
    upload(staff)
    newest = staff.get("/imports/batches/").context["page_obj"][0]
    assert newest.pk != batch.pk
    assert newest.preview["unknown"] == []


@pytest.mark.parametrize("other", ["colleague", "ubon_staff", "admin_user"])
def test_another_users_file_with_the_same_header_is_asked_again(staff, other, request):
    upload(staff)
    batch = staff.get("/imports/batches/").context["page_obj"][0]
    staff.post(f"/imports/{batch.pk}/columns/", {"column-0": "households"})
    someone = request.getfixturevalue(other)
    theirs = service.store_upload(SimpleUploadedFile("u.xlsx", CONTENT), "councils", someone)
    assert theirs.preview["unknown"] == [HEADER]
    assert all(
        key != "households" for key, _old, _new in theirs.preview["rows"][0].get("changes", [])
    )


def test_two_users_may_give_the_same_header_different_meanings(staff_user, colleague):
    HeaderMapping.objects.create(
        user=staff_user, kind="councils", header=HEADER, field="households"
    )
    HeaderMapping.objects.create(user=colleague, kind="councils", header=HEADER, field="population")
    mine = service.store_upload(SimpleUploadedFile("u.xlsx", CONTENT), "councils", staff_user)
    theirs = service.store_upload(SimpleUploadedFile("u.xlsx", CONTENT), "councils", colleague)
    assert ["households", None, 1704] in mine.preview["rows"][0]["changes"]
    assert ["population", None, 1704] in theirs.preview["rows"][0]["changes"]


def test_an_administrator_answering_on_a_users_batch_maps_that_users_files(
    staff_user, admin_client, admin_user
):
    batch = service.store_upload(SimpleUploadedFile("u.xlsx", CONTENT), "councils", staff_user)
    admin_client.post(f"/imports/{batch.pk}/columns/", {"column-0": "households"})
    mapping = HeaderMapping.objects.get()
    assert (mapping.user, mapping.created_by) == (staff_user, admin_user)
    batch.refresh_from_db()
    assert batch.preview["unknown"] == []
    again = service.store_upload(SimpleUploadedFile("u.xlsx", CONTENT), "councils", admin_user)
    assert again.preview["unknown"] == [HEADER]
