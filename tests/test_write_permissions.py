"""Every state-changing URL of the portal, POSTed by every role with a valid CSRF token:
who may do it (200 or 302, and the database changes), who is told no (403), for whom the
record does not exist (404) and who is sent to log in; a refusal changes nothing in any
table. A URL added to the portal must be listed here, as a write (WRITES) or as a page that
a POST does not change (READS), or `test_every_url_is_a_listed_write_or_read` fails."""

import io

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from accounts.models import User
from imports import service
from imports.models import ImportBatch
from meetings.models import MeetingPhoto
from portal.models import ExportJob
from tests.factories import (
    AgencyFactory,
    CouncilFactory,
    CouncilMemberFactory,
    DistrictFactory,
    MeetingFactory,
    ProjectFactory,
    ProvinceFactory,
    ResolutionFactory,
    UserFactory,
)
from tests.helpers import bangkok
from tests.test_forms import add_rows, form_data
from tests.test_permissions import MATRIX, ROLES, url_names

DONE, OK, FORBIDDEN, MISSING = 302, 200, 403, 404
LOGIN, ADMIN_LOGIN = "login", "admin login"
EVERY_ROLE = ROLES[1:]
# The tables a request could change (their history tables and lists included). Left out:
# what a refused request may still write (sessions, failed logins, the access log of pages
# that show personal data), background-task bookkeeping, and reference data no page writes.
TRACKED = {
    "accounts",
    "admin",
    "auth",
    "councils",
    "imports",
    "meetings",
    "otp_static",
    "otp_totp",
    "portal",
    "privacy",
    "projects",
}
UNTRACKED_MODELS = {"privacy.accesslog", "auth.permission"}


def answers(default, *, anonymous=LOGIN, **roles) -> dict:
    return {"anonymous": anonymous, **{role: default for role in EVERY_ROLE}, **roles}


# A record of Sisaket in the editor's council: staff of Sisaket and admins change it, the
# editor may (EDITOR) or may not (403), the others do not see it.
def council_record(*, editor=DONE, viewer=FORBIDDEN):
    return answers(
        DONE,
        staff_elsewhere=MISSING,
        editor=editor,
        other_editor=MISSING,
        viewer=viewer,
    )


STAFF_ONLY = council_record(editor=FORBIDDEN)
# Creating: CODI staff and admins; staff of another province are allowed the page, but the
# posted place (Sisaket) is not among their choices, so the form refuses it (200).
CREATE = answers(
    FORBIDDEN, admin=DONE, staff=DONE, staff_elsewhere=OK, editor=FORBIDDEN, viewer=FORBIDDEN
)
# The shared directory of agencies: everyone sees a Sisaket agency, staff of Sisaket and
# admins change it.
AGENCY = answers(FORBIDDEN, admin=DONE, staff=DONE)
# A batch of the import centre is its importer's (staff) and the administrators'.
BATCH = answers(MISSING, admin=DONE, staff=DONE, viewer=FORBIDDEN)
ADMIN_ONLY = answers(FORBIDDEN, admin=DONE)


