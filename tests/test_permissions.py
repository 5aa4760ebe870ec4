"""Every URL of the portal, for every role: who gets the page, who is told no (403), and for
whom the record does not exist (404). A URL added to the portal without a line here fails
`test_every_url_of_the_portal_is_in_the_matrix`."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from PIL import Image

from accounts.models import User
from imports.models import ImportBatch
from meetings.models import MeetingPhoto
from portal.models import ExportJob
from tests.factories import (
    AgencyFactory,
    CouncilFactory,
    MeetingFactory,
    ProjectFactory,
    ProvinceFactory,
    ResolutionFactory,
    UserFactory,
)
from tests.helpers import content_of

ROLES = ["anonymous", "admin", "staff", "staff_elsewhere", "editor", "other_editor", "viewer"]
OK, LOGIN, FORBIDDEN, MISSING, NOT_ALLOWED = 200, 302, 403, 404, 405


def everyone(status):
    return {"anonymous": LOGIN, **{role: status for role in ROLES[1:]}}


def scoped(*, editor=OK, viewer=OK, staff_elsewhere=MISSING, other_editor=MISSING):
    """A record of Sisaket that belongs to the editor's council."""
    return {
        "anonymous": LOGIN,
        "admin": OK,
        "staff": OK,
        "staff_elsewhere": staff_elsewhere,
        "editor": editor,
        "other_editor": other_editor,
        "viewer": viewer,
    }


CREATE = {**everyone(OK), "editor": FORBIDDEN, "other_editor": FORBIDDEN, "viewer": FORBIDDEN}

# The import centre: administrators and CODI staff import every kind, a council editor its
# own council's members (so the councils template is not for it); viewers nothing. A batch
# is its importer's (and the administrators').
IMPORTER = {**everyone(OK), "viewer": FORBIDDEN}
COUNCILS_TEMPLATE = {**IMPORTER, "editor": FORBIDDEN, "other_editor": FORBIDDEN}
IMPORT_BATCH = {**IMPORTER, "staff_elsewhere": MISSING, "editor": MISSING, "other_editor": MISSING}
IMPORT_URLS = {
    "imports:index": (lambda o: "/imports/", IMPORTER),
    "imports:batches": (lambda o: "/imports/batches/", IMPORTER),
    "imports:template": (lambda o: "/imports/template/councils.xlsx", COUNCILS_TEMPLATE),
    "imports:batch": (lambda o: f"/imports/{o['batch'].pk}/", IMPORT_BATCH),
    "imports:errors": (lambda o: f"/imports/{o['batch'].pk}/rejected-rows.xlsx", IMPORT_BATCH),
    "imports:progress": (lambda o: f"/imports/{o['batch'].pk}/progress/", IMPORT_BATCH),
    "imports:map": (lambda o: f"/imports/{o['batch'].pk}/columns/", everyone(NOT_ALLOWED)),
    "imports:commit": (lambda o: f"/imports/{o['batch'].pk}/commit/", everyone(NOT_ALLOWED)),
    "imports:correct": (lambda o: f"/imports/{o['batch'].pk}/rows/7/", everyone(NOT_ALLOWED)),
    "imports:cancel": (lambda o: f"/imports/{o['batch'].pk}/cancel/", everyone(NOT_ALLOWED)),
    "imports:retry": (lambda o: f"/imports/{o['batch'].pk}/retry/", everyone(NOT_ALLOWED)),
    "imports:undo": (lambda o: f"/imports/{o['batch'].pk}/undo/", everyone(NOT_ALLOWED)),
}

# An export prepared in the background is its requester's (staff) and the administrators'.
EXPORT_JOB = {**IMPORT_BATCH, "viewer": MISSING}
EXPORT_URLS = {
    "export_create": (lambda o: "/exports/", everyone(NOT_ALLOWED)),
    "export_job": (lambda o: f"/exports/{o['export'].pk}/", EXPORT_JOB),
    "export_download": (lambda o: f"/exports/{o['export'].pk}/download/", EXPORT_JOB),
}

