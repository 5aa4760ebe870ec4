"""The base of every import resource: header matching, natural keys, scope, history
and the finders that resolve what a cell names (a council, a programme, an agency...)."""

import datetime
import decimal
from functools import partial

import geothai
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from import_export import resources

from councils.models import Agency, Council
from geo.models import Province
from imports.constraints import check_constraints
from imports.reading import IGNORED, is_cleared, normalise_header
from imports.widgets import (
    CellError,
    ChoiceWidget,
    TextWidget,
)
from portal.roles import is_council_editor, scope_of
from projects.models import Programme, Project

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


def find_councils(texts, queryset=None) -> dict:
    return _find_many(
        (Council.objects.all() if queryset is None else queryset).select_related("district"),
        texts,
        "code",
        ("name_th", "name_en"),
        _('Several councils are called "%(name)s": %(candidates)s. Use the code.'),
        _('No council has the code or name "%(name)s".'),
        lambda c: f"{c.code} (อ.{c.district.name_th})",
    )


def find_programmes(texts, queryset=None) -> dict:
    return _find_many(
        Programme.objects.all() if queryset is None else queryset,
        texts,
        "code",
        ("name_th", "name_en"),
        _('Several programmes are called "%(name)s": %(candidates)s. Use the code.'),
        _('No programme has the code or name "%(name)s".'),
        lambda p: p.code,
    )


def find_agencies(texts, queryset=None) -> dict:
    return _find_many(
        Agency.objects.all() if queryset is None else queryset,
        texts,
        "code",
        ("name_th", "name_en", "short_name"),
        _('Several agencies are called "%(name)s": %(candidates)s. Use the code.'),
        _('No agency has the code or name "%(name)s".'),
        lambda a: f"{a.code} ({a.name_th})",
    )


