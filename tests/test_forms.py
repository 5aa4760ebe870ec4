"""Creating and editing through the pages: input read as Thai users type it, errors shown next
to their field in the user's language, the record and its lists saved together or not at all,
removed rows archived, and the fields a council editor may not change left alone."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db.models import Model
from django.forms.models import model_to_dict
from django.utils import timezone, translation

from councils.models import Council, CouncilMember
from meetings.models import Meeting, MeetingObjective, Resolution
from projects.models import Disbursement, Project, ProjectPartner
from tests.factories import (
    AgencyFactory,
    CouncilFactory,
    CouncilMemberFactory,
    DisbursementFactory,
    DistrictFactory,
    MeetingFactory,
    MeetingObjectiveFactory,
    ProgrammeFactory,
    ProjectFactory,
    ProjectPartnerFactory,
    ProvinceFactory,
    ResolutionFactory,
    SubdistrictFactory,
    UserFactory,
)
from tests.helpers import EN

pytestmark = pytest.mark.django_db

NOTHING_SAVED = "Please correct the errors below. Nothing was saved."


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture
def other_area(sisaket):
    district = DistrictFactory(
        province=sisaket, code="3303", name_th="กันทรารมย์", name_en="Kanthararom"
    )
    return SubdistrictFactory(district=district, code="330301", name_th="ดูน", name_en="Dun")


# --- helpers --------------------------------------------------------------------------------


def _widget_value(bound_field, language):
    """What a browser would send back for this field as the page showed it."""
    value = bound_field.value()
    if value is None:
        return ""
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, list | tuple):
        return [str(item.pk if isinstance(item, Model) else item) for item in value]
    with translation.override(language):
        formatted = bound_field.field.widget.format_value(value)
    return "" if formatted is None else formatted


def form_data(response, **changes) -> dict:
    """The POST a browser would send for an edit page as shown, with `changes` applied.

    Every form of the page is included: the main form and the rows and management forms of
    every inline formset. As in a browser, checkboxes are sent only when ticked and disabled
    fields not at all."""
    assert response.status_code == 200
    language = "en" if response.context["LANGUAGE_CODE"].startswith("en") else "th"
    data: dict = {}
    forms = [response.context["form"]]
    for prefix, formset in response.context["formsets"].items():
        management = formset.management_form
        for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[f"{prefix}-{name}"] = str(management[name].value())
        forms.extend(formset.forms)
    for form in forms:
        for bound_field in form:
            if bound_field.name == "DELETE" or bound_field.field.disabled:
                continue
            if bound_field.widget_type == "checkbox":
                if bound_field.value():
                    data[bound_field.html_name] = "on"
                continue
            data[bound_field.html_name] = _widget_value(bound_field, language)
    data.update(changes)
    return data


def add_rows(data: dict, prefix: str, *rows: dict) -> dict:
    """Append new rows to the formset `prefix` of a POST built by `form_data`."""
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    for offset, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{total + offset}-{name}"] = value
    data[f"{prefix}-TOTAL_FORMS"] = str(total + len(rows))
    return data


def snapshot(record: Model) -> dict:
    """Every stored value of a record, fresh from the database."""
    fresh = type(record).objects.get(pk=record.pk)
    values = model_to_dict(fresh)
    values.update(version=fresh.version, updated_at=fresh.updated_at)
    return values


def edit(client, record, headers=None, **changes):
    """GET the edit page of `record`, POST it back with `changes`; the POST's response."""
    url = f"{record.get_absolute_url()}edit/"
    data = form_data(client.get(url, headers=headers or {}), **changes)
    return client.post(url, data, headers=headers or {})


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def assert_refused(response, field, formset_prefix=None):
    """The page came back (no redirect), with an error on `field` and the nothing-saved note."""
    assert response.status_code == 200
    if formset_prefix is None:
        assert field in response.context["form"].errors, response.context["form"].errors
    else:
        formset = response.context["formsets"][formset_prefix]
        if field is None:
            assert formset.total_error_count(), "the formset has no error"
        else:
            assert any(field in errors for errors in formset.errors), formset.errors
    assert len(messages_of(response)) == 1


# --- council: saving ------------------------------------------------------------------------


def test_a_council_edit_saves_shows_a_message_and_redirects_to_the_council(staff, council):
    response = edit(staff, council, headers=EN, name_en="Bueng Malu Community Council")
    assert response.status_code == 302
    assert response["Location"] == council.get_absolute_url()
    page = staff.get(response["Location"], headers=EN)
    council.refresh_from_db()
    assert council.name_en == "Bueng Malu Community Council"
    assert council.version == 2
    assert messages_of(page) == ["Your changes to “สภาองค์กรชุมชนตำบลบึงมะลู” were saved."]
    assert "Bueng Malu Community Council" in page.text
    # The message is shown once only.
    assert messages_of(staff.get(response["Location"])) == []


def test_the_success_message_is_in_thai_by_default(staff, council):
    response = edit(staff, council, households="1,300")
    page = staff.get(response["Location"])
    (message,) = messages_of(page)
    assert "สภาองค์กรชุมชนตำบลบึงมะลู" in message
    assert message != "Your changes to “สภาองค์กรชุมชนตำบลบึงมะลู” were saved."


