"""Showing, logging, exporting and erasing personal data."""

import json
import re
from dataclasses import dataclass, field

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Model, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from councils.models import CouncilMember
from meetings.models import Attendance
from portal.history import PERSONAL_FIELDS
from portal.lib.thai_text import arabic_digits
from portal.roles import Role, has_role, is_viewer
from privacy.erasure import ERASED_NAME, Identifiers, files_holding, scrub_database, scrub_text
from privacy.models import AccessLog, Erasure

# Who handles personal data as part of their work sees it in clear (and is logged);
# a viewer sees it masked unless they hold the reveal permission and ask.
CLEAR_ROLES = (Role.ADMIN, Role.STAFF, Role.COUNCIL_EDITOR)


def shows_personal_data(request: HttpRequest) -> bool:
    user = request.user
    if has_role(user, *CLEAR_ROLES):
        return True
    return can_reveal(user) and request.GET.get("reveal") == "1"


def can_reveal(user) -> bool:
    return user.is_authenticated and user.has_perm("accounts.reveal_personal_data")


def mark_personal_data(request: HttpRequest) -> None:
    """This response carries personal data: no browser or proxy may keep a copy of it
    (privacy.middleware.NoStorePersonalData sends `Cache-Control: no-store`)."""
    request.carries_personal_data = True


def log_access(
    request: HttpRequest,
    action: str,
    records: QuerySet | list[Model],
    row_count: int | None = None,
) -> None:
    """One line in the access log for the personal data of these records."""
    records = list(records)
    if not records:
        return
    mark_personal_data(request)
    AccessLog.objects.create(
        user=request.user,
        action=action,
        model=records[0]._meta.label_lower,
        object_ids=[record.pk for record in records],
        row_count=len(records) if row_count is None else row_count,
        # The path alone: a query string may carry what a user searched for (a name).
        path=request.path[:300],
    )


def has_personal_data_fields(model) -> bool:
    return model._meta.label_lower in PERSONAL_FIELDS


def has_personal_data(record: Model) -> bool:
    fields = PERSONAL_FIELDS.get(record._meta.label_lower, ())
    return any(getattr(record, name, "") for name in fields)


def log_personal_rows_shown(request: HttpRequest, formsets) -> None:
    """An edit page shows the phone and ID numbers of its rows in clear to whoever may edit
    them: one access-log line per kind of row that has any. Such a page is never stored,
    even empty (what was typed comes back in it when the form has an error)."""
    for formset in formsets:
        if not has_personal_data_fields(formset.model):
            continue
        mark_personal_data(request)
        rows = [form.instance for form in formset.initial_forms]
        log_personal_data_shown(request, [row for row in rows if has_personal_data(row)])


def log_personal_data_shown(request: HttpRequest, records) -> bool:
    """Whether the page may show these records' personal data in clear; logs it if so."""
    mark_personal_data(request)
    shown = shows_personal_data(request)
    if shown:
        revealing = request.GET.get("reveal") == "1" and is_viewer(request.user)
        log_access(
            request, AccessLog.Action.REVEAL if revealing else AccessLog.Action.VIEW, records
        )
    return shown


@dataclass
class PersonRecords:
    members: QuerySet
    attendance: QuerySet
    # Earlier versions of other records that once carried the person (a member row later
    # given to someone else): only their history holds the person now.
    earlier: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.members) + len(self.attendance) + len(self.earlier)

    def identifiers(self, query: str) -> Identifiers:
        found = Identifiers()
        if NATIONAL_ID_QUERY.fullmatch(query):
            found.add(national_id=query)
        else:
            found.add(name=query)
        earlier_members = [row for row in self.earlier if hasattr(row, "full_name")]
        for member in [*self.members, *earlier_members]:
            found.add(name=member.full_name, national_id=member.national_id, phone=member.phone)
        earlier_attendance = [row for row in self.earlier if hasattr(row, "person_name")]
        for row in [*self.attendance, *earlier_attendance]:
            found.add(name=row.person_name, phone=row.phone)
        return found


NATIONAL_ID_QUERY = re.compile(r"\d{13}")


def normalise_query(query: str) -> str:
    """A name with its spaces made single; a national ID as its 13 digits however typed."""
    query = " ".join(query.split())
    digits = re.sub(r"[\s-]", "", arabic_digits(query))
    return digits if NATIONAL_ID_QUERY.fullmatch(digits) else query


def find_person(query: str) -> PersonRecords:
    """Every record about a person, found by national ID or by full name (exactly): their
    member rows, the attendance rows under their name (or the name of a member row found by
    ID), and the history of other records that once carried the ID or the name."""
    query = normalise_query(query)
    if not query:
        return PersonRecords(CouncilMember.objects.none(), Attendance.objects.none())
    matches_member = Q(national_id=query) | Q(full_name=query)
    members = CouncilMember.objects.filter(matches_member).select_related("council").order_by("pk")
    names = {query} | {member.full_name for member in members}
    attendance = (
        Attendance.objects.filter(person_name__in=names).select_related("meeting").order_by("pk")
    )
    earlier = list(
        CouncilMember.history.filter(matches_member)
        .exclude(id__in=[member.pk for member in members])
        .order_by("id", "history_id")
    ) + list(
        Attendance.history.filter(person_name__in=names)
        .exclude(id__in=[row.pk for row in attendance])
        .order_by("id", "history_id")
    )
    return PersonRecords(members, attendance, earlier)


