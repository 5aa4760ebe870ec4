"""Places written by hand (`ต.หนองครก`, `ตำบลกุดเสลา`, ` เมือง `, `Kantharalak`) → our areas.

geothai reads the short forms and the English names; a name that fits several places, or none,
is an error that lists what it could be. When a name fits places in several provinces, the
user's own provinces decide, if that leaves one.
"""

import difflib
import re

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


# The words and short forms that start a part of an address: ต.หนองครก อ.เมือง จ.ศรีสะเกษ.
_MARKER = re.compile(r"(กิ่งอำเภอ|ตำบล|แขวง|อำเภอ|เขต|จังหวัด|ต\.|อ\.|จ\.)")
_LEVEL = {
    "ตำบล": "subdistrict",
    "แขวง": "subdistrict",
    "ต.": "subdistrict",
    "อำเภอ": "district",
    "กิ่งอำเภอ": "district",
    "เขต": "district",
    "อ.": "district",
    "จังหวัด": "province",
    "จ.": "province",
}
_POSTAL_CODE = re.compile(r"^\d{5}$")
# Splits of one address tried at most: each short form inside a word doubles them.
MAX_READINGS = 256


def address_readings(text: str) -> list[dict]:
    """The ways a full address in one cell can be read, most likely first, as
    {"subdistrict", "district", "province", "postal_code"} (empty when not written).

    A short form after a space always starts a part; one inside a word may be part of a name
    (the subdistrict "จ.ป.ร." of Kra Buri: "ต.จ.ป.ร. อ.กระบุรี จ.ระนอง"), so both readings
    are tried and the caller keeps the one geothai finds."""
    # Marker positions: (start, end, strong). Strong: at the text's start or after a space,
    # and not right after another short form ("ตำบล จ.ป.ร.": the จ. is the name's).
    markers = []
    previous_end = None
    for m in _MARKER.finditer(text):
        after_space = m.start() == 0 or text[m.start() - 1].isspace()
        after_marker = previous_end is not None and not text[previous_end : m.start()].strip()
        markers.append((m.start(), m.end(), after_space and not after_marker))
        previous_end = m.end()
    weak = [marker for marker in markers if not marker[2]]
    readings = []
    for choice in range(min(2 ** len(weak), MAX_READINGS)):
        chosen = {weak[i] for i in range(len(weak)) if choice >> i & 1}
        cuts = sorted({m for m in markers if m[2]} | chosen)
        reading = _reading(text, cuts)
        if reading is not None and reading not in readings:
            readings.append(reading)
    # Fewer splits first: a short form inside a word is most often part of the name.
    return sorted(readings, key=lambda r: sum(1 for v in r.values() if v))


def _reading(text: str, cuts) -> dict | None:
    parts = {"subdistrict": "", "district": "", "province": "", "postal_code": ""}
    level, position = "subdistrict", 0
    pieces = []
    for start, end, _strong in cuts:
        pieces.append((level, text[position:start]))
        level, position = _LEVEL[text[start:end]], end
    pieces.append((level, text[position:]))
    for level, piece in pieces:
        words = piece.split()
        if words and _POSTAL_CODE.match(words[-1]):
            if parts["postal_code"]:
                return None
            parts["postal_code"] = words.pop()
        piece = " ".join(words)
        if not piece:
            continue
        if parts[level]:
            return None  # the same level twice: not this reading
        parts[level] = piece
    return parts if parts["subdistrict"] else None


def _nearest(name: str, district: str, province: str, provinces) -> list[str]:
    """Up to eight subdistricts whose names are closest to `name`: within the district or
    province written when they are known, else the user's provinces, else the country."""
    wanted = geothai.normalize(name)
    pool = []
    for found_province in geothai.provinces():
        if province and not geothai.is_province(found_province, geothai.normalize(province)):
            continue
        if not province and provinces and found_province.code not in provinces:
            continue
        for found_district in geothai.districts(found_province.code):
            if district and not geothai.is_district(found_district, geothai.normalize(district)):
                continue
            for subdistrict in geothai.subdistricts(found_district.code):
                pool.append((subdistrict, found_district, found_province))
    names = {}
    for subdistrict, found_district, found_province in pool:
        names.setdefault(geothai.normalize(subdistrict.name_th), []).append(
            f"ต.{subdistrict.name_th} อ.{found_district.name_th} จ.{found_province.name_th}"
        )
        names.setdefault(geothai.normalize(subdistrict.name_en), []).append(
            f"ต.{subdistrict.name_th} อ.{found_district.name_th} จ.{found_province.name_th}"
        )
    close = difflib.get_close_matches(wanted, list(names), n=MAX_CANDIDATES, cutoff=0.5)
    found = []
    for key in close:
        for label in names[key]:
            if label not in found:
                found.append(label)
    return found[:MAX_CANDIDATES]