@pytest.fixture
def full_records(council):
    """One record of each kind with every kind of value filled in."""
    council.households = 1604
    council.phone = "045-611-234"
    council.email = "bmalu@example.org"
    council.latitude = Decimal("14.654321")
    council.longitude = Decimal("104.612345")
    council.save()
    CouncilMemberFactory(
        council=council,
        role="chair",
        term_start=datetime.date(2022, 10, 1),
        term_end=datetime.date(2026, 9, 30),
    )
    project = ProjectFactory(
        council=council,
        budget_requested=Decimal("1604000"),
        budget_approved=Decimal("1500000.50"),
        start_date=datetime.date(2022, 11, 1),
        target_households=120,
        reached_households=87,
    )
    ProjectPartnerFactory(project=project, contribution=Decimal("25000"))
    DisbursementFactory(project=project, amount=Decimal("12500.25"))
    meeting = MeetingFactory(
        ends_at=timezone.make_aware(datetime.datetime(2022, 12, 21, 16, 30)),
        target_sectors=["local", "academic"],
        venue="หอประชุมอำเภอ",
    )
    MeetingObjectiveFactory(meeting=meeting, position=1)
    ResolutionFactory(meeting=meeting, position=1, due_on=datetime.date(2023, 3, 31))
    agency = AgencyFactory(province=council.district.province, phone="045-611-234")
    return {"council": council, "project": project, "meeting": meeting, "agency": agency}


@pytest.mark.parametrize("headers", [{}, EN], ids=["thai", "english"])
@pytest.mark.parametrize("kind", ["council", "project", "meeting", "agency"])
def test_posting_an_edit_page_unchanged_keeps_every_value(staff, full_records, kind, headers):
    """Values shown in the form (1,604,000; 01/11/2565; 13:00) are read back as they were."""
    record = full_records[kind]
    related = [
        row
        for name in ("members", "partnerships", "disbursements", "objectives", "resolutions")
        if hasattr(record, name)
        for row in getattr(record, name).all()
    ]
    assert related or kind == "agency"
    before = [snapshot(row) for row in [record, *related]]
    response = edit(staff, record, headers=headers)
    assert response.status_code == 302
    after = [snapshot(row) for row in [record, *related]]
    assert after[0]["version"] == before[0]["version"] + 1
    for values in before + after:
        del values["version"], values["updated_at"]
    assert after == before


def test_a_new_council_is_created_and_the_page_redirects_to_it(staff, area):
    page = staff.get("/councils/new/")
    data = form_data(
        page,
        code="SSK-3304-99",
        name_th="สภาองค์กรชุมชนตำบลใหม่",
        district=area.district_id,
        subdistrict=area.pk,
        status="active",
        area_type="subdistrict",
        registered_on="21/12/2565",
    )
    response = staff.post("/councils/new/", data, headers=EN)
    created = Council.objects.get(code="SSK-3304-99")
    assert response.status_code == 302
    assert response["Location"] == created.get_absolute_url()
    assert created.registered_on == datetime.date(2022, 12, 21)
    assert created.version == 1
    assert messages_of(staff.get(response["Location"], headers=EN)) == [
        "“สภาองค์กรชุมชนตำบลใหม่” was created."
    ]


# --- council: dates, numbers and phone numbers as typed -------------------------------------


@pytest.mark.parametrize(
    ("typed", "headers"),
    [
        ("21/12/2565", {}),
        ("๒๑/๑๒/๒๕๖๕", {}),
        ("21 ธ.ค. 2565", {}),
        ("21/12/2022", EN),
        ("21122565", {}),
        ("๒๑๑๒๒๕๖๕", {}),
        ("21122022", EN),
    ],
    ids=[
        "buddhist-era",
        "thai-digits",
        "thai-month",
        "christian-era-in-english",
        "numeric-keypad",
        "numeric-keypad-thai-digits",
        "numeric-keypad-christian-era",
    ],
)
def test_a_registration_date_is_read_as_typed(staff, council, typed, headers):
    response = edit(staff, council, headers=headers, registered_on=typed)
    assert response.status_code == 302
    council.refresh_from_db()
    assert council.registered_on == datetime.date(2022, 12, 21)


@pytest.mark.parametrize("typed", ["32122565", "21132565", "2112256", "211225650"])
def test_a_date_typed_without_separators_must_be_a_real_day(staff, council, typed):
    response = edit(staff, council, registered_on=typed)
    assert response.status_code == 200
    assert "21/12/2565" in response.text  # the message shows how to write it
    council.refresh_from_db()
    assert council.registered_on == datetime.date(2015, 6, 1)


def test_the_edit_page_shows_dates_in_the_readers_era(staff, council):
    thai = staff.get(f"/councils/{council.pk}/edit/")
    english = staff.get(f"/councils/{council.pk}/edit/", headers=EN)
    assert 'value="01/06/2558"' in thai.text
    assert 'value="01/06/2015"' in english.text


