"""A list exported from the portal and imported again changes nothing: formula-like text keeps
no apostrophe, quotes, commas, new lines and Thai survive, CSV is read with standard quoting
wherever the first quote is."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation

from councils.models import Agency, Council
from geo.models import Province, Subdistrict
from imports import service
from imports.models import ImportBatch
from imports.reading import _csv_rows, import_value
from portal.lib.spreadsheets import escape_formula, unescape_formula
from projects.models import Project
from tests.factories import AgencyFactory, CouncilFactory, ProgrammeFactory, ProjectFactory
from tests.helpers import content_of
from tests.test_imports import messages_of

AWKWARD = [
    "=1+1",
    "＋66",
    "-5",
    "@x",
    "＝SUM(A1)",
    "－1",
    "＠x",
    '+"quoted", with a comma',
    'He said "hi", then left',
    "a, b, c",
    "ภาษาไทย สระ ำ ๆ ฯ",
    "'an apostrophe the user typed",
]
# Text of several lines: addresses (one-line fields such as names have no line breaks).
LINES = ["บรรทัดแรก\nบรรทัดสอง", '=line one\n"line", two', "-\n@"]


@pytest.fixture(autouse=True)
def _setup(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_geography", "--province", "33", verbosity=0)


@pytest.fixture
def places():
    return list(
        Subdistrict.objects.filter(district__province="33")
        .select_related("district")
        .order_by("code")
    )


def export(client, path, file_format):
    response = client.get(path, {"format": file_format})
    assert response.status_code == 200
    return content_of(response)  # streamed, as every export is


def reimport(user, kind, content, file_format):
    upload = SimpleUploadedFile(f"export.{file_format}", content)
    with translation.override("en"):
        return service.store_upload(upload, kind, user)


def assert_changes_nothing(batch, user, model):
    problems = [
        (row["row"], row["outcome"], row.get("changes"), messages_of(row))
        for row in batch.preview["rows"]
        if row["outcome"] != "unchanged"
    ]
    assert problems == []
    versions = dict(model.objects.values_list("pk", "version"))
    history = model.history.count()
    service.commit(batch, user, ImportBatch.Mode.ALL)
    assert dict(model.objects.values_list("pk", "version")) == versions
    assert model.history.count() == history
    batch.refresh_from_db()
    assert (batch.rows_new, batch.rows_changed, batch.rows_unchanged) == (0, 0, len(versions))


@pytest.mark.parametrize("text", AWKWARD)
def test_the_import_takes_off_exactly_the_apostrophe_the_export_put_on(text):
    assert unescape_formula(escape_formula(text)) == text
    assert import_value(escape_formula(text)) == text


def test_full_width_formula_signs_are_escaped_on_export():
    for text in ("＝1+1", "＋66", "－5", "＠x"):
        assert escape_formula(text) == f"'{text}"


def test_an_apostrophe_the_user_typed_before_ordinary_text_is_kept():
    assert import_value("'0812345678") == "'0812345678"
    assert import_value("'hello") == "'hello"
    assert import_value("'=1+1") == "=1+1"
    # The export's escaped dash is text, not the marker that empties a value.
    assert import_value("'-") == "-"
    assert import_value("-") == ""


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_councils_exported_and_imported_again_change_nothing(
    staff_client, staff_user, places, file_format
):
    for index, (text, place) in enumerate(zip(AWKWARD, places, strict=False)):
        CouncilFactory(
            code=f"C{place.code}",
            subdistrict=place,
            district=place.district,
            name_th=f"สภาองค์กรชุมชนตำบล{place.name_th}",
            name_en=text,
            address=(LINES + AWKWARD)[index],
            phone="045-611-234",
            status=Council.Status.DORMANT if index % 2 else Council.Status.ACTIVE,
        )
    content = export(staff_client, "/councils/", file_format)
    batch = reimport(staff_user, "councils", content, file_format)
    assert batch.rows_total == len(AWKWARD)
    assert_changes_nothing(batch, staff_user, Council)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_agencies_exported_and_imported_again_change_nothing(staff_client, staff_user, file_format):
    sisaket = Province.objects.get(code="33")
    for index, text in enumerate(AWKWARD):
        AgencyFactory(
            province=sisaket,
            name_en=text,
            short_name=AWKWARD[-1 - index][:60],
            address=(LINES + AWKWARD)[index],
        )
    content = export(staff_client, "/agencies/", file_format)
    batch = reimport(staff_user, "agencies", content, file_format)
    assert_changes_nothing(batch, staff_user, Agency)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_projects_exported_and_imported_again_change_nothing(
    staff_client, staff_user, places, file_format
):
    council = CouncilFactory(
        code="C330401", subdistrict=places[0], district=places[0].district, name_th="สภาฯ หนึ่ง"
    )
    programme = ProgrammeFactory()
    for index, text in enumerate(AWKWARD):
        ProjectFactory(
            council=council,
            programme=programme,
            title_en=text,
            title_th=f"โครงการ {AWKWARD[-1 - index]}",
            target_households=index,
        )
    content = export(staff_client, "/projects/", file_format)
    batch = reimport(staff_user, "projects", content, file_format)
    assert_changes_nothing(batch, staff_user, Project)


def test_a_quoted_cell_after_the_first_4_kb_of_the_portals_own_csv_is_read_whole(
    staff_client, staff_user, places
):
    """The councils export of a province: no quote in its first lines, then an address with
    a comma and doubled quotes. Guessing the quoting from the first 4 KB shifted its columns."""
    for place in places[:80]:
        CouncilFactory(
            code=f"C{place.code}",
            subdistrict=place,
            district=place.district,
            name_th=f"สภาองค์กรชุมชนตำบล{place.name_th}",
            name_en="",
            address="",
        )
    last_code = _csv_rows(export(staff_client, "/councils/", "csv"))[-1][0]
    last = Council.objects.get(code=last_code)
    last.address = 'บ้าน "หนองครก", หมู่ 5'
    last.save()
    content = export(staff_client, "/councils/", "csv")
    text = content.decode("utf-8-sig")
    assert text.index('"') > 4096
    rows = _csv_rows(content)
    assert 'บ้าน "หนองครก", หมู่ 5' in rows[-1]
    assert {len(row) for row in rows} == {len(rows[0])}
    batch = reimport(staff_user, "councils", content, "csv")
    assert_changes_nothing(batch, staff_user, Council)


@pytest.mark.parametrize(
    "content, expected",
    [
        ('a;b\n1;"x;""y"""\n', [["a", "b"], ["1", 'x;"y"']]),
        ('a\tb\n1\t"x\ty"\n', [["a", "b"], ["1", "x\ty"]]),
        ("a,b\n" + "1,2\n" * 800 + '3,"say ""hi"", ok"\n', ["3", 'say "hi", ok']),
        ("a;b\n" + "1;2\n" * 800 + '3;"say ""hi""; ok"\n', ["3", 'say "hi"; ok']),
    ],
    ids=["semicolon", "tab", "comma-late-quote", "semicolon-late-quote"],
)
def test_csv_is_read_with_standard_quoting_whatever_the_delimiter(content, expected):
    rows = _csv_rows(content.encode())
    if isinstance(expected[0], list):
        assert rows == expected
    else:
        assert rows[-1] == expected
        assert {len(row) for row in rows} == {2}


@pytest.mark.parametrize("text", ["＝1+1", "＋66", "－5", "＠x"])
def test_full_width_formula_signs_are_escaped_in_the_councils_export(staff_client, places, text):
    CouncilFactory(subdistrict=places[0], district=places[0].district, name_en=text)
    rows = _csv_rows(export(staff_client, "/councils/", "csv"))
    assert f"'{text}" in rows[1]
