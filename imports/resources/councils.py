"""Imports of councils, their members and community organisations, and partner agencies."""

import contextlib
import datetime

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from import_export import fields

from councils.models import Agency, CommunityOrganisation, Council, CouncilMember
from councils.resources import AgencyResource
from imports import bulk
from imports.areas import resolve_districts, resolve_subdistricts
from imports.resources.base import (
    PHONE_ALIASES,
    RUNNING_NUMBER,
    ImportResource,
    choice_widget,
    find_province,
)
from imports.widgets import (
    CellError,
    DateWidget,
    IntegerWidget,
    MultilineTextWidget,
    NationalIdWidget,
    PhoneWidget,
    TextWidget,
)


class CouncilImportResource(ImportResource):
    kind_code = "councils"
    code = fields.Field(attribute="code", column_name="code", widget=TextWidget())
    name_th = fields.Field(attribute="name_th", column_name="name_th", widget=TextWidget())
    name_en = fields.Field(attribute="name_en", column_name="name_en", widget=TextWidget())
    area_type = fields.Field(
        attribute="area_type",
        column_name="area_type",
        widget=choice_widget(Council, "area_type", default=Council.AreaType.SUBDISTRICT),
    )
    province = fields.Field(attribute=None, column_name="province")
    district = fields.Field(attribute=None, column_name="district")
    subdistrict = fields.Field(attribute=None, column_name="subdistrict")
    municipality_name = fields.Field(
        attribute="municipality_name", column_name="municipality_name", widget=TextWidget()
    )
    established_on = fields.Field(
        attribute="established_on", column_name="established_on", widget=DateWidget()
    )
    registered_on = fields.Field(
        attribute="registered_on", column_name="registered_on", widget=DateWidget()
    )
    status = fields.Field(
        attribute="status",
        column_name="status",
        widget=choice_widget(Council, "status", default=Council.Status.ACTIVE),
    )
    phone = fields.Field(attribute="phone", column_name="phone", widget=PhoneWidget())
    email = fields.Field(attribute="email", column_name="email", widget=TextWidget())
    address = fields.Field(attribute="address", column_name="address", widget=MultilineTextWidget())
    households = fields.Field(
        attribute="households", column_name="households", widget=IntegerWidget()
    )
    population = fields.Field(
        attribute="population", column_name="population", widget=IntegerWidget()
    )
    chair = fields.Field(attribute=None, column_name="chair")
    version = fields.Field(attribute=None, column_name="version")

    aliases = {
        "code": ["รหัส", "รหัสสภา", "รหัสทะเบียน", "เลขทะเบียน", "council code"],
        "name_th": ["ชื่อสภาองค์กรชุมชน", "ชื่อสภา", "ชื่อ", "name", "council", "ชื่อภาษาไทย"],
        "name_en": ["ชื่อภาษาอังกฤษ", "english name"],
        "area_type": ["ประเภทพื้นที่", "ประเภท"],
        "province": ["จังหวัด", "จ."],
        "district": ["อำเภอ", "อ.", "amphoe"],
        "subdistrict": ["ตำบล", "ต.", "tambon"],
        "municipality_name": ["เทศบาล", "ชื่อเทศบาล"],
        "established_on": ["วันที่จัดตั้ง", "วันจัดตั้ง", "date established"],
        "registered_on": [
            "วันที่จดแจ้งจัดตั้ง",
            "วันที่จดแจ้ง",
            "วันจดแจ้ง",
            "วันที่จดทะเบียน",
            "registration date",
            "date registered",
        ],
        "status": ["สถานะ"],
        "phone": PHONE_ALIASES,
        "email": ["อีเมล", "อีเมล์", "email"],
        "address": ["ที่อยู่", "ที่ตั้ง"],
        "households": ["จำนวนครัวเรือน", "ครัวเรือน", "households"],
        "population": ["จำนวนประชากร", "ประชากร"],
        "chair": ["ประธานสภา", "ประธาน", "ชื่อประธาน", "chair", "chairperson"],
        "version": ["เวอร์ชัน", "ฉบับแก้ไข"],
    }
    ignored_headers = [
        *RUNNING_NUMBER,
        # The portal counts a council's organisations itself.
        "จำนวนองค์กรชุมชน (กลุ่ม)",
        "จำนวนองค์กรชุมชน",
        "community organisations",
    ]
    required_columns = [("code", "name_th")]
    extra_labels = {
        "version": _("version"),
        "province": _("province"),
        "chair": _("chair"),
    }
    touches = (CouncilMember,)
    derived_fields = {"district", "subdistrict"}
    quiet_after_errors = {"code"}

    class Meta(ImportResource.Meta):
        model = Council
        fields = [
            "code",
            "name_th",
            "name_en",
            "area_type",
            "province",
            "district",
            "subdistrict",
            "municipality_name",
            "established_on",
            "registered_on",
            "status",
            "phone",
            "email",
            "address",
            "households",
            "population",
            "chair",
            "version",
        ]
        import_order = fields

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        errors = row["_errors"]
        subdistrict, district, province = self._place(row)
        row["_subdistrict"] = row["_district"] = None
        try:
            if subdistrict:
                found = self._area("subdistrict", (subdistrict, district, province))
                row["_subdistrict"], row["_district"] = found, found.district
            elif district:
                row["_district"] = self._area("district", (district, province))
        except CellError as exc:
            column = "subdistrict" if subdistrict else "district"
            errors[column] = ValidationError(exc.message, code="invalid", params=exc.params)
        row["_match"] = None
        if not errors and not TextWidget().clean(row.get("code")):
            try:
                row["_match"] = self._match_without_code(row)
            except CellError as exc:
                errors["code"] = ValidationError(exc.message, code="ambiguous", params=exc.params)

    @staticmethod
    def _place(row) -> tuple[str, str, str]:
        text = TextWidget().clean
        return text(row.get("subdistrict")), text(row.get("district")), text(row.get("province"))

    _resolvers = {"subdistrict": resolve_subdistricts, "district": resolve_districts}

    def _areas(self, level: str, places) -> dict:
        """Places of one level read once per file: place → area, or its CellError."""
        memo = self._memo.setdefault(f"_{level}", {})
        wanted = set(places) - set(memo)
        if wanted:
            memo.update(self._resolvers[level](wanted, self.scope_provinces))
        return memo

    def _area(self, level: str, place):
        found = self._areas(level, [place])[place]
        if isinstance(found, CellError):
            raise found
        return found

    # Bulk: the rows' places, councils, chairs and would-be chairs in a few queries ------

    bulk_capable = True

    def prefetch(self, rows: list[dict]) -> None:
        text = TextWidget().clean
        places = [self._place(row) for row in rows]
        subdistricts = self._areas("subdistrict", {p for p in places if p[0]})
        districts = self._areas("district", {(p[1], p[2]) for p in places if p[1] and not p[0]})
        councils = Council.objects.select_related("district", "subdistrict")
        codes = {text(row.get("code")) for row in rows} - {""}
        self._existing = {c.code: c for c in councils.filter(code__in=codes)} if codes else {}
        # Councils a row without a code may be (see _match_without_code).
        by_subdistrict, by_district = set(), set()
        for row, place in zip(rows, places, strict=True):
            if text(row.get("code")):
                continue
            area = subdistricts.get(place) if place[0] else districts.get(place[1:])
            if isinstance(area, CellError) or area is None:
                continue
            if place[0]:
                by_subdistrict.add(area.pk)
                area = area.district
            municipality = text(row.get("municipality_name"))
            if municipality:
                by_district.add((area.pk, municipality))
        condition = Q(subdistrict__in=by_subdistrict) if by_subdistrict else Q(pk__in=[])
        if by_district:
            condition |= Q(
                district__in={d for d, _name in by_district},
                municipality_name__in={name for _d, name in by_district},
            )
        candidates = list(councils.filter(condition)) if by_subdistrict or by_district else []
        self._candidates = {"subdistrict": {}, "municipality": {}}
        for council in candidates:
            if council.subdistrict_id:
                self._candidates["subdistrict"].setdefault(council.subdistrict_id, []).append(
                    council
                )
            key = (council.district_id, council.municipality_name)
            self._candidates["municipality"].setdefault(key, []).append(council)
        # The chairs of the councils named, and the members a chair cell may name.
        known = [*self._existing.values(), *candidates]
        chairs = (
            CouncilMember.objects.filter(council__in=known, role=CouncilMember.Role.CHAIR)
            .active()
            .order_by("-pk")
        )
        self._chairs = {member.council_id: member for member in chairs}
        names = {text(row.get("chair")) for row in rows} - {""}
        members = CouncilMember.objects.filter(council__in=known, full_name__in=names)
        self._members = self._index(
            members if names and known else [], lambda m: (m.council_id, m.full_name)
        )

    def _row_area_type(self, row) -> str | None:
        """The area type the row states, or None when it states none (or an unreadable one,
        which the area type column reports itself)."""
        if self.cell_state(row, "area_type") != "value":
            return None
        try:
            return self.fields["area_type"].widget.clean(row.get("area_type"))
        except CellError:
            return None

    def _match_without_code(self, row):
        """A council named by its place, not its code. The area type is part of the match (a
        municipal council is never the subdistrict council of the same place); a row that
        fits several councils is an error naming them."""
        area_type = self._row_area_type(row)
        municipality = TextWidget().clean(row.get("municipality_name"))
        subdistrict, district = row.get("_subdistrict"), row.get("_district")
        if getattr(self, "_candidates", None) is not None:
            found = self._prefetched_candidates(area_type, municipality, subdistrict, district)
            if found is None:
                return None
        else:
            councils = Council.objects.select_related("district", "subdistrict")
            if area_type == Council.AreaType.MUNICIPALITY:
                candidates = councils.filter(area_type=area_type)
                if municipality and district is not None:
                    candidates = candidates.filter(
                        district=district, municipality_name=municipality
                    )
                elif subdistrict is not None:
                    candidates = candidates.filter(subdistrict=subdistrict)
                else:
                    return None
            elif subdistrict is not None:
                candidates = councils.filter(subdistrict=subdistrict)
                if area_type:
                    candidates = candidates.filter(area_type=area_type)
            elif municipality and district is not None:
                candidates = councils.filter(district=district, municipality_name=municipality)
            else:
                return None
            found = list(candidates.order_by("archived_at", "pk")[:9])
        # An archived council comes back only when no active one fits.
        pool = [council for council in found if council.archived_at is None] or found
        if len(pool) > 1:
            raise CellError(
                _(
                    "This row could be any of these councils: %(candidates)s. Write the "
                    "council's registration code in the row."
                ),
                candidates="; ".join(
                    f"{council.code} {council.name_th} (อ.{council.district.name_th})"
                    for council in pool
                ),
            )
        return pool[0] if pool else None

    def _prefetched_candidates(self, area_type, municipality, subdistrict, district):
        """_match_without_code's query, on the councils prefetched for the chunk."""
        by_subdistrict = self._candidates["subdistrict"]
        by_name = self._candidates["municipality"]
        if area_type == Council.AreaType.MUNICIPALITY:
            if municipality and district is not None:
                pool = by_name.get((district.pk, municipality), [])
            elif subdistrict is not None:
                pool = by_subdistrict.get(subdistrict.pk, [])
            else:
                return None
            pool = [council for council in pool if council.area_type == area_type]
        elif subdistrict is not None:
            pool = by_subdistrict.get(subdistrict.pk, [])
            if area_type:
                pool = [council for council in pool if council.area_type == area_type]
        elif municipality and district is not None:
            pool = by_name.get((district.pk, municipality), [])
        else:
            return None
        oldest = datetime.datetime.min.replace(tzinfo=datetime.UTC)
        pool = sorted(
            pool, key=lambda c: (c.archived_at is not None, c.archived_at or oldest, c.pk)
        )
        return pool[:9]

    def find_existing(self, row):
        code = TextWidget().clean(row.get("code"))
        if code and self._existing is not None:
            return self._existing.get(code)
        if code:
            councils = Council.objects.select_related("district", "subdistrict")
            return councils.filter(code=code).first()
        return row.get("_match")

    def natural_key(self, instance):
        return instance.code or None

    def after_fields(self, instance, row, errors) -> None:
        subdistrict_state = self.cell_state(row, "subdistrict")
        if row.get("_subdistrict") is not None:
            instance.subdistrict = row["_subdistrict"]
            instance.district = row["_district"]
        elif row.get("_district") is not None:
            instance.district = row["_district"]
            if subdistrict_state == "cleared" or instance.pk is None:
                instance.subdistrict = None
            elif instance.subdistrict_id and (
                instance.subdistrict.district_id != instance.district_id
            ):
                # An empty subdistrict cell keeps the stored one, which must be in the district.
                errors["subdistrict"] = ValidationError(
                    _(
                        "The council's subdistrict %(subdistrict)s is not in this district: "
                        "write the subdistrict, or “-” for none."
                    ),
                    code="invalid",
                    params={"subdistrict": instance.subdistrict.name_th},
                )
        elif subdistrict_state == "cleared" and instance.pk is not None:
            instance.subdistrict = None
        if self.cell_state(row, "district") == "cleared" and row.get("_subdistrict") is None:
            errors["district"] = self.cannot_clear("district")
        if instance.district_id is None and not ({"district", "subdistrict"} & errors.keys()):
            errors["subdistrict"] = ValidationError(
                _("Say where the council is: its subdistrict (ตำบล) and district (อำเภอ)."),
                code="required",
            )
        if not instance.code and instance.pk is None:
            if instance.subdistrict_id and instance.area_type == Council.AreaType.SUBDISTRICT:
                instance.code = f"C{instance.subdistrict_id}"
            elif not errors:
                errors["code"] = ValidationError(
                    _("A new municipal council needs its registration code."), code="required"
                )

    def scope_province(self, instance):
        return instance.district.province_id if instance.district_id else None

    scope_column = "subdistrict"

    def _current_chair(self, council):
        if council is None or council.pk is None:
            return None
        if getattr(self, "_chairs", None) is not None:
            return self._chairs.get(council.pk)
        return (
            CouncilMember.objects.filter(council=council, role=CouncilMember.Role.CHAIR)
            .active()
            .order_by("pk")
            .first()
        )

    def extra_changes(self, instance, original, row) -> list:
        name = TextWidget().clean(row.get("chair"))
        cleared = self.cell_state(row, "chair") == "cleared"
        if "chair" not in row or not (name or cleared):
            return []
        chair = self._current_chair(original)
        old = chair.full_name if chair else None
        return [] if old == (name or None) else [["chair", old, name or None]]

    def after_save_instance(self, instance, row, **kwargs):
        name = TextWidget().clean(row.get("chair"))
        cleared = self.cell_state(row, "chair") == "cleared"
        if not (name or cleared):
            return
        chair = self._current_chair(instance)
        if chair is not None and chair.full_name == name:
            return
        if cleared:
            # "-": the council has no chair now; the chair stays a member.
            if chair is not None:
                chair.role = CouncilMember.Role.MEMBER
                self.mark(chair)
                chair.save()
            return
        if chair is not None:
            chair.role = CouncilMember.Role.MEMBER
            self.mark(chair)
            chair.save()
        member = (
            CouncilMember.objects.filter(council=instance, full_name=name)
            .order_by("archived_at", "pk")
            .first()
        ) or CouncilMember(council=instance, full_name=name)
        member.role = CouncilMember.Role.CHAIR
        member.archived_at = None
        self.mark(member)
        member.save()

    def after_bulk_save(self, written: list) -> None:
        """The chair column of the rows written in bulk, as after_save_instance does it row
        by row: the chair named becomes the chair (a member of that name, or a new one), the
        chair before is a member again; "-" leaves the council without a chair."""
        text = TextWidget().clean
        demoted, promoted = [], []
        for instance, row in written:
            name = text(row.get("chair"))
            cleared = self.cell_state(row, "chair") == "cleared"
            if not (name or cleared):
                continue
            chair = self._chairs.get(instance.pk)
            if chair is not None and chair.full_name == name:
                continue
            if chair is not None:
                chair.role = CouncilMember.Role.MEMBER
                demoted.append(chair)
            if cleared:
                continue
            member = self._members.get((instance.pk, name)) or CouncilMember(
                council=instance, full_name=name
            )
            member.role = CouncilMember.Role.CHAIR
            member.archived_at = None
            promoted.append(member)
        role = {"role", "archived_at"}
        bulk.save(self, [], demoted, model=CouncilMember, fields=role)
        bulk.save(
            self,
            [m for m in promoted if m.pk is None],
            [m for m in promoted if m.pk is not None],
            model=CouncilMember,
            fields=role,
        )


