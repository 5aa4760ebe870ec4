"""Archiving and restoring a whole record is a CODI staff action (within their provinces) and
an administrator's: a council editor keeps its council's record and removes rows through its
forms, but cannot make its council, or one of its projects, disappear from every figure."""

import pytest

from accounts.models import User
from councils.models import Council, CouncilMember
from projects.models import Project
from tests.factories import (
    AgencyFactory,
    CouncilFactory,
    CouncilMemberFactory,
    DistrictFactory,
    ProjectFactory,
    ProvinceFactory,
    UserFactory,
)
from tests.test_forms import form_data

pytestmark = pytest.mark.django_db

ARCHIVED, FORBIDDEN, MISSING = 302, 403, 404


@pytest.fixture
def world(db):
    sisaket = ProvinceFactory()
    bangkok = ProvinceFactory(code="10", name_th="กรุงเทพมหานคร", name_en="Bangkok")
    council = CouncilFactory()
    CouncilMemberFactory.create_batch(2, council=council)
    users = {
        "admin": UserFactory(username="a", role=User.Role.ADMIN),
        "staff": UserFactory(username="s", role=User.Role.STAFF),
        "staff_elsewhere": UserFactory(username="s2", role=User.Role.STAFF),
        "editor": UserFactory(username="e", role=User.Role.COUNCIL_EDITOR, council=council),
        "other_editor": UserFactory(
            username="e2", role=User.Role.COUNCIL_EDITOR, council=CouncilFactory()
        ),
        "viewer": UserFactory(username="v", role=User.Role.VIEWER),
    }
    for name in ("staff", "viewer"):
        users[name].provinces.add(sisaket)
    users["staff_elsewhere"].provinces.add(bangkok)
    DistrictFactory(province=bangkok, code="1001")
    return {"council": council, "project": ProjectFactory(council=council), "users": users}


ANSWERS = {
    "admin": ARCHIVED,
    "staff": ARCHIVED,
    "staff_elsewhere": MISSING,
    "editor": FORBIDDEN,
    "other_editor": MISSING,
    "viewer": FORBIDDEN,
}


@pytest.mark.parametrize("kind", ["councils", "projects"])
@pytest.mark.parametrize(("role", "expected"), ANSWERS.items())
def test_archiving_a_council_or_a_project_is_for_staff_in_scope_and_admins(
    client, world, kind, role, expected
):
    record = world["council" if kind == "councils" else "project"]
    client.force_login(world["users"][role])
    response = client.post(f"/{kind}/{record.pk}/archive/")
    assert response.status_code == expected
    record.refresh_from_db()
    assert record.is_archived is (expected == ARCHIVED)
    members = CouncilMember.objects.active().filter(council=world["council"])
    assert members.count() == (2 if kind == "projects" or expected != ARCHIVED else 0)


@pytest.mark.parametrize("kind", ["councils", "projects"])
@pytest.mark.parametrize(("role", "expected"), ANSWERS.items())
def test_restoring_a_council_or_a_project_is_for_staff_in_scope_and_admins(
    client, world, kind, role, expected
):
    record = world["council" if kind == "councils" else "project"]
    record.archive()
    client.force_login(world["users"][role])
    response = client.post(f"/{kind}/{record.pk}/restore/")
    assert response.status_code == expected
    record.refresh_from_db()
    assert record.is_archived is (expected != ARCHIVED)


@pytest.mark.parametrize(
    ("role", "expected"),
    [("admin", ARCHIVED), ("staff", ARCHIVED), ("editor", FORBIDDEN), ("viewer", FORBIDDEN)],
)
def test_archiving_an_agency_is_for_staff_of_its_province_and_admins(client, world, role, expected):
    agency = AgencyFactory(province=ProvinceFactory())
    client.force_login(world["users"][role])
    assert client.post(f"/agencies/{agency.pk}/archive/").status_code == expected
    agency.refresh_from_db()
    assert agency.is_archived is (expected == ARCHIVED)


@pytest.mark.parametrize(
    ("role", "edit", "archive"),
    [
        ("staff", True, True),
        ("admin", True, True),
        ("editor", True, False),
        ("viewer", False, False),
    ],
)
def test_the_archive_button_shows_only_to_those_who_may_press_it(
    client, world, role, edit, archive
):
    client.force_login(world["users"][role])
    for path in (f"/councils/{world['council'].pk}/", f"/projects/{world['project'].pk}/"):
        page = client.get(path).text
        assert (f'href="{path}edit/"' in page) is edit
        assert (f'action="{path}archive/"' in page) is archive


def test_the_restore_button_hides_from_a_council_editor(client, world):
    world["project"].archive()
    path = f"/projects/{world['project'].pk}/"
    client.force_login(world["users"]["editor"])
    assert f'action="{path}restore/"' not in client.get(path).text
    client.force_login(world["users"]["staff"])
    assert f'action="{path}restore/"' in client.get(path).text


def test_a_council_editor_still_removes_a_member_through_its_form(client, world):
    council = world["council"]
    client.force_login(world["users"]["editor"])
    url = f"/councils/{council.pk}/edit/"
    response = client.post(url, form_data(client.get(url), **{"members-0-DELETE": "on"}))
    assert response.status_code == 302
    assert CouncilMember.objects.active().filter(council=council).count() == 1
    assert CouncilMember.objects.archived().filter(council=council).count() == 1
    assert not Council.objects.get(pk=council.pk).is_archived


def test_a_council_editor_cannot_archive_through_a_revert_either(client, world):
    project = world["project"]
    project.archive()
    Project.objects.filter(pk=project.pk).update(archived_at=None)
    project.refresh_from_db()
    project.save()
    client.force_login(world["users"]["editor"])
    archived = project.history.filter(archived_at__isnull=False).get()
    response = client.post(f"/projects/{project.pk}/history/{archived.history_id}/revert/")
    assert response.status_code == 302
    assert not Project.objects.get(pk=project.pk).is_archived
