"""Councils in bulk (a constant number of queries per thousand rows, every check kept), and the
commit right after an unchanged preview, which checks again only what may have changed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from councils.models import Council, CouncilMember
from geo.models import Subdistrict
from imports import service
from imports.models import ImportBatch
from projects.models import Project
from tests.factories import CouncilFactory, ProgrammeFactory, ProjectFactory
from tests.test_imports import messages_of, rows_by_number, xlsx

COUNCIL_HEADERS = ["รหัสสภา", "ชื่อสภาองค์กรชุมชน", "ตำบล", "อำเภอ", "จำนวนครัวเรือน", "ประธานสภา"]
PROJECT_HEADERS = ["รหัสโครงการ", "ชื่อโครงการ", "แผนงาน", "สภา", "ปีงบประมาณ", "งบประมาณที่ขอ"]


@pytest.fixture(autouse=True)
def _setup(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("en"):
        yield


@pytest.fixture
def geography(db):
    call_command("load_geography", "--province", "33", verbosity=0)
    return list(Subdistrict.objects.filter(district__province_id="33").order_by("code"))


def upload(user, kind, rows):
    return service.store_upload(SimpleUploadedFile("f.xlsx", xlsx(rows)), kind, user)


def council_rows(subdistricts, count, existing):
    """Half the rows about stored councils (by code, a new chair), half new councils named by
    their place only (no code)."""
    rows = [COUNCIL_HEADERS]
    for n, subdistrict in enumerate(subdistricts[:count]):
        code = existing[subdistrict.code].code if subdistrict.code in existing else ""
        rows.append([code, f"สภาฯ {subdistrict.name_th}", subdistrict.name_th,
                     subdistrict.district.name_th, 100 + n, f"ประธานคนที่ {n}"])  # fmt: skip
    return rows


def stored_councils(subdistricts, count):
    existing = {}
    for subdistrict in subdistricts[:count:2]:
        council = CouncilFactory(code=f"S{subdistrict.code}", subdistrict=subdistrict)
        CouncilMember.objects.create(council=council, full_name="ประธานเดิม", role="chair")
        existing[subdistrict.code] = council
    return existing


def test_councils_cost_the_same_queries_for_20_rows_as_for_120(geography, staff_user):
    """Per thousand rows, not per row: the places (geothai, then one query), the councils by
    code and by place, their chairs and the members a chair cell names are read once."""
    existing = stored_councils(geography, 140)
    upload(staff_user, "councils", council_rows(geography[-1:], 1, existing))  # caches warm
    counted = {}
    for count, places in ((20, geography[:20]), (120, geography[20:140])):
        rows = council_rows(places, count, existing)
        with CaptureQueriesContext(connection) as preview:
            batch = upload(staff_user, "councils", rows)
        assert batch.rows_error == 0, [messages_of(r) for r in batch.preview["rows"]][:3]
        with CaptureQueriesContext(connection) as commit:
            service.commit(batch, staff_user, ImportBatch.Mode.ALL)
        counted[count] = (len(preview), len(commit))
    assert counted[20] == counted[120]
    assert counted[120][0] <= 30 and counted[120][1] <= 45, counted


def test_councils_in_bulk_keep_every_check_and_the_chair_column(geography, staff_user):
    existing = stored_councils(geography, 4)
    kept = existing[geography[0].code]
    kept.phone = "045111111"
    kept.save()
    households = kept.households
    rows = council_rows(geography, 4, existing)
    rows[1][4] = ""  # an empty cell keeps the stored households
    rows.append(["", "ซ้ำ", geography[1].name_th, geography[1].district.name_th, 5, ""])
    rows.append(["", "ไม่มีที่", "ไม่มีตำบลนี้", "", 5, ""])
    batch = upload(staff_user, "councils", rows)
    found = rows_by_number(batch)
    assert [found[n]["outcome"] for n in range(2, 8)] == [
        "changed",
        "error",  # the same council as row 6: both refused
        "changed",
        "new",
        "error",
        "error",
    ]
    assert "The same record is on row 6 of the file too." in messages_of(found[3])
    assert "No subdistrict is called" in " ".join(messages_of(found[7]))
    service.commit(batch, staff_user, ImportBatch.Mode.VALID)
    kept.refresh_from_db()
    assert (kept.phone, kept.households) == ("045111111", households)
    chairs = CouncilMember.objects.filter(council=kept).order_by("pk")
    assert [(m.full_name, m.role) for m in chairs] == [
        ("ประธานเดิม", "member"),
        ("ประธานคนที่ 0", "chair"),
    ]
    entry = chairs[1].history.get()
    assert (entry.history_change_reason, entry.history_user) == (f"import:{batch.pk}", staff_user)
    new = Council.objects.get(code=f"C{geography[3].code}")
    assert CouncilMember.objects.get(council=new).role == "chair"


def test_a_municipal_council_matches_only_a_municipal_council(geography, staff_user):
    place = geography[0]
    CouncilFactory(code="SUB", subdistrict=place)
    municipal = CouncilFactory(
        code="MUN", subdistrict=place, area_type="municipality", municipality_name="เทศบาล"
    )
    rows = [
        ["ชื่อสภาองค์กรชุมชน", "ประเภทพื้นที่", "ตำบล", "อำเภอ", "จำนวนครัวเรือน"],
        ["สภาเทศบาล", "เขตเทศบาล", place.name_th, place.district.name_th, 321],
    ]
    batch = upload(staff_user, "councils", rows)
    assert batch.rows_changed == 1, messages_of(batch.preview["rows"][0])
    service.commit(batch, staff_user, ImportBatch.Mode.ALL)
    municipal.refresh_from_db()
    assert municipal.households == 321


# The commit right after an unchanged preview ------------------------------------------------


@pytest.fixture
def references(db):
    ProgrammeFactory(code="housing")
    return [CouncilFactory(code=f"C{n:03}") for n in range(3)]


def project_rows(count, councils, first=0):
    return [PROJECT_HEADERS] + [
        [f"F-{n:04}", f"โครงการ {n}", "housing", councils[n % 3].code, 2567, f"{n + 1:,} บาท"]
        for n in range(first, first + count)
    ]


def test_a_commit_after_an_unchanged_preview_does_not_check_the_cells_again(
    staff_user, references, monkeypatch
):
    stored = ProjectFactory(code="F-0001", council=references[1], programme=ProgrammeFactory())
    batch = upload(staff_user, "projects", project_rows(12, references))
    assert (batch.rows_new, batch.rows_changed) == (11, 1)
    checked = []
    original = Project.clean_fields

    def clean_fields(self, *args, **kwargs):
        checked.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Project, "clean_fields", clean_fields)
    service.commit(batch, staff_user, ImportBatch.Mode.ALL)
    assert checked == []
    assert (batch.rows_new, batch.rows_changed) == (11, 1)
    stored.refresh_from_db()
    assert (stored.title_th, stored.version) == ("โครงการ 1", 2)
    assert Project.history.filter(history_change_reason=f"import:{batch.pk}").count() == 12


def test_a_record_edited_between_preview_and_commit_is_still_caught(staff_user, references):
    stored = ProjectFactory(code="F-0001", council=references[1], programme=ProgrammeFactory())
    batch = upload(staff_user, "projects", project_rows(3, references))
    stored.description = "edited meanwhile"
    stored.save()
    with pytest.raises(service.CommitRefused, match="changed since the preview"):
        service.commit(batch, staff_user, ImportBatch.Mode.ALL)
    stored.refresh_from_db()
    assert (stored.title_th, stored.description) != ("โครงการ 1", "")
    assert stored.description == "edited meanwhile"
    assert not Project.objects.filter(code="F-0000").exists()
    batch.refresh_from_db()
    assert batch.status == "preview"  # renewed, from the record as it is now
    assert rows_by_number(batch)[3]["record"] == [stored.pk, stored.version]


def test_a_record_created_between_preview_and_commit_is_still_caught(staff_user, references):
    batch = upload(staff_user, "projects", project_rows(3, references))
    ProjectFactory(code="F-0002", council=references[2], programme=ProgrammeFactory())
    with pytest.raises(service.CommitRefused, match="changed since the preview"):
        service.commit(batch, staff_user, ImportBatch.Mode.ALL)
    assert Project.objects.count() == 1


def test_a_reference_archived_between_preview_and_commit_is_still_caught(staff_user, references):
    batch = upload(staff_user, "projects", project_rows(3, references))
    assert batch.rows_new == 3
    archived = references[2]
    archived.archived_at = timezone.now()
    archived.save()
    with pytest.raises(service.CommitRefused, match="changed since the preview"):
        service.commit(batch, staff_user, ImportBatch.Mode.ALL)
    assert Project.objects.count() == 0
    batch.refresh_from_db()
    refused = rows_by_number(batch)[4]  # F-0002, of the archived council
    assert refused["outcome"] == "error"
    assert "No council has the code or name" in " ".join(messages_of(refused))
