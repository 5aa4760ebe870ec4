"""generate_scale_data: the national data set, here at a small scale, is reproducible."""

import hashlib

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from councils.models import Council
from geo.models import Province, Subdistrict
from imports.models import ImportBatch
from meetings.models import Attendance, Meeting, MeetingPhoto, Resolution, ResolutionFollowUp
from projects.models import (
    Disbursement,
    ProgressPhoto,
    ProgressUpdate,
    Project,
    ProjectPartner,
)


def digest() -> str:
    rows = [
        *Council.objects.order_by("code").values_list("code", "status", "households"),
        *Project.objects.order_by("code").values_list(
            "code", "council__code", "programme__code", "status", "budget_approved"
        ),
        *Meeting.objects.order_by("title").values_list("title", "starts_at", "district"),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.mark.django_db
def test_a_small_national_data_set_with_a_year_of_use_is_the_same_for_the_same_seed(settings):
    call_command("generate_scale_data", "--scale", "0.01", "--seed", "7")
    assert Province.objects.count() == 77
    subdistricts = Subdistrict.objects.count()
    assert subdistricts > 7_000
    assert Council.objects.count() == len(range(0, subdistricts, 100))
    assert Council.objects.order_by().values("district__province").distinct().count() > 50
    assert Project.objects.count() == 1_000
    assert Project.objects.order_by().values("fiscal_year").distinct().count() == 6
    assert Disbursement.objects.exists()
    generated = Meeting.objects.filter(title__startswith="[N] ")
    assert generated.count() == 200
    assert Attendance.objects.filter(meeting__in=generated).count() == 200 * 8
    assert Resolution.objects.filter(meeting__in=generated).count() == 200 * 2
    _assert_a_year_of_use()
    first = digest()

    # Running it again adds nothing; the same seed on an empty database gives the same rows.
    call_command("generate_scale_data", "--scale", "0.01", "--seed", "7")
    assert Project.objects.count() == 1_000 and digest() == first
    _delete_everything_generated()
    call_command("generate_scale_data", "--scale", "0.01", "--seed", "7")
    assert digest() == first


def _delete_everything_generated():
    ImportBatch.objects.all().delete()
    Meeting.invited_councils.through.objects.all().delete()
    Meeting.invited_agencies.through.objects.all().delete()
    for model in (
        ResolutionFollowUp,
        MeetingPhoto,
        Attendance,
        ProgressPhoto,
        ProgressUpdate,
        ProjectPartner,
        Disbursement,
        Project,
    ):
        model.objects.all().delete()
    # Carried resolutions point at earlier ones: those nothing points at go first.
    while Resolution.objects.exists():
        Resolution.objects.filter(carried_to__isnull=True).delete()
    Meeting.objects.all().delete()
    Council.objects.all().delete()


def _assert_a_year_of_use():
    """Pages that slow down with use are measured on data that has been used: forums of every
    council of a province, several attendees each, resolutions with follow-ups carried from
    forum to forum, photos, progress reports, imports and history several versions deep."""
    forums = Meeting.objects.filter(meeting_type=Meeting.Type.PROVINCIAL_FORUM)
    provinces = Council.objects.order_by().values("district__province").distinct().count()
    assert forums.count() == provinces * 4
    forum = forums.order_by("pk").first()
    in_province = Council.objects.filter(district__province=forum.province)
    assert set(forum.invited_councils.all()) == set(in_province)
    assert forum.invited_agencies.count() == 10
    for council in in_province:
        assert forum.attendance.filter(council=council).exists()
    assert Attendance.objects.filter(meeting__in=forums).count() > 2 * in_province.count()

    resolutions = Resolution.objects.filter(meeting__in=forums)
    assert resolutions.filter(owner_council__isnull=False).exists()
    assert resolutions.filter(owner_agency__isnull=False).exists()
    assert resolutions.exclude(carried_from=None).exists()
    assert ResolutionFollowUp.objects.filter(resolution__in=resolutions).count() > forums.count()
    photo = MeetingPhoto.objects.filter(meeting=forum).first()
    assert photo is not None and default_storage.exists(photo.image.name)
    assert ProgressUpdate.objects.exists() and ProgressPhoto.objects.exists()

    deepest = Council.objects.order_by("-version").first()
    assert deepest.version >= 4
    assert deepest.history.count() >= 4
    assert Project.history.filter(history_type="~").exists()
    assert ImportBatch.objects.filter(status=ImportBatch.Status.IMPORTED).count() >= provinces - 1
    undone = ImportBatch.objects.get(status=ImportBatch.Status.UNDONE)
    assert undone.rows_changed > 0


def test_the_scale_must_be_a_fraction():
    with pytest.raises(CommandError):
        call_command("generate_scale_data", "--scale", "2")
