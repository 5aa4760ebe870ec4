import datetime
import os
from decimal import Decimal

import pytest

from councils.models import Council
from meetings.models import Resolution
from projects.models import Project
from tests.factories import (
    CommunityOrganisationFactory,
    CouncilFactory,
    DisbursementFactory,
    DistrictFactory,
    MeetingFactory,
    ProgrammeFactory,
    ProjectFactory,
    ProvinceFactory,
    ResolutionFactory,
    SubdistrictFactory,
    UserFactory,
)
from tests.helpers import bangkok

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from
# the same thread (fixtures, assertions) are safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashing takes half a second a user; tests do not need it to be slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Tests serve static files from the source tree: no collectstatic manifest needed."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached dashboard figures must not leak from one test's database into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Background tasks run at once, in the test's own transaction."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _two_factor_not_required(settings):
    """Clients log in with `force_login`, which no second step follows: the portal's rule
    that admins must use two-step sign-in is tested on its own (tests/test_two_factor.py).
    A user who turned it on is still asked for a code."""
    settings.TWO_FACTOR_REQUIRED = False


@pytest.fixture
def sisaket(db):
    return ProvinceFactory()


@pytest.fixture
def staff(client, sisaket):
    """A client logged in as CODI staff of Sisaket."""
    user = UserFactory(username="staff33", role="staff")
    user.provinces.add(sisaket)
    client.force_login(user)
    return client


@pytest.fixture
def staff_user(db):
    """CODI staff working in Sisaket (province 33, the factories' default province)."""
    user = UserFactory(username="somchai", first_name="สมชาย", role="staff")
    user.provinces.add(ProvinceFactory())
    return user


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", role="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def kantharalak(sisaket):
    # Codes given: DOPA district codes have four digits, subdistrict codes six.
    return DistrictFactory(province=sisaket, code="3304", name_th="กันทรลักษ์", name_en="Kantharalak")


@pytest.fixture
def area(kantharalak):
    """Bueng Malu, a subdistrict of Kantharalak (the factories reuse it where the geography
    is loaded)."""
    return SubdistrictFactory(
        district=kantharalak, code="330401", name_th="บึงมะลู", name_en="Bueng Malu"
    )


@pytest.fixture
def council(area):
    """The community-organisation council of Bueng Malu, in Sisaket."""
    return CouncilFactory(
        subdistrict=area,
        code="SSK-3304-01",
        name_th="สภาองค์กรชุมชนตำบลบึงมะลู",
        name_en="Bueng Malu Subdistrict Council",
        established_on=datetime.date(2015, 3, 1),
        registered_on=datetime.date(2015, 6, 1),
    )


@pytest.fixture
def world(db):
    """Sisaket (districts A and B) and Ubon (district C), for the dashboard, area profiles and
    the briefing pack; what each figure should be is written next to the test that checks it
    (tests/test_dashboards.py)."""
    archived = bangkok(2024, 1, 1, 0, 0)
    sisaket, ubon = ProvinceFactory(), ProvinceFactory(code="34", name_th="อุบลราชธานี")
    a, b = DistrictFactory(province=sisaket), DistrictFactory(province=sisaket)
    c = DistrictFactory(province=ubon, code="3401")
    welfare = ProgrammeFactory()
    housing = ProgrammeFactory(code="baan-mankong", name_th="บ้านมั่นคง", name_en="Baan Mankong")
    a1 = CouncilFactory(subdistrict__district=a, households=100, population=300)
    CouncilFactory(
        subdistrict__district=a, households=50, population=150, status=Council.Status.DORMANT
    )
    b1 = CouncilFactory(subdistrict__district=b, households=200, population=700)
    CouncilFactory(subdistrict__district=b, households=999, population=999, archived_at=archived)
    c1 = CouncilFactory(subdistrict__district=c, households=5000, population=9000)
    CommunityOrganisationFactory(council=a1, member_count=40)
    CommunityOrganisationFactory(council=b1, member_count=60)
    CommunityOrganisationFactory(council=b1, member_count=1000, archived_at=archived)
    CommunityOrganisationFactory(council=c1, member_count=500)
    p1 = ProjectFactory(
        council=a1,
        programme=welfare,
        status=Project.Status.APPROVED,
        budget_requested=Decimal(100_000),
        budget_approved=Decimal(90_000),
        target_households=10,
        reached_households=5,
        target_persons=30,
        reached_persons=12,
    )
    p2 = ProjectFactory(
        council=b1,
        programme=housing,
        status=Project.Status.COMPLETED,
        budget_requested=Decimal(200_000),
        budget_approved=Decimal(150_000),
        target_households=20,
        reached_households=20,
        target_persons=60,
        reached_persons=55,
    )
    ProjectFactory(
        council=a1,
        programme=welfare,
        status=Project.Status.PROPOSED,
        budget_requested=Decimal(50_000),
        budget_approved=Decimal(0),
    )
    ProjectFactory(council=a1, budget_approved=Decimal(1_000_000), archived_at=archived)
    p5 = ProjectFactory(council=c1, budget_approved=Decimal(777_000))
    p6 = ProjectFactory(
        council=b1,
        fiscal_year=2565,
        status=Project.Status.COMPLETED,
        budget_requested=Decimal(40_000),
        budget_approved=Decimal(40_000),
    )
    DisbursementFactory(project=p1, amount=Decimal(45_000))
    DisbursementFactory(project=p2, amount=Decimal(100_000))
    DisbursementFactory(project=p2, amount=Decimal(50_000))
    DisbursementFactory(project=p2, amount=Decimal(9_999), archived_at=archived)
    DisbursementFactory(project=p6, amount=Decimal(40_000))
    DisbursementFactory(project=p5, amount=Decimal(10_000))
    m1 = MeetingFactory(province=sisaket, district=a, starts_at=bangkok(2022, 12, 21, 9, 0))
    m2 = MeetingFactory(province=sisaket, district=b, starts_at=bangkok(2023, 5, 1, 9, 0))
    MeetingFactory(
        province=sisaket, district=a, starts_at=bangkok(2023, 1, 1, 9, 0), archived_at=archived
    )
    MeetingFactory(province=sisaket, district=a, starts_at=bangkok(2021, 12, 1, 9, 0))
    m5 = MeetingFactory(province=ubon, district=c, starts_at=bangkok(2023, 2, 1, 9, 0))
    ResolutionFactory(meeting=m1, due_on=datetime.date(2023, 1, 31))
    ResolutionFactory(
        meeting=m1, status=Resolution.Status.IN_PROGRESS, due_on=datetime.date(2999, 1, 1)
    )
    ResolutionFactory(meeting=m2, status=Resolution.Status.DONE, due_on=datetime.date(2023, 1, 1))
    ResolutionFactory(meeting=m5, due_on=datetime.date(2023, 1, 1))
    return {
        "a": a, "b": b, "c": c, "welfare": welfare, "housing": housing, "a1": a1, "c1": c1,
    }  # fmt: skip
