"""Loading Thailand's geography from the `geothai` package."""

from dataclasses import dataclass

import geothai
from django.db import transaction

from geo.models import District, Province, Subdistrict


@dataclass
class LoadResult:
    provinces: int
    districts: int
    subdistricts: int


@transaction.atomic
def load_geography(province_codes: list[str] | None = None) -> LoadResult:
    """Create or refresh provinces, districts and subdistricts; running it again is a no-op.

    Names are refreshed from the package; codes never change. Bulk upserts keep the whole
    country (7,436 subdistricts) to a handful of queries.
    """
    provinces = geothai.provinces()
    if province_codes:
        unknown = sorted(set(province_codes) - {p.code for p in provinces})
        if unknown:
            raise ValueError(f"unknown province code(s): {', '.join(unknown)}")
        provinces = [p for p in provinces if p.code in province_codes]

    province_rows = [Province(code=p.code, name_th=p.name_th, name_en=p.name_en) for p in provinces]
    district_rows = [
        District(code=d.code, name_th=d.name_th, name_en=d.name_en, province_id=p.code)
        for p in provinces
        for d in geothai.districts(p.code)
    ]
    subdistrict_rows = [
        Subdistrict(
            code=s.code,
            name_th=s.name_th,
            name_en=s.name_en,
            district_id=d.code,
            postal_codes=" ".join(s.postal_codes),
        )
        for d in district_rows
        for s in geothai.subdistricts(d.code)
    ]
    for model, rows, fields in (
        (Province, province_rows, ["name_th", "name_en"]),
        (District, district_rows, ["name_th", "name_en", "province"]),
        (Subdistrict, subdistrict_rows, ["name_th", "name_en", "district", "postal_codes"]),
    ):
        model.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=fields,
            batch_size=1000,
        )
    return LoadResult(len(province_rows), len(district_rows), len(subdistrict_rows))
