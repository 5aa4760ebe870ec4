"""Backup, damage, restore: every table comes back row for row, and the photos too."""

import io

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from PIL import Image

from councils.models import Council, CouncilMember
from meetings.models import MeetingPhoto
from tests.factories import CouncilMemberFactory, MeetingFactory, ProjectFactory

pytestmark = pytest.mark.django_db(transaction=True)


def every_table() -> dict:
    return {
        model._meta.label: sorted(
            tuple(str(value) for value in row) for row in model._default_manager.values_list()
        )
        for model in apps.get_models()
        if model._meta.app_label in {"geo", "accounts", "councils", "projects", "meetings"}
    }


def test_backup_damage_restore_brings_every_row_and_photo_back(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    CouncilMemberFactory.create_batch(3)
    ProjectFactory()
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, "JPEG")
    photo = MeetingPhoto.objects.create(
        meeting=MeetingFactory(), image=SimpleUploadedFile("p.jpg", buffer.getvalue())
    )
    photo_bytes = (settings.MEDIA_ROOT / photo.image.name).read_bytes()
    before = every_table()

    call_command("backup", "--dir", str(tmp_path / "backups"))
    (target,) = (tmp_path / "backups").iterdir()
    assert target.name.startswith("portal-")

    CouncilMember.objects.all().delete()
    Council.objects.update(name_th="เสียหาย")
    (settings.MEDIA_ROOT / photo.image.name).unlink()
    assert every_table() != before

    call_command("restore", str(target), "--yes")
    assert every_table() == before
    assert (settings.MEDIA_ROOT / photo.image.name).read_bytes() == photo_bytes


def test_restore_refuses_a_folder_that_is_not_a_backup(tmp_path):
    with pytest.raises(CommandError, match="not a backup folder"):
        call_command("restore", str(tmp_path), "--yes")


def test_restore_drops_cached_figures_and_refreshes_planner_statistics(tmp_path, settings):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.MEDIA_ROOT = tmp_path / "media"
    CouncilMemberFactory()
    call_command("backup", "--dir", str(tmp_path / "backups"))
    (target,) = (tmp_path / "backups").iterdir()
    cache.set("dashboard:figures", {"councils": 999})

    with CaptureQueriesContext(connection) as queries:
        call_command("restore", str(target), "--yes")
    assert cache.get("dashboard:figures") is None
    assert any(query["sql"].strip().upper() == "ANALYZE" for query in queries.captured_queries)