@pytest.mark.parametrize("typed", ["1,234", "๑,๒๓๔ ครัวเรือน", "1234"])
def test_households_are_read_with_separators_thai_digits_and_a_unit(staff, council, typed):
    assert edit(staff, council, households=typed).status_code == 302
    council.refresh_from_db()
    assert council.households == 1234


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0812345678", "081-234-5678"),
        ("081 234 5678", "081-234-5678"),
        ("+66812345678", "081-234-5678"),
        ("๐๔๕๖๑๑๒๓๔", "045-611-234"),
        ("021234567", "02-123-4567"),
    ],
)
def test_a_phone_number_is_stored_in_its_usual_written_form(staff, council, typed, stored):
    assert edit(staff, council, phone=typed).status_code == 302
    council.refresh_from_db()
    assert council.phone == stored


def test_a_short_phone_number_is_refused_with_an_error_next_to_the_field(staff, council):
    before = snapshot(council)
    response = edit(staff, council, headers=EN, phone="12345", name_en="Changed")
    assert_refused(response, "phone")
    message = "Enter a Thai phone number, e.g. 081-234-5678 or 045-611-234."
    assert response.context["form"].errors["phone"] == [message]
    # The message follows the phone input, which is marked invalid; the typed value is kept.
    field_html = re.search(r'<input[^>]*name="phone"[^>]*>(.*?)</div>', response.text, re.S)
    assert field_html and message in field_html.group(1)
    assert re.search(r'<input[^>]*name="phone"[^>]*class="[^"]*is-invalid', response.text) or (
        re.search(r'<input[^>]*class="[^"]*is-invalid[^"]*"[^>]*name="phone"', response.text)
    )
    assert 'value="12345"' in response.text
    assert snapshot(council) == before


def test_a_date_that_does_not_exist_is_refused(staff, council):
    before = snapshot(council)
    response = edit(staff, council, headers=EN, registered_on="31/02/2565")
    assert_refused(response, "registered_on")
    assert (
        "Enter a real date as day/month/year" in response.context["form"].errors["registered_on"][0]
    )
    assert snapshot(council) == before


def test_a_council_registered_before_it_was_established_is_refused(staff, council):
    before = snapshot(council)
    response = edit(
        staff, council, headers=EN, established_on="01/06/2022", registered_on="01/01/2022"
    )
    assert_refused(response, "registered_on")
    assert response.context["form"].errors["registered_on"] == [
        "A council is registered after it is established."
    ]
    assert snapshot(council) == before


def test_staff_cannot_create_a_council_in_another_provinces_district(staff, area):
    ubon = ProvinceFactory(code="34", name_th="อุบลราชธานี", name_en="Ubon Ratchathani")
    ubon_area = SubdistrictFactory(
        district=DistrictFactory(province=ubon, code="3401"), code="340101"
    )
    page = staff.get("/councils/new/")
    assert ubon_area.district not in page.context["form"].fields["district"].queryset
    data = form_data(
        page,
        code="UBN-01",
        name_th="สภาองค์กรชุมชนตำบลนอกเขต",
        district=ubon_area.district_id,
        subdistrict=ubon_area.pk,
        area_type="subdistrict",
        status="active",
    )
    response = staff.post("/councils/new/", data)
    assert_refused(response, "district")
    assert not Council.objects.filter(code="UBN-01").exists()


def test_a_subdistrict_of_another_district_is_refused(staff, council, other_area):
    before = snapshot(council)
    response = edit(staff, council, subdistrict=other_area.pk)
    assert response.status_code == 200
    assert "subdistrict" in response.context["form"].errors
    assert snapshot(council) == before


@pytest.mark.parametrize("headers", [{}, EN], ids=["thai", "english"])
def test_on_any_error_nothing_is_saved_and_the_page_says_so(staff, council, headers):
    member = CouncilMemberFactory(council=council, full_name="นายสมชาย ใจดี")
    council_before, member_before = snapshot(council), snapshot(member)
    url = f"/councils/{council.pk}/edit/"
    data = form_data(
        staff.get(url, headers=headers),
        name_th="ชื่อใหม่ที่ไม่ควรบันทึก",
        households="999",
        phone="12345",  # the one error
        **{"members-0-full_name": "ชื่อสมาชิกใหม่"},
    )
    add_rows(data, "members", {"full_name": "สมาชิกใหม่", "role": "member"})
    response = staff.post(url, data, headers=headers)
    assert_refused(response, "phone")
    assert snapshot(council) == council_before
    assert snapshot(member) == member_before
    assert council.members.count() == 1
    if headers:
        assert messages_of(response) == [NOTHING_SAVED]
        assert NOTHING_SAVED in response.text


# --- council: members and organisations (inline formsets) -----------------------------------


def test_two_members_are_added_in_one_post(staff, council):
    url = f"/councils/{council.pk}/edit/"
    data = form_data(staff.get(url))
    add_rows(
        data,
        "members",
        {"full_name": "นายสมชาย ใจดี", "role": "chair", "phone": "0812345678"},
        {"full_name": "นางมาลี ศรีสุข", "role": "secretary", "term_start": "01/10/2565"},
    )
    response = staff.post(url, data)
    assert response.status_code == 302
    members = {m.full_name: m for m in council.members.all()}
    assert set(members) == {"นายสมชาย ใจดี", "นางมาลี ศรีสุข"}
    assert members["นายสมชาย ใจดี"].role == CouncilMember.Role.CHAIR
    assert members["นายสมชาย ใจดี"].phone == "081-234-5678"
    assert members["นางมาลี ศรีสุข"].term_start == datetime.date(2022, 10, 1)
    detail = staff.get(council.get_absolute_url())
    assert "นายสมชาย ใจดี" in detail.text and "นางมาลี ศรีสุข" in detail.text


