"""No lost update: the version check and the write are one step, for a record and the rows it
owns, on every write path (edit pages, the admin, revert, archive, imports). Two saves at the
same instant: one is saved, the other gets the conflict page, and the history has each
version once."""

import threading
from collections import Counter

import pytest
from django.db import connection, transaction
from django.test import Client, RequestFactory

from councils.forms import CouncilForm
from councils.models import Council, CouncilMember
from imports import bulk
from portal import editing
from portal.archiving import archive
from portal.history import revert
from portal.models import StaleRecord
from tests.factories import CouncilFactory, CouncilMemberFactory, MeetingFactory, UserFactory
from tests.test_forms import add_rows, form_data

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite runs one writing transaction at a time: saves cannot overlap there",
)


def _colleagues(sisaket, count=2):
    clients = []
    for number in range(count):
        user = UserFactory(username=f"staff{number}", role="staff")
        user.provinces.add(sisaket)
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


def _history_versions_are_unique(record) -> bool:
    versions = Counter(record.history.values_list("version", flat=True))
    return all(count == 1 for count in versions.values())


def _race(posts, barrier):
    """Send the POSTs from threads at once; each waits at `barrier` once its form is valid,
    so that all of them have passed validation before any of them writes."""
    responses = [None] * len(posts)

    def send(index, client, url, data):
        try:
            responses[index] = client.post(url, data)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=send, args=(index, *post)) for index, post in enumerate(posts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    barrier.reset()
    return responses


@pytest.fixture
def barrier_before_writing(monkeypatch):
    barrier = threading.Barrier(2, timeout=20)
    lock = editing._lock

    def wait_then_lock(form, inlines):
        if threading.current_thread() is not threading.main_thread():  # the racing saves
            barrier.wait()
        return lock(form, inlines)

    monkeypatch.setattr(editing, "_lock", wait_then_lock)
    return barrier


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_hundred_simultaneous_pairs_of_saves_lose_no_update(sisaket, barrier_before_writing):
    first, second = _colleagues(sisaket)
    council = CouncilFactory(households=1000, population=3000)
    url = f"/councils/{council.pk}/edit/"
    for pair in range(100):
        mine = form_data(first.get(url), households=str(2000 + pair))
        theirs = form_data(second.get(url), population=str(5000 + pair))
        responses = _race([(first, url, mine), (second, url, theirs)], barrier_before_writing)

        codes = sorted(response.status_code for response in responses)
        assert codes == [200, 302], f"pair {pair}: {codes}"
        refused = next(response for response in responses if response.status_code == 200)
        assert refused.context["conflicts"]
        council.refresh_from_db()
        # The winner's change is stored, the other is not, and its author was told.
        if responses[0].status_code == 302:
            assert (council.households, council.population) == (2000 + pair, 3000)
        else:
            assert (council.households, council.population) == (1000, 5000 + pair)
        # Start the next pair from a known state.
        Council.objects.filter(pk=council.pk).update(households=1000, population=3000)
    assert _history_versions_are_unique(council)
    assert council.history.count() == 1 + 100


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_of_the_same_member_row_lose_no_update(sisaket, barrier_before_writing):
    first, second = _colleagues(sisaket)
    council = CouncilFactory()
    member = CouncilMemberFactory(council=council, full_name="นางบัวผัน ทองดี", phone="")
    url = f"/councils/{council.pk}/edit/"
    for pair in range(20):
        mine = form_data(first.get(url), **{"members-0-phone": f"08123450{pair:02}"})
        theirs = form_data(second.get(url), **{"members-0-full_name": f"นางบัวผัน ทองดี {pair}"})
        responses = _race([(first, url, mine), (second, url, theirs)], barrier_before_writing)

        codes = sorted(response.status_code for response in responses)
        assert codes == [200, 302], f"pair {pair}: {codes}"
        member.refresh_from_db()
        if responses[0].status_code == 302:
            assert member.phone == f"081-234-50{pair:02}"
        else:
            assert member.full_name == f"นางบัวผัน ทองดี {pair}"
    assert _history_versions_are_unique(member)
    assert _history_versions_are_unique(council)


@pytest.mark.django_db
def test_a_save_that_lands_between_the_check_and_the_write_is_a_conflict(
    staff_client, staff_user, monkeypatch
):
    """The order two racing requests meet in, played in one thread (SQLite can do no more):
    the other save commits after this form was validated; the lock then reads it."""
    council = CouncilFactory(households=1000, population=3000)
    url = f"/councils/{council.pk}/edit/"
    mine = form_data(staff_client.get(url), households="2000")
    lock = editing._lock

    def someone_saves_first(form, inlines):
        theirs = Council.objects.get(pk=council.pk)
        theirs.population = 5000
        theirs.save()
        return lock(form, inlines)

    monkeypatch.setattr(editing, "_lock", someone_saves_first)
    response = staff_client.post(url, mine)

    assert response.status_code == 200
    assert response.context["conflicts"]
    council.refresh_from_db()
    assert (council.households, council.population) == (1000, 5000)
    assert _history_versions_are_unique(council)


@pytest.mark.django_db
def test_an_old_copy_of_a_record_cannot_overwrite_a_newer_save(sisaket):
    council = CouncilFactory(households=1000)
    mine = Council.objects.get(pk=council.pk)
    theirs = Council.objects.get(pk=council.pk)
    theirs.households = 2000
    theirs.save()

    mine.population = 1
    with pytest.raises(StaleRecord), transaction.atomic():
        mine.save()
    council.refresh_from_db()
    assert (council.households, council.version) == (2000, 2)
    assert mine.version == 1  # left as read: the caller may read it again
    assert _history_versions_are_unique(council)


@pytest.mark.django_db
def test_saving_the_same_copy_twice_goes_through(sisaket):
    council = CouncilFactory(households=1000)
    council.households = 1100
    council.save()
    council.households = 1200
    council.save(update_fields=["households"])
    council.refresh_from_db()
    assert (council.households, council.version) == (1200, 3)


@pytest.mark.django_db
def test_a_revert_started_from_an_old_copy_keeps_the_newer_save_in_the_history(sisaket, staff_user):
    council = CouncilFactory(households=1000)
    first_version = council.history.get(version=1)
    page_copy = Council.objects.get(pk=council.pk)
    meanwhile = Council.objects.get(pk=council.pk)
    meanwhile.households = 2000
    meanwhile.save()

    request = RequestFactory().post("/")
    request.user = staff_user
    with transaction.atomic():
        # As the council's edit page would: the staff user's own form.
        revert(page_copy, first_version, form_class=CouncilForm, form_kwargs={"request": request})
    council.refresh_from_db()
    assert (council.households, council.version) == (1000, 3)
    assert sorted(council.history.values_list("version", flat=True)) == [1, 2, 3]


@pytest.mark.django_db
def test_archiving_an_old_copy_archives_the_record_as_saved_since(sisaket):
    council = CouncilFactory(households=1000)
    member = CouncilMemberFactory(council=council)
    page_copy = Council.objects.get(pk=council.pk)
    meanwhile = Council.objects.get(pk=council.pk)
    meanwhile.households = 2000
    meanwhile.save()
    CouncilMember.objects.get(pk=member.pk).save()

    archive(page_copy)
    council.refresh_from_db()
    member.refresh_from_db()
    assert council.archived_at is not None and council.households == 2000
    assert member.archived_at is not None
    assert _history_versions_are_unique(council) and _history_versions_are_unique(member)


@pytest.mark.django_db
def test_an_import_does_not_write_over_a_record_saved_after_it_read_it(sisaket):
    member = CouncilMemberFactory(phone="")
    read_by_import = CouncilMember.objects.get(pk=member.pk)
    meanwhile = CouncilMember.objects.get(pk=member.pk)
    meanwhile.phone = "081-111-1111"
    meanwhile.save()

    with transaction.atomic():
        assert bulk._changed_since_read(CouncilMember, [read_by_import]) == {member.pk}
        assert bulk._changed_since_read(CouncilMember, [meanwhile]) == set()


def _attendance_post(client, url, name):
    return add_rows(
        form_data(client.get(url)),
        "attendance",
        {"person_name": name, "position": "สมาชิก", "role": "participant"},
    )


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_simultaneous_attendance_saves_lose_no_row(sisaket, barrier_before_writing):
    first, second = _colleagues(sisaket)
    meeting = MeetingFactory(province=sisaket)
    url = f"/meetings/{meeting.pk}/attendance/"
    for pair in range(10):
        mine = _attendance_post(first, url, f"นางมาลี {pair}")
        theirs = _attendance_post(second, url, f"นายสมพร {pair}")
        responses = _race([(first, url, mine), (second, url, theirs)], barrier_before_writing)
        assert sorted(r.status_code for r in responses) == [200, 302], f"pair {pair}"
        # The one refused saves again, as the conflict page offers: both rows are kept.
        client, refused = next(
            (client, response)
            for client, response in zip((first, second), responses, strict=True)
            if response.status_code == 200
        )
        assert client.post(url, form_data(refused)).status_code == 302
        names = set(meeting.attendance.values_list("person_name", flat=True))
        assert {f"นางมาลี {pair}", f"นายสมพร {pair}"} <= names
    assert meeting.attendance.count() == 20
    assert _history_versions_are_unique(meeting)


@pytest.mark.django_db
def test_a_refused_attendance_row_is_kept_for_saving_again(staff_client, sisaket):
    second = _colleagues(sisaket, 1)[0]
    meeting = MeetingFactory(province=sisaket)
    url = f"/meetings/{meeting.pk}/attendance/"
    mine = _attendance_post(staff_client, url, "นางมาลี ศรีสุข")
    theirs = _attendance_post(second, url, "นายสมพร ใจดี")
    assert second.post(url, theirs).status_code == 302
    refused = staff_client.post(url, mine)
    assert refused.status_code == 200 and refused.context["conflicts"]
    assert staff_client.post(url, form_data(refused)).status_code == 302
    assert set(meeting.attendance.values_list("person_name", flat=True)) == {
        "นางมาลี ศรีสุข",
        "นายสมพร ใจดี",
    }
