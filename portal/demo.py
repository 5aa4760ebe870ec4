"""Demo data for a new portal: real Sisaket geography, agencies and seed meeting, plus sample
councils, people, projects and meetings made from a fixed random seed.

Every step is idempotent: rows are matched by their natural keys and only the missing ones
are created, so running `seed_demo` twice changes nothing. Sample rows carry `is_demo=True`.
"""

import datetime
import json
import random
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from simple_history.utils import bulk_create_with_history

from councils.models import Agency, CommunityOrganisation, Council, CouncilMember
from geo.models import District, Subdistrict
from geo.services import load_geography
from meetings.models import (
    AgendaItem,
    Attendance,
    Meeting,
    MeetingObjective,
    MeetingOrganiser,
    Resolution,
    ResolutionFollowUp,
)
from portal.lib.dates import fiscal_year_bounds, fiscal_year_of
from portal.roles import Role
from projects.models import Disbursement, Programme, Project, ProjectPartner

DEMO_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo"
SISAKET = "33"


def demo_fiscal_years() -> range:
    """Six fiscal years up to the current one, so the dashboard's default year has data."""
    current = fiscal_year_of(timezone.localdate())
    return range(current - 5, current + 1)


SEED = 2565

# Municipal areas of Sisaket that have a community organisation council of their own,
# beside the 206 subdistrict councils: 215 councils in all, as in the seed.
MUNICIPAL_COUNCILS = [
    ("3301", "เทศบาลเมืองศรีสะเกษ", "Si Sa Ket Town Municipality"),
    ("3304", "เทศบาลเมืองกันทรลักษ์", "Kantharalak Town Municipality"),
    ("3303", "เทศบาลตำบลดูน", "Dun Subdistrict Municipality"),
    ("3305", "เทศบาลตำบลห้วยเหนือ", "Huai Nuea Subdistrict Municipality"),
    ("3309", "เทศบาลตำบลเมืองคง", "Mueang Khong Subdistrict Municipality"),
    ("3310", "เทศบาลตำบลกำแพง", "Kamphaeng Subdistrict Municipality"),
    ("3312", "เทศบาลตำบลห้วยทับทัน", "Huai Thap Than Subdistrict Municipality"),
    ("3308", "เทศบาลตำบลสิ", "Si Subdistrict Municipality"),
    ("3315", "เทศบาลตำบลน้ำเกลี้ยง", "Nam Kliang Subdistrict Municipality"),
]

GIVEN_NAMES = [
    ("นาย", "สมชาย"),
    ("นาง", "บุญมี"),
    ("นาย", "ประเสริฐ"),
    ("นางสาว", "สุดารัตน์"),
    ("นาย", "ทองใบ"),
    ("นาง", "คำปุ่น"),
    ("นาย", "วิชัย"),
    ("นาง", "จันทร์เพ็ญ"),
    ("นาย", "บุญเรือง"),
    ("นาง", "สมพร"),
    ("นาย", "สุริยา"),
    ("นางสาว", "พรทิพย์"),
    ("นาย", "อำนาจ"),
    ("นาง", "ละเอียด"),
    ("นาย", "สมบัติ"),
    ("นาง", "บัวผัน"),
]
FAMILY_NAMES = [
    "ศรีสุข",
    "บุญมา",
    "ทองดี",
    "แก้วกาหลง",
    "พรหมวงศ์",
    "สายบุญ",
    "จันทร์หอม",
    "ดวงแก้ว",
    "ใจดี",
    "มั่นคง",
    "ศรีวงศ์",
    "บุญประเสริฐ",
    "คำภา",
    "พลซื่อ",
    "สุขเกษม",
    "วงศ์ศรี",
]
ORGANISATION_KINDS = [
    ("savings", "กลุ่มออมทรัพย์เพื่อการผลิตบ้าน{}"),
    ("welfare", "กองทุนสวัสดิการชุมชนตำบล{}"),
    ("elderly", "ชมรมผู้สูงอายุตำบล{}"),
    ("farmers", "กลุ่มเกษตรกรทำนาตำบล{}"),
    ("women", "กลุ่มสตรีแม่บ้านตำบล{}"),
    ("occupation", "กลุ่มทอผ้าไหมบ้าน{}"),
]
PROJECT_TITLES = {
    "baan-mankong": "โครงการบ้านมั่นคงชนบท {}",
    "baan-pho-phiang": "โครงการบ้านพอเพียง {}",
    "community-welfare": "โครงการสนับสนุนกองทุนสวัสดิการชุมชน {}",
    "quality-of-life": "โครงการพัฒนาคุณภาพชีวิตองค์กรชุมชน {}",
    "capacity-building": "โครงการเสริมสร้างขีดความสามารถสภาองค์กรชุมชน {}",
}
# Typical size of a project under each programme: (lowest, highest) baht requested.
BUDGET_RANGES = {
    "baan-mankong": (1_000_000, 5_000_000),
    "baan-pho-phiang": (180_000, 540_000),
    "community-welfare": (50_000, 300_000),
    "quality-of-life": (30_000, 200_000),
    "capacity-building": (20_000, 100_000),
}


