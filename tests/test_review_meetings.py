"""Review: meeting pages offer and show only what is in the user's scope."""

import re

import pytest

from tests.factories import CouncilFactory, DistrictFactory, ProvinceFactory, SubdistrictFactory

pytestmark = pytest.mark.django_db


def test_a_new_meeting_offers_only_the_councils_of_the_users_provinces(staff_client):
    ubon = DistrictFactory(
        code="3401", province=ProvinceFactory(code="34", name_th="อุบลราชธานี", name_en="Ubon")
    )
    CouncilFactory(
        name_th="สภาองค์กรชุมชนนอกเขต", subdistrict=SubdistrictFactory(code="340101", district=ubon)
    )
    CouncilFactory(name_th="สภาองค์กรชุมชนในเขต")
    text = staff_client.get("/meetings/new/").text
    assert "สภาองค์กรชุมชนนอกเขต" not in text
    # The councils are offered by the picker as the user types.
    picker = re.search(r'<select name="invited_councils"[^>]*data-picker-url="([^"]+)"', text)
    found = staff_client.get(picker.group(1), {"q": "สภาองค์กรชุมชน"}).json()["results"]
    assert [row["text"].split(" (")[0] for row in found] == ["สภาองค์กรชุมชนในเขต"]


def test_a_second_carry_that_passed_its_form_before_the_first_one_saved_is_refused():
    """A double click on "Carry over": both requests pass the form's check before either
    saves; the second must not make a second "still to do" copy."""
    import datetime

    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from meetings import services
    from meetings.models import Resolution
    from tests.factories import MeetingFactory, ResolutionFactory

    resolution = ResolutionFactory(meeting=MeetingFactory())
    later = MeetingFactory(starts_at=resolution.meeting.starts_at + datetime.timedelta(days=30))
    services.carry_over(resolution, later, None, "th")
    with pytest.raises(ValidationError):
        services.carry_over(resolution, later, timezone.localdate(), "th")
    assert Resolution.objects.filter(carried_from=resolution).count() == 1