def test_an_organisation_and_a_member_representing_it_are_kept_together(staff, council):
    url = f"/councils/{council.pk}/edit/"
    data = add_rows(
        form_data(staff.get(url)),
        "organisations",
        {"name": "กลุ่มออมทรัพย์บ้านโนนสูง", "kind": "savings", "member_count": "๔๐"},
    )
    assert staff.post(url, data).status_code == 302
    organisation = council.organisations.get()
    assert organisation.member_count == 40
    data = add_rows(
        form_data(staff.get(url)),
        "members",
        {"full_name": "นายสมชาย ใจดี", "role": "member", "organisation": str(organisation.pk)},
    )
    assert staff.post(url, data).status_code == 302
    assert council.members.get().organisation == organisation


def test_a_member_cannot_represent_another_councils_organisation(staff, council, area):
    foreign = CouncilFactory(subdistrict=area).organisations.create(name="กลุ่มของสภาอื่น")
    url = f"/councils/{council.pk}/edit/"
    data = add_rows(
        form_data(staff.get(url)),
        "members",
        {"full_name": "นายสมชาย ใจดี", "role": "member", "organisation": str(foreign.pk)},
    )
    response = staff.post(url, data)
    assert_refused(response, "organisation", "members")
    assert not council.members.exists()


def test_removing_a_member_archives_it_and_takes_it_off_the_council_page(staff, council):
    leaving = CouncilMemberFactory(council=council, full_name="นายลาออก ไปแล้ว")
    staying = CouncilMemberFactory(council=council, full_name="นางอยู่ ต่อไป")
    url = f"/councils/{council.pk}/edit/"
    page = staff.get(url)
    rows = page.context["formsets"]["members"].forms
    index = next(i for i, row in enumerate(rows) if row.instance == leaving)
    data = form_data(page, **{f"members-{index}-DELETE": "on"})
    assert staff.post(url, data).status_code == 302
    leaving.refresh_from_db()
    assert leaving.archived_at is not None  # still in the database, archived
    assert CouncilMember.objects.filter(pk=leaving.pk).exists()
    staying.refresh_from_db()
    assert staying.archived_at is None
    detail = staff.get(council.get_absolute_url())
    assert "นายลาออก" not in detail.text
    assert "นางอยู่ ต่อไป" in detail.text
    # The archived member is not offered on the edit page either.
    assert [row.instance for row in staff.get(url).context["formsets"]["members"].forms] == [
        staying
    ]


def test_an_error_in_a_member_row_saves_neither_the_council_nor_the_other_rows(staff, council):
    before = snapshot(council)
    url = f"/councils/{council.pk}/edit/"
    data = form_data(staff.get(url, headers=EN), name_en="Changed")
    add_rows(
        data,
        "members",
        {"full_name": "นายสมชาย ใจดี", "role": "chair"},
        {
            "full_name": "นางมาลี ศรีสุข",
            "role": "member",
            "term_start": "01/10/2023",
            "term_end": "30/09/2023",
        },
    )
    response = staff.post(url, data, headers=EN)
    assert_refused(response, "term_end", "members")
    assert response.context["formsets"]["members"].errors[1]["term_end"] == [
        "A term cannot end before it starts."
    ]
    assert snapshot(council) == before
    assert not council.members.exists()


# --- council editor -------------------------------------------------------------------------


@pytest.fixture
def editor(client, council):
    client.force_login(UserFactory(username="editor", role="council_editor", council=council))
    return client


def test_a_council_editor_sees_the_area_fields_disabled_and_saves_the_rest(editor, council):
    url = f"/councils/{council.pk}/edit/"
    page = editor.get(url)
    form = page.context["form"]
    for name in ("code", "area_type", "district", "subdistrict", "municipality_name", "status"):
        assert form.fields[name].disabled, name
    assert re.search(r'<select[^>]*name="district"[^>]*disabled', page.text)
    response = editor.post(url, form_data(page, name_en="Renamed by its editor", households="๙๙๙"))
    assert response.status_code == 302
    council.refresh_from_db()
    assert (council.name_en, council.households) == ("Renamed by its editor", 999)
    assert (council.district_id, council.subdistrict_id) == ("3304", "330401")


def test_a_council_editor_posting_another_district_never_moves_the_council(
    editor, council, other_area
):
    url = f"/councils/{council.pk}/edit/"
    data = form_data(
        editor.get(url),
        district=other_area.district_id,
        subdistrict=other_area.pk,
        status="dissolved",
        code="HACKED",
    )
    editor.post(url, data)
    council.refresh_from_db()
    assert council.district_id == "3304"
    assert council.subdistrict_id == "330401"
    assert council.status == Council.Status.ACTIVE
    assert council.code == "SSK-3304-01"


