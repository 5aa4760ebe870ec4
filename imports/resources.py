"""What each kind of import reads, how it finds the record a row is about, and what it may
change. Built on django-import-export's ModelResource: its row loop, dry runs in a rolled-back
transaction, and validation through the model's `full_clean()` (constraints included).

Additions to import-export's defaults:
- headers are matched in Thai or English (field labels, the template's names, usual synonyms);
- a row finds its record by a natural key (codes; a person by council and ID or name), archived
  records included (an import brings an archived record back rather than duplicating it);
- every change is recorded in the history with the path `import:<batch>`;
- a row outside the user's scope, or for a record changed since the file was exported (the
  version column), is an error;
- the preview gets each row's field-by-field difference.
"""

import datetime
import decimal

import geothai
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

from councils.models import Agency, CommunityOrganisation, Council, CouncilMember
from geo.models import Province
from imports.areas import resolve_district, resolve_subdistrict
from imports.reading import IGNORED, normalise_header
from imports.widgets import (
    AmountWidget,
    CellError,
    ChoiceWidget,
    DateWidget,
    IntegerWidget,
    NationalIdWidget,
    PhoneWidget,
    TextWidget,
)
from meetings.models import Attendance, Meeting
from projects.models import Disbursement, Programme, Project, ProjectPartner

IGNORED_FIELDS = {"id", "created_at", "updated_at", "version", "is_demo"}
RUNNING_NUMBER = [
    "ลำดับ",
    "ลำดับที่",
    "ที่",
    "no",
    "no.",
    "#",
    "row",
    "หมายเหตุ",
    "notes",
    "remarks",
    # The columns the errors download adds, so a fixed file can come straight back.
    _("Row in the original file"),
    _("Reasons"),
]


def json_value(value):
    """A field's value as the preview stores it."""
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


# The words offices use besides the portal's own labels.
SYNONYMS = {
    ("councilmember", "role"): {
        "กรรมการ": "member",
        "ประธานสภา": "chair",
        "ประธานสภาองค์กรชุมชน": "chair",
        "รองประธานสภา": "vice_chair",
        "เลขา": "secretary",
        "เลขาฯ": "secretary",
        "เหรัญญิก/ผู้ดูแลเงิน": "treasurer",
    },
    ("council", "status"): {"ยังดำเนินการ": "active", "ดำเนินการ": "active", "ยุบ": "dissolved"},
    ("council", "area_type"): {"ต.": "subdistrict", "เขตเทศบาล": "municipality"},
}


def _one(found: list, text: str, several, describe):
    if len(found) > 1:
        raise CellError(
            several, name=text, candidates=", ".join(describe(item) for item in found[:8])
        )
    return found[0] if found else None


def find_council(text: str) -> Council:
    """A council by its code, or by its exact Thai or English name."""
    councils = Council.objects.select_related("district")
    found = list(councils.filter(code=text)[:2]) or list(
        councils.filter(Q(name_th=text) | Q(name_en__iexact=text))[:9]
    )
    council = _one(
        found,
        text,
        _('Several councils are called "%(name)s": %(candidates)s. Use the code.'),
        lambda c: f"{c.code} (อ.{c.district.name_th})",
    )
    if council is None:
        raise CellError(_('No council has the code or name "%(name)s".'), name=text)
    return council


def _find_many(queryset, texts, code_field, name_fields, several, missing, describe) -> dict:
    """Records named in many cells at once (one query): text → record, or the CellError a
    single lookup would raise. The code wins over names; a name must fit one record."""
    texts = {text for text in texts if text}
    condition = Q(**{f"{code_field}__in": texts})
    for name in name_fields:
        condition |= Q(**{f"{name}__in": texts})
    records = list(queryset.filter(condition)) if texts else []
    by_code: dict = {}
    by_name: dict = {}
    for record in records:
        by_code.setdefault(getattr(record, code_field), []).append(record)
        for name in name_fields:
            value = getattr(record, name)
            if value and record not in by_name.setdefault(value, []):
                by_name[value].append(record)
    found = {}
    for text in texts:
        matches = by_code.get(text) or by_name.get(text, [])
        try:
            record = _one(matches, text, several, describe)
            found[text] = record or CellError(missing, name=text)
        except CellError as exc:
            found[text] = exc
    return found


def find_councils(texts) -> dict:
    return _find_many(
        Council.objects.select_related("district"),
        texts,
        "code",
        ("name_th", "name_en"),
        _('Several councils are called "%(name)s": %(candidates)s. Use the code.'),
        _('No council has the code or name "%(name)s".'),
        lambda c: f"{c.code} (อ.{c.district.name_th})",
    )


def find_programmes(texts) -> dict:
    return _find_many(
        Programme.objects.all(),
        texts,
        "code",
        ("name_th", "name_en"),
        _('Several programmes are called "%(name)s": %(candidates)s. Use the code.'),
        _('No programme has the code or name "%(name)s".'),
        lambda p: p.code,
    )


