"""A national-scale data set for benchmarks: a council in every subdistrict of the country,
about 100,000 projects over six fiscal years and 20,000 meetings with attendance and
resolutions, then a year of use on top (`portal.scale_year`). Reproducible: the same seed and
scale give the same rows.

Rows are written with bulk inserts, marked `is_demo`, and without history entries except
for the year of use; subdistricts that already have a council (e.g. the Sisaket demo) keep it.
"""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from councils.models import Agency, Council
from geo.models import Province, Subdistrict
from geo.services import load_geography
from meetings.models import Attendance, Meeting, Resolution
from portal.demo import DemoResult, _seed_programmes, paid_so_far
from portal.lib.dates import fiscal_year_bounds, fiscal_year_of
from portal.scale_year import add_year_of_use
from projects.models import Disbursement, Programme, Project, ProjectPartner

PROJECTS = 100_000
MEETINGS = 20_000
ATTENDANCE_PER_MEETING = 8
RESOLUTIONS_PER_MEETING = 2
AGENCIES_PER_PROVINCE = 10
BATCH = 5_000
SECTORS = [s for s in Agency.Sector.values if s != Agency.Sector.MOVEMENT]


@dataclass
class Counts:
    rows: dict[str, int] = field(default_factory=dict)

    def add(self, label: str, number: int) -> None:
        self.rows[label] = self.rows.get(label, 0) + number


def _pick_every(items: list, scale: float) -> list:
    """A reproducible, evenly spread fraction of `items`."""
    if scale >= 1:
        return items
    step = max(1, round(1 / scale))
    return items[::step]


@transaction.atomic
def generate(*, seed: int = 2565, scale: float = 1.0, progress=None) -> Counts:
    say = progress or (lambda message: None)
    rng = random.Random(seed)  # noqa: S311 - reproducible benchmark data, not secrets
    counts = Counts()
    load_geography()
    _seed_programmes(DemoResult())
    today = timezone.localdate()
    current = fiscal_year_of(today)
    years = list(range(current - 5, current + 1))

    provinces = list(Province.objects.order_by("code").values_list("code", flat=True))
    agencies = _agencies(rng, provinces, counts)
    say(f"agencies: {counts.rows.get('agencies', 0)}")

    subdistricts = _pick_every(
        list(Subdistrict.objects.order_by("code").values_list("code", "district_id", "name_th")),
        scale,
    )
    councils = _councils(rng, subdistricts, counts)
    say(f"councils: {counts.rows.get('councils', 0)}")

    programmes = list(Programme.objects.order_by("sort_order", "code").values_list("pk", flat=True))
    _projects(rng, councils, agencies, programmes, years, current, round(PROJECTS * scale), counts)
    say(f"projects: {counts.rows.get('projects', 0)}")
    _meetings(rng, councils, agencies, years, today, round(MEETINGS * scale), counts)
    say(f"meetings: {counts.rows.get('meetings', 0)}")
    add_year_of_use(rng, councils, agencies, counts, say)

    from dashboards.cache import invalidate

    transaction.on_commit(invalidate)
    if connection.vendor == "postgresql":
        # Fresh statistics, or the planner takes 100,000 new rows for a handful.
        transaction.on_commit(lambda: connection.cursor().execute("ANALYZE"))
    return counts


def _agencies(rng, provinces: list[str], counts: Counts) -> dict[str, list[int]]:
    existing = set(Agency.objects.filter(code__startswith="N-").values_list("code", flat=True))
    rows = []
    for province in provinces:
        for number in range(AGENCIES_PER_PROVINCE):
            code = f"N-{province}-{number:02}"
            if code in existing:
                continue
            sector = SECTORS[number % len(SECTORS)]
            rows.append(
                Agency(
                    code=code,
                    name_th=f"หน่วยงานภาคี {province}-{number:02}",
                    name_en=f"Partner agency {province}-{number:02}",
                    sector=sector,
                    province_id=province,
                    is_demo=True,
                )
            )
    Agency.objects.bulk_create(rows, batch_size=BATCH)
    counts.add("agencies", len(rows))
    by_province: dict[str, list[int]] = {}
    for pk, province in Agency.objects.filter(code__startswith="N-").values_list("pk", "province"):
        by_province.setdefault(province, []).append(pk)
    return by_province


def _councils(rng, subdistricts, counts: Counts) -> list[tuple[int, str, str]]:
    """(pk, district code, province code) of a council in each chosen subdistrict."""
    taken = set(Council.objects.exclude(subdistrict=None).values_list("subdistrict", flat=True))
    rows = []
    for code, district, name in subdistricts:
        if code in taken:
            continue
        roll = rng.random()
        households = rng.randrange(400, 4000)
        rows.append(
            Council(
                code=f"N{code}",
                name_th=f"สภาองค์กรชุมชนตำบล{name}",
                area_type=Council.AreaType.SUBDISTRICT,
                district_id=district,
                subdistrict_id=code,
                status=Council.Status.DORMANT if roll < 0.08 else Council.Status.ACTIVE,
                households=households,
                population=households * rng.randrange(28, 38) // 10,
                phone="" if roll < 0.3 else f"04{rng.randrange(10_000_000, 99_999_999)}",
                is_demo=True,
            )
        )
    Council.objects.bulk_create(rows, batch_size=BATCH)
    counts.add("councils", len(rows))
    chosen = {code for code, _district, _name in subdistricts}
    return [
        (pk, district, district[:2])
        for pk, district, subdistrict in Council.objects.filter(subdistrict__in=chosen)
        .order_by("code")
        .values_list("pk", "district", "subdistrict")
    ]


