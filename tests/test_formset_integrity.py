"""The rows of an edit page cannot reach the database as an error: a value that must be
unique among a record's rows (an organisation's name in its council, a number in a meeting,
an agency among a project's partners or a meeting's organisers) repeated, or a posted row
that belongs to another record or was removed meanwhile, is a message next to the row in
the user's language, and nothing is saved. Swapping two values, or removing a row and adding
one with its value, simply works."""

import pytest

from councils.models import CommunityOrganisation, CouncilMember
from meetings.models import MeetingObjective, MeetingOrganiser
from portal.editing import RecordInlineFormSet
from projects.models import ProjectPartner
from tests.factories import (
    AgencyFactory,
    CouncilFactory,
    CouncilMemberFactory,
    MeetingFactory,
    MeetingObjectiveFactory,
    ProjectFactory,
    ProjectPartnerFactory,
)
from tests.helpers import EN
from tests.test_forms import add_rows, form_data, snapshot

pytestmark = pytest.mark.django_db

NOTHING_SAVED = "Please correct the errors below. Nothing was saved."
CONSTRAINT_WORDS = ("constraint", "unique", "violate", "IntegrityError", "duplicate key")


@pytest.fixture
def council(sisaket):
    return CouncilFactory(name_th="สภาองค์กรชุมชนตำบลบึงมะลู")


def organisation(council, name):
    return CommunityOrganisation.objects.create(council=council, name=name, kind="savings")


def row_index(page, prefix, instance):
    forms = page.context["formsets"][prefix].forms
    return next(index for index, form in enumerate(forms) if form.instance == instance)


def refused(response):
    assert response.status_code == 200
    assert NOTHING_SAVED in response.text
    for word in CONSTRAINT_WORDS:
        assert word not in response.text.split("<footer")[0].replace("unique among", "")


def active_names(council):
    return sorted(council.organisations.active().values_list("name", flat=True))


# --- community organisations of a council -----------------------------------------------------


def test_two_new_organisations_with_the_same_name_are_refused(staff, council):
    url = f"/councils/{council.pk}/edit/"
    data = add_rows(
        form_data(staff.get(url, headers=EN)),
        "organisations",
        {"name": "กลุ่มออมทรัพย์บ้านโนนสูง", "kind": "savings", "member_count": "10"},
        {"name": "กลุ่มออมทรัพย์บ้านโนนสูง", "kind": "elderly", "member_count": "10"},
    )
    response = staff.post(url, data, headers=EN)
    refused(response)
    assert "This value is used twice." in response.text
    assert not CommunityOrganisation.objects.exists()


def test_the_repeat_is_refused_in_thai_for_thai_readers(staff, council):
    url = f"/councils/{council.pk}/edit/"
    data = add_rows(
        form_data(staff.get(url)),
        "organisations",
        {"name": "กลุ่มผู้สูงอายุ", "kind": "elderly", "member_count": "10"},
        {"name": "กลุ่มผู้สูงอายุ", "kind": "elderly", "member_count": "10"},
    )
    response = staff.post(url, data)
    assert response.status_code == 200
    assert "ค่านี้ซ้ำกัน" in response.text
    assert not CommunityOrganisation.objects.exists()


def test_a_new_organisation_named_as_an_existing_one_is_refused(staff, council):
    organisation(council, "กลุ่มเกษตรกร")
    url = f"/councils/{council.pk}/edit/"
    data = add_rows(
        form_data(staff.get(url, headers=EN)),
        "organisations",
        {"name": "กลุ่มเกษตรกร", "kind": "farmers", "member_count": "10"},
    )
    response = staff.post(url, data, headers=EN)
    refused(response)
    assert "This value is used twice." in response.text
    assert CommunityOrganisation.objects.count() == 1


def test_renaming_an_organisation_to_anothers_name_is_refused(staff, council):
    first, second = organisation(council, "กลุ่มหนึ่ง"), organisation(council, "กลุ่มสอง")
    before = snapshot(first), snapshot(second)
    url = f"/councils/{council.pk}/edit/"
    page = staff.get(url, headers=EN)
    data = form_data(
        page, **{f"organisations-{row_index(page, 'organisations', first)}-name": "กลุ่มสอง"}
    )
    response = staff.post(url, data, headers=EN)
    refused(response)
    assert "This value is used twice." in response.text
    assert (snapshot(first), snapshot(second)) == before