def find_projects(texts, queryset=None) -> dict:
    return _find_many(
        (Project.objects.all() if queryset is None else queryset).select_related(
            "council__district"
        ),
        texts,
        "code",
        (),
        _('No project has the code "%(name)s".'),
        _('No project has the code "%(name)s".'),
        lambda p: p.code,
    )


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
    # Columns that alone make a header row (most files need two known headers in a row).
    lone_headers: frozenset[str] = frozenset()
    # Other models whose rows an import of this kind may create or change (for undo).
    touches: tuple = ()
    # Fields worked out from other columns (areas found by name, a council by code): they
    # are checked when they are worked out, not again by the model.
    derived_fields: set[str] = set()
    # Fields that a row's other errors leave empty (a code made from the subdistrict).
    quiet_after_errors: set[str] = set()

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
        # The user's provinces: they settle a place name found in several provinces (none
        # for an admin or a council editor).
        self.scope_provinces = sorted(scope_of(user).provinces or ())
        self._changes = []
        # References already looked up (key → text → record or CellError), and, in a bulk
        # import, the records the rows are about, by natural key.
        self._memo: dict[str, dict] = {}
        self._existing: dict | None = None
        self._stored_province = None
        self._stored_council = None

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
    def columns_required(cls, batch) -> list[tuple[str, ...]]:
        """The columns this batch's file must have (a batch may fix some values itself)."""
        return cls.required_columns

    @classmethod
    def header_names(cls) -> dict[str, str]:
        names = {}
        for key in cls.field_keys():
            candidates = [key, *cls.aliases.get(key, [])]
            labels = []
            for language in ("th", "en"):
                with translation.override(language):
                    labels.append(str(capfirst(cls.field_label(key))))
            # The template's own header ("หน่วยงาน / Agency") reads back as its column, even
            # where one of its words is another column's usual name.
            names.setdefault(normalise_header(" / ".join(dict.fromkeys(labels))), key)
            candidates.extend(labels)
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

    @classmethod
    def column_required(cls, key: str, user, required: bool) -> bool:
        """Whether the template tells this user the column is required (`required`: what
        it tells everyone)."""
        return required

    # Finding the record ------------------------------------------------------------------

    def find_existing(self, row):
        raise NotImplementedError

    def get_instance(self, instance_loader, row):
        found = None if row.get("_errors") else self.find_existing(row)
        # Where the record is before the row changes it (a row may not move a record out of
        # the user's scope, nor into it from outside).
        self._stored_province = self.scope_province(found) if found is not None else None
        self._stored_council = self.scope_council(found) if found is not None else None
        return found

    # A kind that can be imported in bulk (imports.bulk): its references and records are
    # prefetched, and a row's natural key tells duplicates within a file apart.
    bulk_capable = False

    def natural_key(self, instance):
        return None

    def after_bulk_save(self, written: list) -> None:
        """After a bulk write: what a kind writes beside its records ((instance, row) pairs)."""

    # A record named twice in one file (by its code, or by its natural key) is an error, for
    # every kind: the file says two things about one record and only its author knows which
    # is right. Both rows are refused (imports.service marks the earlier one).

    # Spreadsheet row numbers of the rows being imported (set by imports.service).
    row_numbers: list[int] | None = None

    def natural_keys(self, instance) -> tuple[list, list]:
        """The keys a row's record is checked against, and the keys it then holds."""
        key = self.natural_key(instance)
        return ([key], [key]) if key is not None else ([], [])

    def duplicate_error(self, instance) -> ValidationError | None:
        seen = self.__dict__.setdefault("_seen", {})
        for key in self.natural_keys(instance)[0]:
            if key in seen:
                return ValidationError(
                    _("The same record is on row %(row)s of the file too."),
                    code="duplicate",
                    params={"row": seen[key]},
                )
        return None

    def remember(self, instance, number: int) -> None:
        seen = self.__dict__.setdefault("_seen", {})
        for key in self.natural_keys(instance)[1]:
            seen.setdefault(key, number)

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

    # What a reference column may name is what the edit forms offer this user: the councils
    # they may edit (the project and member forms), the agencies and programmes in use. A
    # record outside it is "not found" in the same words as an unknown one, so no message
    # tells that a record of another province exists.
    reference_finders = {
        "council": find_councils,
        "programme": find_programmes,
        "agency": find_agencies,
        "project": find_projects,
    }

    def reference_queryset(self, key: str):
        if key == "council":
            return Council.objects.editable_by(self.user).active()
        if key == "project":
            return Project.objects.editable_by(self.user).active()
        if key == "programme":
            return Programme.objects.active()
        if key == "agency":
            return Agency.objects.active()
        raise KeyError(key)

    def finder(self, key: str, many: bool = False):
        """The finder of a reference column within the user's scope: one cell, or `many`.
        Made once per resource (its queryset is lazy): rows ask for it again and again."""
        cache = self.__dict__.setdefault("_finders", {})
        if (key, many) not in cache:
            found = partial(self.reference_finders[key], queryset=self.reference_queryset(key))
            cache[(key, many)] = found if many else _single(found)
        return cache[(key, many)]

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

    def referenced(self, rows: list[dict], key: str, model) -> list:
        """The records this chunk's rows name in the `key` column (after prefetch_references):
        not every record the file named so far, which would grow chunk after chunk."""
        memo = self._memo.get(key, {})
        found = (memo.get(TextWidget().clean(row.get(key))) for row in rows)
        return list({record.pk: record for record in found if isinstance(record, model)}.values())

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
            except ValidationError as exc:
                errors[field.column_name] = exc
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
        if not errors:
            duplicate = self.duplicate_error(instance)
            if duplicate is not None:
                errors[self.duplicate_column] = duplicate
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

    def scope_council(self, instance) -> int | None:
        """The council a record belongs to (a council editor imports only its own)."""
        return getattr(instance, "council_id", None)

    def check_scope(self, instance, row, errors) -> None:
        scope = scope_of(self.user)
        if scope.everything:
            return
        if is_council_editor(self.user):
            councils = {self.scope_council(instance)}
            if instance.pk is not None:
                councils.add(self._stored_council)
            if councils != {scope.council_id}:
                errors[self.scope_column] = ValidationError(
                    _("This record is not of your council."), code="scope"
                )
            return
        allowed = scope.provinces
        provinces = {self.scope_province(instance)}
        if instance.pk is not None:
            provinces.add(self._stored_province)
        if not provinces <= allowed:
            errors[self.scope_column] = self.scope_error(instance)

    scope_column = NON_FIELD_ERRORS
    # The column a "same record twice in the file" error is shown on: what names the record.
    duplicate_column = NON_FIELD_ERRORS

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
            instance.full_clean(
                exclude=exclude, validate_unique=validate_unique, validate_constraints=False
            )
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        # The constraints, of derived fields too (a council's area): each told on its column
        # in the file's words, rather than refused by the database when the row is saved.
        quiet = set(errors) | (self.quiet_after_errors if errors else set())
        add_errors(errors, check_constraints(instance, quiet))
        if errors:
            raise ValidationError(errors)

    # Empty cells and the clearing marker -------------------------------------------------

    @staticmethod
    def cell_state(row, key: str) -> str:
        """One of "value", "empty" (keeps what is stored; a new record gets its default) or
        "cleared" (the marker "-": empty the stored value)."""
        value = row.get(key)
        if is_cleared(value):
            return "cleared"
        if value is None or (isinstance(value, str) and not value.strip()):
            return "empty"
        return "value"

    def cannot_clear(self, key: str) -> ValidationError:
        return ValidationError(
            _(
                "%(column)s cannot be emptied (“-”): it always needs a value. Leave the cell "
                "empty to keep the stored value."
            ),
            code="required",
            params={"column": str(capfirst(self.field_label(key)))},
        )

    def cleared_value(self, name: str):
        """The empty value of a model field, for the clearing marker."""
        model_field = self._meta.model._meta.get_field(name)
        if model_field.blank:
            if model_field.null:
                return None
            if model_field.empty_strings_allowed:
                return ""
        raise self.cannot_clear(name)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if not field.attribute or field.column_name not in row:
            return
        state = self.cell_state(row, field.column_name)
        # An empty cell never erases: an existing record keeps its value, a new one gets the
        # model's default. Only the marker "-" empties a stored value.
        if state == "empty" or (state == "cleared" and instance.pk is None):
            return
        if state == "cleared":
            setattr(instance, field.attribute, self.cleared_value(field.attribute))
            return
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def set_reference(self, instance, row, key: str, errors, attribute: str = "") -> None:
        """An optional reference column (a council, an agency, a province...): a name sets
        it, an empty cell keeps it, "-" empties it."""
        attribute = attribute or key
        if key not in row or key in errors:
            return
        state = self.cell_state(row, key)
        if state == "value":
            setattr(instance, attribute, row.get(f"_{key}"))
        elif state == "cleared" and instance.pk is not None:
            if self._meta.model._meta.get_field(attribute).null:
                setattr(instance, attribute, None)
            else:
                errors[key] = self.cannot_clear(key)

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
        if row_result.import_type in ("new", "update", "skip") and row_result.instance is not None:
            index = kwargs.get("row_number") or 0
            numbers = self.row_numbers or []
            number = numbers[index - 1] if 0 < index <= len(numbers) else index
            self.remember(row_result.instance, number)
        return row_result


PHONE_ALIASES = ["เบอร์โทรศัพท์", "โทรศัพท์", "เบอร์โทร", "โทร", "telephone", "tel"]


def add_errors(errors: dict, found: dict) -> None:
    """Merge `found` (key → list of errors) into `errors`, whose values may be one error."""
    for key, more in found.items():
        existing = errors.get(key)
        if existing is None:
            errors[key] = list(more)
        else:
            errors[key] = [*(existing if isinstance(existing, list) else [existing]), *more]


def _single(finder):
    """A one-cell lookup from a many-cells finder."""

    def find(text):
        found = finder([text])[text]
        if isinstance(found, CellError):
            raise found
        return found

    return find