def test_a_district_posted_by_a_council_editor_is_ignored_and_the_rest_saved(
    editor, council, other_area
):
    url = f"/councils/{council.pk}/edit/"
    data = form_data(editor.get(url), district=other_area.district_id, name_en="Renamed")
    response = editor.post(url, data)
    council.refresh_from_db()
    assert council.district_id == "3304"
    assert response.status_code == 302
    assert council.name_en == "Renamed"


def test_a_council_editor_cannot_edit_another_council(editor, council, area):
    neighbour = CouncilFactory(subdistrict=area)
    before = snapshot(neighbour)
    response = editor.post(f"/councils/{neighbour.pk}/edit/", {"name_th": "ยึดสภา"})
    assert response.status_code == 404
    assert snapshot(neighbour) == before


def test_a_viewer_cannot_post_an_edit(client, council, sisaket):
    viewer = UserFactory(username="viewer", role="viewer")
    viewer.provinces.add(sisaket)
    client.force_login(viewer)
    before = snapshot(council)
    response = client.post(f"/councils/{council.pk}/edit/", {"name_th": "เปลี่ยนชื่อ"})
    assert response.status_code == 403
    assert snapshot(council) == before


# --- projects -------------------------------------------------------------------------------


@pytest.fixture
def project(council):
    return ProjectFactory(
        council=council,
        code="SSK-66-001",
        title_th="บ้านมั่นคงชนบทตำบลบึงมะลู",
        budget_requested=Decimal("120000"),
        budget_approved=Decimal("100000"),
    )