class CouncilMemberImportResource(ImportResource):
    kind_code = "members"
    council = fields.Field(attribute=None, column_name="council")
    full_name = fields.Field(attribute="full_name", column_name="full_name", widget=TextWidget())
    role = fields.Field(
        attribute="role",
        column_name="role",
        widget=choice_widget(CouncilMember, "role", default=CouncilMember.Role.MEMBER),
    )
    national_id = fields.Field(
        attribute="national_id", column_name="national_id", widget=NationalIdWidget()
    )
    phone = fields.Field(attribute="phone", column_name="phone", widget=PhoneWidget())
    term_start = fields.Field(attribute="term_start", column_name="term_start", widget=DateWidget())
    term_end = fields.Field(attribute="term_end", column_name="term_end", widget=DateWidget())
    version = fields.Field(attribute=None, column_name="version")

    aliases = {
        "council": ["สภา", "สภาองค์กรชุมชน", "ชื่อสภา", "ชื่อสภาองค์กรชุมชน", "รหัสสภา", "council"],
        "full_name": ["ชื่อ-สกุล", "ชื่อ - สกุล", "ชื่อ-นามสกุล", "ชื่อสกุล", "ชื่อ", "name"],
        "role": ["ตำแหน่ง", "position"],
        "national_id": [
            "เลขประจำตัวประชาชน",
            "เลขบัตรประชาชน",
            "เลขบัตรประจำตัวประชาชน",
            "national id",
            "id card",
        ],
        "phone": PHONE_ALIASES,
        "term_start": ["วันเริ่มวาระ", "เริ่มวาระ", "term start"],
        "term_end": ["วันสิ้นสุดวาระ", "สิ้นสุดวาระ", "ครบวาระ", "term end"],
        "version": ["เวอร์ชัน"],
    }
    required_columns = [("council",), ("full_name",)]
    duplicate_column = "full_name"
    derived_fields = {"council"}
    scope_column = "council"

    class Meta(ImportResource.Meta):
        model = CouncilMember
        fields = [
            "council",
            "full_name",
            "role",
            "national_id",
            "phone",
            "term_start",
            "term_end",
            "version",
        ]
        import_order = fields

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        self.resolve(row, "council", self.finder("council"))

    bulk_capable = True

    def prefetch(self, rows: list[dict]) -> None:
        self.prefetch_references(rows, {"council": self.finder("council", many=True)})
        councils = self.referenced(rows, "council", Council)
        # Only the members a row may be about: by its ID or its name.
        text = TextWidget().clean
        names = {text(row.get("full_name")) for row in rows} - {""}
        ids = set()
        for row in rows:
            with contextlib.suppress(CellError):
                ids.add(NationalIdWidget().clean(row.get("national_id")))
        ids.discard("")
        members = list(
            CouncilMember.objects.filter(council__in=councils)
            .filter(Q(full_name__in=names) | Q(national_id__in=ids))
            .select_related("council__district")
        )
        self._existing = {
            "id": self._index(
                [m for m in members if m.national_id], lambda m: (m.council_id, m.national_id)
            ),
            "name": self._index(members, lambda m: (m.council_id, m.full_name)),
        }

    def natural_key(self, instance):
        return (instance.council_id, instance.national_id or instance.full_name)

    def natural_keys(self, instance) -> tuple[list, list]:
        """As the record is found: by ID, else by name. Two rows with different IDs are two
        people even with one name; a row without an ID is the person of that name."""
        council, name = instance.council_id, instance.full_name
        if instance.national_id:
            by_id = ("id", council, instance.national_id)
            return [by_id, ("name without id", council, name)], [by_id, ("name", council, name)]
        by_name = ("name", council, name)
        return [by_name], [("name without id", council, name), by_name]

    def find_existing(self, row):
        council = row.get("_council")
        try:
            national_id = NationalIdWidget().clean(row.get("national_id"))
        except CellError:
            national_id = ""
        if self._existing is not None:
            name = TextWidget().clean(row.get("full_name"))
            return self._existing["id"].get((council.pk, national_id)) or self._existing[
                "name"
            ].get((council.pk, name))
        members = CouncilMember.objects.filter(council=council).order_by("archived_at", "pk")
        if national_id:
            found = members.filter(national_id=national_id).first()
            if found is not None:
                return found
        name = TextWidget().clean(row.get("full_name"))
        return members.filter(full_name=name).first() if name else None

    def after_fields(self, instance, row, errors) -> None:
        if row.get("_council") is not None:
            instance.council = row["_council"]

    def scope_province(self, instance):
        return instance.council.district.province_id if instance.council_id else None


