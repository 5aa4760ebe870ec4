import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from tests.factories import CouncilFactory, ProvinceFactory

pytestmark = pytest.mark.django_db

GOOD = "ศรีสะเกษ-ภาคี-2569!"


@pytest.fixture
def password_file(tmp_path):
    def write(text=GOOD):
        path = tmp_path / "password"
        path.write_text(text + "\n", encoding="utf-8")
        return str(path)

    return write


def test_create_a_staff_member_for_provinces(password_file):
    ProvinceFactory()
    call_command(
        "create_user",
        "nipa",
        "--role",
        "staff",
        "--province",
        "33",
        "--password-file",
        password_file(),
    )
    user = User.objects.get(username="nipa")
    assert user.role == "staff"
    assert user.province_codes == ["33"]
    assert user.check_password(GOOD)
    assert not user.is_staff


def test_create_a_council_editor_and_an_admin(password_file):
    council = CouncilFactory(code="C330401")
    call_command(
        "create_user",
        "secretary",
        "--role",
        "council_editor",
        "--council",
        "C330401",
        "--password-file",
        password_file(),
    )
    assert User.objects.get(username="secretary").council == council
    call_command("create_user", "boss", "--role", "admin", "--password-file", password_file())
    boss = User.objects.get(username="boss")
    assert boss.is_superuser and boss.is_staff


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--role", "staff"], "needs at least one --province"),
        (["--role", "staff", "--province", "99"], "Unknown province"),
        (["--role", "council_editor"], "needs --council"),
        (["--role", "council_editor", "--council", "NOPE"], "No council"),
        (["--role", "viewer", "--province", "33", "--council", "C1"], "only for a council editor"),
    ],
)
def test_bad_arguments_are_refused_and_nothing_is_created(password_file, arguments, message):
    ProvinceFactory()
    with pytest.raises(CommandError, match=message):
        call_command("create_user", "x", *arguments, "--password-file", password_file())
    assert not User.objects.filter(username="x").exists()


def test_a_weak_password_is_refused(password_file):
    with pytest.raises(CommandError, match="ใช้กันทั่วไป|มีแต่ตัวเลข"):
        call_command(
            "create_user", "x", "--role", "admin", "--password-file", password_file("12345678")
        )
    assert not User.objects.exists()