def test_a_page_posted_without_a_row_cannot_repeat_that_rows_name(staff, council):
    organisation(council, "กลุ่มเดิม")
    url = f"/councils/{council.pk}/edit/"
    data = form_data(staff.get(url, headers=EN))
    # A crafted page that leaves the stored organisation out and adds one with its name.
    data = {key: value for key, value in data.items() if not key.startswith("organisations-0-")}
    data["organisations-TOTAL_FORMS"] = "1"
    data["organisations-INITIAL_FORMS"] = "0"
    data.update(
        {
            "organisations-0-name": "กลุ่มเดิม",
            "organisations-0-kind": "savings",
            "organisations-0-member_count": "10",
        }
    )
    response = staff.post(url, data, headers=EN)
    refused(response)
    assert "Another row of this record already has this value." in response.text
    assert CommunityOrganisation.objects.count() == 1


def test_another_council_may_use_the_same_name(staff, council):
    organisation(CouncilFactory(), "กลุ่มออมทรัพย์")
    url = f"/councils/{council.pk}/edit/"
    data = add_rows(
        form_data(staff.get(url)),
        "organisations",
        {"name": "กลุ่มออมทรัพย์", "kind": "savings", "member_count": "10"},
    )
    assert staff.post(url, data).status_code == 302
    assert active_names(council) == ["กลุ่มออมทรัพย์"]


def test_two_organisations_swap_names(staff, council):
    first, second = organisation(council, "กลุ่มหนึ่ง"), organisation(council, "กลุ่มสอง")
    url = f"/councils/{council.pk}/edit/"
    page = staff.get(url)
    data = form_data(
        page,
        **{
            f"organisations-{row_index(page, 'organisations', first)}-name": "กลุ่มสอง",
            f"organisations-{row_index(page, 'organisations', second)}-name": "กลุ่มหนึ่ง",
        },
    )
    assert staff.post(url, data).status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.name, second.name) == ("กลุ่มสอง", "กลุ่มหนึ่ง")
    assert first.archived_at is None and second.archived_at is None
    assert [h.name for h in first.history.order_by("history_date")] == ["กลุ่มหนึ่ง", "กลุ่มสอง"]


def test_removing_an_organisation_and_adding_one_with_its_name_works(staff, council):
    old = organisation(council, "กลุ่มเดิม")
    url = f"/councils/{council.pk}/edit/"
    page = staff.get(url)
    data = form_data(
        page, **{f"organisations-{row_index(page, 'organisations', old)}-DELETE": "on"}
    )
    add_rows(data, "organisations", {"name": "กลุ่มเดิม", "kind": "elderly", "member_count": "5"})
    assert staff.post(url, data).status_code == 302
    old.refresh_from_db()
    assert old.archived_at is not None
    assert council.organisations.active().get().kind == "elderly"


# --- posted rows that are not this record's ---------------------------------------------------


def test_a_member_row_of_another_council_with_a_changed_version_is_refused(staff, council):
    mine = CouncilMemberFactory(council=council, full_name="นายของเรา ใจดี")
    theirs = CouncilMemberFactory(council=CouncilFactory(), full_name="นายของเขา ใจร้าย")
    before = snapshot(theirs), snapshot(mine)
    url = f"/councils/{council.pk}/edit/"
    page = staff.get(url, headers=EN)
    index = row_index(page, "members", mine)
    data = form_data(
        page,
        **{
            f"members-{index}-id": str(theirs.pk),
            f"members-{index}-opened_version": str(theirs.version + 5),
            f"members-{index}-full_name": "ชื่อที่เปลี่ยน",
        },
    )
    response = staff.post(url, data, headers=EN)
    refused(response)
    assert "This row is not part of this record." in response.text
    assert (snapshot(theirs), snapshot(mine)) == before
    assert CouncilMember.objects.count() == 2


@pytest.mark.parametrize("version", ["", "1", "999"])
def test_a_member_row_of_another_council_is_refused_whatever_its_version(staff, council, version):
    mine = CouncilMemberFactory(council=council)
    theirs = CouncilMemberFactory(council=CouncilFactory())
    before = snapshot(theirs)
    url = f"/councils/{council.pk}/edit/"
    page = staff.get(url, headers=EN)
    index = row_index(page, "members", mine)
    data = form_data(
        page,
        **{f"members-{index}-id": str(theirs.pk), f"members-{index}-opened_version": version},
    )
    refused(staff.post(url, data, headers=EN))
    assert snapshot(theirs) == before