def find_agencies(texts) -> dict:
    return _find_many(
        Agency.objects.all(),
        texts,
        "code",
        ("name_th", "name_en", "short_name"),
        _('Several agencies are called "%(name)s": %(candidates)s. Use the code.'),
        _('No agency has the code or name "%(name)s".'),
        lambda a: f"{a.code} ({a.name_th})",
    )


def find_projects(texts) -> dict:
    return _find_many(
        Project.objects.select_related("council__district"),
        texts,
        "code",
        (),
        _('No project has the code "%(name)s".'),
        _('No project has the code "%(name)s".'),
        lambda p: p.code,
    )


def find_agency(text: str) -> Agency:
    """A partner agency by its code, Thai or English name, or short name."""
    found = list(Agency.objects.filter(code=text)[:2]) or list(
        Agency.objects.filter(
            Q(name_th=text) | Q(name_en__iexact=text) | Q(short_name__iexact=text)
        )[:9]
    )
    agency = _one(
        found,
        text,
        _('Several agencies are called "%(name)s": %(candidates)s. Use the code.'),
        lambda a: f"{a.code} ({a.name_th})",
    )
    if agency is None:
        raise CellError(_('No agency has the code or name "%(name)s".'), name=text)
    return agency


def find_project(text: str) -> Project:
    project = Project.objects.select_related("council__district").filter(code=text).first()
    if project is None:
        raise CellError(_('No project has the code "%(name)s".'), name=text)
    return project


def find_programme(text: str) -> Programme:
    found = list(Programme.objects.filter(code=text)[:2]) or list(
        Programme.objects.filter(Q(name_th=text) | Q(name_en__iexact=text))[:9]
    )
    programme = _one(
        found,
        text,
        _('Several programmes are called "%(name)s": %(candidates)s. Use the code.'),
        lambda p: p.code,
    )
    if programme is None:
        raise CellError(_('No programme has the code or name "%(name)s".'), name=text)
    return programme


NATIONAL = {"national", "ทั่วประเทศ", "ส่วนกลาง", "ระดับชาติ", "-"}


def find_province(text: str):
    """A province by its Thai or English name (`จ.ศรีสะเกษ`, `Si Sa Ket`) or DOPA code;
    "national" (ทั่วประเทศ, ส่วนกลาง) is no province."""
    if text.strip().lower() in NATIONAL:
        return None
    wanted = geothai.normalize(text)
    for province in Province.objects.all():
        if text == province.code or wanted in (
            geothai.normalize(province.name_th),
            geothai.normalize(province.name_en),
        ):
            return province
    raise CellError(_('No province is called "%(name)s".'), name=text)


def choice_widget(model, name, default=None):
    """Choices by value or label in Thai or English, and the usual synonyms. The labels are
    read when the widget is made: every language at once, so the widget fits any request."""
    model_field = model._meta.get_field(name)
    with translation.override("th"):
        labels_th = {value: str(label) for value, label in model_field.flatchoices}
    with translation.override("en"):
        choices = [(value, str(label)) for value, label in model_field.flatchoices]
    synonyms = SYNONYMS.get((model._meta.model_name, name))
    return ChoiceWidget(choices, labels_th, default=default, synonyms=synonyms)