@dataclass
class DemoResult:
    created: dict[str, int] = field(default_factory=dict)

    def add(self, label: str, count: int) -> None:
        self.created[label] = self.created.get(label, 0) + count


def _load(name: str):
    return json.loads((DEMO_DIR / f"{name}.json").read_text(encoding="utf-8"))


def _create_missing(model, rows: list, key, result: DemoResult, label: str) -> None:
    """Bulk-create the rows whose natural key is not in the database yet."""
    existing = {key(obj) for obj in model.objects.all()}
    missing = [row for row in rows if key(row) not in existing]
    # With a first entry in each record's history, later edits show what they changed.
    bulk_create_with_history(missing, model, batch_size=500, default_change_reason="system")
    result.add(label, len(missing))


@transaction.atomic
def seed_demo() -> DemoResult:
    result = DemoResult()
    load_geography([SISAKET])
    rng = random.Random(SEED)  # noqa: S311 - reproducible sample data, not secrets
    _seed_programmes(result)
    _seed_agencies(result)
    _seed_councils(rng, result)
    _seed_people(rng, result)
    _seed_projects(rng, result)
    _seed_meeting(result)
    _seed_sample_meetings(rng, result)
    _seed_follow_ups(result)
    return result


def _seed_programmes(result: DemoResult) -> None:
    rows = [Programme(**row) for row in _load("programmes")]
    _create_missing(Programme, rows, lambda p: p.code, result, "programmes")


def _seed_agencies(result: DemoResult) -> None:
    rows = []
    for row in _load("agencies"):
        province = row.pop("province", None)
        rows.append(Agency(province_id=province, **row))
    _create_missing(Agency, rows, lambda a: a.code, result, "agencies")


def _random_day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


def _council_dates(rng: random.Random) -> tuple[datetime.date, datetime.date]:
    established = _random_day(rng, datetime.date(2009, 1, 1), datetime.date(2021, 12, 31))
    return established, established + datetime.timedelta(days=rng.randrange(15, 180))