@pytest.mark.parametrize("posted", ["abc", "-1", "99999999", "9" * 30, ""])
def test_a_member_row_id_that_is_no_row_is_refused(staff, council, posted):
    mine = CouncilMemberFactory(council=council)
    before = snapshot(mine)
    url = f"/councils/{council.pk}/edit/"
    page = staff.get(url, headers=EN)
    index = row_index(page, "members", mine)
    data = form_data(page, **{f"members-{index}-id": posted, f"members-{index}-full_name": "x"})
    response = staff.post(url, data, headers=EN)
    assert response.status_code == 200
    assert NOTHING_SAVED in response.text
    assert snapshot(mine) == before


def test_a_member_removed_by_someone_else_meanwhile_is_refused_not_a_server_error(staff, council):
    member = CouncilMemberFactory(council=council, full_name="นายถูกลบ ไปแล้ว")
    url = f"/councils/{council.pk}/edit/"
    page = staff.get(url, headers=EN)
    index = row_index(page, "members", member)
    member.archive()  # someone else removed the row
    data = form_data(page, **{f"members-{index}-full_name": "นายแก้ไข ชื่อ"})
    response = staff.post(url, data, headers=EN)
    refused(response)
    assert "Someone else removed this row after you opened the page." in response.text
    member.refresh_from_db()
    assert member.full_name == "นายถูกลบ ไปแล้ว"


def test_an_organisation_row_of_another_council_is_refused(staff, council):
    mine = organisation(council, "กลุ่มของเรา")
    theirs = organisation(CouncilFactory(), "กลุ่มของเขา")
    before = snapshot(theirs)
    url = f"/councils/{council.pk}/edit/"
    page = staff.get(url, headers=EN)
    index = row_index(page, "organisations", mine)
    data = form_data(page, **{f"organisations-{index}-id": str(theirs.pk)})
    refused(staff.post(url, data, headers=EN))
    assert snapshot(theirs) == before


# --- meetings and projects: the same class -----------------------------------------------------


@pytest.fixture
def meeting(sisaket):
    return MeetingFactory(province=sisaket)


def test_two_objectives_swap_numbers(staff, meeting):
    first = MeetingObjectiveFactory(meeting=meeting, position=1, text="ข้อหนึ่ง")
    second = MeetingObjectiveFactory(meeting=meeting, position=2, text="ข้อสอง")
    url = f"/meetings/{meeting.pk}/edit/"
    page = staff.get(url)
    data = form_data(
        page,
        **{
            f"objectives-{row_index(page, 'objectives', first)}-position": "2",
            f"objectives-{row_index(page, 'objectives', second)}-position": "1",
        },
    )
    assert staff.post(url, data).status_code == 302
    assert list(
        meeting.objectives.active().order_by("position").values_list("text", flat=True)
    ) == [
        "ข้อสอง",
        "ข้อหนึ่ง",
    ]


def test_a_new_objective_taking_a_number_in_use_is_refused(staff, meeting):
    MeetingObjectiveFactory(meeting=meeting, position=1, text="ข้อหนึ่ง")
    url = f"/meetings/{meeting.pk}/edit/"
    data = add_rows(
        form_data(staff.get(url, headers=EN)), "objectives", {"position": "1", "text": "ข้อใหม่"}
    )
    response = staff.post(url, data, headers=EN)
    refused(response)
    assert "This number is used twice." in response.text
    assert MeetingObjective.objects.count() == 1


def test_two_organisers_swap_agencies(staff, meeting, sisaket):
    first_agency, second_agency = AgencyFactory(province=sisaket), AgencyFactory(province=sisaket)
    first = MeetingOrganiser.objects.create(meeting=meeting, agency=first_agency)
    second = MeetingOrganiser.objects.create(meeting=meeting, agency=second_agency)
    url = f"/meetings/{meeting.pk}/edit/"
    page = staff.get(url)
    data = form_data(
        page,
        **{
            f"organisers-{row_index(page, 'organisers', first)}-agency": str(second_agency.pk),
            f"organisers-{row_index(page, 'organisers', second)}-agency": str(first_agency.pk),
        },
    )
    assert staff.post(url, data).status_code == 302
    first.refresh_from_db()
    assert first.agency == second_agency


def test_a_project_partner_repeated_is_refused(staff, sisaket):
    project = ProjectFactory(council=CouncilFactory())
    agency = AgencyFactory(province=sisaket)
    ProjectPartnerFactory(project=project, agency=agency)
    url = f"/projects/{project.pk}/edit/"
    data = add_rows(
        form_data(staff.get(url, headers=EN)),
        "partners",
        {"agency": str(agency.pk), "role": "support", "contribution": "100"},
    )
    refused(staff.post(url, data, headers=EN))
    assert ProjectPartner.objects.count() == 1