def _match(name: str, district: str, province: str):
    """geothai.match of a subdistrict cell; a full address in it is split into its parts
    (a part the cell gives wins over the district or province column)."""
    parts = address_readings(name) or [
        {"subdistrict": name, "district": "", "province": "", "postal_code": ""}
    ]
    for reading in parts:
        matches = geothai.match(
            reading["subdistrict"],
            district=reading["district"] or district or None,
            province=reading["province"] or province or None,
            postal_code=reading["postal_code"] or None,
        )
        if matches:
            return matches, reading
    return [], parts[0]


def subdistrict_code(name: str, district: str = "", province: str = "", provinces=()):
    """The code of the subdistrict a hand-written address names (a name, or a full address
    such as `ต.หนองครก อ.เมือง จ.ศรีสะเกษ`) and its description, or CellError listing the
    nearest candidates. geothai only: no query."""
    matches, reading = _match(name, district, province)
    matches = _in_scope(matches, set(provinces), lambda address: address.province.code)
    if not matches:
        written = " ".join(part for part in (name, district, province) if part)
        suggestions = _nearest(
            reading["subdistrict"],
            reading["district"] or district,
            reading["province"] or province,
            set(provinces),
        )
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
    return matches[0].subdistrict.code, _describe(matches[0])


def _not_loaded(name: str) -> CellError:
    return CellError(
        _("%(name)s is not in the portal's geography (load it with load_geography)."), name=name
    )


def resolve_subdistricts(places, provinces=()) -> dict:
    """Many (name, district, province) at once: place → Subdistrict, or the CellError
    `resolve_subdistrict` would raise; geothai reads each place, one query loads them all."""
    codes = {}
    for place in set(places):
        try:
            codes[place] = subdistrict_code(*place, provinces=provinces)
        except CellError as exc:
            codes[place] = exc
    wanted = {found[0] for found in codes.values() if not isinstance(found, CellError)}
    loaded = Subdistrict.objects.select_related("district__province").in_bulk(
        list(wanted), field_name="code"
    )
    return {
        place: found
        if isinstance(found, CellError)
        else loaded.get(found[0]) or _not_loaded(found[1])
        for place, found in codes.items()
    }


def resolve_subdistrict(name: str, district: str = "", province: str = "", provinces=()):
    """The Subdistrict a hand-written address names, or CellError (see subdistrict_code)."""
    place = (name, district, province)
    found = resolve_subdistricts([place], provinces)[place]
    if isinstance(found, CellError):
        raise found
    return found


def district_code(name: str, province: str = "", provinces=()):
    """The code of the district a hand-written name (`อ.เมือง`, `Kantharalak`) names and
    its description, or CellError. geothai only: no query."""
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
    return matches[0].code, f"อ.{matches[0].name_th}"


def resolve_districts(places, provinces=()) -> dict:
    """Many (name, province) at once: place → District, or the CellError `resolve_district`
    would raise; one query loads them all."""
    codes = {}
    for place in set(places):
        try:
            codes[place] = district_code(*place, provinces=provinces)
        except CellError as exc:
            codes[place] = exc
    wanted = {found[0] for found in codes.values() if not isinstance(found, CellError)}
    loaded = District.objects.select_related("province").in_bulk(list(wanted), field_name="code")
    return {
        place: found
        if isinstance(found, CellError)
        else loaded.get(found[0]) or _not_loaded(found[1])
        for place, found in codes.items()
    }


def resolve_district(name: str, province: str = "", provinces=()):
    """The District a hand-written name (`อ.เมือง`, `Kantharalak`) names, or CellError."""
    found = resolve_districts([(name, province)], provinces)[(name, province)]
    if isinstance(found, CellError):
        raise found
    return found