class ImportResource(resources.ModelResource):
    """The base of every import: see the module's docstring."""

    kind_code = ""
    # Field key → header names beyond the field's own labels (Thai and English).
    aliases: dict[str, list[str]] = {}
    # Headers that are read and deliberately not imported (running numbers, notes...).
    ignored_headers: list[str] = RUNNING_NUMBER
    # Columns a file must have: each entry lists keys of which one at least is needed.
    required_columns: list[tuple[str, ...]] = []
    # Other models whose rows an import of this kind may create or change (for undo).
    touches: tuple = ()
    # Fields worked out from other columns (areas found by name, a council by code): they
    # are checked when they are worked out, not again by the model.
    derived_fields: set[str] = set()
    # Fields that a row's other errors leave empty (a code made from the subdistrict).
    quiet_after_errors: set[str] = set()
    # Key columns whose empty cell keeps the stored value rather than clearing it.
    keep_when_empty: set[str] = set()

    class Meta:
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        store_instance = True
        skip_html_diff = True
        use_transactions = True

    def __init__(self, user, batch=None):
        super().__init__()
        self.user = user
        self.batch = batch
        self.scope_provinces = [] if user.is_portal_admin else list(user.province_codes)
        self._changes = []
        # References already looked up (key → text → record or CellError), and, in a bulk
        # import, the records the rows are about, by natural key.
        self._memo: dict[str, dict] = {}
        self._existing: dict | None = None
        self._stored_province = None

    def get_import_fields(self):
        # import-export works the list out again for every row; it never changes.
        if "_import_fields" not in self.__dict__:
            self.__dict__["_import_fields"] = super().get_import_fields()
        return self.__dict__["_import_fields"]

    # Headers -----------------------------------------------------------------------------

    @classmethod
    def field_keys(cls) -> list[str]:
        return [name for name in cls.fields if name != "id"]

    @classmethod
    def field_label(cls, key: str) -> str:
        model = cls._meta.model
        try:
            return str(model._meta.get_field(key).verbose_name)
        except Exception:  # noqa: BLE001 - a column that is not a model field
            return str(cls.extra_labels.get(key, key))

    extra_labels: dict = {"version": _("version")}

    @classmethod
    def header_names(cls) -> dict[str, str]:
        names = {}
        for key in cls.field_keys():
            candidates = [key, *cls.aliases.get(key, [])]
            for language in ("th", "en"):
                with translation.override(language):
                    candidates.append(cls.field_label(key))
            for candidate in candidates:
                names.setdefault(normalise_header(candidate), key)
        for name in cls.ignored_headers:
            for language in ("th", "en"):
                with translation.override(language):
                    names.setdefault(normalise_header(str(name)), IGNORED)
        return names

    @classmethod
    def match_header(cls, normalised: str) -> str | None:
        if not hasattr(cls, "_header_cache") or cls._header_cache[0] != translation.get_language():
            cls._header_cache = (translation.get_language(), cls.header_names())
        return cls._header_cache[1].get(normalised)

    # Finding the record ------------------------------------------------------------------

    def find_existing(self, row):
        raise NotImplementedError

    def get_instance(self, instance_loader, row):
        found = None if row.get("_errors") else self.find_existing(row)
        # Where the record is before the row changes it (a row may not move a record out of
        # the user's scope, nor into it from outside).
        self._stored_province = self.scope_province(found) if found is not None else None
        return found

    # A kind that can be imported in bulk (imports.bulk): its references and records are
    # prefetched, and a row's natural key tells duplicates within a file apart.
    bulk_capable = False

    def natural_key(self, instance):
        return None

    def before_import_row(self, row, **kwargs):
        row["_errors"] = {}

    def resolve(self, row, key: str, finder, required: bool = True) -> None:
        """Find the record a reference column names (a council by code or name...): stored
        in row[f"_{key}"], or an error on that column."""
        text = TextWidget().clean(row.get(key))
        row[f"_{key}"] = None
        if not text:
            if required:
                row["_errors"][key] = ValidationError(
                    _("This column is needed: %(column)s."),
                    code="required",
                    params={"column": str(self.field_label(key))},
                )
            return
        memo = self._memo.setdefault(key, {})
        if text not in memo:
            try:
                memo[text] = finder(text)
            except CellError as exc:
                memo[text] = exc
        found = memo[text]
        if isinstance(found, CellError):
            row["_errors"][key] = ValidationError(
                found.message, code="invalid", params=found.params
            )
        else:
            row[f"_{key}"] = found

    def prefetch(self, rows: list[dict]) -> None:
        """Before a bulk import: load in a few queries what the rows refer to and the records
        they are about (see `bulk_capable`)."""

    def prefetch_references(self, rows: list[dict], finders: dict) -> None:
        """Fill the memo of `resolve` for reference columns (key → many-finder)."""
        for key, finder in finders.items():
            known = self._memo.setdefault(key, {})
            wanted = {TextWidget().clean(row.get(key)) for row in rows} - {""} - set(known)
            if wanted:
                known.update(finder(wanted))

    def _index(self, records, key) -> dict:
        """Records by natural key, an active record before an archived one."""
        index: dict = {}
        for record in sorted(records, key=lambda r: (r.archived_at is not None, r.pk)):
            index.setdefault(key(record), record)
        return index

    # Reading a row -----------------------------------------------------------------------

    def import_instance(self, instance, row, **kwargs):
        """Like import-export's, but keeps each error's message and parameters apart, so the
        preview can show it in the reader's language."""
        errors = dict(row.get("_errors") or {})
        for field in self.get_import_fields():
            if not field.attribute or field.column_name in errors:
                continue
            try:
                self.import_field(field, instance, row, **kwargs)
            except CellError as exc:
                errors[field.column_name] = ValidationError(
                    exc.message, code="invalid", params=exc.params
                )
            except ValueError as exc:
                errors[field.column_name] = ValidationError(
                    _('"%(value)s" cannot be read here.'),
                    code="invalid",
                    params={"value": str(row.get(field.column_name) or "")},
                )
                del exc
        self.after_fields(instance, row, errors)
        # Scope first: a version conflict on a record outside the user's provinces would
        # tell them that the record exists, and its version.
        if not errors:
            self.check_scope(instance, row, errors)
        if not errors:
            self.check_version(instance, row, errors)
        if errors:
            raise ValidationError(errors)

    def after_fields(self, instance, row, errors) -> None:
        """What a kind does once the simple fields are read (areas, derived values)."""

    def check_version(self, instance, row, errors) -> None:
        written = row.get("version")
        if instance.pk is None or written in (None, ""):
            return
        try:
            written = int(str(written).strip().split(".")[0])
        except ValueError:
            errors["version"] = ValidationError(
                _('"%(value)s" is not a whole number.'), code="invalid", params={"value": written}
            )
            return
        if written != instance.version:
            errors["version"] = ValidationError(
                _(
                    "Changed in the portal since this file was exported (the file has version "
                    "%(file)s, the portal version %(portal)s): export again and redo the change."
                ),
                code="conflict",
                params={"file": written, "portal": instance.version},
            )

    def scope_province(self, instance) -> str | None:
        raise NotImplementedError

    def scope_error(self, instance):
        return ValidationError(_("This record is outside your provinces."), code="scope")

    def check_scope(self, instance, row, errors) -> None:
        if self.user.is_portal_admin:
            return
        allowed = set(self.scope_provinces)
        provinces = {self.scope_province(instance)}
        if instance.pk is not None:
            provinces.add(self._stored_province)
        if not provinces <= allowed:
            errors[self.scope_column] = self.scope_error(instance)

    scope_column = NON_FIELD_ERRORS

    # Saving ------------------------------------------------------------------------------

    @property
    def change_reason(self) -> str:
        return f"import:{self.batch.pk}" if self.batch is not None else "import"

    def mark(self, instance) -> None:
        """The history entry of this save names the batch and the user."""
        instance._change_reason = self.change_reason
        instance._history_user = self.user

    def before_save_instance(self, instance, row, **kwargs):
        if instance.archived_at is not None:
            instance.archived_at = None
        self.mark(instance)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        # Derived fields were found in the database (or their columns are in error): the
        # model's own checks of them would cost queries or only repeat the error.
        exclude = set(errors) | self.derived_fields
        if errors:
            exclude |= self.quiet_after_errors
        try:
            instance.full_clean(exclude=exclude, validate_unique=validate_unique)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.column_name in self.keep_when_empty and row.get(field.column_name) in (None, ""):
            return
        super().import_field(field, instance, row, is_m2m, **kwargs)

    # Differences -------------------------------------------------------------------------

    def extra_changes(self, instance, original, row) -> list:
        return []

    def compute_changes(self, instance, original, row, new: bool) -> list:
        changes = []
        for model_field in instance._meta.concrete_fields:
            if model_field.name in IGNORED_FIELDS:
                continue
            if not model_field.editable and model_field.name != "archived_at":
                continue
            old = getattr(original, model_field.attname, None) if not new else None
            value = getattr(instance, model_field.attname, None)
            if model_field.name == "archived_at":
                value = None  # saving brings it back
            if not new and old == value:
                continue
            if new and value in (None, ""):
                continue
            if model_field.is_relation:
                old_label = str(getattr(original, model_field.name)) if old is not None else None
                new_label = str(getattr(instance, model_field.name)) if value is not None else None
                changes.append([model_field.name, old_label, new_label])
            else:
                changes.append([model_field.name, json_value(old), json_value(value)])
        changes.extend(self.extra_changes(instance, None if new else original, row))
        return changes

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors:
            self._changes = []
            return False
        new = instance.pk is None
        self._changes = self.compute_changes(instance, original, row, new)
        return not new and not self._changes

    def import_row(self, row, instance_loader, **kwargs):
        self._changes = []
        row_result = super().import_row(row, instance_loader, **kwargs)
        row_result.changes = self._changes
        return row_result


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
    address = fields.Field(attribute="address", column_name="address", widget=TextWidget())
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
        "phone": ["เบอร์โทรศัพท์", "โทรศัพท์", "เบอร์โทร", "โทร", "telephone", "tel"],
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
    keep_when_empty = {"code"}

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
        subdistrict = TextWidget().clean(row.get("subdistrict"))
        district = TextWidget().clean(row.get("district"))
        province = TextWidget().clean(row.get("province"))
        row["_subdistrict"] = row["_district"] = None
        try:
            if subdistrict:
                found = resolve_subdistrict(subdistrict, district, province, self.scope_provinces)
                row["_subdistrict"], row["_district"] = found, found.district
            elif district:
                row["_district"] = resolve_district(district, province, self.scope_provinces)
        except CellError as exc:
            column = "subdistrict" if subdistrict else "district"
            errors[column] = ValidationError(exc.message, code="invalid", params=exc.params)

    def find_existing(self, row):
        code = TextWidget().clean(row.get("code"))
        councils = Council.objects.select_related("district", "subdistrict")
        if code:
            return councils.filter(code=code).first()
        if row.get("_subdistrict") is not None:
            return (
                councils.filter(
                    subdistrict=row["_subdistrict"], area_type=Council.AreaType.SUBDISTRICT
                )
                .order_by("archived_at", "pk")
                .first()
            )
        municipality = TextWidget().clean(row.get("municipality_name"))
        if municipality and row.get("_district") is not None:
            return (
                councils.filter(municipality_name=municipality, district=row["_district"])
                .order_by("archived_at", "pk")
                .first()
            )
        return None

    def after_fields(self, instance, row, errors) -> None:
        if row.get("_subdistrict") is not None:
            instance.subdistrict = row["_subdistrict"]
            instance.district = row["_district"]
        elif row.get("_district") is not None:
            instance.district = row["_district"]
            if "subdistrict" in row:
                instance.subdistrict = None
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
        return (
            CouncilMember.objects.filter(council=council, role=CouncilMember.Role.CHAIR)
            .active()
            .order_by("pk")
            .first()
        )

    def extra_changes(self, instance, original, row) -> list:
        name = TextWidget().clean(row.get("chair"))
        if "chair" not in row or not name:
            return []
        chair = self._current_chair(original)
        old = chair.full_name if chair else None
        return [] if old == name else [["chair", old, name]]

    def after_save_instance(self, instance, row, **kwargs):
        name = TextWidget().clean(row.get("chair"))
        if not name:
            return
        chair = self._current_chair(instance)
        if chair is not None and chair.full_name == name:
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
        "phone": ["เบอร์โทรศัพท์", "โทรศัพท์", "เบอร์โทร", "โทร", "telephone", "tel"],
        "term_start": ["วันเริ่มวาระ", "เริ่มวาระ", "term start"],
        "term_end": ["วันสิ้นสุดวาระ", "สิ้นสุดวาระ", "ครบวาระ", "term end"],
        "version": ["เวอร์ชัน"],
    }
    required_columns = [("council",), ("full_name",)]
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
        self.resolve(row, "council", find_council)

    bulk_capable = True

    def prefetch(self, rows: list[dict]) -> None:
        self.prefetch_references(rows, {"council": find_councils})
        councils = [c for c in self._memo["council"].values() if isinstance(c, Council)]
        members = list(
            CouncilMember.objects.filter(council__in=councils).select_related("council__district")
        )
        self._existing = {
            "id": self._index(
                [m for m in members if m.national_id], lambda m: (m.council_id, m.national_id)
            ),
            "name": self._index(members, lambda m: (m.council_id, m.full_name)),
        }

    def natural_key(self, instance):
        return (instance.council_id, instance.national_id or instance.full_name)

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