def _council_status(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.02:
        return Council.Status.DISSOLVED
    return Council.Status.DORMANT if roll < 0.10 else Council.Status.ACTIVE


def _seed_councils(rng: random.Random, result: DemoResult) -> None:
    rows = []
    subdistricts = Subdistrict.objects.filter(district__province=SISAKET).order_by("code")
    for sub in subdistricts:
        established, registered = _council_dates(rng)
        households = rng.randrange(600, 3200)
        rows.append(
            Council(
                code=f"C{sub.code}",
                name_th=f"สภาองค์กรชุมชนตำบล{sub.name_th}",
                name_en=f"{sub.name_en} Subdistrict Community Organisation Council",
                area_type=Council.AreaType.SUBDISTRICT,
                district_id=sub.district_id,
                subdistrict=sub,
                established_on=established,
                registered_on=registered,
                status=_council_status(rng),
                phone=_phone(rng),
                address=f"ที่ทำการสภาองค์กรชุมชน ต.{sub.name_th}",
                households=households,
                population=households * rng.randrange(28, 38) // 10,
                is_demo=True,
            )
        )
    districts = set(District.objects.filter(province=SISAKET).values_list("code", flat=True))
    for number, (district_code, name_th, name_en) in enumerate(MUNICIPAL_COUNCILS, start=1):
        if district_code not in districts:
            continue
        established, registered = _council_dates(rng)
        households = rng.randrange(2000, 9000)
        rows.append(
            Council(
                code=f"M{district_code}{number:02}",
                name_th=f"สภาองค์กรชุมชน{name_th}",
                name_en=f"{name_en} Community Organisation Council",
                area_type=Council.AreaType.MUNICIPALITY,
                district_id=district_code,
                municipality_name=name_th,
                established_on=established,
                registered_on=registered,
                status=Council.Status.ACTIVE,
                households=households,
                population=households * 3,
                is_demo=True,
            )
        )
    _create_missing(Council, rows, lambda c: c.code, result, "councils")


def _phone(rng: random.Random) -> str:
    number = rng.randrange(10_000_000, 99_999_999)
    return f"08{number // 10_000_000}-{number // 10_000 % 1000:03}-{number % 10_000:04}"


def _person(rng: random.Random) -> str:
    title, given = rng.choice(GIVEN_NAMES)
    return f"{title}{given} {rng.choice(FAMILY_NAMES)}"


def _seed_people(rng: random.Random, result: DemoResult) -> None:
    councils = list(Council.objects.filter(is_demo=True).select_related("subdistrict"))
    organisations = []
    for council in councils:
        place = council.subdistrict.name_th if council.subdistrict else council.municipality_name
        for kind, pattern in rng.sample(ORGANISATION_KINDS, rng.randrange(2, 5)):
            organisations.append(
                CommunityOrganisation(
                    council=council,
                    name=pattern.format(place),
                    kind=kind,
                    member_count=rng.randrange(15, 400),
                    established_on=_random_day(
                        rng, datetime.date(2000, 1, 1), datetime.date(2020, 12, 31)
                    ),
                    is_demo=True,
                )
            )
    _create_missing(
        CommunityOrganisation,
        organisations,
        lambda o: (o.council_id, o.name),
        result,
        "community organisations",
    )

    members = []
    roles = [
        CouncilMember.Role.CHAIR,
        CouncilMember.Role.VICE_CHAIR,
        CouncilMember.Role.SECRETARY,
        CouncilMember.Role.TREASURER,
        CouncilMember.Role.MEMBER,
        CouncilMember.Role.MEMBER,
    ]
    for council in councils:
        term_start = datetime.date(2023, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365))
        used = set()
        for role in roles:
            name = _person(rng)
            while name in used:
                name = _person(rng)
            used.add(name)
            members.append(
                CouncilMember(
                    council=council,
                    full_name=name,
                    role=role,
                    phone=_phone(rng),
                    term_start=term_start,
                    term_end=term_start.replace(year=term_start.year + 4)
                    - datetime.timedelta(days=1),
                    is_demo=True,
                )
            )
    _create_missing(
        CouncilMember, members, lambda m: (m.council_id, m.full_name), result, "council members"
    )


def _project_status(rng: random.Random, fiscal_year: int) -> str:
    roll = rng.random()
    current = fiscal_year_of(timezone.localdate())
    if fiscal_year <= current - 3:
        return Project.Status.CANCELLED if roll < 0.05 else Project.Status.COMPLETED
    if fiscal_year == current - 2:
        return Project.Status.COMPLETED if roll < 0.6 else Project.Status.IN_PROGRESS
    if roll < 0.3:
        return Project.Status.PROPOSED
    return Project.Status.APPROVED if roll < 0.55 else Project.Status.IN_PROGRESS


def paid_so_far(project: Project, instalments: int) -> list[Disbursement]:
    """Sample disbursements: all of the approved budget for a completed project, half for
    one in progress, in monthly instalments from its start."""
    share = 1 if project.status == Project.Status.COMPLETED else Decimal("0.5")
    amount = (project.budget_approved * share / instalments).quantize(Decimal("0.01"))
    return [
        Disbursement(
            project=project,
            amount=amount,
            reference=f"{project.code}/{number + 1}",
            paid_on=project.start_date + datetime.timedelta(days=30 * number),
            is_demo=True,
        )
        for number in range(instalments)
    ]


