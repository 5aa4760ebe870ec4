"""The meeting sign-in sheet (PDF): a district column, and 15-20 rows a landscape page."""

import pytest

from tests.factories import (
    AgencyFactory,
    CouncilFactory,
    DistrictFactory,
    MeetingFactory,
    ProvinceFactory,
    SubdistrictFactory,
)
from tests.pdf import pdf_pages


@pytest.fixture
def meeting(sisaket):
    return MeetingFactory(province=sisaket)


def sheet(client, meeting) -> list[str]:
    response = client.get(f"/meetings/{meeting.pk}/sign-in.pdf")
    assert response.status_code == 200
    return [" ".join(page.split()) for page in pdf_pages(response.content)]


def test_councils_of_one_name_are_told_apart_by_their_district(staff, meeting, sisaket):
    for district in ("กันทรลักษ์", "ขุขันธ์"):
        subdistrict = SubdistrictFactory(
            district=DistrictFactory(province=sisaket, name_th=district), name_th="โนนสำราญ"
        )
        meeting.invited_councils.add(CouncilFactory(subdistrict=subdistrict))
    meeting.invited_agencies.add(AgencyFactory(name_th="สำนักงานพัฒนาชุมชนจังหวัดศรีสะเกษ"))
    text = " ".join(sheet(staff, meeting))
    assert "อำเภอ" in text
    assert "สภาองค์กรชุมชนตำบลโนนสำราญ กันทรลักษ์" in text
    assert "สภาองค์กรชุมชนตำบลโนนสำราญ ขุขันธ์" in text
    assert "สำนักงานพัฒนาชุมชนจังหวัดศรีสะเกษ" in text


def test_the_district_names_its_province_when_councils_of_several_provinces_are_invited(
    staff, meeting, sisaket
):
    ubon = ProvinceFactory(code="34", name_th="อุบลราชธานี", name_en="Ubon Ratchathani")
    for province, code in ((sisaket, "3399"), (ubon, "3499")):
        district = DistrictFactory(province=province, code=code, name_th="เมือง")
        meeting.invited_councils.add(
            CouncilFactory(subdistrict=SubdistrictFactory(district=district, name_th="ในเมือง"))
        )
    text = " ".join(sheet(staff, meeting))
    assert "สภาองค์กรชุมชนตำบลในเมือง เมือง จ.ศรีสะเกษ" in text
    assert "สภาองค์กรชุมชนตำบลในเมือง เมือง จ.อุบลราชธานี" in text


def test_226_invited_councils_fit_in_12_to_15_pages(staff, meeting, sisaket):
    """226 invitees took 21 pages (11 rows a page): 15-20 rows a page are wanted."""
    districts = [DistrictFactory(province=sisaket, name_th=f"กันทรารมย์{n}") for n in range(10)]
    councils = [
        # A long name: it must still fit on one line of its column.
        CouncilFactory(
            subdistrict=SubdistrictFactory(district=districts[n % 10], name_th=f"หนองบัวแดง{n}"),
            name_th=f"สภาองค์กรชุมชนเทศบาลตำบลหนองบัวแดง{n}",
        )
        for n in range(226)
    ]
    meeting.invited_councils.add(*councils)
    pages = sheet(staff, meeting)
    assert 12 <= len(pages) <= 15, len(pages)
    # 226 + 12 blank rows; every row is numbered and every page but the last is full.
    assert "238" in pages[-1]
    rows_per_page = [sum(f" {n} " in f" {page} " for n in range(1, 239)) for page in pages]
    assert all(15 <= rows <= 20 for rows in rows_per_page[1:-1]), rows_per_page
