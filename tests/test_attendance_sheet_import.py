"""A meeting's sign-in sheet, uploaded on its attendance page, goes through the import centre:
a batch of attendance for that meeting (the file needs no meeting column), checked row by row,
written only once the user confirms, and undone like any import. The sheets people kept for
the old upload (its headers, Thai Windows CSV, organisations in words) still read."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from imports import service
from imports.models import ImportBatch
from meetings.models import Attendance
from tests.factories import (
    AgencyFactory,
    AttendanceFactory,
    CouncilFactory,
    DistrictFactory,
    MeetingFactory,
    ProvinceFactory,
    SubdistrictFactory,
    UserFactory,
)
from tests.helpers import EN, bangkok
from tests.test_imports import messages_of, xlsx, zip_bomb

pytestmark = pytest.mark.django_db
TH = {"Accept-Language": "th"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def bueng_malu(sisaket):
    district = DistrictFactory(province=sisaket, code="3304", name_th="กันทรลักษ์")
    return CouncilFactory(
        subdistrict=SubdistrictFactory(district=district, code="330401"),
        name_th="สภาองค์กรชุมชนตำบลบึงมะลู",
    )


@pytest.fixture
def meeting(sisaket):
    return MeetingFactory(title="เวทีสมัชชาจังหวัด", starts_at=bangkok(2022, 12, 21, 13, 0))


@pytest.fixture
def ubon_council():
    ubon = ProvinceFactory(code="34", name_th="อุบลราชธานี", name_en="Ubon Ratchathani")
    return CouncilFactory(
        subdistrict=SubdistrictFactory(
            district=DistrictFactory(province=ubon, code="3401"), code="340101"
        ),
        name_th="สภาองค์กรชุมชนตำบลในเมือง",
    )


def sheet(rows, name="sign-in.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, xlsx(rows))


def upload(client, meeting, file, **headers):
    return client.post(
        f"/imports/meetings/{meeting.pk}/attendance/", {"sheet": file}, headers=headers
    )


def confirm(client, batch, mode="all"):
    batch.refresh_from_db()
    return client.post(
        f"/imports/{batch.pk}/commit/",
        {"mode": mode, "confirm": batch.commit_confirmation(mode)},
        headers=EN,
        follow=True,
    )


def shown(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def people(meeting) -> list[tuple]:
    return list(
        meeting.attendance.active()
        .order_by("order")
        .values_list("person_name", "council", "agency", "organisation_text", "phone", "order")
    )


OLD_SHEET = [
    ["ลำดับ", "ชื่อ-สกุล", "ตำแหน่ง", "หน่วยงาน", "โทรศัพท์", "ลายมือชื่อ"],
    [1, "นางมาลี ศรีสุข", "ประธานสภา", "สภาองค์กรชุมชนตำบลบึงมะลู", "081 234 5678", None],
    [2, "นายสมศักดิ์ ใจดี", "รองนายก", "อบจ.ศรีสะเกษ", None, None],
    [None, None, None, None, None, None],
    [3, "นายทองดี มีสุข", None, "เครือข่ายป่าชุมชน", "๐๔๕-๖๑๑-๒๓๔", None],
]


def test_a_sign_in_sheet_is_previewed_then_added_to_its_meeting_once_confirmed(
    staff, meeting, bueng_malu
):
    pao = AgencyFactory(name_th="องค์การบริหารส่วนจังหวัดศรีสะเกษ", short_name="อบจ.ศรีสะเกษ")
    typed = AttendanceFactory(meeting=meeting, order=1)
    response = upload(staff, meeting, sheet(OLD_SHEET), **EN)
    batch = ImportBatch.objects.get()
    assert response.url == f"/imports/{batch.pk}/"
    assert (batch.kind, batch.meeting, batch.created_by.username) == (
        "attendance",
        meeting,
        "staff33",
    )
    assert (batch.status, batch.rows_new, batch.rows_error) == ("preview", 3, 0)
    assert meeting.attendance.count() == 1  # nothing is written before the confirmation

    page = staff.get(batch.get_absolute_url(), headers=EN)
    text = page.content.decode()
    assert f'href="{meeting.get_absolute_url()}#attendance-heading"' in text
    assert "Sign-in sheet of the meeting" in text
    assert "Columns read but not imported: ลำดับ, ลายมือชื่อ." in text

    # Without the counts shown, the commit asks to confirm; with them it writes.
    assert staff.post(f"/imports/{batch.pk}/commit/", {"mode": "all"}).status_code == 200
    assert "Imported: 3 new, 0 changed, 0 unchanged." in shown(confirm(staff, batch))
    assert people(meeting)[1:] == [
        ("นางมาลี ศรีสุข", bueng_malu.pk, None, "", "081-234-5678", 2),
        ("นายสมศักดิ์ ใจดี", None, pao.pk, "", "", 3),
        ("นายทองดี มีสุข", None, None, "เครือข่ายป่าชุมชน", "045-611-234", 4),
    ]
    assert meeting.attendance.get(
        person_name="นางมาลี ศรีสุข"
    ).history.first().history_change_reason == (f"import:{batch.pk}")

    # The same sheet again adds no one twice; the undo takes the first one back.
    upload(staff, meeting, sheet(OLD_SHEET))
    again = ImportBatch.objects.latest("pk")
    assert (again.rows_new, again.rows_unchanged) == (0, 3)
    batch.refresh_from_db()
    staff.post(f"/imports/{batch.pk}/undo/", {"confirm": batch.undo_confirmation()})
    assert list(meeting.attendance.active()) == [typed]


def test_csv_in_english_or_thai_windows_encoding_and_a_list_of_names_alone_are_read(staff, meeting):
    files = [
        SimpleUploadedFile(
            "a.csv", b"Name,Position,Organisation\nSomchai Jaidee,volunteer,Forest network\n"
        ),
        SimpleUploadedFile("b.csv", "ชื่อ-สกุล,ตำแหน่ง\nนายสมชาย ใจดี,อาสาสมัคร\n".encode("cp874")),
        SimpleUploadedFile("c.csv", "ชื่อ-นามสกุล\nนางสาวสมใจ รักดี\n".encode("utf-8-sig")),
    ]
    for file in files:
        upload(staff, meeting, file)
        confirm(staff, ImportBatch.objects.latest("pk"))
    assert sorted(meeting.attendance.values_list("person_name", "organisation_text")) == [
        ("Somchai Jaidee", "Forest network"),
        ("นางสาวสมใจ รักดี", ""),
        ("นายสมชาย ใจดี", ""),
    ]


def test_rows_with_problems_are_listed_in_thai_or_english_and_nothing_is_added(staff, meeting):
    rows = [
        ["ชื่อ-สกุล", "ตำแหน่ง", "หน่วยงาน", "โทรศัพท์"],
        ["นางมาลี ศรีสุข", "ประธานสภา", "", ""],
        ["", "", "อบต.บึงมะลู", ""],
        ["นายสมศักดิ์ ใจดี", "", "", "12345"],
        ["x" * 201, "", "", ""],
    ]
    upload(staff, meeting, sheet(rows))
    batch = ImportBatch.objects.get()
    assert (batch.rows_new, batch.rows_error) == (1, 3)
    english = staff.get(batch.get_absolute_url(), headers=EN).content.decode()
    assert "Give ชื่อ-สกุล or ตำแหน่ง." in english
    assert '"12345" is not a Thai phone number (e.g. 081-234-5678 or 045-611-234).' in (
        english.replace("&quot;", '"')
    )
    assert "At most 200 characters; this cell has 201." in english
    thai = staff.get(batch.get_absolute_url(), headers=TH).content.decode()
    assert "ต้องกรอกชื่อ-สกุล หรือตำแหน่ง" in thai
    assert "ไม่ใช่หมายเลขโทรศัพท์ไทย" in thai and "not a Thai phone number" not in thai
    assert "ยาวได้ไม่เกิน 200 ตัวอักษร" in thai
    # All or nothing is refused while rows have errors; nothing was written.
    assert "fix them and upload the file again" in " ".join(shown(confirm(staff, batch)))
    assert not Attendance.objects.exists()
    # The valid rows only, when the user chooses so.
    confirm(staff, batch, mode="valid")
    assert list(meeting.attendance.values_list("person_name", flat=True)) == ["นางมาลี ศรีสุข"]


REFUSED = {
    "wrong type": (
        SimpleUploadedFile("notes.txt.pdf", b"%PDF-1.4"),
        "Upload an Excel workbook (.xlsx) or a CSV file (.csv).",
        "ไฟล์",
    ),
    "zip bomb": (
        SimpleUploadedFile("bomb.xlsx", zip_bomb()),
        "The workbook unpacks to far more than its size (a zip bomb); refused.",
        "zip bomb",
    ),
    "no header": (
        SimpleUploadedFile("numbers.csv", b"1,2\n3,4\n"),
        "No header row found",
        "หัวตาราง",
    ),
    "empty": (
        SimpleUploadedFile("empty.xlsx", xlsx([["ชื่อ-สกุล", "ตำแหน่ง"]])),
        "The file has a header row but no data rows.",
        "ไม่มีแถวข้อมูล",
    ),
}


@pytest.mark.parametrize("case", REFUSED, ids=list(REFUSED))
def test_a_file_that_is_not_a_sign_in_sheet_is_refused_clearly(staff, meeting, case):
    file, english, thai = REFUSED[case]
    file.seek(0)
    response = upload(staff, meeting, file, **EN)
    assert response.url == f"/meetings/{meeting.pk}/attendance/"
    messages = shown(staff.get(response.url, headers=EN))
    assert any(m.startswith("Nothing was added.") and english in m for m in messages), messages
    file.seek(0)
    thai_messages = shown(staff.get(upload(staff, meeting, file, **TH).url, headers=TH))
    assert any(thai in m for m in thai_messages), thai_messages
    assert not ImportBatch.objects.exists() and not Attendance.objects.exists()


def test_too_many_rows_are_refused_as_for_every_import(staff, meeting, settings):
    settings.IMPORT_MAX_ROWS = 3
    rows = [["ชื่อ-สกุล", "ตำแหน่ง"]] + [[f"คนที่ {n}", ""] for n in range(4)]
    response = upload(staff, meeting, sheet(rows), **EN)
    messages = shown(staff.get(response.url, headers=EN))
    assert "Nothing was added. The file has more than 3 rows; split it into smaller files." in (
        messages
    )
    assert not ImportBatch.objects.exists()


def test_an_unknown_column_is_asked_about_on_the_preview_not_guessed(staff, meeting):
    upload(staff, meeting, sheet([["ชื่อ-สกุล", "อีเมล"], ["นางมาลี", "a@example.org"]]))
    batch = ImportBatch.objects.get()
    assert batch.preview["unknown"] == ["อีเมล"]
    page = staff.get(batch.get_absolute_url(), headers=EN).content.decode()
    assert "Columns the portal does not know" in page
    confirm(staff, batch)
    assert list(meeting.attendance.values_list("person_name", flat=True)) == ["นางมาลี"]


def test_a_meeting_column_may_name_this_meeting_but_not_another(staff, meeting):
    other = MeetingFactory(title="ประชุมอื่น")
    rows = [
        ["การประชุม", "ชื่อ-สกุล"],
        [meeting.pk, "นางมาลี ศรีสุข"],
        ["", "นายสมศักดิ์ ใจดี"],
        [other.pk, "นายหลง ผิดที่"],
    ]
    upload(staff, meeting, sheet(rows))
    batch = ImportBatch.objects.get()
    found = {row["row"]: row for row in batch.preview["rows"]}
    assert [found[n]["outcome"] for n in (2, 3, 4)] == ["new", "new", "error"]
    with translation.override("en"):
        assert messages_of(found[4]) == [
            "This sheet is for the meeting “เวทีสมัชชาจังหวัด”; this row names another."
        ]
    confirm(staff, batch, mode="valid")
    assert not other.attendance.exists()
    assert meeting.attendance.count() == 2


def test_only_councils_of_the_meetings_province_are_linked_others_kept_as_words(
    client, sisaket, meeting, bueng_malu, ubon_council
):
    both = UserFactory(role="staff")
    both.provinces.add(sisaket, ubon_council.district.province)
    client.force_login(both)
    content = (
        "ชื่อ-สกุล,หน่วยงาน\n"
        f"นางสาวใจดี มีสุข,{bueng_malu.name_th}\n"
        f"นายข้าม เขต,{ubon_council.name_th}\n"
        "นายไม่มี สภา,สภาองค์กรชุมชนตำบลไม่มีจริง\n"
    )
    upload(client, meeting, SimpleUploadedFile("s.csv", content.encode("utf-8-sig")))
    confirm(client, ImportBatch.objects.get())
    rows = dict(meeting.attendance.values_list("person_name", "council_id"))
    assert rows == {"นางสาวใจดี มีสุข": bueng_malu.pk, "นายข้าม เขต": None, "นายไม่มี สภา": None}
    texts = dict(meeting.attendance.values_list("person_name", "organisation_text"))
    assert texts["นายข้าม เขต"] == ubon_council.name_th
    assert not ubon_council.attendance.exists()


def test_whoever_may_edit_the_meeting_imports_its_sheet_without_the_import_centre(
    staff, meeting, monkeypatch
):
    """Should a role edit meetings without importing anything else, its sign-in sheets
    still go through: their batch pages, confirmation and undo are theirs."""
    monkeypatch.setattr(service, "kinds_for", lambda user: [])
    assert staff.get("/imports/").status_code == 403
    upload(staff, meeting, sheet([["ชื่อ-สกุล", "ตำแหน่ง"], ["นางมาลี", "ประธาน"]]))
    batch = ImportBatch.objects.get()
    assert staff.get(batch.get_absolute_url()).status_code == 200
    confirm(staff, batch)
    assert meeting.attendance.count() == 1
    batch.refresh_from_db()
    staff.post(f"/imports/{batch.pk}/undo/", {"confirm": batch.undo_confirmation()})
    assert not meeting.attendance.active().exists()
    # A batch of the import centre itself stays out of reach.
    other = ImportBatch.objects.create(
        kind="attendance", created_by=batch.created_by, file_name="x.csv", sha256="0"
    )
    assert staff.get(other.get_absolute_url()).status_code == 403


def test_cancelling_a_sheet_goes_back_to_its_meetings_attendance(staff, meeting):
    upload(staff, meeting, sheet([["ชื่อ-สกุล", "ตำแหน่ง"], ["นางมาลี", "ประธาน"]]))
    batch = ImportBatch.objects.get()
    response = staff.post(f"/imports/{batch.pk}/cancel/")
    assert response.url == f"/meetings/{meeting.pk}/attendance/"
    assert not meeting.attendance.exists()


def test_checking_a_sheet_costs_the_same_queries_for_ten_or_two_hundred_people(
    staff_user, meeting, bueng_malu
):
    AgencyFactory(short_name="อบจ.ศรีสะเกษ")
    organisations = [bueng_malu.name_th, "อบจ.ศรีสะเกษ", "เครือข่ายป่าชุมชน"]

    def queries(count: int) -> int:
        rows = [["ชื่อ-สกุล", "หน่วยงาน", "โทรศัพท์"]] + [
            [f"คนที่ {n}", organisations[n % 3], "081-234-5678"] for n in range(count)
        ]
        with CaptureQueriesContext(connection) as context:
            service.store_upload(sheet(rows), "attendance", staff_user, meeting=meeting)
        return len(context.captured_queries)

    queries(10)  # the user's provinces, read once per request
    assert queries(200) == queries(10)


def test_the_attendance_page_tells_in_thai_how_a_sheet_is_read_and_confirmed(staff, meeting):
    page = staff.get(f"/meetings/{meeting.pk}/attendance/", headers=TH).content.decode()
    assert f'action="/imports/meetings/{meeting.pk}/attendance/"' in page
    assert "แถวหัวตารางระบุชื่อคอลัมน์" in page and "จนกว่าคุณจะยืนยัน" in page
    assert "อัปโหลดและตรวจ" in page and "Upload and check" not in page


def test_a_meeting_archived_before_the_confirmation_gets_no_one(staff, meeting):
    upload(staff, meeting, sheet([["ชื่อ-สกุล", "ตำแหน่ง"], ["นางมาลี", "ประธาน"]]))
    batch = ImportBatch.objects.get()
    meeting.archive()
    assert "nothing was imported" in " ".join(shown(confirm(staff, batch)))
    batch.refresh_from_db()
    assert batch.rows_error == 1
    with translation.override("en"):
        assert messages_of(batch.preview["rows"][0]) == [
            "This meeting is archived or no longer yours to edit: nothing can be added."
        ]
    assert not Attendance.objects.exists()