def jpeg(name="p.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (12, 12), "green").save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def agencies_csv(code: str, sector: str = "provincial") -> SimpleUploadedFile:
    content = f"code,name_th,sector,province\n{code},หน่วยงาน {code},{sector},ศรีสะเกษ\n"
    return SimpleUploadedFile(f"{code}.csv", content.encode("utf-8"))


def edit_page(url: str, **changes):
    return lambda w: form_data(w["admin_client"].get(url(w)), **changes)


# url name -> (path, POST data, expected answer per role, roles whose POST writes).
WRITES = {
    # --- councils and agencies ----------------------------------------------------------
    "councils:create": (
        lambda w: "/councils/new/",
        lambda w: form_data(
            w["admin_client"].get("/councils/new/"),
            code="C-NEW",
            name_th="สภาองค์กรชุมชนตำบลใหม่",
            area_type="subdistrict",
            district=w["council"].district_id,
            subdistrict=w["council"].subdistrict_id,
            status="active",
        ),
        CREATE,
        {"admin", "staff"},
    ),
    "councils:edit": (
        lambda w: f"/councils/{w['council'].pk}/edit/",
        edit_page(lambda w: f"/councils/{w['council'].pk}/edit/", households="4,321"),
        council_record(),
        {"admin", "staff", "editor"},
    ),
    "councils:archive": (
        lambda w: f"/councils/{w['council'].pk}/archive/",
        lambda w: {},
        STAFF_ONLY,
        {"admin", "staff"},
    ),
    "councils:restore": (
        lambda w: f"/councils/{w['archived_council'].pk}/restore/",
        lambda w: {},
        # The archived council is another of Sisaket: the editor's scope is its own council.
        {**STAFF_ONLY, "editor": MISSING},
        {"admin", "staff"},
    ),
    "councils:revert": (
        lambda w: f"/councils/{w['council'].pk}/history/{w['first']['council']}/revert/",
        lambda w: {},
        council_record(),
        {"admin", "staff", "editor"},
    ),
    "agencies:create": (
        lambda w: "/agencies/new/",
        lambda w: form_data(
            w["admin_client"].get("/agencies/new/"),
            code="new-agency",
            name_th="หน่วยงานใหม่",
            sector="provincial",
            province="33",
        ),
        CREATE,
        {"admin", "staff"},
    ),
    "agencies:edit": (
        lambda w: f"/agencies/{w['agency'].pk}/edit/",
        edit_page(lambda w: f"/agencies/{w['agency'].pk}/edit/", name_th="ชื่อใหม่"),
        AGENCY,
        {"admin", "staff"},
    ),
    "agencies:archive": (
        lambda w: f"/agencies/{w['agency'].pk}/archive/",
        lambda w: {},
        AGENCY,
        {"admin", "staff"},
    ),
    "agencies:restore": (
        lambda w: f"/agencies/{w['archived_agency'].pk}/restore/",
        lambda w: {},
        AGENCY,
        {"admin", "staff"},
    ),
    "agencies:revert": (
        lambda w: f"/agencies/{w['agency'].pk}/history/{w['first']['agency']}/revert/",
        lambda w: {},
        AGENCY,
        {"admin", "staff"},
    ),
    # --- projects -----------------------------------------------------------------------
    "projects:create": (
        lambda w: "/projects/new/",
        lambda w: form_data(
            w["admin_client"].get("/projects/new/"),
            code="P-NEW",
            title_th="โครงการใหม่",
            programme=w["project"].programme_id,
            council=w["council"].pk,
            fiscal_year="2567",
            status="proposed",
            budget_requested="10,000",
        ),
        # A council editor records its own council's projects; another's council is not
        # among the other editor's choices.
        {**CREATE, "editor": DONE, "other_editor": OK},
        {"admin", "staff", "editor"},
    ),
    "projects:edit": (
        lambda w: f"/projects/{w['project'].pk}/edit/",
        edit_page(lambda w: f"/projects/{w['project'].pk}/edit/", title_th="ชื่อใหม่"),
        council_record(),
        {"admin", "staff", "editor"},
    ),
    "projects:update_create": (
        lambda w: f"/projects/{w['project'].pk}/updates/new/",
        lambda w: {
            "reported_on": "21/12/2565",
            "percent_complete": "40",
            "text": "ก้าวหน้าตามแผน",
            "photos": jpeg(),
        },
        council_record(),
        {"admin", "staff", "editor"},
    ),
    "projects:archive": (
        lambda w: f"/projects/{w['project'].pk}/archive/",
        lambda w: {},
        STAFF_ONLY,
        {"admin", "staff"},
    ),
    "projects:restore": (
        lambda w: f"/projects/{w['archived_project'].pk}/restore/",
        lambda w: {},
        STAFF_ONLY,
        {"admin", "staff"},
    ),
    "projects:revert": (
        lambda w: f"/projects/{w['project'].pk}/history/{w['first']['project']}/revert/",
        lambda w: {},
        council_record(),
        {"admin", "staff", "editor"},
    ),
    # --- meetings -----------------------------------------------------------------------
    "meetings:create": (
        lambda w: "/meetings/new/",
        lambda w: form_data(
            w["admin_client"].get("/meetings/new/"),
            title="ประชุมใหม่",
            meeting_type="working_group",
            date="15/01/2566",
            start_time="09:00",
            province="33",
        ),
        CREATE,
        {"admin", "staff"},
    ),
    "meetings:edit": (
        lambda w: f"/meetings/{w['meeting'].pk}/edit/",
        edit_page(lambda w: f"/meetings/{w['meeting'].pk}/edit/", title="ชื่อใหม่"),
        STAFF_ONLY,
        {"admin", "staff"},
    ),
    "meetings:archive": (
        lambda w: f"/meetings/{w['meeting'].pk}/archive/",
        lambda w: {},
        STAFF_ONLY,
        {"admin", "staff"},
    ),
    "meetings:restore": (
        lambda w: f"/meetings/{w['archived_meeting'].pk}/restore/",
        lambda w: {},
        STAFF_ONLY,
        {"admin", "staff"},
    ),
    "meetings:revert": (
        lambda w: f"/meetings/{w['meeting'].pk}/history/{w['first']['meeting']}/revert/",
        lambda w: {},
        STAFF_ONLY,
        {"admin", "staff"},
    ),
    "meetings:duplicate": (
        lambda w: f"/meetings/{w['meeting'].pk}/duplicate/",
        lambda w: {},
        STAFF_ONLY,
        {"admin", "staff"},
    ),
    "meetings:attendance": (
        lambda w: f"/meetings/{w['meeting'].pk}/attendance/",
        lambda w: add_rows(
            form_data(w["admin_client"].get(f"/meetings/{w['meeting'].pk}/attendance/")),
            "attendance",
            {"person_name": "นายทดสอบ มาประชุม", "position": "ประธาน", "role": "participant"},
        ),
        STAFF_ONLY,
        {"admin", "staff"},
    ),
    # The sign-in sheet becomes a batch for the meeting, whoever may edit the meeting.
    "imports:meeting_attendance": (
        lambda w: f"/imports/meetings/{w['meeting'].pk}/attendance/",
        lambda w: {
            "sheet": SimpleUploadedFile(
                "sheet.csv", "ชื่อ-สกุล,ตำแหน่ง\nนายสมชาย ใจดี,อาสาสมัคร\n".encode()
            )
        },
        STAFF_ONLY,
        {"admin", "staff"},
    ),
    "meetings:photos": (
        lambda w: f"/meetings/{w['meeting'].pk}/photos/",
        lambda w: {"photos": jpeg(), "caption": "เวทีประชุม"},
        STAFF_ONLY,
        {"admin", "staff"},
    ),
    # Removing a photo (it is archived) is a row of the captions page.
    "meetings:photo_captions": (
        lambda w: f"/meetings/{w['meeting'].pk}/photos/captions/",
        edit_page(
            lambda w: f"/meetings/{w['meeting'].pk}/photos/captions/", **{"photos-0-DELETE": "on"}
        ),
        STAFF_ONLY,
        {"admin", "staff"},
    ),
    # The resolution is the editor's council's: its editor reports on it.
    "meetings:resolution_follow_up": (
        lambda w: f"/meetings/resolutions/{w['resolution'].pk}/follow-up/",
        lambda w: {
            "follow-noted_on": "10/01/2566",
            "follow-note": "ดำเนินการแล้วครึ่งหนึ่ง",
            "follow-status": "in_progress",
        },
        council_record(),
        {"admin", "staff", "editor"},
    ),
    "meetings:resolution_carry": (
        lambda w: f"/meetings/resolutions/{w['resolution'].pk}/carry/",
        lambda w: {"carry-meeting": w["later_meeting"].pk, "carry-due_on": ""},
        STAFF_ONLY,
        {"admin", "staff"},
    ),
    # Each user makes their own calendar address.
    "meetings:calendar_token": (
        lambda w: "/meetings/calendar/token/",
        lambda w: {},
        # The new address is shown once, on the answer to the POST itself.
        answers(OK),
        set(EVERY_ROLE),
    ),
    # --- the import centre --------------------------------------------------------------
    # An upload is a batch in preview; a council editor imports members only, so a file of
    # agencies is refused on its page (400) and no batch is kept.
    "imports:index": (
        lambda w: "/imports/",
        lambda w: {"kind": "agencies", "file": agencies_csv("uploaded")},
        answers(DONE, editor=400, other_editor=400, viewer=FORBIDDEN),
        {"admin", "staff", "staff_elsewhere"},
    ),
    "imports:map": (
        lambda w: f"/imports/{w['preview_batch'].pk}/columns/",
        lambda w: {"column-0": "address"},
        BATCH,
        {"admin", "staff"},
    ),
    "imports:commit": (
        lambda w: f"/imports/{w['preview_batch'].pk}/commit/",
        # As the confirmation page sends it: the counts the user was shown.
        lambda w: {"mode": "all", "confirm": w["preview_batch"].commit_confirmation("all")},
        BATCH,
        {"admin", "staff"},
    ),
    # A row with errors corrected in the preview (its row 2 has no such sector).
    "imports:correct": (
        lambda w: f"/imports/{w['error_batch'].pk}/rows/2/",
        lambda w: {"cell-sector": "provincial"},
        BATCH,
        {"admin", "staff"},
    ),
    "imports:cancel": (
        lambda w: f"/imports/{w['preview_batch'].pk}/cancel/",
        lambda w: {},
        BATCH,
        {"admin", "staff"},
    ),
    "imports:undo": (
        lambda w: f"/imports/{w['imported_batch'].pk}/undo/",
        lambda w: {"confirm": w["imported_batch"].undo_confirmation()},
        BATCH,
        {"admin", "staff"},
    ),
    # --- exports prepared in the background -------------------------------------------
    # Anyone may ask for the export of a list they see; it holds what they may see.
    "export_create": (
        lambda w: "/exports/",
        lambda w: {"path": "/projects/?format=csv"},
        answers(DONE),
        set(EVERY_ROLE),
    ),
    # --- logins locked out (administrators only) ----------------------------------------
    # No lockout in this world: the administrator is told it is gone (unlocking itself is
    # in test_lockout).
    "accounts:unlock": (
        lambda w: "/accounts/lockouts/1/unlock/",
        lambda w: {},
        {**ADMIN_ONLY, "admin": MISSING},
        set(),
    ),
    # --- personal data (administrators only) --------------------------------------------
    "privacy:person": (
        lambda w: "/privacy/person/",
        lambda w: {"q": w["member"].full_name},
        {**ADMIN_ONLY, "admin": OK},
        set(),
    ),
    "privacy:person_download": (
        lambda w: "/privacy/person/download/",
        lambda w: {"q": w["member"].full_name},
        # A read sent as a POST, so that no one's name or ID is in an address.
        {**ADMIN_ONLY, "admin": OK},
        set(),
    ),
    "privacy:person_erase": (
        lambda w: "/privacy/person/erase/",
        lambda w: {"q": w["member"].full_name, "confirm": "yes", "reference": "REQ-1"},
        ADMIN_ONLY,
        {"admin"},
    ),
    # The Django admin: its own login for everyone but administrators.
    "admin:index": (
        lambda w: f"/admin/councils/council/{w['council'].pk}/change/",
        lambda w: {"name_th": ""},
        answers(ADMIN_LOGIN, admin=OK),
        set(),
    ),
    # --- accounts: open to all, or to every logged-in user ------------------------------
    "login": (
        lambda w: "/accounts/login/",
        lambda w: {"username": "nobody", "password": "wrong"},
        answers(OK, anonymous=OK),
        set(),
    ),
    # Logging out ends on the login page.
    "logout": (lambda w: "/accounts/logout/", lambda w: {}, answers(LOGIN), set()),
    "set_language": (
        lambda w: "/i18n/setlang/",
        lambda w: {"language": "en", "next": "/"},
        answers(DONE, anonymous=DONE),
        set(),
    ),
    "password_reset": (
        lambda w: "/accounts/password/reset/",
        lambda w: {"email": "nobody@example.org"},
        answers(DONE, anonymous=DONE),
        set(),
    ),
    # A link with a wrong token: the page says it is not valid, nothing changes.
    "password_reset_confirm": (
        lambda w: "/accounts/password/reset/MQ/set-password/",
        lambda w: {"new_password1": "a long new secret 1", "new_password2": "a long new secret 1"},
        answers(OK, anonymous=OK),
        set(),
    ),
    "password_change": (
        lambda w: "/accounts/password/change/",
        lambda w: {
            "old_password": "wrong",
            "new_password1": "a long new secret 1",
            "new_password2": "a long new secret 1",
        },
        answers(OK),
        set(),
    ),
    # Two-step sign-in, for users who have none: a code has nothing to verify, enrolment
    # has no secret shown yet, and there are no recovery codes to renew or device to turn
    # off; each sends the user on and changes nothing (tests/test_two_factor.py).
    "two_factor_verify": (
        lambda w: "/accounts/two-factor/verify/",
        lambda w: {"code": "123456"},
        answers(DONE),
        set(),
    ),
    "two_factor_enrol": (
        lambda w: "/accounts/two-factor/enrol/",
        lambda w: {"code": "123456"},
        answers(DONE),
        set(),
    ),
    "two_factor_recovery_codes": (
        lambda w: "/accounts/two-factor/recovery-codes/",
        lambda w: {},
        answers(DONE),
        set(),
    ),
    "two_factor_disable": (
        lambda w: "/accounts/two-factor/disable/",
        lambda w: {"code": "123456"},
        answers(DONE),
        set(),
    ),
}

# Pages a POST does not change (as a GET, they only read); checked below for the admin.
READS = sorted(set(MATRIX) - set(WRITES))


def test_every_url_is_a_listed_write_or_read():
    assert set(url_names()) == set(WRITES) | set(READS)
    assert not set(WRITES) - set(url_names()), "a write is listed that the portal no longer has"


def database_state() -> dict:
    """Every row of every table a request could change, history tables included."""
    state = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.app_label not in TRACKED or meta.label_lower in UNTRACKED_MODELS or meta.proxy:
            continue
        state[meta.label_lower] = list(model._base_manager.order_by("pk").values())
    return state


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(label for label in before if before[label] != after[label])


def logged_in(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


def csrf_token(client: Client) -> str:
    """The token a browser would send: read from a page's cookie, as a form carries it."""
    response = client.get("/accounts/password/reset/")
    assert response.status_code == 200
    return client.cookies["csrftoken"].value


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    sisaket = ProvinceFactory()
    bangkok_province = ProvinceFactory(code="10", name_th="กรุงเทพมหานคร", name_en="Bangkok")
    DistrictFactory(province=bangkok_province, code="1001")
    council, other_council = CouncilFactory(), CouncilFactory()
    member = CouncilMemberFactory(council=council, full_name="นางบัวผัน ทองดี")
    meeting = MeetingFactory(province=sisaket, title="ประชุมเดิม")
    meeting.invited_councils.add(council)
    photo = MeetingPhoto.objects.create(meeting=meeting, image=jpeg(), position=1)
    project = ProjectFactory(council=council, title_th="โครงการเดิม")
    agency = AgencyFactory(province=sisaket, name_th="หน่วยงานเดิม")
    first = {}
    for name, record, field in (
        ("council", council, "households"),
        ("project", project, "title_th"),
        ("agency", agency, "name_th"),
        ("meeting", meeting, "title"),
    ):
        first[name] = record.history.order_by("history_id").first().history_id
        setattr(record, field, 999 if field == "households" else "ชื่อที่แก้แล้ว")
        record.save()
    users = {
        "admin": UserFactory(username="a", role=User.Role.ADMIN, is_staff=True, is_superuser=True),
        "staff": UserFactory(username="s", role=User.Role.STAFF),
        "staff_elsewhere": UserFactory(username="s2", role=User.Role.STAFF),
        "editor": UserFactory(username="e", role=User.Role.COUNCIL_EDITOR, council=council),
        "other_editor": UserFactory(
            username="e2", role=User.Role.COUNCIL_EDITOR, council=other_council
        ),
        "viewer": UserFactory(username="v", role=User.Role.VIEWER),
    }
    for name in ("staff", "viewer"):
        users[name].provinces.add(sisaket)
    users["staff_elsewhere"].provinces.add(bangkok_province)
    archived = {
        "archived_council": CouncilFactory(),
        "archived_project": ProjectFactory(council=council),
        "archived_agency": AgencyFactory(province=sisaket),
        "archived_meeting": MeetingFactory(province=sisaket),
    }
    for record in archived.values():
        record.archive()
    archived["archived_meeting"].invited_councils.add(council)
    admin_client = Client()
    admin_client.force_login(users["admin"])
    return World(
        {
            "council": council,
            "member": member,
            "project": project,
            "agency": agency,
            "meeting": meeting,
            "later_meeting": MeetingFactory(province=sisaket, starts_at=bangkok(2023, 3, 1, 9, 0)),
            "photo": photo,
            "resolution": ResolutionFactory(
                meeting=meeting, owner_agency=None, owner_council=council
            ),
            "first": first,
            "users": users,
            "admin_client": admin_client,
            **archived,
        }
    )


class World(dict):
    """The records of the matrix; the import batches are made when a test first asks."""

    def __missing__(self, key):
        staff = self["users"]["staff"]
        if key in ("batch", "preview_batch"):
            batch = self._batch("from-file")
            # An unknown column, for the mapping page to name.
            batch.preview["unknown"] = ["ที่อยู่สำนักงาน"]
            batch.save(update_fields=["preview"])
            self["batch"] = self["preview_batch"] = batch
        elif key == "error_batch":
            self[key] = self._batch("wrong", sector="nowhere")
            assert self[key].rows_error == 1
        elif key == "imported_batch":
            self[key] = service.commit(self._batch("imported"), staff, ImportBatch.Mode.ALL)
        elif key == "export":
            self[key] = ExportJob.objects.create(
                created_by=staff, path="/projects/?format=csv", file_format="csv", language="th"
            )
        else:
            raise KeyError(key)
        return self[key]

    def _batch(self, code: str, sector: str = "provincial") -> ImportBatch:
        batch = service.store_upload(agencies_csv(code, sector), "agencies", self["users"]["staff"])
        batch.refresh_from_db()
        assert batch.status == ImportBatch.Status.PREVIEW, batch.notice
        return batch


def assert_answer(response, expected) -> None:
    if expected == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    elif expected == ADMIN_LOGIN:
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    else:
        assert response.status_code == expected
        if expected == DONE:
            assert "/login/" not in response["Location"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(WRITES))
def test_each_role_may_post_only_what_it_may_change(world, name, role):
    path, data, expected, writes = WRITES[name]
    client = logged_in(None if role == "anonymous" else world["users"][role])
    token = csrf_token(client)
    url, posted = path(world), data(world)
    before = database_state()
    response = client.post(url, {**posted, "csrfmiddlewaretoken": token})
    after = database_state()
    assert_answer(response, expected[role])
    changed = changed_tables(before, after)
    if role in writes:
        assert changed, f"{role} POST {url} changed nothing"
    elif expected[role] in (FORBIDDEN, MISSING, 400, LOGIN, ADMIN_LOGIN) or not writes:
        assert changed == [], f"{role} POST {url} was refused but changed {changed}"


@pytest.mark.parametrize(
    "name",
    sorted(name for name, (*_, expected, _w) in WRITES.items() if expected["admin"] in (DONE, OK)),
)
def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(world, name):
    path, data, _expected, _writes = WRITES[name]
    client = logged_in(world["users"]["admin"])
    url, posted = path(world), data(world)
    before = database_state()
    response = client.post(url, posted)
    assert response.status_code == FORBIDDEN
    assert changed_tables(before, database_state()) == []


@pytest.mark.parametrize("name", READS)
def test_a_page_that_only_reads_changes_nothing_when_posted_to(world, name):
    path, _expected = MATRIX[name]
    client = logged_in(world["users"]["admin"])
    token = csrf_token(client)
    url = path(world)
    before = database_state()
    response = client.post(url, {"csrfmiddlewaretoken": token, "q": "x"})
    assert response.status_code < 500
    assert changed_tables(before, database_state()) == []