PHONE_ALIASES = ["เบอร์โทรศัพท์", "โทรศัพท์", "เบอร์โทร", "โทร", "telephone", "tel"]


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
    derived_fields = {"council"}
    scope_column = "council"

    class Meta(ImportResource.Meta):
        model = CommunityOrganisation
        fields = ["council", "name", "kind", "member_count", "established_on", "version"]
        import_order = fields

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        self.resolve(row, "council", find_council)

    bulk_capable = True

    def prefetch(self, rows: list[dict]) -> None:
        self.prefetch_references(rows, {"council": find_councils})
        councils = [c for c in self._memo["council"].values() if isinstance(c, Council)]
        self._existing = self._index(
            CommunityOrganisation.objects.filter(council__in=councils).select_related(
                "council__district"
            ),
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
    address = fields.Field(attribute="address", column_name="address", widget=TextWidget())
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
    scope_column = "province"
    extra_labels = {"version": _("version"), "province": _("province")}

    class Meta(ImportResource.Meta):
        model = Agency
        fields = [
            "code",
            "name_th",
            "name_en",
            "short_name",
            "sector",
            "province",
            "phone",
            "email",
            "website",
            "address",
            "version",
        ]
        import_order = fields

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
        if "province" in row and "province" not in errors:
            instance.province = row.get("_province")

    def scope_province(self, instance):
        return instance.province_id

    def scope_error(self, instance):
        if instance.province_id is None:
            return ValidationError(_("National agencies are kept by administrators."), code="scope")
        return super().scope_error(instance)


class ProjectImportResource(ImportResource):
    kind_code = "projects"
    code = fields.Field(attribute="code", column_name="code", widget=TextWidget())
    title_th = fields.Field(attribute="title_th", column_name="title_th", widget=TextWidget())
    title_en = fields.Field(attribute="title_en", column_name="title_en", widget=TextWidget())
    programme = fields.Field(attribute=None, column_name="programme")
    council = fields.Field(attribute=None, column_name="council")
    fiscal_year = fields.Field(
        attribute="fiscal_year", column_name="fiscal_year", widget=IntegerWidget()
    )
    status = fields.Field(
        attribute="status",
        column_name="status",
        widget=choice_widget(Project, "status", default=Project.Status.PROPOSED),
    )
    budget_requested = fields.Field(
        attribute="budget_requested", column_name="budget_requested", widget=AmountWidget()
    )
    budget_approved = fields.Field(
        attribute="budget_approved", column_name="budget_approved", widget=AmountWidget()
    )
    target_households = fields.Field(
        attribute="target_households", column_name="target_households", widget=IntegerWidget()
    )
    reached_households = fields.Field(
        attribute="reached_households", column_name="reached_households", widget=IntegerWidget()
    )
    target_persons = fields.Field(
        attribute="target_persons", column_name="target_persons", widget=IntegerWidget()
    )
    reached_persons = fields.Field(
        attribute="reached_persons", column_name="reached_persons", widget=IntegerWidget()
    )
    start_date = fields.Field(attribute="start_date", column_name="start_date", widget=DateWidget())
    end_date = fields.Field(attribute="end_date", column_name="end_date", widget=DateWidget())
    description = fields.Field(
        attribute="description", column_name="description", widget=TextWidget()
    )
    version = fields.Field(attribute=None, column_name="version")

    aliases = {
        "code": ["รหัสโครงการ", "รหัส", "code"],
        "title_th": ["ชื่อโครงการ", "โครงการ", "ชื่อ", "project", "title"],
        "title_en": ["ชื่อโครงการภาษาอังกฤษ", "english title"],
        "programme": ["แผนงาน", "ชุดโครงการ", "programme code"],
        "council": ["สภา", "สภาองค์กรชุมชน", "สภาที่รับผิดชอบ", "ผู้รับผิดชอบ", "council"],
        "fiscal_year": ["ปีงบประมาณ", "ปีงบ", "ปี", "fiscal year", "fy"],
        "status": ["สถานะ"],
        "budget_requested": ["งบประมาณที่ขอ", "งบที่ขอ", "งบประมาณ", "budget"],
        "budget_approved": ["งบประมาณที่อนุมัติ", "งบที่อนุมัติ", "อนุมัติ"],
        "target_households": ["ครัวเรือนเป้าหมาย", "เป้าหมายครัวเรือน"],
        "reached_households": ["ครัวเรือนที่ได้รับประโยชน์", "ครัวเรือนที่ได้รับ"],
        "target_persons": ["คนเป้าหมาย", "ผู้รับประโยชน์เป้าหมาย"],
        "reached_persons": ["ผู้ได้รับประโยชน์", "คนที่ได้รับประโยชน์"],
        "start_date": ["วันเริ่ม", "วันที่เริ่ม", "เริ่ม"],
        "end_date": ["วันสิ้นสุด", "วันที่สิ้นสุด", "สิ้นสุด"],
        "description": ["รายละเอียด", "คำอธิบาย"],
        "version": ["เวอร์ชัน"],
    }
    required_columns = [("code",)]
    derived_fields = {"council", "programme"}
    scope_column = "council"
    touches = ()

    class Meta(ImportResource.Meta):
        model = Project
        fields = [
            "code",
            "title_th",
            "title_en",
            "programme",
            "council",
            "fiscal_year",
            "status",
            "budget_requested",
            "budget_approved",
            "target_households",
            "reached_households",
            "target_persons",
            "reached_persons",
            "start_date",
            "end_date",
            "description",
            "version",
        ]
        import_order = fields

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        for key, finder in (("council", find_council), ("programme", find_programme)):
            if key in row:
                self.resolve(row, key, finder)

    bulk_capable = True

    def prefetch(self, rows: list[dict]) -> None:
        text = TextWidget().clean
        codes = {text(row.get("code")) for row in rows} - {""}
        self._existing = {
            project.code: project
            for project in Project.objects.select_related("council__district", "programme").filter(
                code__in=codes
            )
        }
        self.prefetch_references(rows, {"council": find_councils, "programme": find_programmes})

    def natural_key(self, instance):
        return instance.code or None

    def find_existing(self, row):
        code = TextWidget().clean(row.get("code"))
        if not code:
            return None
        if self._existing is not None:
            return self._existing.get(code)
        return Project.objects.select_related("council__district").filter(code=code).first()

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.column_name == "fiscal_year" and row.get("fiscal_year") not in (None, ""):
            year = IntegerWidget().clean(row["fiscal_year"])
            # "2023" written for FY 2566: a Christian-era year is turned into B.E.
            instance.fiscal_year = year + 543 if 1900 < year < 2200 else year
            return
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def after_fields(self, instance, row, errors) -> None:
        for key in ("council", "programme"):
            if row.get(f"_{key}") is not None:
                setattr(instance, key, row[f"_{key}"])
            elif instance.pk is None and key not in errors:
                errors[key] = ValidationError(
                    _("This column is needed: %(column)s."),
                    code="required",
                    params={"column": str(self.field_label(key))},
                )

    def scope_province(self, instance):
        return instance.council.district.province_id if instance.council_id else None


class ProjectPartnerImportResource(ImportResource):
    kind_code = "partners"
    project = fields.Field(attribute=None, column_name="project")
    agency = fields.Field(attribute=None, column_name="agency")
    role = fields.Field(
        attribute="role",
        column_name="role",
        widget=choice_widget(ProjectPartner, "role", default="other"),
    )
    contribution = fields.Field(
        attribute="contribution", column_name="contribution", widget=AmountWidget()
    )
    contribution_note = fields.Field(
        attribute="contribution_note", column_name="contribution_note", widget=TextWidget()
    )
    version = fields.Field(attribute=None, column_name="version")

    aliases = {
        "project": ["รหัสโครงการ", "โครงการ", "project code"],
        "agency": ["หน่วยงาน", "ภาคี", "หน่วยงานภาคี", "รหัสหน่วยงาน", "partner"],
        "role": ["บทบาท", "บทบาทภาคี"],
        "contribution": ["งบสมทบ", "เงินสมทบ", "สมทบ (บาท)", "จำนวนเงิน"],
        "contribution_note": ["สมทบสิ่งของ", "การสนับสนุนอื่น", "หมายเหตุการสนับสนุน"],
        "version": ["เวอร์ชัน"],
    }
    required_columns = [("project",), ("agency",)]
    derived_fields = {"project", "agency"}
    scope_column = "project"

    class Meta(ImportResource.Meta):
        model = ProjectPartner
        fields = ["project", "agency", "role", "contribution", "contribution_note", "version"]
        import_order = fields

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        self.resolve(row, "project", find_project)
        self.resolve(row, "agency", find_agency)

    bulk_capable = True

    def prefetch(self, rows: list[dict]) -> None:
        self.prefetch_references(rows, {"project": find_projects, "agency": find_agencies})
        projects = [p for p in self._memo["project"].values() if isinstance(p, Project)]
        self._existing = self._index(
            ProjectPartner.objects.filter(project__in=projects).select_related(
                "project__council__district", "agency"
            ),
            lambda p: (p.project_id, p.agency_id),
        )

    def natural_key(self, instance):
        return (instance.project_id, instance.agency_id)

    def find_existing(self, row):
        if self._existing is not None:
            return self._existing.get((row["_project"].pk, row["_agency"].pk))
        return (
            ProjectPartner.objects.filter(project=row["_project"], agency=row["_agency"])
            .order_by("archived_at", "pk")
            .first()
        )

    def after_fields(self, instance, row, errors) -> None:
        if row.get("_project") is not None:
            instance.project = row["_project"]
        if row.get("_agency") is not None:
            instance.agency = row["_agency"]

    def scope_province(self, instance):
        return instance.project.council.district.province_id if instance.project_id else None


class DisbursementImportResource(ImportResource):
    kind_code = "disbursements"
    project = fields.Field(attribute=None, column_name="project")
    paid_on = fields.Field(attribute="paid_on", column_name="paid_on", widget=DateWidget())
    amount = fields.Field(attribute="amount", column_name="amount", widget=AmountWidget())
    reference = fields.Field(attribute="reference", column_name="reference", widget=TextWidget())
    note = fields.Field(attribute="note", column_name="note", widget=TextWidget())
    version = fields.Field(attribute=None, column_name="version")

    aliases = {
        "project": ["รหัสโครงการ", "โครงการ", "project code"],
        "paid_on": ["วันที่โอน", "วันที่จ่าย", "วันที่เบิกจ่าย", "วันโอนเงิน", "date"],
        "amount": ["จำนวนเงิน", "ยอดเงิน", "เงินโอน", "จำนวนเงิน (บาท)", "amount"],
        "reference": ["เลขที่อ้างอิง", "เลขที่เอกสาร", "อ้างอิง", "ref", "ref."],
        "note": ["หมายเหตุการจ่าย", "บันทึก", "note"],
        "version": ["เวอร์ชัน"],
    }
    required_columns = [("project",), ("paid_on",), ("amount",)]
    derived_fields = {"project"}
    scope_column = "project"

    class Meta(ImportResource.Meta):
        model = Disbursement
        fields = ["project", "paid_on", "amount", "reference", "note", "version"]
        import_order = fields

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        self.resolve(row, "project", find_project)

    bulk_capable = True

    def prefetch(self, rows: list[dict]) -> None:
        self.prefetch_references(rows, {"project": find_projects})
        projects = [p for p in self._memo["project"].values() if isinstance(p, Project)]
        self._existing = self._index(
            Disbursement.objects.filter(project__in=projects).select_related(
                "project__council__district"
            ),
            self._key_of,
        )

    @staticmethod
    def _key_of(disbursement):
        if disbursement.reference:
            return (disbursement.project_id, disbursement.reference)
        return (disbursement.project_id, disbursement.paid_on, disbursement.amount)

    def natural_key(self, instance):
        return self._key_of(instance)

    def find_existing(self, row):
        """By the project and the payment's reference; without a reference, by the project,
        the date and the amount (the same payment typed twice is the same payment)."""
        reference = TextWidget().clean(row.get("reference"))
        try:
            paid_on = DateWidget().clean(row.get("paid_on"))
            amount = AmountWidget().clean(row.get("amount"))
        except CellError:
            paid_on = amount = None
        project = row["_project"]
        if self._existing is not None:
            if reference:
                return self._existing.get((project.pk, reference))
            return self._existing.get((project.pk, paid_on, amount))
        disbursements = Disbursement.objects.filter(project=project).order_by("archived_at", "pk")
        if reference:
            return disbursements.filter(reference=reference).first()
        if paid_on is None or amount is None:
            return None
        return disbursements.filter(paid_on=paid_on, amount=amount, reference="").first()

    def after_fields(self, instance, row, errors) -> None:
        if row.get("_project") is not None:
            instance.project = row["_project"]
        if instance.amount is not None and instance.amount <= 0 and "amount" not in errors:
            errors["amount"] = ValidationError(
                _("The amount must be more than zero."), code="invalid"
            )

    def scope_province(self, instance):
        return instance.project.council.district.province_id if instance.project_id else None


def find_meetings(texts) -> dict:
    """Meetings by their number (as in /meetings/<number>/) or exact title."""
    texts = {text for text in texts if text}
    numbers = {int(text) for text in texts if text.isdigit()}
    meetings = list(Meeting.objects.filter(Q(pk__in=numbers) | Q(title__in=texts)))
    found = {}
    for text in texts:
        matches = [m for m in meetings if text.isdigit() and m.pk == int(text)] or [
            m for m in meetings if m.title == text
        ]
        try:
            meeting = _one(
                matches,
                text,
                _('Several meetings are called "%(name)s": %(candidates)s. Use the number.'),
                lambda m: f"#{m.pk} ({m.starts_at:%Y-%m-%d})",
            )
            found[text] = meeting or CellError(
                _('No meeting has the number or title "%(name)s".'), name=text
            )
        except CellError as exc:
            found[text] = exc
    return found


def _single(finder):
    """A one-cell lookup from a many-cells finder."""

    def find(text):
        found = finder([text])[text]
        if isinstance(found, CellError):
            raise found
        return found

    return find


class AttendanceImportResource(ImportResource):
    kind_code = "attendance"
    meeting = fields.Field(attribute=None, column_name="meeting")
    person_name = fields.Field(
        attribute="person_name", column_name="person_name", widget=TextWidget()
    )
    position = fields.Field(attribute="position", column_name="position", widget=TextWidget())
    council = fields.Field(attribute=None, column_name="council")
    agency = fields.Field(attribute=None, column_name="agency")
    organisation_text = fields.Field(
        attribute="organisation_text", column_name="organisation_text", widget=TextWidget()
    )
    phone = fields.Field(attribute="phone", column_name="phone", widget=PhoneWidget())
    role = fields.Field(
        attribute="role",
        column_name="role",
        widget=choice_widget(Attendance, "role", default=Attendance.Role.PARTICIPANT),
    )
    order = fields.Field(attribute="order", column_name="order", widget=IntegerWidget())
    version = fields.Field(attribute=None, column_name="version")

    aliases = {
        "meeting": ["การประชุม", "ประชุม", "เลขที่การประชุม", "meeting number"],
        "person_name": ["ชื่อ-สกุล", "ชื่อ - สกุล", "ชื่อ-นามสกุล", "ชื่อผู้เข้าร่วม", "ชื่อ", "name"],
        "position": ["ตำแหน่ง", "title"],
        "council": ["สภาองค์กรชุมชน", "สภา"],
        "agency": ["หน่วยงาน", "หน่วยงานภาคี"],
        "organisation_text": ["องค์กร", "สังกัด", "organisation", "organization"],
        "phone": PHONE_ALIASES,
        "role": ["บทบาท", "บทบาทในการประชุม"],
        "order": ["ลำดับการแสดง", "display order"],
        "version": ["เวอร์ชัน"],
    }
    required_columns = [("meeting",), ("person_name", "position")]
    derived_fields = {"meeting", "council", "agency"}
    scope_column = "meeting"
    bulk_capable = True

    class Meta(ImportResource.Meta):
        model = Attendance
        fields = [
            "meeting",
            "person_name",
            "position",
            "council",
            "agency",
            "organisation_text",
            "phone",
            "role",
            "order",
            "version",
        ]
        import_order = fields

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        self.resolve(row, "meeting", _single(find_meetings))
        if "council" in row:
            self.resolve(row, "council", _single(find_councils), required=False)
        if "agency" in row:
            self.resolve(row, "agency", _single(find_agencies), required=False)

    def prefetch(self, rows: list[dict]) -> None:
        self.prefetch_references(
            rows, {"meeting": find_meetings, "council": find_councils, "agency": find_agencies}
        )
        meetings = [m for m in self._memo["meeting"].values() if isinstance(m, Meeting)]
        self._existing = self._index(
            Attendance.objects.filter(meeting__in=meetings).select_related("meeting"),
            lambda a: (a.meeting_id, a.person_name or a.position),
        )

    def natural_key(self, instance):
        return (instance.meeting_id, instance.person_name or instance.position)

    def find_existing(self, row):
        text = TextWidget().clean
        who = text(row.get("person_name")) or text(row.get("position"))
        if not who:
            return None
        meeting = row["_meeting"]
        if self._existing is not None:
            return self._existing.get((meeting.pk, who))
        return (
            Attendance.objects.filter(meeting=meeting)
            .filter(Q(person_name=who) | Q(person_name="", position=who))
            .order_by("archived_at", "pk")
            .first()
        )

    def after_fields(self, instance, row, errors) -> None:
        if row.get("_meeting") is not None:
            instance.meeting = row["_meeting"]
        for key in ("council", "agency"):
            if key in row and key not in errors:
                setattr(instance, key, row.get(f"_{key}"))
        if instance.council_id and instance.agency_id and "agency" not in errors:
            errors["agency"] = ValidationError(
                _("A person comes from a council or an agency, not both."), code="invalid"
            )

    def scope_province(self, instance):
        return instance.meeting.province_id if instance.meeting_id else None