def test_every_formset_with_a_unique_constraint_checks_it():
    """The formsets know the unique field from the model's constraint: none is left to the
    database."""
    from councils.forms import OrganisationsFormSet
    from meetings.forms import (
        AgendaFormSet,
        ObjectivesFormSet,
        OrganisersFormSet,
        ResolutionsFormSet,
    )
    from projects.forms import PartnersFormSet

    expected = {
        OrganisationsFormSet: "name",
        PartnersFormSet: "agency",
        OrganisersFormSet: "agency",
        ObjectivesFormSet: "position",
        AgendaFormSet: "position",
        ResolutionsFormSet: "position",
    }
    for formset_class, field in expected.items():
        assert issubclass(formset_class, RecordInlineFormSet)
        assert formset_class(instance=formset_class.fk.related_model()).unique_field == field


def test_a_member_row_of_another_council_is_refused_in_thai(staff, council):
    mine = CouncilMemberFactory(council=council)
    theirs = CouncilMemberFactory(council=CouncilFactory())
    url = f"/councils/{council.pk}/edit/"
    page = staff.get(url)
    data = form_data(page, **{f"members-{row_index(page, 'members', mine)}-id": str(theirs.pk)})
    response = staff.post(url, data)
    assert response.status_code == 200
    assert "แถวนี้ไม่ได้เป็นของรายการนี้" in response.text


def test_a_save_overtaken_at_the_database_is_a_message_and_saves_nothing(
    staff, council, monkeypatch
):
    """Should a write still meet a constraint (another save between the checks and the
    write), the page says so and the whole edit is rolled back."""
    from django.db import IntegrityError

    def overtaken(self):
        raise IntegrityError("duplicate key value violates unique constraint")

    before = snapshot(council)
    url = f"/councils/{council.pk}/edit/"
    data = form_data(staff.get(url, headers=EN), name_en="A new English name")
    monkeypatch.setattr(RecordInlineFormSet, "save_rows", overtaken)
    response = staff.post(url, data, headers=EN)
    assert response.status_code == 200
    assert "a value that must be unique is already used" in response.text
    assert "duplicate key" not in response.text
    assert snapshot(council) == before


# --- the admin's inlines go through the same checks ---------------------------------------------


def admin_form_data(response, **changes) -> dict:
    """The POST the admin's change page would send back as shown, with `changes`."""
    assert response.status_code == 200
    data: dict = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[f"{formset.prefix}-{name}"] = str(formset.management_form[name].value())
        forms.extend(formset.forms)
    for form in forms:
        for bound_field in form:
            value = bound_field.value()
            if bound_field.field.disabled or value is None:
                continue
            if bound_field.widget_type == "checkbox":
                if value:
                    data[bound_field.html_name] = "on"
                continue
            if isinstance(value, list | tuple):
                data[bound_field.html_name] = [str(getattr(v, "pk", v)) for v in value]
            else:
                data[bound_field.html_name] = str(getattr(value, "pk", value))
    data.update(changes)
    return data


def test_the_admin_refuses_two_new_organisations_of_one_name(admin_client, council):
    url = f"/admin/councils/council/{council.pk}/change/"
    data = admin_form_data(admin_client.get(url, headers=EN))
    prefix = next(key for key in data if key.endswith("TOTAL_FORMS") and "organisation" in key)
    prefix = prefix.removesuffix("-TOTAL_FORMS")
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    for offset in range(2):
        data[f"{prefix}-{total + offset}-name"] = "กลุ่มเดียวกัน"
        data[f"{prefix}-{total + offset}-kind"] = "savings"
        data[f"{prefix}-{total + offset}-member_count"] = "10"
    data[f"{prefix}-TOTAL_FORMS"] = str(total + 2)
    response = admin_client.post(url, data, headers=EN)
    assert response.status_code == 200
    assert "This value is used twice." in response.text
    assert not CommunityOrganisation.objects.exists()


def test_the_admin_swaps_two_organisations_names(admin_client, council):
    first, second = organisation(council, "กลุ่มหนึ่ง"), organisation(council, "กลุ่มสอง")
    url = f"/admin/councils/council/{council.pk}/change/"
    page = admin_client.get(url)
    data = admin_form_data(page)
    names = {value: key for key, value in data.items() if key.endswith("-name")}
    data[names["กลุ่มหนึ่ง"]], data[names["กลุ่มสอง"]] = "กลุ่มสอง", "กลุ่มหนึ่ง"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context and [
        f.errors for i in response.context["inline_admin_formsets"] for f in i.formset.forms
    ]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.name, second.name) == ("กลุ่มสอง", "กลุ่มหนึ่ง")
