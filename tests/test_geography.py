import pytest
from django.core.management import CommandError, call_command

from geo.models import District, Province, Subdistrict

pytestmark = pytest.mark.django_db


def test_load_geography_for_sisaket_loads_its_22_districts_and_206_subdistricts():
    call_command("load_geography", "--province", "33")
    assert Province.objects.get().name_th == "ศรีสะเกษ"
    assert District.objects.count() == 22
    assert Subdistrict.objects.count() == 206
    kantharalak = District.objects.get(name_th="กันทรลักษ์")
    assert kantharalak.code == "3304"
    assert kantharalak.province_id == "33"


def test_load_geography_loads_the_whole_country_and_is_idempotent():
    call_command("load_geography")
    call_command("load_geography")
    assert Province.objects.count() == 77
    assert District.objects.count() == 928
    assert Subdistrict.objects.count() == 7436


def test_load_geography_refuses_an_unknown_province_code():
    with pytest.raises(CommandError, match="99"):
        call_command("load_geography", "--province", "99")
    assert Province.objects.count() == 0


def test_an_area_is_named_in_the_readers_language():
    from django.utils import translation

    call_command("load_geography", "--province", "33")
    province = Province.objects.get()
    with translation.override("en"):
        assert province.name == "Si Sa Ket"
    with translation.override("th"):
        assert province.name == "ศรีสะเกษ"
    assert str(province) == "ศรีสะเกษ"