class CommunityOrganisationImportResource(ImportResource):
    kind_code = "organisations"
    council = fields.Field(attribute=None, column_name="council")
    name = fields.Field(attribute="name", column_name="name", widget=TextWidget())
    kind = fields.Field(
        attribute="kind",
        column_name="kind",
        widget=choice_widget(CommunityOrganisation, "kind", default="other"),
    )
    member_count = fields.Field(
        attribute="member_count", column_name="member_count", widget=IntegerWidget()
    )
    established_on = fields.Field(
        attribute="established_on", column_name="established_on", widget=DateWidget()
    )
    version = fields.Field(attribute=None, column_name="version")

    aliases = {
        "council": ["สภา", "สภาองค์กรชุมชน", "ชื่อสภา", "รหัสสภา"],
        "name": ["ชื่อองค์กร", "ชื่อองค์กรชุมชน", "ชื่อกลุ่ม", "องค์กรชุมชน", "organisation"],
        "kind": ["ประเภท", "ประเภทองค์กร", "ประเภทกลุ่ม", "type"],
        "member_count": ["จำนวนสมาชิก", "สมาชิก", "members", "number of members"],
        "established_on": ["วันที่จัดตั้ง", "วันจัดตั้ง", "ก่อตั้ง"],
        "version": ["เวอร์ชัน"],
    }
    required_columns = [("council",), ("name",)]
    duplicate_column = "name"
    derived_fields = {"council"}
    scope_column = "council"

    class Meta(ImportResource.Meta):
        model = CommunityOrganisation
        fields = ["council", "name", "kind", "member_count", "established_on", "version"]
        import_order = fields

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        self.resolve(row, "council", self.finder("council"))

    bulk_capable = True

    def prefetch(self, rows: list[dict]) -> None:
        self.prefetch_references(rows, {"council": self.finder("council", many=True)})
        councils = self.referenced(rows, "council", Council)
        names = {TextWidget().clean(row.get("name")) for row in rows} - {""}
        self._existing = self._index(
            CommunityOrganisation.objects.filter(
                council__in=councils, name__in=names
            ).select_related("council__district"),
            lambda o: (o.council_id, o.name),
        )

    def natural_key(self, instance):
        return (instance.council_id, instance.name)

    def find_existing(self, row):
        name = TextWidget().clean(row.get("name"))
        if not name:
            return None
        if self._existing is not None:
            return self._existing.get((row["_council"].pk, name))
        return (
            CommunityOrganisation.objects.filter(council=row["_council"], name=name)
            .order_by("archived_at", "pk")
            .first()
        )

    def after_fields(self, instance, row, errors) -> None:
        if row.get("_council") is not None:
            instance.council = row["_council"]

    def scope_province(self, instance):
        return instance.council.district.province_id if instance.council_id else None