# url name -> (path builder, expected status per role)
MATRIX = {
    "home": (lambda o: "/", everyone(OK)),
    "dashboards:quality": (lambda o: "/quality/", everyone(OK)),
    "dashboards:reports": (lambda o: "/reports/", everyone(OK)),
    "areas:profile": (lambda o: f"/areas/{o['council'].subdistrict_id}/", scoped()),
    "areas:partners": (lambda o: f"/areas/{o['council'].subdistrict_id}/partners/", scoped()),
    "areas:compare": (lambda o: "/areas/compare/", everyone(OK)),
    "healthz": (lambda o: "/healthz", {role: OK for role in ROLES}),
    "login": (lambda o: "/accounts/login/", {role: OK for role in ROLES}),
    "logout": (lambda o: "/accounts/logout/", {**everyone(NOT_ALLOWED)}),
    # Switching the language is a POST; a GET only sends the browser back.
    "set_language": (lambda o: "/i18n/setlang/", {role: LOGIN for role in ROLES}),
    "password_reset": (lambda o: "/accounts/password/reset/", {role: OK for role in ROLES}),
    "password_reset_done": (lambda o: "/accounts/password/reset/sent/", {r: OK for r in ROLES}),
    "password_reset_confirm": (
        lambda o: "/accounts/password/reset/MQ/set-password/",
        {role: OK for role in ROLES},
    ),
    "password_reset_complete": (
        lambda o: "/accounts/password/reset/done/",
        {role: OK for role in ROLES},
    ),
    "password_change": (lambda o: "/accounts/password/change/", everyone(OK)),
    # Two-step sign-in (these users have none): their page and enrolment open to everyone;
    # nothing to verify and no new recovery codes to show send them on (302).
    "two_factor": (lambda o: "/accounts/two-factor/", everyone(OK)),
    "two_factor_enrol": (lambda o: "/accounts/two-factor/enrol/", everyone(OK)),
    "two_factor_verify": (lambda o: "/accounts/two-factor/verify/", everyone(302)),
    "two_factor_recovery_codes": (
        lambda o: "/accounts/two-factor/recovery-codes/",
        everyone(302),
    ),
    "two_factor_disable": (lambda o: "/accounts/two-factor/disable/", everyone(NOT_ALLOWED)),
    "password_change_done": (lambda o: "/accounts/password/change/done/", everyone(OK)),
    "councils:list": (lambda o: "/councils/", everyone(OK)),
    # The pickers' choices: every user gets the ones in their own scope (maybe none).
    "councils:choices": (lambda o: "/councils/choices/?q=ส", everyone(OK)),
    "councils:district_choices": (lambda o: "/councils/district-choices/", everyone(OK)),
    "agencies:choices": (lambda o: "/agencies/choices/", everyone(OK)),
    "meetings:choices": (lambda o: "/meetings/choices/", everyone(OK)),
    "councils:create": (lambda o: "/councils/new/", CREATE),
    "councils:detail": (lambda o: f"/councils/{o['council'].pk}/", scoped()),
    "councils:edit": (lambda o: f"/councils/{o['council'].pk}/edit/", scoped(viewer=FORBIDDEN)),
    "agencies:list": (lambda o: "/agencies/", everyone(OK)),
    "agencies:create": (lambda o: "/agencies/new/", CREATE),
    "agencies:detail": (lambda o: f"/agencies/{o['agency'].pk}/", everyone(OK)),
    "agencies:edit": (
        lambda o: f"/agencies/{o['agency'].pk}/edit/",
        {**everyone(FORBIDDEN), "admin": OK, "staff": OK},
    ),
    "councils:history": (lambda o: f"/councils/{o['council'].pk}/history/", scoped()),
    # GET: what restoring the version would change, to confirm (as the edit page allows).
    "councils:revert": (
        lambda o: (
            f"/councils/{o['council'].pk}/history/{o['council'].history.earliest().history_id}/revert/"
        ),
        scoped(viewer=FORBIDDEN),
    ),
    "agencies:history": (lambda o: f"/agencies/{o['agency'].pk}/history/", everyone(OK)),
    # GET: what restoring the version would change, to confirm (as the edit page allows).
    "agencies:revert": (
        lambda o: (
            f"/agencies/{o['agency'].pk}/history/{o['agency'].history.earliest().history_id}/revert/"
        ),
        {**everyone(FORBIDDEN), "admin": OK, "staff": OK},
    ),
    "projects:history": (lambda o: f"/projects/{o['project'].pk}/history/", scoped()),
    # GET: what restoring the version would change, to confirm (as the edit page allows).
    "projects:revert": (
        lambda o: (
            f"/projects/{o['project'].pk}/history/{o['project'].history.earliest().history_id}/revert/"
        ),
        scoped(viewer=FORBIDDEN),
    ),
    "meetings:history": (lambda o: f"/meetings/{o['meeting'].pk}/history/", scoped()),
    # GET: what restoring the version would change, to confirm (as the edit page allows).
    "meetings:revert": (
        lambda o: (
            f"/meetings/{o['meeting'].pk}/history/{o['meeting'].history.earliest().history_id}/revert/"
        ),
        scoped(editor=FORBIDDEN, viewer=FORBIDDEN),
    ),
    "councils:archive": (lambda o: f"/councils/{o['council'].pk}/archive/", everyone(NOT_ALLOWED)),
    "councils:restore": (lambda o: f"/councils/{o['council'].pk}/restore/", everyone(NOT_ALLOWED)),
    "agencies:archive": (lambda o: f"/agencies/{o['agency'].pk}/archive/", everyone(NOT_ALLOWED)),
    "agencies:restore": (lambda o: f"/agencies/{o['agency'].pk}/restore/", everyone(NOT_ALLOWED)),
    "projects:archive": (lambda o: f"/projects/{o['project'].pk}/archive/", everyone(NOT_ALLOWED)),
    "projects:restore": (lambda o: f"/projects/{o['project'].pk}/restore/", everyone(NOT_ALLOWED)),
    "meetings:archive": (lambda o: f"/meetings/{o['meeting'].pk}/archive/", everyone(NOT_ALLOWED)),
    "meetings:restore": (lambda o: f"/meetings/{o['meeting'].pk}/restore/", everyone(NOT_ALLOWED)),
    "projects:list": (lambda o: "/projects/", everyone(OK)),
    "projects:create": (lambda o: "/projects/new/", {**CREATE, "editor": OK, "other_editor": OK}),
    "projects:detail": (lambda o: f"/projects/{o['project'].pk}/", scoped()),
    "projects:edit": (lambda o: f"/projects/{o['project'].pk}/edit/", scoped(viewer=FORBIDDEN)),
    "projects:update_create": (
        lambda o: f"/projects/{o['project'].pk}/updates/new/",
        scoped(viewer=FORBIDDEN),
    ),
    "meetings:list": (lambda o: "/meetings/", everyone(OK)),
    "meetings:create": (lambda o: "/meetings/new/", CREATE),
    "meetings:detail": (lambda o: f"/meetings/{o['meeting'].pk}/", scoped()),
    "meetings:edit": (
        lambda o: f"/meetings/{o['meeting'].pk}/edit/",
        scoped(editor=FORBIDDEN, viewer=FORBIDDEN),
    ),
    "meetings:photos": (
        lambda o: f"/meetings/{o['meeting'].pk}/photos/",
        {**everyone(NOT_ALLOWED)},
    ),
    "photo_file": (lambda o: o["photo"].image.url, scoped()),
    "meetings:attendance": (
        lambda o: f"/meetings/{o['meeting'].pk}/attendance/",
        scoped(editor=FORBIDDEN, viewer=FORBIDDEN),
    ),
    # A sign-in sheet uploaded on the meeting's attendance page (POST only): an import batch.
    "imports:meeting_attendance": (
        lambda o: f"/imports/meetings/{o['meeting'].pk}/attendance/",
        everyone(NOT_ALLOWED),
    ),
    "meetings:sign_in_sheet": (lambda o: f"/meetings/{o['meeting'].pk}/sign-in.pdf", scoped()),
    "meetings:photo_captions": (
        lambda o: f"/meetings/{o['meeting'].pk}/photos/captions/",
        scoped(editor=FORBIDDEN, viewer=FORBIDDEN),
    ),
    "meetings:duplicate": (
        lambda o: f"/meetings/{o['meeting'].pk}/duplicate/",
        everyone(NOT_ALLOWED),
    ),
    "meetings:calendar": (lambda o: "/meetings/calendar/", everyone(OK)),
    "meetings:calendar_token": (lambda o: "/meetings/calendar/token/", everyone(NOT_ALLOWED)),
    # The feed authenticates by its token alone: a wrong token is unknown to everyone.
    "meetings:calendar_feed": (
        lambda o: "/meetings/calendar/wrong-token.ics",
        {role: MISSING for role in ROLES},
    ),
    "meetings:resolutions": (lambda o: "/meetings/resolutions/", everyone(OK)),
    "meetings:resolution": (lambda o: f"/meetings/resolutions/{o['resolution'].pk}/", scoped()),
    "meetings:resolution_follow_up": (
        lambda o: f"/meetings/resolutions/{o['resolution'].pk}/follow-up/",
        everyone(NOT_ALLOWED),
    ),
    "meetings:resolution_carry": (
        lambda o: f"/meetings/resolutions/{o['resolution'].pk}/carry/",
        everyone(NOT_ALLOWED),
    ),
    "privacy:person": (lambda o: "/privacy/person/", {**everyone(FORBIDDEN), "admin": OK}),
    "privacy:person_download": (lambda o: "/privacy/person/download/", everyone(NOT_ALLOWED)),
    "privacy:person_erase": (lambda o: "/privacy/person/erase/", everyone(NOT_ALLOWED)),
    "accounts:lockouts": (lambda o: "/accounts/lockouts/", {**everyone(FORBIDDEN), "admin": OK}),
    "accounts:unlock": (lambda o: "/accounts/lockouts/1/unlock/", everyone(NOT_ALLOWED)),
    "admin:index": (
        lambda o: "/admin/",
        {**everyone(LOGIN), "admin": OK},
    ),
    **IMPORT_URLS,
    **EXPORT_URLS,
}