STATUS_BY_AGE = {
    0: [Project.Status.PROPOSED, Project.Status.APPROVED, Project.Status.IN_PROGRESS],
    1: [Project.Status.APPROVED, Project.Status.IN_PROGRESS, Project.Status.COMPLETED],
}


def _projects(rng, councils, agencies, programmes, years, current, number, counts) -> None:
    if not councils or Project.objects.filter(code__startswith="N-").exists():
        return
    projects, plans = [], []
    for index in range(number):
        council, _district, province = councils[rng.randrange(len(councils))]
        year = years[rng.randrange(len(years))]
        statuses = STATUS_BY_AGE.get(current - year, [Project.Status.COMPLETED] * 9 + ["cancelled"])
        status = statuses[rng.randrange(len(statuses))]
        requested = Decimal(rng.randrange(20, 3_000) * 1_000)
        approved = Decimal(0) if status == Project.Status.PROPOSED else requested
        households = rng.randrange(10, 200)
        start, end = fiscal_year_bounds(year)
        projects.append(
            Project(
                code=f"N-{year}-{index:06}",
                title_th=f"โครงการพัฒนาชุมชน {index}",
                programme_id=programmes[rng.randrange(len(programmes))],
                council_id=council,
                fiscal_year=year,
                status=status,
                budget_requested=requested,
                budget_approved=approved,
                target_households=households,
                reached_households=households if status == Project.Status.COMPLETED else 0,
                target_persons=households * 3,
                reached_persons=households * 3 if status == Project.Status.COMPLETED else 0,
                start_date=start,
                end_date=end,
                is_demo=True,
            )
        )
        partner = agencies.get(province) or [None]
        plans.append((partner[rng.randrange(len(partner))], rng.randrange(1, 3)))
    Project.objects.bulk_create(projects, batch_size=BATCH)
    counts.add("projects", len(projects))
    partners, disbursements = [], []
    for project, (agency, instalments) in zip(projects, plans, strict=True):
        if agency is not None:
            partners.append(
                ProjectPartner(
                    project=project, agency_id=agency, contribution=Decimal(10_000), is_demo=True
                )
            )
        if project.status in (Project.Status.IN_PROGRESS, Project.Status.COMPLETED):
            disbursements += paid_so_far(project, instalments)
    ProjectPartner.objects.bulk_create(partners, batch_size=BATCH)
    Disbursement.objects.bulk_create(disbursements, batch_size=BATCH)
    counts.add("project partners", len(partners))
    counts.add("disbursements", len(disbursements))


def _meetings(rng, councils, agencies, years, today, number, counts) -> None:
    if not councils or Meeting.objects.filter(title__startswith="[N] ").exists():
        return
    first, _last = fiscal_year_bounds(years[0])
    span = (today - first).days
    meetings, plans = [], []
    for index in range(number):
        council, district, province = councils[rng.randrange(len(councils))]
        day = first + datetime.timedelta(days=rng.randrange(span + 60))  # some are upcoming
        starts_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 30)))
        meetings.append(
            Meeting(
                title=f"[N] ประชุมภาคีความร่วมมือ {index}",
                meeting_type=Meeting.Type.WORKING_GROUP,
                starts_at=starts_at,
                ends_at=starts_at + datetime.timedelta(hours=3),
                province_id=province,
                district_id=district,
                venue=f"ห้องประชุมอำเภอ {district}",
                is_demo=True,
            )
        )
        plans.append((council, agencies.get(province) or [None]))
    Meeting.objects.bulk_create(meetings, batch_size=BATCH)
    counts.add("meetings", len(meetings))
    attendance, resolutions = [], []
    for meeting, (council, province_agencies) in zip(meetings, plans, strict=True):
        for position in range(ATTENDANCE_PER_MEETING):
            attendance.append(
                Attendance(
                    meeting=meeting,
                    person_name=f"ผู้เข้าร่วม {meeting.pk}-{position}",
                    council_id=council if position % 2 == 0 else None,
                    organisation_text="" if position % 2 == 0 else "ภาคประชาสังคม",
                    order=position,
                    is_demo=True,
                )
            )
        for position in range(1, RESOLUTIONS_PER_MEETING + 1):
            agency = province_agencies[rng.randrange(len(province_agencies))]
            done = meeting.starts_at.date() < today - datetime.timedelta(days=180)
            resolutions.append(
                Resolution(
                    meeting=meeting,
                    position=position,
                    text="ติดตามความก้าวหน้าของโครงการในพื้นที่",
                    owner_council_id=council if position == 1 or agency is None else None,
                    owner_agency_id=agency if position != 1 and agency is not None else None,
                    due_on=meeting.starts_at.date() + datetime.timedelta(days=90),
                    status=Resolution.Status.DONE if done else Resolution.Status.OPEN,
                    is_demo=True,
                )
            )
    Attendance.objects.bulk_create(attendance, batch_size=BATCH)
    Resolution.objects.bulk_create(resolutions, batch_size=BATCH)
    counts.add("attendance", len(attendance))
    counts.add("resolutions", len(resolutions))
