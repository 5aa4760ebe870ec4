import datetime
import zoneinfo

import pytest
from django.core.management import call_command
from django.db import transaction

from accounts.models import User
from councils.models import Agency, CommunityOrganisation, Council, CouncilMember
from geo.models import District, Subdistrict
from meetings.models import Attendance, Meeting, Resolution
from portal.demo import demo_fiscal_years
from projects.models import Disbursement, Programme, Project, ProjectPartner

pytestmark = pytest.mark.django_db

SEED_TITLE = "ทิศทางการพัฒนาแบบบูรณาการระหว่างภาครัฐกับภาคประชาชน ในจังหวัดศรีสะเกษ"
MODELS = [
    District,
    Subdistrict,
    Programme,
    Agency,
    Council,
    CommunityOrganisation,
    CouncilMember,
    Project,
    ProjectPartner,
    Disbursement,
    Meeting,
    Attendance,
    Resolution,
    User,
]


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """The demo takes seconds to load: load it once for the module, in a transaction rolled
    back when the module ends, so no other module sees it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo")
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_data, db):
    """Each test runs in a savepoint inside the demo's transaction (the `db` fixture) and
    finds the demo as loaded: what a test writes is rolled back before the next one."""


def snapshot() -> dict:
    return {
        model.__name__: sorted(model.objects.values_list("pk", flat=True)) for model in MODELS
    } | {"versions": sum(Council.objects.values_list("version", flat=True))}


def test_seed_demo_loads_sisaket_and_its_215_councils(demo):
    assert District.objects.count() == 22
    assert Subdistrict.objects.count() == 206
    assert Council.objects.count() == 215
    assert Council.objects.filter(area_type=Council.AreaType.SUBDISTRICT).count() == 206
    assert Council.objects.filter(area_type=Council.AreaType.MUNICIPALITY).count() == 9
    assert set(Council.objects.values_list("district__province", flat=True)) == {"33"}
    assert Council.objects.filter(is_demo=False).count() == 0


def test_seed_demo_loads_the_five_programmes(demo):
    assert set(Programme.objects.values_list("name_th", flat=True)) == {
        "บ้านมั่นคง",
        "บ้านพอเพียง",
        "สวัสดิการชุมชน",
        "พัฒนาคุณภาพชีวิต",
        "เสริมสร้างขีดความสามารถขบวนองค์กรชุมชน",
    }


def test_seed_demo_loads_the_agencies_named_in_the_seed(demo):
    names = set(Agency.objects.values_list("name_th", flat=True))
    for name in [
        "สถาบันพัฒนาองค์กรชุมชน (องค์การมหาชน)",
        "สำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์จังหวัดศรีสะเกษ",
        "สำนักงานศึกษาธิการจังหวัดศรีสะเกษ",
        "สำนักงานพัฒนาชุมชนจังหวัดศรีสะเกษ",
        "มหาวิทยาลัยราชภัฏศรีสะเกษ",
        "สภาวัฒนธรรมจังหวัดศรีสะเกษ",
        "สโมสรโรตารี่ศรีสะเกษ",
        "องค์การบริหารส่วนจังหวัดศรีสะเกษ",
        "ขบวนองค์กรชุมชนจังหวัดศรีสะเกษ",
    ]:
        assert name in names
    assert Agency.objects.get(code="sskru").sector == Agency.Sector.ACADEMIC


def test_seed_demo_makes_sample_projects_members_and_meetings_marked_as_demo(demo):
    years = set(Project.objects.values_list("fiscal_year", flat=True))
    assert years == set(demo_fiscal_years())
    assert Project.objects.filter(is_demo=False).count() == 0
    assert CouncilMember.objects.filter(role=CouncilMember.Role.CHAIR).count() == 215
    assert CommunityOrganisation.objects.count() >= 215 * 2
    assert ProjectPartner.objects.count() >= Project.objects.count()
    assert Disbursement.objects.exists()
    assert Meeting.objects.filter(is_demo=True).count() >= 12
    assert Resolution.objects.filter(status=Resolution.Status.OPEN).exists()
    for project in Project.objects.exclude(budget_approved=None):
        assert project.budget_approved <= project.budget_requested


def test_seed_demo_twice_changes_nothing(demo):
    before = snapshot()
    call_command("seed_demo")
    assert snapshot() == before


def test_the_seed_meeting_is_recorded_as_the_news_item_says(demo):
    meeting = Meeting.objects.get(title=SEED_TITLE)
    bangkok = zoneinfo.ZoneInfo("Asia/Bangkok")
    assert meeting.starts_at.astimezone(bangkok) == datetime.datetime(
        2022, 12, 21, 13, 0, tzinfo=bangkok
    )
    assert meeting.meeting_type == Meeting.Type.PROVINCIAL_FORUM
    assert meeting.chair_name == "นายสำรวย เกษกุล"
    assert meeting.chair_position == "ผู้ว่าราชการจังหวัดศรีสะเกษ"
    assert "ศูนย์แสดงสินค้าหนึ่งตำบลหนึ่งผลิตภัณฑ์ OTOP" in meeting.venue
    assert "215 สภา" in meeting.summary
    assert not meeting.is_demo

    objectives = list(meeting.objectives.values_list("position", "text"))
    assert [position for position, _ in objectives] == [1, 2, 3, 4]
    assert objectives[0][1].startswith("เพื่อสร้างความรู้จากทุกภาคส่วน")
    assert objectives[1][1] == "เพื่อหาแนวทางในการบูรณาการความร่วมมือในการพัฒนาโดยใช้พื้นที่เป็นตัวตั้ง"
    assert "โครงการบ้านพอเพียง" in objectives[2][1]
    assert objectives[3][1].startswith("เพื่อเชื่อมโยงประเด็นงาน")

    organisers = {link.agency.code: link.role for link in meeting.organiser_links.all()}
    assert organisers["codi-northeast"] == "organiser"
    assert organisers["sisaket-movement"] == "co_organiser"
    assert organisers["sisaket-council-assembly"] == "co_organiser"

    assert set(meeting.target_sectors) >= {"local", "civil_society", "business", "movement"}

    people = {a.person_name: a.position for a in meeting.attendance.all() if a.person_name}
    assert people == {
        "นายสำรวย เกษกุล": "ผู้ว่าราชการจังหวัดศรีสะเกษ",
        "นายกฤษฎา สมประสงค์": "ผู้อำนวยการสถาบันพัฒนาองค์กรชุมชน (องค์การมหาชน)",
        "นางนิภา คงเพชร": "พัฒนาสังคมและความมั่นคงของมนุษย์จังหวัดศรีสะเกษ",
        "นายวิเชียร พลสยม": "ผู้ช่วยผู้อำนวยการสถาบันพัฒนาองค์กรชุมชน สำนักงานภาคตะวันออกเฉียงเหนือ",
        "นายอุดมการณ์ บัวเกษ": "ตัวแทนที่ประชุมสภาองค์กรชุมชนตำบลศรีสะเกษ",
        "นายเสริม บุญธรรม": "ประธานขบวนองค์กรชุมชนจังหวัดศรีสะเกษ",
    }
    representatives = set(
        meeting.attendance.filter(person_name="").values_list("position", flat=True)
    )
    assert "ผู้แทนอธิการบดีมหาวิทยาลัยราชภัฏศรีสะเกษ" in representatives
    assert "ผู้แทนสโมสรโรตารี่ศรีสะเกษ" in representatives
    assert meeting.attendance.get(role="chair").person_name == "นายสำรวย เกษกุล"


def test_seed_demo_creates_no_user_without_the_flag(demo):
    assert User.objects.count() == 0


def test_the_seed_forum_invites_the_215_councils_and_has_minutes(demo):
    meeting = Meeting.objects.get(title=SEED_TITLE)
    assert meeting.invited_councils.count() == 215
    assert "## พิธีเปิดการประชุม" in meeting.minutes
    assert "- ขบวนองค์กรชุมชนจังหวัด" in meeting.minutes


def test_the_demo_register_shows_follow_ups_and_carried_resolutions(demo):
    from meetings.models import ResolutionFollowUp

    assert ResolutionFollowUp.objects.filter(is_demo=True, status="done").exists()
    carried = Resolution.objects.filter(is_demo=True, carried_from__isnull=False)
    assert 1 <= carried.count() <= 3
    for resolution in carried:
        assert resolution.meeting.starts_at > resolution.carried_from.meeting.starts_at
        assert resolution.carried_from.follow_ups.filter(note__contains="ยกไปติดตาม").exists()
    assert not Resolution.objects.pending().filter(carried_to__isnull=False).exists()


@pytest.mark.parametrize("turn", ["first", "second"])
def test_each_test_finds_the_demo_as_loaded_whatever_the_one_before_wrote(demo, turn):
    assert not Council.objects.filter(name_th__startswith="แก้ในการทดสอบ").exists()
    assert Meeting.objects.filter(title=SEED_TITLE).exists()
    Council.objects.update(name_th=f"แก้ในการทดสอบ {turn}")
    Meeting.objects.filter(title=SEED_TITLE).update(title=f"แก้ในการทดสอบ {turn}")
