"""Review: meeting pages offer and show only what is in the user's scope."""

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
    assert "สภาองค์กรชุมชนในเขต" in text
    assert "สภาองค์กรชุมชนนอกเขต" not in text
