"""The demo logins: one a role, only when asked for, with the password of DEMO_PASSWORD.

Apart from the demo data's own tests (test_seed_demo.py): these start from an empty database,
which the demo data, loaded once for that module, is not."""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from councils.models import Council

pytestmark = pytest.mark.django_db


def test_demo_users_get_one_login_per_role_with_the_demo_password(db, monkeypatch, capsys):
    monkeypatch.setenv("DEMO_PASSWORD", "sisaket-demo-2565")
    call_command("seed_demo", "--demo-users")
    users = {u.username: u for u in User.objects.all()}
    assert {name: u.role for name, u in users.items()} == {
        "demo-admin": "admin",
        "demo-staff": "staff",
        "demo-council": "council_editor",
        "demo-viewer": "viewer",
    }
    assert all(u.check_password("sisaket-demo-2565") for u in users.values())
    assert users["demo-admin"].is_superuser
    assert users["demo-council"].council.district_id == "3304"
    assert list(users["demo-staff"].provinces.values_list("code", flat=True)) == ["33"]
    printed = capsys.readouterr().out
    assert "demo-viewer" in printed
    assert "sisaket-demo-2565" not in printed


def test_demo_users_need_a_password(db, monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="DEMO_PASSWORD"):
        call_command("seed_demo", "--demo-users")
    assert Council.objects.count() == 0
