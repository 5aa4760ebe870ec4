"""Pages not pinned elsewhere run a fixed number of queries, the same with 2 records as with
20: the resolution page, the import centre's lists and a batch's preview, the data-quality
list, the meeting calendar and the privacy officer's person search."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from councils.models import CouncilMember
from meetings.models import Resolution, ResolutionFollowUp
from tests.factories import (
    AttendanceFactory,
    CouncilFactory,
    CouncilMemberFactory,
    MeetingFactory,
    ResolutionFactory,
)
from tests.helpers import bangkok

pytestmark = pytest.mark.django_db

# Each count includes the session and the user read, the atomic request's savepoint and its
# release, and the session saved again at the end.
PINNED = {
    "resolution": 13,
    "imports": 8,
    "batches": 9,
    "batch": 8,
    "quality": 12,
    "calendar": 9,
    "person": 13,
}


def queries(client, url, data=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.post(url, data) if data is not None else client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def test_a_resolution_page_with_20_follow_ups_runs_the_queries_of_one_with_2(staff, council):
    resolution = ResolutionFactory(owner_agency=None, owner_council=council)
    url = resolution.get_absolute_url()

    def grow(count):
        for day in range(count):
            ResolutionFollowUp.objects.create(
                resolution=resolution, noted_on=datetime.date(2023, 1, 1 + day), note="คืบหน้า"
            )
            Resolution.objects.create(
                meeting=MeetingFactory(),
                position=1,
                text="ต่อเนื่อง",
                owner_council=council,
                carried_from=resolution,
            )

    grow(2)
    small = queries(staff, url)
    grow(18)
    assert (small, queries(staff, url)) == (PINNED["resolution"], PINNED["resolution"])


def councils_sheet(rows: int) -> SimpleUploadedFile:
    lines = ["รหัสสภา,ชื่อสภา (ไทย),อำเภอ,ตำบล"]
    lines += [f"X{n:04},สภาองค์กรชุมชนตำบลทดสอบ{n},กันทรลักษ์,บึงมะลู" for n in range(rows)]
    return SimpleUploadedFile("councils.csv", "\n".join(lines).encode())


def upload(client, rows: int) -> str:
    response = client.post("/imports/", {"kind": "councils", "file": councils_sheet(rows)})
    assert response.status_code == 302
    return response.url


@pytest.mark.parametrize("page", ["imports", "batches", "batch"])
def test_the_import_centre_pages_run_the_same_queries_for_20_batches_or_rows_as_for_2(
    admin_client, kantharalak, settings, tmp_path, page
):
    settings.MEDIA_ROOT = tmp_path
    batch_urls = [upload(admin_client, 2) for _ in range(2)]
    url = {"imports": "/imports/", "batches": "/imports/batches/", "batch": batch_urls[0]}[page]
    small = queries(admin_client, url)
    if page == "batch":
        url = upload(admin_client, 20)
    else:
        for _ in range(18):
            upload(admin_client, 2)
    assert (small, queries(admin_client, url)) == (PINNED[page], PINNED[page])


def test_the_quality_list_runs_the_same_queries_for_20_councils_as_for_2(staff, area):
    def grow(count):
        for council in CouncilFactory.create_batch(count, subdistrict=area):
            CouncilMemberFactory(council=council, role=CouncilMember.Role.CHAIR)

    grow(2)
    small = queries(staff, "/quality/")
    grow(18)
    assert (small, queries(staff, "/quality/")) == (PINNED["quality"], PINNED["quality"])


def test_the_calendar_runs_the_same_queries_for_20_meetings_as_for_2(staff, sisaket):
    def grow(count):
        for day in range(count):
            MeetingFactory(province=sisaket, starts_at=bangkok(2022, 12, 1 + day, 9, 0))

    url = "/meetings/calendar/?month=2022-12"
    grow(2)
    small = queries(staff, url)
    grow(18)
    assert (small, queries(staff, url)) == (PINNED["calendar"], PINNED["calendar"])


def test_the_person_search_runs_the_same_queries_for_20_matches_as_for_2(admin_client, council):
    name = "นางสมศรี ใจดี"

    def grow(count):
        for _ in range(count):
            CouncilMemberFactory(council=council, full_name=name)
            AttendanceFactory(meeting=MeetingFactory(), person_name=name)

    assert queries(admin_client, "/privacy/person/") < PINNED["person"]
    grow(2)
    small = queries(admin_client, "/privacy/person/", {"q": name})
    grow(18)
    assert (small, queries(admin_client, "/privacy/person/", {"q": name})) == (
        PINNED["person"],
        PINNED["person"],
    )
