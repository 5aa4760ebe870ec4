"""Erasure (PDPA) erases: one person is put through every path that stores personal data,
erased, and then looked for in every table, every stored file and every log line."""

import json
import logging
import zipfile
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.signals import request_started
from django.db import models
from django.test import Client

from councils.models import CouncilMember
from imports.models import ImportBatch
from meetings.models import Attendance
from privacy.erasure import (
    ERASED_NAME,
    Identifiers,
    name_needle,
    national_id_needle,
    phone_needle,
    scrub_text,
)
from privacy.models import AccessLog, Erasure
from tests.factories import (
    CouncilFactory,
    CouncilMemberFactory,
    MeetingFactory,
    ResolutionFactory,
    UserFactory,
)
from tests.test_forms import add_rows, form_data
from tests.test_imports import xlsx

pytestmark = pytest.mark.django_db

NATIONAL_ID = "1101700203450"
NAME = "นางสาวพิมพ์ใจ รักษ์ถิ่นเกิด"
PHONE = "0812345678"
# Every form the person's data may be written in: what the scan looks for.
SOUGHT = [
    NATIONAL_ID,
    "1-1017-00203-45-0",
    "1 1017 00203 45 0",
    NAME,
    "รักษ์ถิ่นเกิด",
    "พิมพ์ใจ",
    PHONE,
    "081-234-5678",
    "081 234 5678",
    "+66812345678",
    "812345678",
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def urls():
    """Every address requested in the test, as the server's request log would write it."""
    seen = []

    def record(sender, environ=None, **kwargs):
        query = environ.get("QUERY_STRING", "")
        seen.append(environ["PATH_INFO"] + (f"?{query}" if query else ""))

    request_started.connect(record, weak=False)
    yield seen
    request_started.disconnect(record)


def member_row(**values) -> dict:
    row = {"full_name": "", "role": "member", "national_id": "", "phone": ""}
    row.update(values)
    return row


def text_of_file(path: Path) -> str:
    content = path.read_bytes()
    parts = [content.decode("utf-8", "replace"), content.decode("cp874", "replace")]
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            parts += [archive.read(name).decode("utf-8", "replace") for name in archive.namelist()]
    return "\n".join(parts)


def database_text() -> list[tuple[str, str, str]]:
    """Every text, character and JSON value of every table (history, tasks, sessions
    decoded), as (table, column, text)."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        columns = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        for row in model._base_manager.values(*[f.name for f in columns]):
            for name, value in row.items():
                if value in (None, "", [], {}):
                    continue
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                found.append((model._meta.db_table, name, text))
    for session in Session.objects.all():
        decoded = json.dumps(session.get_decoded(), ensure_ascii=False, default=str)
        found.append(("django_session", "session_data", decoded))
    return found


def hits(texts) -> list:
    return [(where, sought) for *where, text in texts for sought in SOUGHT if sought in text]


def test_one_person_through_every_path_is_gone_everywhere_after_erasure(
    client, staff_user, admin_user, settings, caplog, urls, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    logging.getLogger("factory").setLevel(logging.WARNING)  # the test's own tooling
    call_command("load_geography", "--province", "33", verbosity=0)
    home = CouncilFactory(code="C330401", subdistrict_id="330401", district_id="3304")
    other = CouncilFactory(code="C330402", subdistrict_id="330402", district_id="3304")
    meeting = MeetingFactory(title="เวทีภาคีจังหวัด 2565", chair_name=NAME)
    forum = MeetingFactory(title="สมัชชาสภาองค์กรชุมชน 2566")
    staff = Client()
    staff.force_login(staff_user)
    admin = Client()
    admin.force_login(admin_user)

    # 1. The member form: the person joins a council, then an edit makes history.
    url = f"/councils/{home.pk}/edit/"
    data = add_rows(
        form_data(staff.get(url)),
        "members",
        member_row(full_name=NAME, national_id="1-1017-00203-45-0", phone=PHONE),
    )
    assert staff.post(url, data).status_code == 302
    member = CouncilMember.objects.get(national_id=NATIONAL_ID)
    data = form_data(staff.get(url))
    index = next(
        key.split("-")[1]
        for key, value in data.items()
        if key.startswith("members-") and key.endswith("-id") and value == str(member.pk)
    )
    data[f"members-{index}-role"] = "secretary"
    assert staff.post(url, data).status_code == 302
    assert member.history.count() == 2

    # 2. Another member row once carried the same ID, then was given to someone else.
    reused = CouncilMemberFactory(council=other, full_name=NAME, national_id=NATIONAL_ID)
    reused.full_name, reused.national_id, reused.phone = "นายอื่น คนละคน", "", "089-999-9999"
    reused.save()

    # 3. The member import: a committed batch with a rejected row, and a pending one.
    rows = [
        ["สภา", "ชื่อ-สกุล", "ตำแหน่ง", "เลขประจำตัวประชาชน", "โทรศัพท์", "วันเริ่มวาระ"],
        ["C330402", NAME, "กรรมการ", "1 1017 00203 45 0", "081 234 5678", "1/10/2565"],
        ["C330401", NAME, "กรรมการ", NATIONAL_ID, "+66812345678", "วันไหนก็ได้"],
    ]
    response = staff.post(
        "/imports/",
        {"kind": "members", "file": SimpleUploadedFile(f"{NAME}.xlsx", xlsx(rows))},
    )
    batch = ImportBatch.objects.latest("pk")
    assert response.status_code == 302 and batch.rows_error == 1
    assert NAME in staff.get(f"/imports/{batch.pk}/").text
    assert staff.get(f"/imports/{batch.pk}/rejected-rows.xlsx").status_code == 200
    staff.post(
        f"/imports/{batch.pk}/commit/",
        {"mode": "valid", "confirm": batch.commit_confirmation("valid")},
    )
    assert CouncilMember.objects.filter(council=other, national_id=NATIONAL_ID).exists()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.IMPORT_BACKGROUND_BYTES = 10
    csv = f"สภา,ชื่อ-สกุล,เลขประจำตัวประชาชน\nC330401,{NAME},{NATIONAL_ID}\n".encode("cp874")
    staff.post("/imports/", {"kind": "members", "file": SimpleUploadedFile("r.csv", csv)})
    pending = ImportBatch.objects.latest("pk")
    assert pending.status == ImportBatch.Status.QUEUED
    settings.IMPORT_BACKGROUND_BYTES = 200_000

    # 4. Attendance: typed, a sign-in sheet, and the import centre.
    url = f"/meetings/{meeting.pk}/attendance/"
    data = add_rows(
        form_data(staff.get(url)),
        "attendance",
        {"person_name": NAME, "position": "เลขานุการสภา", "role": "participant", "phone": PHONE},
    )
    assert staff.post(url, data).status_code == 302
    # The sign-in sheet of a third meeting, uploaded on its page: a batch, then confirmed.
    visit = MeetingFactory(title="ลงพื้นที่บ้านมั่นคง 2566")
    sheet = xlsx([["ชื่อ-สกุล", "ตำแหน่ง", "โทรศัพท์"], [NAME, "ผู้แทนสภา", "081-234-5678"]])
    staff.post(
        f"/imports/meetings/{visit.pk}/attendance/",
        {"sheet": SimpleUploadedFile("sign-in.xlsx", sheet)},
    )
    sheet_batch = ImportBatch.objects.latest("pk")
    staff.post(
        f"/imports/{sheet_batch.pk}/commit/",
        {"mode": "all", "confirm": sheet_batch.commit_confirmation("all")},
    )
    rows = [
        ["การประชุม", "ชื่อ-สกุล", "ตำแหน่ง", "สภา", "เบอร์โทร"],
        [forum.pk, NAME, "กรรมการ", "C330401", PHONE],
    ]
    staff.post(
        "/imports/", {"kind": "attendance", "file": SimpleUploadedFile("a.xlsx", xlsx(rows))}
    )
    attendance_batch = ImportBatch.objects.latest("pk")
    staff.post(
        f"/imports/{attendance_batch.pk}/commit/",
        {"mode": "all", "confirm": attendance_batch.commit_confirmation("all")},
    )
    assert Attendance.objects.filter(person_name=NAME).count() == 3

    # 5. Free text, the admin's log, pages and exports that show the person.
    ResolutionFactory(meeting=meeting, text=f"ให้ {NAME} (โทร 081 234 5678) ประสานงาน")
    LogEntry.objects.log_actions(
        admin_user.pk,
        [member],
        CHANGE,
        change_message=f"ชื่อเดิม {NAME}",
        single_object=True,
    )
    for page in (
        f"/councils/{home.pk}/",
        f"/councils/{home.pk}/history/",
        f"/councils/{other.pk}/history/",
        f"/meetings/{meeting.pk}/",
        f"/meetings/{meeting.pk}/history/",
        "/councils/?format=xlsx",
        "/meetings/?format=csv",
    ):
        assert staff.get(page).status_code == 200, page
    staff.get(f"/meetings/{meeting.pk}/sign-in.pdf")

    # 6. The privacy pages: found by ID and by name, downloaded, then erased.
    found = admin.post("/privacy/person/", {"q": "1-1017-00203-45-0"})
    assert NAME in found.text
    download = admin.post("/privacy/person/download/", {"q": NATIONAL_ID})
    exported = json.loads(download.content)
    assert len(exported["council_members"]) == 2  # the form's row and the import's
    assert len(exported["meeting_attendance"]) == 3
    assert exported["earlier_versions"]  # the reused row's past
    before = hits(database_text())
    assert before, "the person must be somewhere before the erasure"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            "/privacy/person/erase/",
            {"q": NATIONAL_ID, "reference": f"คำขอของ {NAME}", "confirm": "yes"},
            follow=True,
        )
    assert response.status_code == 200
    assert "ลบข้อมูล" in response.text
    assert admin.post("/privacy/person/", {"q": NAME}).context["records"].total == 0

    # Nothing left: every table, every stored file, every log line, every address.
    assert hits(database_text()) == []
    media = Path(settings.MEDIA_ROOT)
    stored = [(str(path),) + (text_of_file(path),) for path in media.rglob("*") if path.is_file()]
    assert hits(stored) == []
    logged = [
        (record.name, record.levelname, record.getMessage() + (record.exc_text or ""))
        for record in caplog.records
    ]
    assert hits(logged) == []
    assert hits([(url, url) for url in urls]) == []

    # What is left still works and says what happened.
    pending.refresh_from_db()
    assert pending.status == ImportBatch.Status.CANCELLED and not pending.file
    assert staff.get(f"/imports/{pending.pk}/").status_code == 200
    assert staff.get(f"/imports/{batch.pk}/rejected-rows.xlsx").status_code == 200
    reused.refresh_from_db()
    assert (reused.full_name, reused.phone) == ("นายอื่น คนละคน", "089-999-9999")
    assert reused.history.count() == 2  # its history is kept, without the person
    erasure = Erasure.objects.get()
    assert erasure.counts["council_members"] == 2
    assert erasure.counts["meeting_attendance"] == 3
    assert erasure.counts["import_files"] >= 2
    assert AccessLog.objects.filter(action="erase").count() == 1


def test_searching_and_downloading_never_put_the_person_in_an_address(admin_client, urls, caplog):
    caplog.set_level(logging.DEBUG)
    logging.getLogger("factory").setLevel(logging.WARNING)  # the test's own tooling
    CouncilMemberFactory(full_name=NAME, national_id=NATIONAL_ID, phone="081-234-5678")
    page = admin_client.get("/privacy/person/")
    assert 'method="post"' in page.text and 'method="get"' not in page.text
    found = admin_client.post("/privacy/person/", {"q": NATIONAL_ID})
    assert NAME in found.text
    assert f"?q={NATIONAL_ID}" not in found.text and "download/?q" not in found.text
    assert admin_client.post("/privacy/person/download/", {"q": NAME}).status_code == 200
    paths = set(AccessLog.objects.values_list("path", flat=True))
    assert paths == {"/privacy/person/", "/privacy/person/download/"}
    assert urls == ["/privacy/person/"] * 2 + ["/privacy/person/download/"]
    assert hits([(r.name, r.getMessage()) for r in caplog.records]) == []
    # The old address with the person in its query answers nothing.
    assert admin_client.get("/privacy/person/download/", {"q": NAME}).status_code == 405
    assert admin_client.get("/privacy/person/", {"q": NAME}).context["records"].total == 0


def test_a_legacy_access_log_address_with_the_person_is_scrubbed(admin_client, admin_user):
    CouncilMemberFactory(full_name=NAME, national_id=NATIONAL_ID)
    for path in (
        f"/privacy/person/?q={NATIONAL_ID}",
        "/privacy/person/download/?q=%E0%B8%99%E0%B8%B2%E0%B8%87%E0%B8%AA%E0%B8%B2%E0%B8%A7"
        "%E0%B8%9E%E0%B8%B4%E0%B8%A1%E0%B8%9E%E0%B9%8C%E0%B9%83%E0%B8%88+%E0%B8%A3%E0%B8%B1"
        "%E0%B8%81%E0%B8%A9%E0%B9%8C%E0%B8%96%E0%B8%B4%E0%B9%88%E0%B8%99%E0%B9%80%E0%B8%81"
        "%E0%B8%B4%E0%B8%94",
    ):
        AccessLog.objects.create(user=admin_user, action="view", model="x", path=path)
    admin_client.post("/privacy/person/erase/", {"q": NATIONAL_ID, "confirm": "yes"})
    paths = list(AccessLog.objects.values_list("path", flat=True))
    assert not [path for path in paths if NATIONAL_ID in path or "%E0%B8%9E%E0%B8%B4" in path]


def test_an_earlier_version_of_another_record_is_found_and_only_the_person_is_erased(
    admin_client,
):
    keeper = CouncilMemberFactory(full_name=NAME, national_id=NATIONAL_ID, phone="081-234-5678")
    keeper.full_name, keeper.national_id, keeper.phone = "นายสืบต่อ ทำงาน", "", "086-000-0000"
    keeper.role = "treasurer"
    keeper.save()
    found = admin_client.post("/privacy/person/", {"q": NATIONAL_ID})
    assert "1 record found" in found.text or "พบ 1 รายการ" in found.text
    admin_client.post("/privacy/person/erase/", {"q": NATIONAL_ID, "confirm": "yes"})
    first, second = keeper.history.order_by("history_id")
    assert (first.full_name, first.national_id, first.phone) == (ERASED_NAME, "", "")
    assert (second.full_name, second.phone, second.role) == (
        "นายสืบต่อ ทำงาน",
        "086-000-0000",
        "treasurer",
    )
    keeper.refresh_from_db()
    assert keeper.full_name == "นายสืบต่อ ทำงาน"


def test_an_edit_page_opened_before_the_erasure_cannot_write_the_person_back(
    staff_client, admin_user
):
    council = CouncilFactory()
    CouncilMemberFactory(council=council, full_name=NAME, national_id=NATIONAL_ID)
    url = f"/councils/{council.pk}/edit/"
    stale = form_data(staff_client.get(url), **{"members-0-role": "treasurer"})
    admin = Client()
    admin.force_login(admin_user)
    admin.post("/privacy/person/erase/", {"q": NATIONAL_ID, "confirm": "yes"})
    response = staff_client.post(url, stale)
    assert response.status_code == 200  # a conflict: shown, nothing written
    assert response.context["conflicts"]
    assert not CouncilMember.objects.filter(national_id=NATIONAL_ID).exists()
    assert not CouncilMember.objects.filter(full_name=NAME).exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (NATIONAL_ID, ""),
        ("1-1017-00203-45-0", ""),
        ("081-234-5678", ""),
        ("+66 81 234 5678", ""),
        (NAME, ERASED_NAME),
        (f"ประธาน: {NAME}  โทร. 081 234 5678", f"ประธาน: {ERASED_NAME}  โทร. {ERASED_NAME}"),
        ("นางสาวพิมพ์ใจ   รักษ์ถิ่นเกิด มาแทน", f"{ERASED_NAME} มาแทน"),
        ("เลขบัตร 1 1017 00203 45 0 ครับ", f"เลขบัตร {ERASED_NAME} ครับ"),
        ("/privacy/person/?q=1101700203450", f"/privacy/person/?q={ERASED_NAME}"),
        # Other numbers and other people are left alone.
        ("11017002034501", "11017002034501"),
        ("089-234-5678", "089-234-5678"),
        ("นางสาวพิมพ์ใจ ดีงาม", "นางสาวพิมพ์ใจ ดีงาม"),
        ("นางสาวพิมพ์ใจ รักษ์ถิ่นเกิดใหม่", "นางสาวพิมพ์ใจ รักษ์ถิ่นเกิดใหม่"),  # another surname
        ("นางสาวพิมพ์ใจ รักษ์ถิ่นเกิดิ", "นางสาวพิมพ์ใจ รักษ์ถิ่นเกิดิ"),  # even by one mark
        (f"{NAME}, ประธาน", f"{ERASED_NAME}, ประธาน"),
    ],
)
def test_identifiers_are_found_in_the_forms_people_write_them(text, expected):
    needles = [name_needle(NAME), national_id_needle(NATIONAL_ID), phone_needle("081-234-5678")]
    assert scrub_text(text, needles) == expected


def test_identifiers_ignore_blanks_and_erased_markers():
    found = Identifiers()
    found.add(name=ERASED_NAME, national_id=" ", phone="")
    found.add(name="  ", phone="12")
    assert found.needles() == []


def test_an_erased_pending_import_cannot_bring_the_person_back(
    staff_client, admin_user, django_capture_on_commit_callbacks
):
    call_command("load_geography", "--province", "33", verbosity=0)
    CouncilFactory(code="C330401", subdistrict_id="330401", district_id="3304")
    CouncilMemberFactory(full_name=NAME, national_id=NATIONAL_ID)
    rows = [["สภา", "ชื่อ-สกุล", "เลขประจำตัวประชาชน"], ["C330401", NAME, NATIONAL_ID]]
    staff_client.post(
        "/imports/", {"kind": "members", "file": SimpleUploadedFile("m.xlsx", xlsx(rows))}
    )
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.PREVIEW
    admin = Client()
    admin.force_login(admin_user)
    stored = batch.file.path
    with django_capture_on_commit_callbacks() as deletions:
        admin.post("/privacy/person/erase/", {"q": NAME, "confirm": "yes"})
    assert Path(stored).exists()  # kept until the erasure is committed
    for callback in deletions:
        callback()
    assert not Path(stored).exists()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CANCELLED and not batch.file
    response = staff_client.post(
        f"/imports/{batch.pk}/commit/",
        {"mode": "all", "confirm": batch.commit_confirmation("all")},
        follow=True,
    )
    assert response.status_code == 200
    assert not CouncilMember.objects.filter(full_name=NAME).exists()
    page = staff_client.get(f"/imports/{batch.pk}/")
    assert "ลบตามคำขอ" in page.text
    assert NAME not in page.text


def test_only_an_admin_may_erase_and_staff_leave_everything_in_place(staff_client):
    member = CouncilMemberFactory(full_name=NAME, national_id=NATIONAL_ID)
    response = staff_client.post("/privacy/person/erase/", {"q": NATIONAL_ID, "confirm": "yes"})
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.national_id == NATIONAL_ID
    assert not Erasure.objects.exists()


def test_a_user_named_like_the_person_is_left_alone(admin_client):
    user = UserFactory(username="pimjai", first_name="พิมพ์ใจ", last_name="รักษ์ถิ่นเกิด")
    CouncilMemberFactory(full_name=NAME, national_id=NATIONAL_ID)
    admin_client.post("/privacy/person/erase/", {"q": NATIONAL_ID, "confirm": "yes"})
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("พิมพ์ใจ", "รักษ์ถิ่นเกิด")


def test_rows_whose_unique_values_are_scrubbed_do_not_collide(admin_client, admin_user):
    from imports.models import HeaderMapping

    CouncilMemberFactory(full_name=NAME, national_id=NATIONAL_ID, phone="081-234-5678")
    for header in ("081-234-5678", "0812345678", NATIONAL_ID):  # a data row read as a header
        HeaderMapping.objects.create(
            kind="members", header=header, field="ignored", user=admin_user
        )
    response = admin_client.post("/privacy/person/erase/", {"q": NATIONAL_ID, "confirm": "yes"})
    assert response.status_code == 302
    headers = list(HeaderMapping.objects.values_list("header", flat=True))
    assert len(set(headers)) == 3
    assert all(header.startswith(ERASED_NAME) for header in headers)
