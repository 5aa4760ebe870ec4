"""Roles and scope in one place (portal.roles): one convention for every caller, guards for
views, booleans for templates, and no role string compared anywhere else."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory

from councils.models import Council
from portal import roles
from portal.roles import Role, role_required, scope_of
from tests.factories import CouncilFactory, ProvinceFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
APPS = ["accounts", "areas", "councils", "dashboards", "geo", "imports", "meetings", "portal"]
APPS += ["privacy", "projects", "templates"]
# The user model checks its own stored field (a council editor needs a council).
ALLOWED = {
    ("accounts/models.py", "if self.role == self.Role.COUNCIL_EDITOR and self.council_id is None:")
}
ROLE_CHECK = re.compile(
    r"""\.role\s*(==|!=|\bin\b|\bnot in\b)|["'](council_editor|viewer|staff)["']"""
)


def test_no_module_but_portal_roles_compares_a_role_string():
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*"):
            if path.suffix not in (".py", ".html") or "migrations" in path.parts:
                continue
            if path == ROOT / "portal" / "roles.py":
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                where = str(path.relative_to(ROOT))
                if ROLE_CHECK.search(line) and (where, line.strip()) not in ALLOWED:
                    offenders.append(f"{where}:{number}: {line.strip()}")
    assert offenders == []


@pytest.fixture
def people(db):
    sisaket = ProvinceFactory()
    ProvinceFactory(code="10", name_th="กรุงเทพมหานคร", name_en="Bangkok")
    council = CouncilFactory()
    staff = UserFactory(role=Role.STAFF)
    staff.provinces.add(sisaket)
    viewer = UserFactory(role=Role.VIEWER)
    viewer.provinces.add(sisaket)
    return {
        "admin": UserFactory(role=Role.ADMIN),
        "superuser": UserFactory(role=Role.VIEWER, is_superuser=True),
        "staff": staff,
        "staff_without_provinces": UserFactory(role=Role.STAFF),
        "editor": UserFactory(role=Role.COUNCIL_EDITOR, council=council),
        "viewer": viewer,
        "council": council,
    }


def test_an_admin_reaches_everything_and_lists_no_province(people):
    scope = scope_of(people["admin"])
    assert scope.everything and scope.provinces is None and scope.province_codes() is None
    assert scope.covers_province("10") and scope.council_id is None


def test_a_superuser_counts_as_an_admin_whatever_the_role_field_says(people):
    assert roles.is_admin(people["superuser"]) and not roles.is_viewer(people["superuser"])
    assert scope_of(people["superuser"]).everything


def test_staff_and_viewers_reach_their_provinces_only(people):
    for name in ("staff", "viewer"):
        scope = scope_of(people[name])
        assert not scope.everything and scope.provinces == {"33"}
        assert scope.covers_province("33") and not scope.covers_province("10")
        assert scope.council_id is None


def test_a_council_editor_reaches_its_council_and_no_province(people):
    scope = scope_of(people["editor"])
    assert scope.council_id == people["council"].pk
    assert scope.provinces == frozenset() and not scope.covers_province("33")
    assert list(scope.limit(Council.objects.all(), province="district__province", council="pk"))
    assert not scope.limit(Council.objects.all(), province="district__province", council=None)


def test_a_user_without_provinces_anonymous_or_deactivated_reaches_nothing(people):
    deactivated = people["staff"]
    deactivated.is_active = False
    for user in (people["staff_without_provinces"], AnonymousUser(), deactivated):
        scope = scope_of(user)
        assert not scope.everything and not scope.provinces and scope.council_id is None
        assert not scope.limit(Council.objects.all(), province="district__province", council="pk")
    assert roles.role_of(AnonymousUser()) is None and roles.role_of(deactivated) is None


def test_predicates_follow_the_role(people):
    assert [roles.can_edit_anything(people[n]) for n in ("admin", "staff", "editor", "viewer")] == [
        True,
        True,
        True,
        False,
    ]
    assert [roles.can_archive_records(people[n]) for n in ("admin", "staff", "editor")] == [
        True,
        True,
        False,
    ]
    assert roles.is_staff_role(people["staff"]) and roles.is_council_editor(people["editor"])
    assert not roles.can_edit_anything(AnonymousUser())


def test_the_scope_is_worked_out_once_a_request(people, django_assert_num_queries):
    staff = people["staff"]
    with django_assert_num_queries(1):
        scope_of(staff)
        scope_of(staff)
        assert staff.province_codes == ["33"]


def test_two_users_share_cached_figures_only_when_role_and_scope_are_the_same(people):
    from dashboards.cache import scope_key

    keys = {name: scope_key(people[name]) for name in ("admin", "staff", "viewer", "editor")}
    assert len(set(keys.values())) == 4
    other = UserFactory(role=Role.STAFF)
    other.provinces.add(ProvinceFactory(code="33"))
    assert scope_key(other) == keys["staff"]


@role_required(Role.STAFF)
def _staff_page(request):
    return HttpResponse("ok")


@pytest.mark.parametrize(
    ("name", "expected"),
    [("admin", 200), ("staff", 200), ("editor", 403), ("viewer", 403), ("anonymous", 302)],
)
def test_the_role_guard_lets_in_the_roles_it_names_and_admins(people, name, expected):
    request = RequestFactory().get("/somewhere/?x=1")
    request.user = AnonymousUser() if name == "anonymous" else people[name]
    if expected == 403:
        with pytest.raises(PermissionDenied):
            _staff_page(request)
        return
    response = _staff_page(request)
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith("/accounts/login/?next=/somewhere/")


@pytest.mark.parametrize(
    ("name", "import_link", "privacy_link"),
    [
        ("admin", True, True),
        ("staff", True, False),
        ("editor", True, False),
        ("viewer", False, False),
    ],
)
def test_the_menu_reads_the_role_from_the_context(client, people, name, import_link, privacy_link):
    client.force_login(people[name])
    page = client.get("/councils/").content.decode()
    assert ('href="/imports/"' in page) is import_link
    assert ('href="/privacy/person/"' in page) is privacy_link