def url_names(resolver=None, namespace=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                yield "admin:index"
                continue
            prefix = f"{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_of_the_portal_is_in_the_matrix():
    assert set(url_names()) == set(MATRIX)


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    sisaket = ProvinceFactory()
    bangkok = ProvinceFactory(code="10", name_th="กรุงเทพมหานคร", name_en="Bangkok")
    council, other_council = CouncilFactory(), CouncilFactory()
    meeting = MeetingFactory(province=sisaket)
    meeting.invited_councils.add(council)
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "JPEG")
    photo = MeetingPhoto.objects.create(
        meeting=meeting, image=SimpleUploadedFile("p.jpg", buffer.getvalue())
    )
    users = {
        "admin": UserFactory(username="a", role="admin", is_staff=True, is_superuser=True),
        "staff": UserFactory(username="s", role="staff"),
        "staff_elsewhere": UserFactory(username="s2", role="staff"),
        "editor": UserFactory(username="e", role="council_editor", council=council),
        "other_editor": UserFactory(username="e2", role="council_editor", council=other_council),
        "viewer": UserFactory(username="v", role="viewer"),
    }
    for name in ("staff", "viewer"):
        users[name].provinces.add(sisaket)
    users["staff_elsewhere"].provinces.add(bangkok)
    export = ExportJob.objects.create(
        created_by=users["staff"],
        path="/projects/?format=csv",
        file_format="csv",
        language="th",
        status=ExportJob.Status.DONE,
        file_name="projects.csv",
    )
    export.file.save("projects.csv", ContentFile(b"\xef\xbb\xbfcode\r\n"))
    return {
        "export": export,
        "council": council,
        "project": ProjectFactory(council=council),
        "agency": AgencyFactory(province=sisaket),
        "meeting": meeting,
        "photo": photo,
        "resolution": ResolutionFactory(meeting=meeting),
        "users": users,
        "batch": ImportBatch.objects.create(
            kind="councils", file="imports/x.xlsx", file_name="x.xlsx", created_by=users["staff"]
        ),
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_gets_the_expected_answer(client, world, name, role):
    path, expected = MATRIX[name]
    if role != "anonymous":
        client.force_login(world["users"][role])
    response = client.get(path(world))
    assert response.status_code == expected[role], f"{role} GET {path(world)}"


def test_a_council_editor_cannot_reach_another_council_by_changing_the_id(client, world):
    client.force_login(world["users"]["other_editor"])
    council = world["council"]
    assert client.get(f"/councils/{council.pk}/").status_code == 404
    assert client.post(f"/councils/{council.pk}/edit/", {"name_th": "ยึด"}).status_code == 404
    council.refresh_from_db()
    assert council.name_th != "ยึด"


def test_a_viewer_cannot_post_an_edit(client, world):
    client.force_login(world["users"]["viewer"])
    assert client.post(f"/projects/{world['project'].pk}/edit/", {}).status_code == 403


def test_lists_and_exports_hold_only_what_the_user_may_see(client, world):
    CouncilFactory(subdistrict__district__province=ProvinceFactory(code="10"))
    client.force_login(world["users"]["editor"])
    response = client.get("/councils/")
    assert [c.pk for c in response.context["object_list"]] == [world["council"].pk]
    csv = content_of(client.get("/councils/?format=csv")).decode("utf-8-sig")
    assert len(csv.strip().splitlines()) == 2  # the header and the editor's own council


def test_inactive_users_see_nothing(world):
    user = world["users"]["staff"]
    user.is_active = False
    user.save()
    assert not User.objects.get(pk=user.pk).is_active
    from councils.models import Council

    assert not Council.objects.visible_to(user).exists()


@pytest.mark.parametrize("action", ["follow-up", "carry"], ids=["follow_up", "carry"])
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("editor", FORBIDDEN),
        ("viewer", FORBIDDEN),
        ("other_editor", MISSING),
        ("staff_elsewhere", MISSING),
    ],
)
def test_only_meeting_editors_post_to_a_resolution(client, world, action, role, expected):
    client.force_login(world["users"][role])
    resolution = world["resolution"]
    response = client.post(f"/meetings/resolutions/{resolution.pk}/{action}/", {})
    assert response.status_code == expected
    assert not resolution.follow_ups.exists()
