"""The bulk engine (imports.bulk): same outcomes as a row-by-row import, history kept, and a
constant number of queries per thousand rows."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from imports import bulk, service
from imports.models import ImportBatch
from projects.models import Project
from tests.factories import CouncilFactory, ProgrammeFactory, ProjectFactory
from tests.test_imports import messages_of, rows_by_number, xlsx

HEADERS = [
    "รหัสโครงการ",
    "ชื่อโครงการ",
    "แผนงาน",
    "สภา",
    "ปีงบประมาณ",
    "งบประมาณที่ขอ",
    "วันเริ่ม",
    "วันสิ้นสุด",
]


@pytest.fixture(autouse=True)
def _setup(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("en"):
        yield


@pytest.fixture
def world(db):
    ProgrammeFactory(code="housing", name_th="บ้านมั่นคงชนบท", name_en="Rural housing")
    return [CouncilFactory(code=f"C{n:03}") for n in range(5)]


def project_rows(count, councils):
    return [HEADERS] + [
        [
            f"B-{n:05}",
            f"โครงการ {n}",
            "housing",
            councils[n % 5].code,
            2567,
            f"{n + 1:,} บาท",
            "1/11/2566",
            "30/9/2567",
        ]
        for n in range(count)
    ]


def run(user, rows):
    return service.store_upload(SimpleUploadedFile("p.xlsx", xlsx(rows)), "projects", user)


def test_a_bulk_commit_keeps_the_history_with_the_batch_and_the_user(staff_user, world):
    existing = ProjectFactory(code="B-00001", council=world[1], programme=ProgrammeFactory())
    batch = run(staff_user, project_rows(30, world))
    assert (batch.rows_new, batch.rows_changed, batch.rows_error) == (29, 1, 0)
    service.commit(batch, staff_user, ImportBatch.Mode.ALL)
    assert Project.objects.count() == 30
    created = Project.objects.get(code="B-00002")
    assert created.created_at is not None and created.version == 1
    assert created.budget_requested == Decimal("3")
    assert created.end_date == datetime.date(2024, 9, 30)
    entry = created.history.get()
    assert (entry.history_type, entry.history_change_reason, entry.history_user) == (
        "+",
        f"import:{batch.pk}",
        staff_user,
    )
    existing.refresh_from_db()
    assert existing.version == 2 and existing.title_th == "โครงการ 1"
    assert existing.history.first().history_change_reason == f"import:{batch.pk}"

    report = service.undo(batch, staff_user)
    assert (len(report["removed"]), len(report["restored"]), len(report["kept"])) == (29, 1, 0)
    existing.refresh_from_db()
    assert existing.title_th != "โครงการ 1"
    assert Project.objects.active().count() == 1


def test_queries_do_not_grow_with_the_number_of_rows(staff_user, world):
    def queries(count):
        batch = run(staff_user, project_rows(count, world))
        with CaptureQueriesContext(connection) as context:
            service.commit(batch, staff_user, ImportBatch.Mode.ALL)
        return len(context)

    small = queries(100)
    Project.history.model.objects.all().delete()
    Project.objects.all().delete()
    large = queries(1000)
    assert large <= small + 4, (small, large)


def test_bulk_checks_find_what_the_row_by_row_checks_find(staff_user, world):
    rows = project_rows(4, world)
    rows[2][7] = "1/1/2566"  # ends before it starts: the model's check constraint
    rows[3][0] = rows[1][0]  # the same project twice in one file
    rows[4][2] = "ไม่มี"  # an unknown programme
    batch = run(staff_user, rows)
    found = rows_by_number(batch)
    # Both rows about one project are refused: nothing says which of the two is meant.
    assert messages_of(found[2]) == ["The same record is on row 4 of the file too."]
    assert messages_of(found[3]) == ["วันสิ้นสุด 1 Jan 2023 cannot be before วันเริ่ม 1 Nov 2023."]
    assert messages_of(found[4]) == ["The same record is on row 2 of the file too."]
    assert messages_of(found[5]) == ['No programme has the code or name "ไม่มี".']


@pytest.mark.parametrize(
    "condition, values, expected",
    [
        (Q(a__gte=0), {"a": 1}, True),
        (Q(a__gte=0), {"a": -1}, False),
        (Q(a__gte=0), {"a": None}, None),
        (Q(a__isnull=True) | Q(a__gte=5), {"a": None}, True),
        (~Q(a="x") | ~Q(b=""), {"a": "x", "b": ""}, False),
        (Q(a__in=["x", "y"]), {"a": "z"}, False),
        (Q(a="") | Q(a__regex=r"^[0-9]{3}$"), {"a": "12a"}, False),
    ],
)
def test_check_constraints_are_read_in_python_with_sql_null_logic(condition, values, expected):
    class Field:
        def __init__(self, name):
            self.attname = name

    class Meta:
        @staticmethod
        def get_field(name):
            return Field(name)

    class Instance:
        _meta = Meta

    instance = Instance()
    for name, value in values.items():
        setattr(instance, name, value)
    assert bulk.evaluate(instance, condition) is expected


def test_a_large_preview_keeps_the_details_of_the_first_rows_only(
    staff_user, world, monkeypatch, client, settings
):
    monkeypatch.setattr(service, "PREVIEW_DETAIL_ROWS", 5)
    batch = run(staff_user, project_rows(12, world))
    details = [bool(row.get("changes")) for row in batch.preview["rows"]]
    assert details == [True] * 5 + [False] * 7
    assert batch.rows_new == 12
    client.force_login(staff_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/imports/{batch.pk}/").content.decode()
    assert "details are shown for the first 1,000 new" in page


def test_undo_queries_do_not_grow_with_the_batch(staff_user, world):
    def undo_queries(count):
        batch = run(staff_user, project_rows(count, world))
        service.commit(batch, staff_user, ImportBatch.Mode.ALL)
        with CaptureQueriesContext(connection) as context:
            report = service.undo(batch, staff_user)
        assert len(report["removed"]) == count
        Project.history.model.objects.all().delete()
        Project.objects.all().delete()
        return len(context)

    assert undo_queries(1000) <= undo_queries(100) + 4


def test_an_import_and_its_undo_refresh_the_dashboard_figures(
    staff_user, world, client, django_capture_on_commit_callbacks
):
    """Bulk writes send no save signals; the cached dashboard figures must still drop."""
    client.force_login(staff_user)
    figures = lambda: client.get("/", {"fiscal_year": 2567}).context["summary"]  # noqa: E731
    assert figures()["projects"]["total"] == 0
    batch = run(staff_user, project_rows(12, world))
    with django_capture_on_commit_callbacks(execute=True):
        service.commit(batch, staff_user, ImportBatch.Mode.ALL)
    assert figures()["projects"]["total"] == 12
    with django_capture_on_commit_callbacks(execute=True):
        service.undo(batch, staff_user)
    assert figures()["projects"]["total"] == 0


def test_a_second_confirmation_of_the_same_batch_writes_nothing(staff_user, world):
    batch = run(staff_user, project_rows(5, world))
    stale = ImportBatch.objects.get(pk=batch.pk)  # as a second request loaded it
    service.commit(batch, staff_user, ImportBatch.Mode.ALL)
    with pytest.raises(service.CommitRefused):
        service.commit(stale, staff_user, ImportBatch.Mode.ALL)
    assert Project.objects.count() == 5