def _seed_projects(rng: random.Random, result: DemoResult) -> None:
    programmes = list(Programme.objects.order_by("sort_order"))
    councils = list(
        Council.objects.filter(is_demo=True, status=Council.Status.ACTIVE)
        .select_related("subdistrict")
        .order_by("code")
    )
    partner_pool = list(Agency.objects.exclude(sector=Agency.Sector.MOVEMENT).order_by("code"))
    projects, plans = [], []
    for fiscal_year in demo_fiscal_years():
        start, end = fiscal_year_bounds(fiscal_year)
        for number, council in enumerate(rng.sample(councils, 50), start=1):
            programme = rng.choice(programmes)
            status = _project_status(rng, fiscal_year)
            low, high = BUDGET_RANGES[programme.code]
            requested = Decimal(rng.randrange(low, high, 1000))
            approved = None
            if status != Project.Status.PROPOSED:
                approved = (requested * Decimal(rng.choice([80, 90, 100])) / 100).quantize(1)
            households = rng.randrange(10, 120)
            done = status == Project.Status.COMPLETED
            place = (
                council.subdistrict.name_th if council.subdistrict else council.municipality_name
            )
            project = Project(
                code=f"SSK-{fiscal_year}-{number:03}",
                title_th=PROJECT_TITLES[programme.code].format(place),
                programme=programme,
                council=council,
                fiscal_year=fiscal_year,
                status=status,
                budget_requested=requested,
                budget_approved=approved,
                target_households=households,
                reached_households=households if done else households * rng.randrange(0, 90) // 100,
                target_persons=households * 3,
                reached_persons=households * 3
                if done
                else households * rng.randrange(0, 250) // 100,
                start_date=start + datetime.timedelta(days=rng.randrange(0, 90)),
                end_date=end - datetime.timedelta(days=rng.randrange(0, 60)),
                is_demo=True,
            )
            projects.append(project)
            plans.append(
                (project, rng.sample(partner_pool, rng.randrange(1, 4)), rng.randrange(1, 4))
            )
    _create_missing(Project, projects, lambda p: p.code, result, "projects")

    by_code = {p.code: p for p in Project.objects.filter(is_demo=True)}
    partners, disbursements = [], []
    for plan, agencies, instalments in plans:
        project = by_code[plan.code]
        for index, agency in enumerate(agencies):
            partners.append(
                ProjectPartner(
                    project=project,
                    agency=agency,
                    role=ProjectPartner.Role.LEAD if index == 0 else ProjectPartner.Role.TECHNICAL,
                    contribution=Decimal(rng.randrange(0, 50_000, 500)),
                    is_demo=True,
                )
            )
        if project.budget_approved and project.status != Project.Status.APPROVED:
            disbursements += paid_so_far(project, instalments)
    _create_missing(
        ProjectPartner, partners, lambda p: (p.project_id, p.agency_id), result, "project partners"
    )
    _create_missing(Disbursement, disbursements, lambda d: d.reference, result, "disbursements")


def _seed_meeting(result: DemoResult) -> None:
    """The provincial forum of 21 December 2565 (2022) that started the project, as recorded."""
    data = _load("seed_meeting")
    starts_at = parse_datetime(data["starts_at"])
    existing = Meeting.objects.filter(title=data["title"], starts_at=starts_at).first()
    if existing is not None:
        _complete_seed_meeting(existing, data)
        return
    agencies = {a.code: a for a in Agency.objects.all()}
    meeting = Meeting.objects.create(
        title=data["title"],
        meeting_type=data["meeting_type"],
        starts_at=starts_at,
        province_id=data["province"],
        district_id=data["district"],
        venue=data["venue"],
        chair_name=data["chair_name"],
        chair_position=data["chair_position"],
        summary=data["summary"],
        minutes=data["minutes"],
        target_sectors=data["target_sectors"],
    )
    MeetingOrganiser.objects.bulk_create(
        MeetingOrganiser(meeting=meeting, agency=agencies[row["agency"]], role=row["role"])
        for row in data["organisers"]
    )
    MeetingObjective.objects.bulk_create(
        MeetingObjective(meeting=meeting, position=number, text=text)
        for number, text in enumerate(data["objectives"], start=1)
    )
    AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, position=number, **item)
        for number, item in enumerate(data["agenda"], start=1)
    )
    Attendance.objects.bulk_create(
        Attendance(
            meeting=meeting,
            order=number,
            person_name=row["person_name"],
            position=row["position"],
            agency=agencies[row["agency"]],
            role=row["role"],
        )
        for number, row in enumerate(data["attendance"], start=1)
    )
    meeting.invited_agencies.set(agencies[row["agency"]] for row in data["attendance"])
    _complete_seed_meeting(meeting, data)
    result.add("meetings", 1)


