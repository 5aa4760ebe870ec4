"""Showing, logging, exporting and erasing personal data."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest

from councils.models import CouncilMember
from meetings.models import Attendance
from portal.roles import Role, has_role, is_viewer
from privacy.models import AccessLog, Erasure

ERASED_NAME = "[ลบข้อมูลตามคำขอ]"
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


def log_access(request: HttpRequest, action: str, records: QuerySet | list[Model]) -> None:
    """One line in the access log for the personal data of these records."""
    records = list(records)
    if not records:
        return
    AccessLog.objects.create(
        user=request.user,
        action=action,
        model=records[0]._meta.label_lower,
        object_ids=[record.pk for record in records],
        row_count=len(records),
        path=request.get_full_path()[:300],
    )


def log_personal_data_shown(request: HttpRequest, records) -> bool:
    """Whether the page may show these records' personal data in clear; logs it if so."""
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

    @property
    def total(self) -> int:
        return len(self.members) + len(self.attendance)


def find_person(query: str) -> PersonRecords:
    """Every record about a person, found by national ID or by full name (exactly)."""
    query = " ".join(query.split())
    if not query:
        return PersonRecords(CouncilMember.objects.none(), Attendance.objects.none())
    members = CouncilMember.objects.filter(Q(national_id=query) | Q(full_name=query))
    attendance = Attendance.objects.filter(person_name=query)
    return PersonRecords(
        members.select_related("council").order_by("pk"),
        attendance.select_related("meeting").order_by("pk"),
    )


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
    }


@transaction.atomic
def erase_person(user, records: PersonRecords, reference: str) -> Erasure:
    """Remove a person's data from their records and from those records' history, leaving
    an Erasure that says how many rows, by whom and when, but not whose."""
    member_ids = [member.pk for member in records.members]
    attendance_ids = [row.pk for row in records.attendance]
    CouncilMember.objects.filter(pk__in=member_ids).update(
        full_name=ERASED_NAME, national_id="", phone=""
    )
    Attendance.objects.filter(pk__in=attendance_ids).update(person_name=ERASED_NAME, phone="")
    for model, ids in ((CouncilMember, member_ids), (Attendance, attendance_ids)):
        history = getattr(model, "history", None)
        if history is not None:  # the history of the records keeps no copy either
            history.filter(id__in=ids).delete()
    erasure = Erasure.objects.create(
        erased_by=user,
        reference=reference,
        counts={"council_members": len(member_ids), "meeting_attendance": len(attendance_ids)},
    )
    AccessLog.objects.create(
        user=user,
        action=AccessLog.Action.ERASE,
        model="privacy.erasure",
        object_ids=[erasure.pk],
        row_count=len(member_ids) + len(attendance_ids),
    )
    return erasure
