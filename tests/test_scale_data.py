"""generate_scale_data: the national data set, here at a small scale, is reproducible."""

import hashlib

import pytest
from django.core.management import CommandError, call_command

from councils.models import Council
from geo.models import Province, Subdistrict
from meetings.models import Attendance, Meeting, Resolution
from projects.models import Disbursement, Project


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
def test_a_small_national_data_set_is_the_same_for_the_same_seed(settings):
    call_command("generate_scale_data", "--scale", "0.01", "--seed", "7")
    assert Province.objects.count() == 77
    subdistricts = Subdistrict.objects.count()
    assert subdistricts > 7_000
    assert Council.objects.count() == len(range(0, subdistricts, 100))
    assert Council.objects.order_by().values("district__province").distinct().count() > 50
    assert Project.objects.count() == 1_000
    assert Project.objects.order_by().values("fiscal_year").distinct().count() == 6
    assert Disbursement.objects.exists()
    assert Meeting.objects.count() == 200
    assert Attendance.objects.count() == 200 * 8
    assert Resolution.objects.count() == 200 * 2
    first = digest()

    # Running it again adds nothing; the same seed on an empty database gives the same rows.
    call_command("generate_scale_data", "--scale", "0.01", "--seed", "7")
    assert Project.objects.count() == 1_000 and digest() == first
    for model in (Attendance, Resolution, Meeting, Disbursement):
        model.objects.all().delete()
    from projects.models import ProjectPartner

    ProjectPartner.objects.all().delete()
    Project.objects.all().delete()
    Council.objects.all().delete()
    call_command("generate_scale_data", "--scale", "0.01", "--seed", "7")
    assert digest() == first


def test_the_scale_must_be_a_fraction():
    with pytest.raises(CommandError):
        call_command("generate_scale_data", "--scale", "2")