class AgencyImportResource(ImportResource):
    kind_code = "agencies"
    code = fields.Field(attribute="code", column_name="code", widget=TextWidget())
    name_th = fields.Field(attribute="name_th", column_name="name_th", widget=TextWidget())
    name_en = fields.Field(attribute="name_en", column_name="name_en", widget=TextWidget())
    short_name = fields.Field(attribute="short_name", column_name="short_name", widget=TextWidget())
    sector = fields.Field(
        attribute="sector", column_name="sector", widget=choice_widget(Agency, "sector")
    )
    province = fields.Field(attribute=None, column_name="province")
    phone = fields.Field(attribute="phone", column_name="phone", widget=PhoneWidget())
    email = fields.Field(attribute="email", column_name="email", widget=TextWidget())
    website = fields.Field(attribute="website", column_name="website", widget=TextWidget())
    address = fields.Field(attribute="address", column_name="address", widget=MultilineTextWidget())
    version = fields.Field(attribute=None, column_name="version")

    aliases = {
        "code": ["รหัส", "รหัสหน่วยงาน", "agency code"],
        "name_th": ["ชื่อหน่วยงาน", "หน่วยงาน", "ชื่อ", "name", "agency"],
        "name_en": ["ชื่อภาษาอังกฤษ", "english name"],
        "short_name": ["ชื่อย่อ", "อักษรย่อ", "abbreviation"],
        "sector": ["ภาคส่วน", "ประเภทหน่วยงาน", "ประเภท"],
        "province": ["จังหวัด", "ที่ตั้ง (จังหวัด)"],
        "phone": PHONE_ALIASES,
        "email": ["อีเมล", "อีเมล์", "email"],
        "website": ["เว็บไซต์", "web", "url"],
        "address": ["ที่อยู่", "ที่ตั้ง"],
        "version": ["เวอร์ชัน"],
    }
    required_columns = [("code",), ("name_th",)]
    duplicate_column = "code"
    scope_column = "province"
    extra_labels = {"version": _("version"), "province": _("province")}

    class Meta(ImportResource.Meta):
        model = Agency
        # What the agency list exports is what this import reads back.
        fields = list(AgencyResource.Meta.fields)
        import_order = fields

    @classmethod
    def column_required(cls, key: str, user, required: bool) -> bool:
        # National agencies are the administrators': staff give one of their provinces.
        if key == "province" and not user.is_portal_admin:
            return True
        return required

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        if "province" in row:
            self.resolve(row, "province", find_province, required=False)

    bulk_capable = True

    def prefetch(self, rows: list[dict]) -> None:
        codes = {TextWidget().clean(row.get("code")) for row in rows} - {""}
        self._existing = {a.code: a for a in Agency.objects.filter(code__in=codes)}

    def natural_key(self, instance):
        return instance.code or None

    def find_existing(self, row):
        code = TextWidget().clean(row.get("code"))
        if not code:
            return None
        if self._existing is not None:
            return self._existing.get(code)
        return Agency.objects.filter(code=code).first()

    def after_fields(self, instance, row, errors) -> None:
        self.set_reference(instance, row, "province", errors)

    def scope_province(self, instance):
        return instance.province_id

    def scope_error(self, instance):
        if instance.province_id is None:
            return ValidationError(_("National agencies are kept by administrators."), code="scope")
        return super().scope_error(instance)
