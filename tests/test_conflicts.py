"""Two people edit the same record: the second save is refused, shown side by side, and
nothing is silently overwritten; saving again after looking wins."""

import pytest
from django.test import Client

from tests.factories import (
    CommunityOrganisationFactory,
    CouncilFactory,
    CouncilMemberFactory,
    MeetingFactory,
    UserFactory,
)
from tests.helpers import EN
from tests.test_forms import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_client(staff_user):
    colleague = UserFactory(username="nipa", role="staff")
    colleague.provinces.set(staff_user.provinces.all())
    client = Client()
    client.force_login(colleague)
    return client


def test_the_second_save_is_refused_and_shows_both_values(staff_client, second_client):
    council = CouncilFactory(households=1000, phone="")
    url = f"/councils/{council.pk}/edit/"
    mine = form_data(staff_client.get(url), households="1,111")
    theirs = form_data(second_client.get(url), households="2,222", phone="0812345678")

    assert second_client.post(url, theirs).status_code == 302  # the first save wins
    response = staff_client.post(url, mine)
    assert response.status_code == 200
    council.refresh_from_db()
    assert (council.households, council.phone) == (2222, "081-234-5678")  # intact
    conflict = response.context["conflicts"][0]
    rows = {(d.label, d.yours, d.stored) for d in conflict.differences}
    assert ("จำนวนครัวเรือนในพื้นที่", "1111", "2222") in rows
    assert ("โทรศัพท์", "–", "081-234-5678") in rows
    assert "มีผู้อื่นแก้ไขข้อมูลนี้ขณะที่คุณกำลังแก้ไข" in response.text

    # Saving the page again, after seeing the difference, is a knowing choice: it wins.
    again = form_data(response, phone="0812345678")
    assert staff_client.post(url, again).status_code == 302
    council.refresh_from_db()
    assert (council.households, council.phone) == (1111, "081-234-5678")


def test_a_conflict_on_an_inline_row_is_caught_too(staff_client, second_client):
    council = CouncilFactory()
    member = CouncilMemberFactory(council=council, full_name="นางบัวผัน ทองดี", phone="")
    url = f"/councils/{council.pk}/edit/"
    mine = form_data(staff_client.get(url), **{"members-0-phone": "0899999999"})
    theirs = form_data(second_client.get(url), **{"members-0-phone": "0811111111"})
    assert second_client.post(url, theirs).status_code == 302
    response = staff_client.post(url, mine)
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.phone == "081-111-1111"
    titles = [conflict.title for conflict in response.context["conflicts"]]
    assert any("นางบัวผัน ทองดี" in title for title in titles)


def test_an_edit_without_a_concurrent_save_goes_through(staff_client):
    council = CouncilFactory(households=10)
    url = f"/councils/{council.pk}/edit/"
    assert (
        staff_client.post(url, form_data(staff_client.get(url), households="20")).status_code == 302
    )
    assert (
        staff_client.post(url, form_data(staff_client.get(url), households="30")).status_code == 302
    )
    council.refresh_from_db()
    assert council.households == 30


def test_the_admin_refuses_a_save_overtaken_by_another(admin_user, second_client):
    admin_client = Client()
    admin_client.force_login(admin_user)
    staff_client = second_client
    council = CouncilFactory(households=10)
    url = f"/admin/councils/council/{council.pk}/change/"
    page = admin_client.get(url)
    assert 'name="opened_version"' in page.text
    data = {
        key: value
        for key, value in page.context["adminform"].form.initial.items()
        if value is not None
    }
    data.update(
        {
            "households": "99",
            "established_on": "2015-03-01",
            "registered_on": "2015-06-01",
            "opened_version": str(council.version),
        }
    )
    for prefix in ("members", "organisations"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})

    edit_url = f"/councils/{council.pk}/edit/"
    staff_client.post(edit_url, form_data(staff_client.get(edit_url), households="55"))
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "มีผู้อื่นบันทึกข้อมูลนี้หลังจากที่คุณเปิดหน้านี้" in response.text
    council.refresh_from_db()
    assert council.households == 55


def test_the_admin_refuses_an_inline_row_overtaken_by_another(admin_user):
    admin_client = Client()
    admin_client.force_login(admin_user)
    council = CouncilFactory()
    member = CouncilMemberFactory(council=council, full_name="นางบัวผัน ทองดี")
    url = f"/admin/councils/council/{council.pk}/change/"
    page = admin_client.get(url)
    form = page.context["adminform"].form
    data = {key: value for key, value in form.initial.items() if value is not None}
    data.update({"established_on": "2015-03-01", "registered_on": "2015-06-01"})
    data.update(
        {
            "members-TOTAL_FORMS": "1",
            "members-INITIAL_FORMS": "1",
            "members-0-id": str(member.pk),
            "members-0-council": str(council.pk),
            "members-0-full_name": "นางบัวผัน ทองดี",
            "members-0-role": "chair",
            "members-0-opened_version": str(member.version),
            "organisations-TOTAL_FORMS": "0",
            "organisations-INITIAL_FORMS": "0",
        }
    )
    member.role = "treasurer"
    member.save()  # someone else, meanwhile
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "มีผู้อื่นบันทึกข้อมูลนี้หลังจากที่คุณเปิดหน้านี้" in response.text
    member.refresh_from_db()
    assert member.role == "treasurer"


