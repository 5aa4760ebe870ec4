"""Factories for the portal's models: small, valid records by default."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import User
from councils.models import Agency, CommunityOrganisation, Council, CouncilMember
from geo.models import District, Province, Subdistrict
from meetings.models import Attendance, Meeting, MeetingObjective, Resolution
from projects.models import Disbursement, Programme, ProgressUpdate, Project, ProjectPartner


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Province
        django_get_or_create = ["code"]

    code = "33"
    name_th = "ศรีสะเกษ"
    name_en = "Si Sa Ket"


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ["code"]

    province = factory.SubFactory(ProvinceFactory)
    # DOPA district codes have four digits; the sequence cycles through 3350–3399 (codes
    # Sisaket does not use), and get_or_create reuses a district once the cycle wraps.
    code = factory.Sequence(lambda n: f"33{n % 50 + 50:02}")
    name_th = factory.Sequence(lambda n: f"อำเภอทดสอบ{n}")
    name_en = factory.Sequence(lambda n: f"Test District {n}")


class SubdistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subdistrict
        django_get_or_create = ["code"]

    district = factory.SubFactory(DistrictFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.district.code}{n % 100:02}")
    name_th = factory.Sequence(lambda n: f"ตำบลทดสอบ{n}")
    name_en = factory.Sequence(lambda n: f"Test Subdistrict {n}")


class CouncilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Council

    subdistrict = factory.SubFactory(SubdistrictFactory)
    district = factory.SelfAttribute("subdistrict.district")
    code = factory.Sequence(lambda n: f"T{n:06}")
    name_th = factory.LazyAttribute(lambda o: f"สภาองค์กรชุมชนตำบล{o.subdistrict.name_th}")
    name_en = factory.LazyAttribute(lambda o: f"{o.subdistrict.name_en} Council")
    established_on = datetime.date(2015, 3, 1)
    registered_on = datetime.date(2015, 6, 1)
    households = 1200
    population = 3900


class CommunityOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommunityOrganisation

    council = factory.SubFactory(CouncilFactory)
    name = factory.Sequence(lambda n: f"กลุ่มออมทรัพย์ที่ {n}")
    kind = CommunityOrganisation.Kind.SAVINGS_GROUP
    member_count = 40


class CouncilMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CouncilMember

    council = factory.SubFactory(CouncilFactory)
    full_name = factory.Faker("name", locale="th_TH")
    role = CouncilMember.Role.MEMBER


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    code = factory.Sequence(lambda n: f"agency-{n}")
    name_th = factory.Sequence(lambda n: f"หน่วยงานทดสอบ {n}")
    name_en = factory.Sequence(lambda n: f"Test agency {n}")
    sector = Agency.Sector.PROVINCIAL


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ["code"]

    code = "community-welfare"
    name_th = "สวัสดิการชุมชน"
    name_en = "Community welfare"


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    code = factory.Sequence(lambda n: f"TEST-{n:04}")
    title_th = factory.Sequence(lambda n: f"โครงการทดสอบ {n}")
    programme = factory.SubFactory(ProgrammeFactory)
    council = factory.SubFactory(CouncilFactory)
    fiscal_year = 2566
    budget_requested = Decimal("100000")
    budget_approved = Decimal("90000")


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressUpdate

    project = factory.SubFactory(ProjectFactory)
    reported_on = factory.LazyFunction(timezone.localdate)
    percent_complete = 50
    text = "ดำเนินการไปแล้วครึ่งหนึ่ง"


class ProjectPartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectPartner

    project = factory.SubFactory(ProjectFactory)
    agency = factory.SubFactory(AgencyFactory)
    contribution = Decimal("5000")


class DisbursementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Disbursement

    project = factory.SubFactory(ProjectFactory)
    paid_on = datetime.date(2023, 1, 15)
    amount = Decimal("45000")


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    title = factory.Sequence(lambda n: f"ประชุมทดสอบ {n}")
    starts_at = factory.LazyFunction(
        lambda: timezone.make_aware(datetime.datetime(2022, 12, 21, 13, 0))
    )
    province = factory.SubFactory(ProvinceFactory)


class MeetingObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingObjective

    meeting = factory.SubFactory(MeetingFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = "เพื่อทดสอบ"


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory)
    person_name = factory.Faker("name", locale="th_TH")


class ResolutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resolution

    meeting = factory.SubFactory(MeetingFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = "ติดตามผลการดำเนินงาน"
    owner_agency = factory.SubFactory(AgencyFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    role = User.Role.STAFF
    password = factory.django.Password("correct horse battery staple")
