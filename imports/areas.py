"""Places written by hand (`ต.หนองครก`, `ตำบลกุดเสลา`, ` เมือง `, `Kantharalak`) → our areas.

geothai reads the short forms and the English names; a name that fits several places, or none,
is an error that lists what it could be. When a name fits places in several provinces, the
user's own provinces decide, if that leaves one.
"""

import geothai
from django.utils.translation import gettext_lazy as _

from geo.models import District, Subdistrict
from imports.widgets import CellError

MAX_CANDIDATES = 8


def _describe(address) -> str:
    return (
        f"ต.{address.subdistrict.name_th} อ.{address.district.name_th} จ.{address.province.name_th}"
    )


def _in_scope(items, provinces, province_of):
    if len(items) > 1 and provinces:
        narrowed = [item for item in items if province_of(item) in provinces]
        if narrowed:
            return narrowed
    return items


def resolve_subdistrict(name: str, district: str = "", province: str = "", provinces=()):
    """The Subdistrict a hand-written address names, or CellError listing the candidates."""
    matches = geothai.match(name, district=district or None, province=province or None)
    matches = _in_scope(matches, set(provinces), lambda address: address.province.code)
    if not matches:
        written = " ".join(part for part in (name, district, province) if part)
        suggestions = [result.area.name_th for result in geothai.search(name, limit=MAX_CANDIDATES)]
        if suggestions:
            raise CellError(
                _('No subdistrict is called "%(name)s". Did you mean: %(candidates)s?'),
                name=written,
                candidates=", ".join(suggestions),
            )
        raise CellError(_('No subdistrict is called "%(name)s".'), name=written)
    if len(matches) > 1:
        raise CellError(
            _('"%(name)s" fits %(count)s places: %(candidates)s. Add the district or province.'),
            name=name,
            count=len(matches),
            candidates="; ".join(_describe(address) for address in matches[:MAX_CANDIDATES]),
        )
    code = matches[0].subdistrict.code
    subdistrict = Subdistrict.objects.select_related("district__province").filter(code=code).first()
    if subdistrict is None:
        raise CellError(
            _("%(name)s is not in the portal's geography (load it with load_geography)."),
            name=_describe(matches[0]),
        )
    return subdistrict


def resolve_district(name: str, province: str = "", provinces=()):
    """The District a hand-written name (`อ.เมือง`, `Kantharalak`) names, or CellError."""
    wanted = geothai.normalize(name)
    province_codes = [p.code for p in geothai.provinces()]
    if province:
        province_wanted = geothai.normalize(province)
        province_codes = [
            p.code
            for p in geothai.provinces()
            if province_wanted in (geothai.normalize(p.name_th), geothai.normalize(p.name_en))
        ]
    matches = [
        district
        for code in province_codes
        for district in geothai.districts(code)
        if geothai.is_district(district, wanted)
    ]
    matches = _in_scope(matches, set(provinces), lambda district: district.province_code)
    if not matches:
        raise CellError(_('No district is called "%(name)s".'), name=name)
    if len(matches) > 1:
        raise CellError(
            _('"%(name)s" fits %(count)s places: %(candidates)s. Add the district or province.'),
            name=name,
            count=len(matches),
            candidates="; ".join(
                f"อ.{district.name_th} จ.{geothai.province(district.province_code).name_th}"
                for district in matches[:MAX_CANDIDATES]
            ),
        )
    district = District.objects.select_related("province").filter(code=matches[0].code).first()
    if district is None:
        raise CellError(
            _("%(name)s is not in the portal's geography (load it with load_geography)."),
            name=f"อ.{matches[0].name_th}",
        )
    return district