def test_saving_again_keeps_the_other_persons_changes_to_fields_left_alone(
    staff_client, second_client
):
    council = CouncilFactory(households=1000, population=3000, phone="")
    url = f"/councils/{council.pk}/edit/"
    mine = form_data(staff_client.get(url), households="1,111")
    theirs = form_data(second_client.get(url), population="5,555", phone="0812345678")
    assert second_client.post(url, theirs).status_code == 302

    response = staff_client.post(url, mine)
    assert response.status_code == 200
    rows = {d.label: d for d in response.context["conflicts"][0].differences}
    # Only the fields the other person changed are listed, and each says what saving does.
    assert set(rows) == {"จำนวนประชากรในพื้นที่", "โทรศัพท์"}
    assert rows["จำนวนประชากรในพื้นที่"].kept and rows["โทรศัพท์"].kept
    assert "คงค่าที่อีกฝ่ายแก้ไขไว้" in response.text
    # The form now shows their values beside this user's own change.
    form = response.context["form"]
    assert (form["households"].value(), form["population"].value()) == ("1,111", "5,555")

    assert staff_client.post(url, form_data(response)).status_code == 302
    council.refresh_from_db()
    assert (council.households, council.population, council.phone) == (1111, 5555, "081-234-5678")


def test_saving_again_a_field_both_changed_writes_this_users_value(staff_client, second_client):
    council = CouncilFactory(households=1000, population=3000)
    url = f"/councils/{council.pk}/edit/"
    mine = form_data(staff_client.get(url), households="1,111")
    theirs = form_data(second_client.get(url), households="2,222", population="4,444")
    second_client.post(url, theirs)

    response = staff_client.post(url, mine, headers=EN)
    rows = {d.label: d for d in response.context["conflicts"][0].differences}
    assert not rows["Households covered"].kept
    assert (rows["Households covered"].yours, rows["Households covered"].stored) == (
        "1111",
        "2222",
    )
    assert "Your value replaces theirs" in response.text
    staff_client.post(url, form_data(response))
    council.refresh_from_db()
    assert (council.households, council.population) == (1111, 4444)


def test_saving_again_keeps_the_other_persons_change_to_a_row(staff_client, second_client):
    council = CouncilFactory()
    member = CouncilMemberFactory(council=council, full_name="นางบัวผัน ทองดี", phone="")
    url = f"/councils/{council.pk}/edit/"
    mine = form_data(staff_client.get(url), **{"members-0-phone": "0899999999"})
    theirs = form_data(second_client.get(url), **{"members-0-full_name": "นางบัวผัน ใจดี"})
    second_client.post(url, theirs)

    response = staff_client.post(url, mine)
    assert response.status_code == 200
    staff_client.post(url, form_data(response))
    member.refresh_from_db()
    assert (member.full_name, member.phone) == ("นางบัวผัน ใจดี", "089-999-9999")


def test_a_meeting_conflict_lists_only_changed_fields_and_names_the_invited_councils(
    staff_client, second_client, sisaket
):
    invited = CouncilFactory(name_th="สภาองค์กรชุมชนตำบลบึงมะลู")
    added = CouncilFactory(name_th="สภาองค์กรชุมชนตำบลดูน")
    meeting = MeetingFactory(province=sisaket, venue="ศาลากลาง")
    meeting.invited_councils.set([invited])
    url = f"/meetings/{meeting.pk}/edit/"
    mine = form_data(staff_client.get(url), title="ประชุมติดตามงาน")
    theirs = form_data(
        second_client.get(url), venue="หอประชุมอำเภอ", invited_councils=[invited.pk, added.pk]
    )
    assert second_client.post(url, theirs).status_code == 302

    response = staff_client.post(url, mine)
    assert response.status_code == 200
    rows = {d.label: d for d in response.context["conflicts"][0].differences}
    assert set(rows) == {"สถานที่", "สภาองค์กรชุมชนที่เชิญ"}, rows
    councils = rows["สภาองค์กรชุมชนที่เชิญ"]
    assert councils.stored == "สภาองค์กรชุมชนตำบลดูน, สภาองค์กรชุมชนตำบลบึงมะลู"
    assert councils.yours == "สภาองค์กรชุมชนตำบลบึงมะลู" and councils.kept
    assert "QuerySet" not in response.text and ".None" not in response.text

    assert staff_client.post(url, form_data(response)).status_code == 302
    meeting.refresh_from_db()
    assert (meeting.title, meeting.venue) == ("ประชุมติดตามงาน", "หอประชุมอำเภอ")
    assert set(meeting.invited_councils.all()) == {invited, added}


def test_saving_again_keeps_a_reference_the_other_person_chose(staff_client, second_client):
    council = CouncilFactory()
    elders = CommunityOrganisationFactory(council=council, name="ชมรมผู้สูงอายุ")
    savings = CommunityOrganisationFactory(council=council, name="กลุ่มออมทรัพย์บ้านหนองแวง")
    member = CouncilMemberFactory(
        council=council, full_name="นางบัวผัน ทองดี", phone="", organisation=elders
    )
    url = f"/councils/{council.pk}/edit/"
    mine = form_data(staff_client.get(url), **{"members-0-phone": "0899999999"})
    theirs = form_data(second_client.get(url), **{"members-0-organisation": str(savings.pk)})
    assert second_client.post(url, theirs).status_code == 302

    response = staff_client.post(url, mine)
    member_conflict = next(c for c in response.context["conflicts"] if "บัวผัน" in c.title)
    (difference,) = member_conflict.differences
    assert difference.kept and difference.stored == "กลุ่มออมทรัพย์บ้านหนองแวง"
    staff_client.post(url, form_data(response))
    member.refresh_from_db()
    assert (member.organisation, member.phone) == (savings, "089-999-9999")
