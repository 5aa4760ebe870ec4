"""The little world the drills work in, written into the throwaway cluster by a process of
its own (`python -m tests.infrastructure.scenario`, with the deployment's environment):
Sisaket, a district and its subdistricts, a few councils with members and projects, a
programme for the imports, and CODI staff who log in with the factories' password."""

import os

import django

STAFF = [f"drill-staff{number}" for number in range(1, 5)]
RACED_COUNCIL = "DRILL-RACE"
IMPORT_COUNCILS = [f"DRILL-C{number:02}" for number in range(10)]
PROGRAMME = "drill"


def seed() -> None:
    from tests.factories import (  # noqa: PLC0415 - after django.setup()
        CouncilFactory,
        CouncilMemberFactory,
        DistrictFactory,
        MeetingFactory,
        ProgrammeFactory,
        ProjectFactory,
        ProvinceFactory,
        SubdistrictFactory,
        UserFactory,
    )

    sisaket = ProvinceFactory()
    kantharalak = DistrictFactory(
        province=sisaket, code="3304", name_th="กันทรลักษ์", name_en="Kantharalak"
    )
    places = [SubdistrictFactory(district=kantharalak) for _ in range(len(IMPORT_COUNCILS) + 1)]
    raced = CouncilFactory(subdistrict=places[0], code=RACED_COUNCIL, households=1000)
    CouncilMemberFactory(council=raced, full_name="นางบัวผัน ทองดี")
    programme = ProgrammeFactory(code=PROGRAMME, name_th="แผนงานซ้อม", name_en="Drill")
    for code, place in zip(IMPORT_COUNCILS, places[1:], strict=True):
        council = CouncilFactory(subdistrict=place, code=code)
        ProjectFactory(council=council, programme=programme)
    MeetingFactory(province=sisaket, district=kantharalak)
    for username in STAFF:
        UserFactory(username=username, role="staff").provinces.add(sisaket)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    seed()
