"""The database itself refuses data that makes no sense, whichever path writes it."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from councils.models import Council, CouncilMember
from meetings.models import Attendance, Resolution
from projects.models import Disbursement, Project, ProjectPartner
from tests.factories import (
    AgencyFactory,
    CouncilFactory,
    DisbursementFactory,
    MeetingFactory,
    ProjectFactory,
    ProjectPartnerFactory,
    ResolutionFactory,
)

pytestmark = pytest.mark.django_db


def refused(action) -> bool:
    try:
        with transaction.atomic():
            action()
    except IntegrityError:
        return True
    return False


def test_a_negative_budget_is_refused_by_the_database():
    project = ProjectFactory()
    assert refused(
        lambda: Project.objects.filter(pk=project.pk).update(budget_requested=Decimal("-1"))
    )
    assert refused(
        lambda: Project.objects.filter(pk=project.pk).update(budget_approved=Decimal("-0.01"))
    )


def test_a_project_cannot_end_before_it_starts():
    project = ProjectFactory(start_date=datetime.date(2023, 1, 1))
    assert refused(
        lambda: Project.objects.filter(pk=project.pk).update(end_date=datetime.date(2022, 12, 31))
    )


def test_a_fiscal_year_in_the_christian_era_is_refused():
    assert refused(lambda: ProjectFactory(fiscal_year=2022))


def test_project_codes_and_council_codes_are_unique():
    ProjectFactory(code="SSK-1")
    assert refused(lambda: ProjectFactory(code="SSK-1"))
    CouncilFactory(code="C330101")
    assert refused(lambda: CouncilFactory(code="C330101"))


def test_an_unknown_status_is_refused():
    council = CouncilFactory()
    assert refused(lambda: Council.objects.filter(pk=council.pk).update(status="sleeping"))


def test_a_subdistrict_council_needs_its_subdistrict():
    council = CouncilFactory()
    assert refused(lambda: Council.objects.filter(pk=council.pk).update(subdistrict=None))


def test_registration_cannot_come_before_establishment():
    assert refused(
        lambda: CouncilFactory(
            established_on=datetime.date(2020, 5, 1), registered_on=datetime.date(2020, 4, 30)
        )
    )


def test_a_member_term_cannot_end_before_it_starts():
    council = CouncilFactory()
    assert refused(
        lambda: CouncilMember.objects.create(
            council=council,
            full_name="นายทดสอบ ใจดี",
            term_start=datetime.date(2023, 1, 1),
            term_end=datetime.date(2022, 1, 1),
        )
    )


def test_a_national_id_must_be_13_digits():
    council = CouncilFactory()
    assert refused(
        lambda: CouncilMember.objects.create(
            council=council, full_name="นายทดสอบ ใจดี", national_id="12345"
        )
    )


def test_disbursements_and_contributions_cannot_be_negative():
    assert refused(lambda: DisbursementFactory(amount=Decimal("0")))
    assert refused(lambda: ProjectPartnerFactory(contribution=Decimal("-5")))
    assert Disbursement.objects.count() == 0


def test_an_agency_partners_a_project_once():
    partner = ProjectPartnerFactory()
    assert refused(
        lambda: ProjectPartner.objects.create(project=partner.project, agency=partner.agency)
    )


def test_a_resolution_has_exactly_one_owner():
    council = CouncilFactory()
    agency = AgencyFactory()
    assert refused(lambda: ResolutionFactory(owner_agency=None, owner_council=None))
    assert refused(lambda: ResolutionFactory(owner_agency=agency, owner_council=council))
    assert ResolutionFactory(owner_agency=None, owner_council=council).owner == council


def test_a_meeting_cannot_end_before_it_starts():
    starts = timezone.make_aware(datetime.datetime(2022, 12, 21, 13, 0))
    assert refused(
        lambda: MeetingFactory(starts_at=starts, ends_at=starts - datetime.timedelta(hours=1))
    )


def test_an_attendee_has_a_name_or_a_position():
    meeting = MeetingFactory()
    assert refused(lambda: Attendance.objects.create(meeting=meeting))
    assert Attendance.objects.create(meeting=meeting, position="ผู้แทนศึกษาธิการจังหวัด")


def test_objective_numbers_are_unique_within_a_meeting():
    resolution = ResolutionFactory(position=1)
    assert refused(
        lambda: Resolution.objects.create(
            meeting=resolution.meeting, position=1, text="ซ้ำ", owner_agency=resolution.owner_agency
        )
    )


def test_saving_a_record_increments_its_version():
    council = CouncilFactory()
    assert council.version == 1
    council.phone = "045-611-111"
    council.save()
    assert council.version == 2
    council.refresh_from_db()
    assert council.version == 2


def test_archived_records_are_left_out_of_active():
    kept, archived = CouncilFactory(), CouncilFactory()
    archived.archive()
    assert list(Council.objects.active()) == [kept]
    assert list(Council.objects.archived()) == [archived]
