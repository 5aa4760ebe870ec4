"""Erasing a person wherever the portal may have kept them.

A person's data reaches many places besides their own records: the history of every record
that ever carried their name, ID or phone (including other records that once did), import
batches (the stored file, its preview, its rejected rows), the access log's page addresses,
Django's admin log, background task results, free text such as minutes. Rather than a list of
places that the next feature would forget to extend, erasure walks every text and JSON column
of every table and every stored import file, and removes the person's identifiers in the
forms they are written in (`1-1017-00203-45-0`, `+66 81 234 5678`, URL-encoded names).
"""

import html
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from urllib.parse import quote, quote_plus

from django.apps import apps
from django.core.files.storage import default_storage
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Cast

ERASED_NAME = "[ลบข้อมูลตามคำขอ]"
IMPORT_FOLDER = "imports"
# Tables that hold nothing a person typed: skipped for speed, or opaque (sessions are
# signed and expire by themselves). Portal accounts are closed in the admin, not scrubbed:
# a username or password hash rewritten here would lock a user out.
SKIPPED_TABLES = {
    "contenttypes.contenttype",
    "auth.permission",
    "sessions.session",
    "accounts.user",
}
SKIPPED_APPS = {"geo"}


@dataclass(frozen=True)
class Needle:
    """One identifier of the person: how to find it cheaply in the database (`hints`, plain
    substrings) and exactly in text (`pattern`), and what takes its place."""

    kind: str  # "name", "national_id" or "phone"
    hints: tuple[str, ...]
    pattern: re.Pattern

    def replacement(self, whole_value: bool) -> str:
        # A field that holds nothing but the ID or phone is emptied; a name, or an identifier
        # inside other text, is replaced by a marker that says why it is gone.
        return "" if whole_value and self.kind != "name" else ERASED_NAME


def _digits_pattern(digits: str, prefix: str = "") -> str:
    return prefix + r"[\s.-]?".join(digits)


NAME_END = r"(?![\w\u0e00-\u0e7f])"


def name_needle(name: str) -> Needle | None:
    words = name.split()
    if not words:
        return None
    # A title may come before the name (นาย, นางสาว), but a longer surname is someone else:
    # no letter (Thai letters and marks included) may follow.
    spaced = r"\s+".join(re.escape(word) for word in words) + NAME_END
    encoded = {quote(" ".join(words)), quote_plus(" ".join(words))}
    alternatives = [spaced, *(re.escape(form) + r"(?![%\w])" for form in sorted(encoded))]
    longest = max(words, key=len)
    hints = {longest, quote(longest)}
    return Needle("name", tuple(sorted(hints)), re.compile("|".join(alternatives)))


def national_id_needle(national_id: str) -> Needle | None:
    digits = re.sub(r"\D", "", national_id)
    if len(digits) != 13:
        return None
    pattern = re.compile(r"(?<!\d)" + _digits_pattern(digits) + r"(?!\d)")
    return Needle("national_id", (digits[5:10],), pattern)


def phone_needle(phone: str) -> Needle | None:
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("66"):
        digits = "0" + digits[2:]
    if len(digits) < 9 or not digits.startswith("0"):
        return None
    national = digits[1:]  # written after 0, +66 or 66, or with the 0 lost in a spreadsheet
    pattern = re.compile(
        r"(?<![\d+])(?:\+?66[\s.-]?(?:\(0\))?|0)?" + _digits_pattern(national) + r"(?!\d)"
    )
    return Needle("phone", (digits[-4:],), pattern)


@dataclass
class Identifiers:
    names: set[str] = field(default_factory=set)
    national_ids: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)

    def add(self, *, name="", national_id="", phone="") -> None:
        if name and name.strip() and name != ERASED_NAME:
            self.names.add(" ".join(name.split()))
        if national_id and national_id.strip():
            self.national_ids.add(national_id.strip())
        if phone and phone.strip():
            self.phones.add(phone.strip())

    def needles(self) -> list[Needle]:
        found = [name_needle(name) for name in sorted(self.names)]
        found += [national_id_needle(value) for value in sorted(self.national_ids)]
        found += [phone_needle(value) for value in sorted(self.phones)]
        return [needle for needle in found if needle is not None]


def scrub_text(text: str, needles: list[Needle]) -> str:
    for needle in needles:
        if needle.pattern.fullmatch(text.strip()):
            return needle.replacement(whole_value=True)
    for needle in needles:
        text = needle.pattern.sub(needle.replacement(whole_value=False), text)
    return text


def scrub_value(value, needles: list[Needle]):
    """A JSON value with every string scrubbed (keys are field names, left as they are)."""
    if isinstance(value, str):
        return scrub_text(value, needles)
    if isinstance(value, list):
        return [scrub_value(item, needles) for item in value]
    if isinstance(value, dict):
        return {key: scrub_value(item, needles) for key, item in value.items()}
    return value