def person_export(records: PersonRecords) -> dict:
    return {
        "council_members": [
            {
                "council": str(member.council),
                "full_name": member.full_name,
                "role": member.get_role_display(),
                "national_id": member.national_id,
                "phone": member.phone,
                "term_start": member.term_start.isoformat() if member.term_start else None,
                "term_end": member.term_end.isoformat() if member.term_end else None,
                "recorded": member.created_at.isoformat(),
            }
            for member in records.members
        ],
        "meeting_attendance": [
            {
                "meeting": str(row.meeting),
                "date": row.meeting.starts_at.isoformat(),
                "name": row.person_name,
                "position": row.position,
                "phone": row.phone,
                "organisation": row.organisation,
            }
            for row in records.attendance
        ],
        "earlier_versions": [
            {
                "record": f"{row.instance._meta.verbose_name} #{row.id}",
                "until": row.history_date.isoformat(),
                "name": getattr(row, "full_name", "") or getattr(row, "person_name", ""),
                "national_id": getattr(row, "national_id", ""),
                "phone": row.phone,
            }
            for row in records.earlier
        ],
    }


@transaction.atomic
def erase_person(user, records: PersonRecords, query: str, reference: str) -> Erasure:
    """Remove a person's data from their records and their history, and then their name, ID
    and phone from every other place the portal keeps text (other records' history, import
    batches and their stored files, the access log, the admin log, task results), leaving an
    Erasure that says how many rows, by whom and when, but not whose."""
    needles = records.identifiers(normalise_query(query)).needles()
    member_ids = [member.pk for member in records.members]
    attendance_ids = [row.pk for row in records.attendance]
    CouncilMember.objects.filter(pk__in=member_ids).update(
        full_name=ERASED_NAME, national_id="", phone="", version=F("version") + 1
    )
    Attendance.objects.filter(pk__in=attendance_ids).update(
        person_name=ERASED_NAME, phone="", version=F("version") + 1
    )
    for model, ids in ((CouncilMember, member_ids), (Attendance, attendance_ids)):
        model.history.filter(id__in=ids).delete()  # the records' history keeps no copy either
    corrected = batches_corrected_with(needles)  # before the scrub empties their corrections
    other_rows = scrub_database(needles)
    files = erase_import_files(needles, corrected)
    erasure = Erasure.objects.create(
        erased_by=user,
        reference=scrub_text(reference, needles),
        counts={
            "council_members": len(member_ids),
            "meeting_attendance": len(attendance_ids),
            "other_rows": sum(other_rows.values()),
            "import_files": files,
        },
    )
    AccessLog.objects.create(
        user=user,
        action=AccessLog.Action.ERASE,
        model="privacy.erasure",
        object_ids=[erasure.pk],
        row_count=len(member_ids) + len(attendance_ids),
    )
    return erasure


def batches_corrected_with(needles) -> list[int]:
    """Batches waiting for confirmation whose rows corrected in the browser hold the person."""
    from imports.models import ImportBatch  # noqa: PLC0415 - imports stands above privacy

    pending = ImportBatch.objects.filter(status=ImportBatch.Status.PREVIEW).exclude(corrections={})
    return [
        pk
        for pk, corrections in pending.values_list("pk", "corrections")
        if any(
            needle.pattern.search(json.dumps(corrections, ensure_ascii=False)) for needle in needles
        )
    ]


def erase_import_files(needles, corrected=()) -> int:
    """Delete the stored import files that hold the person; their batches keep their (scrubbed)
    preview. A batch still waiting for confirmation is cancelled, so it cannot bring the
    person back, and says why; so is one whose corrections (`corrected`) held the person."""
    from imports.models import ImportBatch  # noqa: PLC0415 - imports stands above privacy
    from imports.service import stored_message  # noqa: PLC0415

    paths = files_holding(needles)
    pending = (
        ImportBatch.Status.QUEUED,
        ImportBatch.Status.CHECKING,
        ImportBatch.Status.PREVIEW,
        ImportBatch.Status.IMPORTING,
    )
    for batch in ImportBatch.objects.filter(Q(file__in=paths) | Q(pk__in=list(corrected))):
        fields = []
        notice = ERASED_CORRECTION_NOTICE
        if batch.file.name in paths:
            batch.file = ""
            fields.append("file")
            notice = ERASED_FILE_NOTICE
        if batch.status in pending:
            batch.status = ImportBatch.Status.CANCELLED
            batch.notice = stored_message(notice)
            fields += ["status", "notice"]
        batch.save(update_fields=fields)
    # Once the erasure is committed: a failed erasure must leave every batch its file.
    transaction.on_commit(lambda: [default_storage.delete(path) for path in paths])
    return len(paths)


ERASED_CORRECTION_NOTICE = gettext_lazy(
    "This import was cancelled: a person's data typed into its corrected rows was erased on "
    "request. Upload the file again if it is still needed."
)
ERASED_FILE_NOTICE = gettext_lazy(
    "This import was cancelled and its file deleted: a person's data in it was erased on "
    "request. Upload the file again without that person if it is still needed."
)