def test_a_project_edit_reads_amounts_and_a_christian_era_fiscal_year(staff, project):
    response = edit(
        staff,
        project,
        budget_requested="๑๒๐,๕๐๐ บาท",
        budget_approved="100,000.50",
        fiscal_year="2023",
        start_date="01/11/2565",
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.budget_requested == Decimal("120500")
    assert project.budget_approved == Decimal("100000.50")
    assert project.fiscal_year == 2566
    assert project.start_date == datetime.date(2022, 11, 1)


def test_partners_and_disbursements_are_saved_with_the_project(staff, project):
    pao, university = AgencyFactory(), AgencyFactory()
    url = f"/projects/{project.pk}/edit/"
    data = form_data(staff.get(url))
    add_rows(
        data,
        "partners",
        {"agency": str(pao.pk), "role": "funder", "contribution": "25,000"},
        {"agency": str(university.pk), "role": "technical", "contribution": ""},
    )
    add_rows(
        data,
        "disbursements",
        {"paid_on": "15/01/2566", "amount": "60,000", "reference": "งวด 1"},
        {"paid_on": "02/05/2566", "amount": "40,000"},
    )
    response = staff.post(url, data)
    assert response.status_code == 302
    partners = {p.agency: p for p in project.partnerships.all()}
    assert partners[pao].contribution == Decimal("25000")
    assert partners[university].contribution == 0
    assert sorted(d.amount for d in project.disbursements.all()) == [40000, 60000]
    assert staff.get(project.get_absolute_url()).context["project"].disbursed == 100000


def test_disbursements_beyond_the_approved_budget_are_refused_and_nothing_saved(staff, project):
    DisbursementFactory(project=project, amount=Decimal("60000"))
    before = snapshot(project)
    url = f"/projects/{project.pk}/edit/"
    data = form_data(staff.get(url, headers=EN), title_en="Changed")
    add_rows(data, "disbursements", {"paid_on": "02/05/2023", "amount": "40,000.01"})
    add_rows(data, "partners", {"agency": str(AgencyFactory().pk), "role": "funder"})
    response = staff.post(url, data, headers=EN)
    assert_refused(response, None, "disbursements")
    assert response.context["formsets"]["disbursements"].non_form_errors() == [
        "Disbursements add up to 100,000.01 baht, more than the 100,000.00 approved."
    ]
    assert snapshot(project) == before
    assert project.disbursements.count() == 1
    assert not project.partnerships.exists()


def test_lowering_the_approved_budget_below_what_was_paid_is_refused(staff, project):
    DisbursementFactory(project=project, amount=Decimal("60000"))
    before = snapshot(project)
    response = edit(staff, project, budget_approved="50,000")
    assert_refused(response, None, "disbursements")
    assert snapshot(project) == before


def test_money_cannot_be_disbursed_before_a_budget_is_approved(staff, project):
    project.budget_approved = None
    project.save()
    url = f"/projects/{project.pk}/edit/"
    data = add_rows(
        form_data(staff.get(url, headers=EN)),
        "disbursements",
        {"paid_on": "02/05/2023", "amount": "1,000"},
    )
    response = staff.post(url, data, headers=EN)
    assert_refused(response, None, "disbursements")
    assert response.context["formsets"]["disbursements"].non_form_errors() == [
        "Money can be disbursed only after a budget is approved."
    ]
    assert not project.disbursements.exists()


def test_a_zero_disbursement_is_refused(staff, project):
    url = f"/projects/{project.pk}/edit/"
    data = add_rows(
        form_data(staff.get(url)), "disbursements", {"paid_on": "02/05/2566", "amount": "0"}
    )
    assert_refused(staff.post(url, data), "amount", "disbursements")
    assert not project.disbursements.exists()


def test_a_new_project_with_disbursements_beyond_its_approved_budget_is_refused(staff, council):
    page = staff.get("/projects/new/")
    data = form_data(
        page,
        code="SSK-67-077",
        title_th="โครงการใหม่",
        programme=str(ProgrammeFactory().pk),
        council=str(council.pk),
        fiscal_year="2567",
        status="approved",
        budget_requested="50,000",
        budget_approved="40,000",
    )
    add_rows(data, "disbursements", {"paid_on": "02/05/2567", "amount": "45,000"})
    response = staff.post("/projects/new/", data)
    assert_refused(response, None, "disbursements")
    assert not Project.objects.filter(code="SSK-67-077").exists()
    assert not Disbursement.objects.exists()


def test_an_archived_disbursement_does_not_count_against_the_budget(staff, project):
    DisbursementFactory(project=project, amount=Decimal("90000")).archive()
    url = f"/projects/{project.pk}/edit/"
    data = add_rows(
        form_data(staff.get(url)), "disbursements", {"paid_on": "02/05/2566", "amount": "100,000"}
    )
    assert staff.post(url, data).status_code == 302
    assert project.disbursements.active().count() == 1


def test_the_same_agency_twice_as_partner_is_refused(staff, project):
    agency = AgencyFactory()
    before = snapshot(project)
    url = f"/projects/{project.pk}/edit/"
    data = form_data(staff.get(url, headers=EN), title_en="Changed")
    add_rows(
        data,
        "partners",
        {"agency": str(agency.pk), "role": "funder", "contribution": "1,000"},
        {"agency": str(agency.pk), "role": "technical"},
    )
    response = staff.post(url, data, headers=EN)
    assert_refused(response, None, "partners")
    assert response.context["formsets"]["partners"].errors[1]  # the second row is marked
    assert snapshot(project) == before
    assert not ProjectPartner.objects.filter(project=project).exists()


def test_the_same_agency_twice_is_explained_next_to_the_agency_field(staff, project):
    agency = AgencyFactory()
    url = f"/projects/{project.pk}/edit/"
    data = form_data(staff.get(url, headers=EN))
    add_rows(
        data,
        "partners",
        {"agency": str(agency.pk), "role": "funder"},
        {"agency": str(agency.pk), "role": "technical"},
    )
    response = staff.post(url, data, headers=EN)
    assert response.context["formsets"]["partners"].errors[1].get("agency") == [
        "This agency is already a partner of the project."
    ]


def test_an_agency_already_a_partner_cannot_be_added_again(staff, project):
    existing = ProjectPartnerFactory(project=project)
    url = f"/projects/{project.pk}/edit/"
    data = add_rows(
        form_data(staff.get(url)), "partners", {"agency": str(existing.agency_id), "role": "other"}
    )
    response = staff.post(url, data)
    assert_refused(response, "agency", "partners")
    assert project.partnerships.count() == 1


def test_an_agency_removed_as_partner_can_be_added_again_later(staff, project):
    ProjectPartnerFactory(project=project).archive()
    agency = project.partnerships.get().agency
    url = f"/projects/{project.pk}/edit/"
    data = add_rows(
        form_data(staff.get(url)), "partners", {"agency": str(agency.pk), "role": "funder"}
    )
    response = staff.post(url, data)
    assert response.status_code == 302
    assert project.partnerships.active().get().agency == agency


def test_a_council_editor_creates_a_project_only_for_its_own_council(client, council, area):
    neighbour = CouncilFactory(subdistrict=area)
    client.force_login(UserFactory(username="editor", role="council_editor", council=council))
    page = client.get("/projects/new/")
    assert list(page.context["form"].fields["council"].queryset) == [council]
    data = form_data(
        page,
        code="SSK-67-050",
        title_th="โครงการใหม่ของสภา",
        programme=str(ProgrammeFactory().pk),
        council=str(neighbour.pk),
        fiscal_year="2567",
        status="proposed",
        budget_requested="50,000",
    )
    response = client.post("/projects/new/", data)
    assert response.status_code == 200
    assert "council" in response.context["form"].errors
    assert not Project.objects.filter(code="SSK-67-050").exists()
    data["council"] = str(council.pk)
    assert client.post("/projects/new/", data).status_code == 302
    assert Project.objects.get(code="SSK-67-050").council == council


# --- meetings -------------------------------------------------------------------------------


@pytest.fixture
def meeting(sisaket):
    return MeetingFactory(
        title="เวทีสมัชชาสภาองค์กรชุมชนจังหวัดศรีสะเกษ",
        starts_at=timezone.make_aware(datetime.datetime(2022, 12, 21, 13, 0)),
        province=sisaket,
    )


def test_a_meeting_date_and_start_time_are_saved_in_bangkok_time(staff, meeting):
    response = edit(staff, meeting, date="15/01/2566", start_time="09:30", end_time="16:00")
    assert response.status_code == 302
    meeting.refresh_from_db()
    bangkok = datetime.timezone(datetime.timedelta(hours=7))
    assert meeting.starts_at == datetime.datetime(2023, 1, 15, 9, 30, tzinfo=bangkok)
    assert meeting.starts_at == datetime.datetime(2023, 1, 15, 2, 30, tzinfo=datetime.UTC)
    assert meeting.ends_at == datetime.datetime(2023, 1, 15, 16, 0, tzinfo=bangkok)
    assert "15 ม.ค. 2566 09:30 น." in staff.get(meeting.get_absolute_url()).text


def test_the_meeting_edit_page_shows_the_bangkok_date_and_time(staff, meeting):
    page = staff.get(f"/meetings/{meeting.pk}/edit/")
    assert 'value="21/12/2565"' in page.text
    assert 'value="13:00"' in page.text


def test_a_new_meeting_is_created_with_target_groups(staff, sisaket):
    page = staff.get("/meetings/new/", headers=EN)
    data = form_data(
        page,
        title="ประชุมคณะทำงานบ้านมั่นคง",
        meeting_type="working_group",
        date="21/12/2022",
        start_time="13:00",
        province="33",
        target_sectors=["local", "academic"],
    )
    response = staff.post("/meetings/new/", data, headers=EN)
    assert response.status_code == 302
    created = Meeting.objects.get(title="ประชุมคณะทำงานบ้านมั่นคง")
    assert created.target_sectors == ["local", "academic"]
    assert timezone.localtime(created.starts_at).strftime("%Y-%m-%d %H:%M") == "2022-12-21 13:00"


def test_a_meeting_ending_before_it_starts_is_refused(staff, meeting):
    before = snapshot(meeting)
    response = edit(staff, meeting, headers=EN, start_time="13:00", end_time="09:00")
    assert_refused(response, "end_time")
    assert snapshot(meeting) == before


@pytest.mark.parametrize("owners", ["both", "neither"])
def test_a_resolution_needs_exactly_one_owner(staff, meeting, council, owners):
    before = snapshot(meeting)
    agency = AgencyFactory()
    url = f"/meetings/{meeting.pk}/edit/"
    data = form_data(staff.get(url, headers=EN), title="เปลี่ยนชื่อ")
    add_rows(
        data,
        "resolutions",
        {
            "position": "1",
            "text": "ติดตามกองทุน",
            "owner_council": str(council.pk) if owners == "both" else "",
            "owner_agency": str(agency.pk) if owners == "both" else "",
            "status": "open",
        },
    )
    response = staff.post(url, data, headers=EN)
    assert_refused(response, "owner_agency", "resolutions")
    assert response.context["formsets"]["resolutions"].errors[0]["owner_agency"] == [
        "A resolution has one owner: a council or an agency."
    ]
    assert snapshot(meeting) == before
    assert not Resolution.objects.exists()


def test_a_resolution_with_one_owner_is_saved_with_its_due_date(staff, meeting, council):
    url = f"/meetings/{meeting.pk}/edit/"
    data = add_rows(
        form_data(staff.get(url)),
        "resolutions",
        {
            "position": "1",
            "text": "จัดทำแผนพัฒนาตำบล",
            "owner_council": str(council.pk),
            "due_on": "31/03/2566",
            "status": "open",
        },
    )
    assert staff.post(url, data).status_code == 302
    resolution = meeting.resolutions.get()
    assert resolution.owner == council
    assert resolution.due_on == datetime.date(2023, 3, 31)


def test_duplicate_objective_numbers_are_refused(staff, meeting):
    before = snapshot(meeting)
    url = f"/meetings/{meeting.pk}/edit/"
    data = form_data(staff.get(url, headers=EN), venue="ที่ใหม่")
    add_rows(
        data,
        "objectives",
        {"position": "1", "text": "เพื่อติดตามผล"},
        {"position": "1", "text": "เพื่อวางแผน"},
    )
    response = staff.post(url, data, headers=EN)
    assert_refused(response, None, "objectives")
    assert response.context["formsets"]["objectives"].errors[1]  # the second row is marked
    assert snapshot(meeting) == before
    assert not MeetingObjective.objects.exists()


def test_a_duplicate_objective_number_is_explained_next_to_the_number(staff, meeting):
    url = f"/meetings/{meeting.pk}/edit/"
    data = form_data(staff.get(url, headers=EN))
    add_rows(
        data,
        "objectives",
        {"position": "1", "text": "เพื่อติดตามผล"},
        {"position": "1", "text": "เพื่อวางแผน"},
    )
    response = staff.post(url, data, headers=EN)
    assert response.context["formsets"]["objectives"].errors[1].get("position") == [
        "This number is used twice."
    ]


def test_the_number_of_a_removed_objective_can_be_used_again(staff, meeting):
    MeetingObjectiveFactory(meeting=meeting, position=1, text="ข้อเดิม").archive()
    url = f"/meetings/{meeting.pk}/edit/"
    data = add_rows(form_data(staff.get(url)), "objectives", {"position": "1", "text": "ข้อใหม่"})
    response = staff.post(url, data)
    assert response.status_code == 302
    assert [o.text for o in meeting.objectives.active()] == ["ข้อใหม่"]


def test_a_new_objective_cannot_take_the_number_of_an_existing_one(staff, meeting):
    MeetingObjectiveFactory(meeting=meeting, position=1, text="ข้อเดิม")
    url = f"/meetings/{meeting.pk}/edit/"
    data = add_rows(form_data(staff.get(url)), "objectives", {"position": "1", "text": "ข้อใหม่"})
    response = staff.post(url, data)
    assert_refused(response, "position", "objectives")
    assert meeting.objectives.count() == 1


def test_objectives_and_resolutions_are_saved_together(staff, meeting):
    agency = AgencyFactory()
    url = f"/meetings/{meeting.pk}/edit/"
    data = form_data(staff.get(url))
    assert "attendance-TOTAL_FORMS" not in data  # attendance has its own page
    add_rows(
        data,
        "objectives",
        {"position": "2", "text": "เพื่อวางแผน"},
        {"position": "1", "text": "เพื่อติดตามผล"},
    )
    add_rows(
        data,
        "resolutions",
        {"position": "1", "text": "ติดตามกองทุน", "owner_agency": str(agency.pk), "status": "open"},
    )
    assert staff.post(url, data).status_code == 302
    assert [o.text for o in meeting.objectives.all()] == ["เพื่อติดตามผล", "เพื่อวางแผน"]
    assert meeting.resolutions.get().owner == agency


def test_attendance_rows_are_saved_on_the_attendance_page(staff, meeting, council):
    agency = AgencyFactory()
    url = f"/meetings/{meeting.pk}/attendance/"
    data = add_rows(
        form_data(staff.get(url)),
        "attendance",
        {"person_name": "นางมาลี ศรีสุข", "council": str(council.pk), "role": "participant"},
        {"position": "พัฒนาสังคมจังหวัด", "agency": str(agency.pk), "role": "speaker"},
    )
    response = staff.post(url, data)
    assert response.status_code == 302 and response.url == url
    assert meeting.attendance.count() == 2


def test_an_attendance_row_with_a_council_and_an_agency_is_refused(staff, meeting, council):
    url = f"/meetings/{meeting.pk}/attendance/"
    data = add_rows(
        form_data(staff.get(url)),
        "attendance",
        {"person_name": "นายสมชาย", "council": str(council.pk), "agency": str(AgencyFactory().pk)},
    )
    response = staff.post(url, data)
    assert_refused(response, "agency", "attendance")
    assert not meeting.attendance.exists()


def test_removing_an_attendance_row_archives_it(staff, meeting):
    from tests.factories import AttendanceFactory

    gone = AttendanceFactory(meeting=meeting, person_name="ผู้ที่ไม่ได้มา")
    url = f"/meetings/{meeting.pk}/attendance/"
    data = form_data(staff.get(url), **{"attendance-0-DELETE": "on"})
    assert staff.post(url, data).status_code == 302
    gone.refresh_from_db()
    assert gone.is_archived
    assert "ผู้ที่ไม่ได้มา" not in staff.get(meeting.get_absolute_url()).text


def test_a_meeting_district_must_be_in_its_province(staff, meeting, area):
    ubon = ProvinceFactory(code="34", name_th="อุบลราชธานี", name_en="Ubon Ratchathani")
    ubon_district = DistrictFactory(province=ubon, code="3401")
    response = edit(staff, meeting, district=ubon_district.pk)
    assert response.status_code == 200
    assert "district" in response.context["form"].errors
    meeting.refresh_from_db()
    assert meeting.district is None


def test_disbursement_rows_keep_an_unrelated_project_untouched(staff, project, council):
    other = ProjectFactory(council=council)
    DisbursementFactory(project=other, amount=Decimal("5000"))
    before = snapshot(other)
    url = f"/projects/{project.pk}/edit/"
    data = add_rows(
        form_data(staff.get(url)), "disbursements", {"paid_on": "02/05/2566", "amount": "5,000"}
    )
    assert staff.post(url, data).status_code == 302
    assert snapshot(other) == before
    assert Disbursement.objects.filter(project=other).count() == 1


# --- agencies -------------------------------------------------------------------------------


def test_staff_create_an_agency_of_their_province(staff, sisaket):
    page = staff.get("/agencies/new/", headers=EN)
    assert list(page.context["form"].fields["province"].queryset) == [sisaket]
    data = form_data(
        page,
        code="ssk-pao",
        name_th="องค์การบริหารส่วนจังหวัดศรีสะเกษ",
        sector="local",
        province="33",
        phone="045 611 234",
    )
    response = staff.post("/agencies/new/", data, headers=EN)
    assert response.status_code == 302
    from councils.models import Agency

    agency = Agency.objects.get(code="ssk-pao")
    assert response["Location"] == agency.get_absolute_url()
    assert agency.phone == "045-611-234"
    assert agency.province_id == "33"


def test_staff_must_place_a_new_agency_in_one_of_their_provinces(staff, sisaket):
    page = staff.get("/agencies/new/", headers=EN)
    data = form_data(page, code="national", name_th="หน่วยงานระดับชาติ", sector="central")
    response = staff.post("/agencies/new/", data, headers=EN)
    assert_refused(response, "province")
    assert response.context["form"].errors["province"] == ["This field is required."]


def test_staff_cannot_edit_a_national_agency(staff):
    national = AgencyFactory(province=None)
    before = snapshot(national)
    assert staff.get(f"/agencies/{national.pk}/").status_code == 200
    assert staff.get(f"/agencies/{national.pk}/edit/").status_code == 403
    assert staff.post(f"/agencies/{national.pk}/edit/", {"name_th": "x"}).status_code == 403
    assert snapshot(national) == before