def _complete_seed_meeting(meeting: Meeting, data: dict) -> None:
    """What later versions of the demo added to the forum, filled in on a database seeded
    before: the minutes, and the 215 councils of Sisaket it was held with."""
    if not meeting.minutes and data.get("minutes"):
        meeting.minutes = data["minutes"]
        meeting.save(update_fields=["minutes"])
    if data.get("invite_all_councils") and not meeting.invited_councils.exists():
        meeting.invited_councils.set(
            Council.objects.filter(district__province=data["province"]).order_by("code")
        )


# Follow-up notes of the sample working groups, in the words a CODI officer would use.
DONE_NOTE = "ดำเนินการแล้วเสร็จ รายงานผลต่อที่ประชุมคณะทำงานแล้ว"
IN_PROGRESS_NOTE = "อยู่ระหว่างดำเนินการ ประสานผู้รับผิดชอบแล้ว จะรายงานความก้าวหน้าในการประชุมครั้งถัดไป"
CARRIED_NOTE = "ยังไม่แล้วเสร็จ ยกไปติดตามในการประชุม “{title}”"
CARRIED_DEMO = 3


def _seed_follow_ups(result: DemoResult) -> None:
    """Follow-up notes on the sample meetings' resolutions, and the latest unfinished ones
    carried to the next meeting, so the register shows the whole loop."""
    if ResolutionFollowUp.objects.filter(is_demo=True).exists():
        return
    today = timezone.localdate()
    notes = []
    resolutions = Resolution.objects.filter(is_demo=True).select_related("meeting")
    for resolution in resolutions.order_by("meeting__starts_at", "position"):
        held = timezone.localtime(resolution.meeting.starts_at).date()
        if resolution.status == Resolution.Status.DONE:
            day, text = min(resolution.due_on or today, today), DONE_NOTE
        elif resolution.status == Resolution.Status.IN_PROGRESS:
            day, text = min(held + datetime.timedelta(days=14), today), IN_PROGRESS_NOTE
        else:
            continue
        notes.append(
            ResolutionFollowUp(
                resolution=resolution,
                noted_on=day,
                note=text,
                status=resolution.status,
                is_demo=True,
            )
        )
    meetings = list(Meeting.objects.filter(is_demo=True).order_by("starts_at"))
    following = dict(zip(meetings, meetings[1:], strict=False))
    overdue = [
        resolution
        for resolution in resolutions.filter(status=Resolution.Status.OPEN).order_by(
            "-meeting__starts_at", "position"
        )
        if resolution.meeting in following
        and resolution.due_on
        and resolution.due_on < timezone.localtime(following[resolution.meeting].starts_at).date()
    ][:CARRIED_DEMO]
    carried = 0
    for resolution in overdue:
        later = following[resolution.meeting]
        position = (later.resolutions.aggregate(top=Max("position"))["top"] or 0) + 1
        Resolution.objects.create(
            meeting=later,
            position=position,
            text=resolution.text,
            owner_council_id=resolution.owner_council_id,
            owner_agency_id=resolution.owner_agency_id,
            due_on=resolution.due_on + datetime.timedelta(days=90),
            status=Resolution.Status.OPEN,
            carried_from=resolution,
            is_demo=True,
        )
        notes.append(
            ResolutionFollowUp(
                resolution=resolution,
                noted_on=min(timezone.localtime(later.starts_at).date(), today),
                note=CARRIED_NOTE.format(title=later.title),
                is_demo=True,
            )
        )
        carried += 1
    bulk_create_with_history(notes, ResolutionFollowUp, default_change_reason="system")
    result.add("follow-up notes", len(notes))
    result.add("resolutions carried over", carried)