# The database -----------------------------------------------------------------------------


def _text_fields(model) -> list[models.Field]:
    return [
        model_field
        for model_field in model._meta.concrete_fields
        if isinstance(model_field, models.CharField | models.TextField | models.JSONField)
        and not model_field.primary_key
        and not model_field.choices
    ]


def _unique_field_names(model) -> set[str]:
    names = {f.name for f in model._meta.concrete_fields if f.unique}
    for together in model._meta.unique_together:
        names.update(together)
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            names.update(constraint.fields)
    return names


def _models_to_scrub():
    for model in apps.get_models():
        if model._meta.label_lower in SKIPPED_TABLES or model._meta.app_label in SKIPPED_APPS:
            continue
        if model._meta.proxy or not model._meta.managed:
            continue
        text_fields = _text_fields(model)
        if text_fields:
            yield model, text_fields


def _hint_forms(hint: str) -> set[str]:
    # JSON columns read as text: PostgreSQL's jsonb gives the characters, SQLite the escaped
    # `\u0e2a` form Django writes (ensure_ascii).
    return {hint, json.dumps(hint)[1:-1]}


def scrub_database(needles: list[Needle]) -> dict[str, int]:
    """Scrub every text and JSON column of every table; the number of rows changed by table.
    Written with update(): no save signals, so no history row keeps a new copy; a record's
    version grows, so an edit page opened before the erasure cannot write the data back."""
    changed: dict[str, int] = {}
    hints = sorted(
        {form for needle in needles for hint in needle.hints for form in _hint_forms(hint)}
    )
    if not hints:
        return changed
    for model, text_fields in _models_to_scrub():
        annotations, condition = {}, Q()
        for model_field in text_fields:
            lookup = model_field.name
            if isinstance(model_field, models.JSONField):
                lookup = f"_erasure_{model_field.name}"
                annotations[lookup] = Cast(model_field.name, models.TextField())
            for hint in hints:
                condition |= Q(**{f"{lookup}__contains": hint})
        manager = model._base_manager
        candidates = manager.annotate(**annotations).filter(condition)
        names = [model_field.name for model_field in text_fields]
        unique = _unique_field_names(model)
        pk_name = model._meta.pk.name
        pending = []  # read everything first, then write: no update under an open cursor
        for row in candidates.values(pk_name, *names).iterator(chunk_size=500):
            updates = {}
            for model_field in text_fields:
                value = row[model_field.name]
                if value in (None, ""):
                    continue
                cleaned = scrub_value(value, needles)
                if cleaned == value:
                    continue
                if model_field.name in unique:
                    # Two rows scrubbed to the same marker must not collide.
                    cleaned = f"{cleaned or ERASED_NAME} #{row[pk_name]}"
                max_length = getattr(model_field, "max_length", None)
                if isinstance(cleaned, str) and max_length and len(cleaned) > max_length:
                    # A unique field keeps its distinguishing end (the row's number).
                    unique_field = model_field.name in unique
                    cleaned = cleaned[-max_length:] if unique_field else cleaned[:max_length]
                updates[model_field.name] = cleaned
            if updates:
                pending.append((row[pk_name], updates))
        has_version = any(f.name == "version" for f in model._meta.concrete_fields)
        for pk, updates in pending:
            if has_version:
                updates["version"] = F("version") + 1
            manager.filter(pk=pk).update(**updates)
        count = len(pending)
        if count:
            changed[model._meta.label_lower] = count
    return changed


# Stored import files ----------------------------------------------------------------------


def _readable_text(content: bytes, name: str) -> str:
    """Everything a stored spreadsheet says, as text to search."""
    if name.lower().endswith(".xlsx") or content[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                parts = [
                    archive.read(member).decode("utf-8", "replace")
                    for member in archive.namelist()
                    if member.endswith((".xml", ".rels"))
                ]
            return html.unescape("\n".join(parts))
        except zipfile.BadZipFile:
            pass
    for encoding in ("utf-8-sig", "cp874"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return content.decode("utf-8", "replace")


def files_holding(needles: list[Needle]) -> list[str]:
    """The stored import files (named in a batch or not) in which the person appears."""
    try:
        _folders, names = default_storage.listdir(IMPORT_FOLDER)
    except FileNotFoundError:
        return []
    found = []
    for name in names:
        path = f"{IMPORT_FOLDER}/{name}"
        with default_storage.open(path, "rb") as handle:
            text = _readable_text(handle.read(), name)
        if any(needle.pattern.search(text) for needle in needles):
            found.append(path)
    return found