def _seed_sample_meetings(rng: random.Random, result: DemoResult) -> None:
    """Quarterly provincial working-group meetings, each with resolutions to follow up."""
    existing = set(Meeting.objects.filter(is_demo=True).values_list("title", flat=True))
    agencies = list(Agency.objects.exclude(sector=Agency.Sector.MOVEMENT).order_by("code"))
    councils = list(Council.objects.filter(is_demo=True).order_by("code"))
    districts = list(District.objects.filter(province=SISAKET).order_by("code"))
    movement = Agency.objects.get(code="sisaket-movement")
    today = timezone.localdate()
    created = 0
    for fiscal_year in demo_fiscal_years():
        start, _end = fiscal_year_bounds(fiscal_year)
        for quarter in range(1, 5):
            title = f"ประชุมคณะทำงานบูรณาการความร่วมมือจังหวัดศรีสะเกษ ครั้งที่ {quarter}/{fiscal_year}"
            day = start + datetime.timedelta(days=(quarter - 1) * 91 + rng.randrange(10, 60))
            if title in existing or day > today:
                continue
            district = rng.choice(districts)
            starts_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 30)))
            meeting = Meeting.objects.create(
                title=title,
                meeting_type=Meeting.Type.WORKING_GROUP,
                starts_at=starts_at,
                ends_at=starts_at + datetime.timedelta(hours=3),
                province_id=SISAKET,
                district=district,
                venue=f"ห้องประชุมที่ว่าการอำเภอ{district.name_th}",
                chair_name=_person(rng),
                chair_position="ประธานขบวนองค์กรชุมชนจังหวัดศรีสะเกษ",
                target_sectors=["provincial", "local", "movement"],
                is_demo=True,
            )
            MeetingOrganiser.objects.create(meeting=meeting, agency=movement, is_demo=True)
            MeetingObjective.objects.create(
                meeting=meeting,
                position=1,
                is_demo=True,
                text="ติดตามความก้าวหน้าโครงการในพื้นที่และมติที่ประชุมครั้งก่อน",
            )
            invited = rng.sample(councils, 6)
            meeting.invited_councils.set(invited)
            Attendance.objects.bulk_create(
                Attendance(
                    meeting=meeting,
                    order=number,
                    person_name=_person(rng),
                    position="ผู้แทนสภาองค์กรชุมชน",
                    council=council,
                    is_demo=True,
                )
                for number, council in enumerate(invited, start=1)
            )
            resolutions = []
            for number in range(1, rng.randrange(2, 4)):
                owner_is_council = rng.random() < 0.5
                due = day + datetime.timedelta(days=rng.randrange(30, 120))
                resolutions.append(
                    Resolution(
                        meeting=meeting,
                        position=number,
                        text=rng.choice(
                            [
                                "จัดทำข้อมูลครัวเรือนเป้าหมายโครงการบ้านพอเพียงให้แล้วเสร็จ",
                                "ประสานหน่วยงานภาคีร่วมสนับสนุนงบประมาณกองทุนสวัสดิการชุมชน",
                                "จัดเวทีสรุปบทเรียนการดำเนินงานระดับอำเภอ",
                                "ปรับปรุงฐานข้อมูลสภาองค์กรชุมชนตำบลให้เป็นปัจจุบัน",
                            ]
                        ),
                        owner_council=rng.choice(invited) if owner_is_council else None,
                        owner_agency=None if owner_is_council else rng.choice(agencies),
                        due_on=due,
                        status=Resolution.Status.DONE
                        if due < today - datetime.timedelta(days=200)
                        else rng.choice([Resolution.Status.OPEN, Resolution.Status.IN_PROGRESS]),
                        is_demo=True,
                    )
                )
            Resolution.objects.bulk_create(resolutions)
            created += 1
    result.add("meetings", created)


DEMO_USERS = [
    ("demo-admin", Role.ADMIN),
    ("demo-staff", Role.STAFF),
    ("demo-council", Role.COUNCIL_EDITOR),
    ("demo-viewer", Role.VIEWER),
]


@transaction.atomic
def seed_demo_users(password: str) -> list[tuple[str, str, bool]]:
    """One login per role; an existing demo login keeps its settings and gets the password."""
    from accounts.models import User

    council = (
        Council.objects.filter(district_id="3304", status=Council.Status.ACTIVE)
        .order_by("code")
        .first()
    )
    made = []
    for username, role in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "role": role,
                "council": council if role == User.Role.COUNCIL_EDITOR else None,
                "is_staff": role == User.Role.ADMIN,
                "is_superuser": role == User.Role.ADMIN,
            },
        )
        if created or not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        if created and role in (User.Role.STAFF, User.Role.VIEWER):
            user.provinces.add(SISAKET)
        made.append((username, role, created))
    return made
