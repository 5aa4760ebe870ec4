"""Writes about meetings that span several records."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.models import (
    OPEN_STATUSES,
    AgendaItem,
    Meeting,
    MeetingObjective,
    MeetingOrganiser,
    Resolution,
    ResolutionFollowUp,
)
from portal.lib.dates import format_date


def next_position(queryset) -> int:
    return (queryset.active().aggregate(top=Max("position"))["top"] or 0) + 1


@transaction.atomic
def add_follow_up(resolution: Resolution, follow_up: ResolutionFollowUp) -> ResolutionFollowUp:
    """Save a follow-up note; a status given with it becomes the resolution's status."""
    follow_up.resolution = resolution
    follow_up.save()
    if follow_up.status and follow_up.status != resolution.status:
        resolution.status = follow_up.status
        resolution.save(update_fields=["status"])
    return follow_up


@transaction.atomic
def carry_over(
    resolution: Resolution, meeting: Meeting, due_on: datetime.date | None, language: str
) -> Resolution:
    """A new resolution at the later meeting, linked back to this one; this one gets a
    follow-up note saying where it went, so that its own record tells the story too."""
    locked = Resolution.objects.select_for_update().get(pk=resolution.pk)
    # Checked again under the lock: two requests (a double click) may both have passed the
    # form before either saved.
    if Resolution.objects.active().filter(carried_from=locked).exists():
        raise ValidationError(_("This resolution has already been carried over."))
    if locked.status not in OPEN_STATUSES:
        raise ValidationError(_("Only an open or in-progress resolution is carried."))
    owner = locked.owner_council
    if owner is not None and owner.district.province_id != meeting.province_id:
        raise ValidationError(
            _("%(council)s owns this resolution: it is carried to a meeting of its province.")
            % {"council": owner}
        )
    carried = Resolution.objects.create(
        meeting=meeting,
        position=next_position(meeting.resolutions),
        text=locked.text,
        owner_council_id=locked.owner_council_id,
        owner_agency_id=locked.owner_agency_id,
        due_on=due_on or locked.due_on,
        status=locked.status,
        carried_from=locked,
    )
    day = format_date(timezone.localtime(meeting.starts_at).date(), language)
    ResolutionFollowUp.objects.create(
        resolution=locked,
        noted_on=timezone.localdate(),
        note=_("Carried to the meeting “%(meeting)s” of %(date)s.")
        % {"meeting": meeting.title, "date": day},
    )
    return carried


@transaction.atomic
def duplicate_meeting(meeting: Meeting, user) -> Meeting:
    """A new meeting to prepare from a past one: what it was and who it was for, but none of
    what happened at it (attendance, minutes, resolutions, photos). It starts today at the
    same time, for the user to set the real date. Only the councils the user may see are
    invited again: the meeting's invitation decides which council editors see it."""
    start = timezone.localtime(meeting.starts_at)
    today = timezone.localdate()
    starts_at = timezone.make_aware(datetime.datetime.combine(today, start.time()))
    ends_at = None
    if meeting.ends_at:
        ends_at = starts_at + (meeting.ends_at - meeting.starts_at)
    copy = Meeting.objects.create(
        title=meeting.title,
        meeting_type=meeting.meeting_type,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=meeting.venue,
        province_id=meeting.province_id,
        district_id=meeting.district_id,
        subdistrict_id=meeting.subdistrict_id,
        chair_name=meeting.chair_name,
        chair_position=meeting.chair_position,
        summary=meeting.summary,
        target_sectors=list(meeting.target_sectors),
    )
    copy.invited_councils.set(meeting.invited_councils.visible_to(user).active())
    copy.invited_agencies.set(meeting.invited_agencies.all())
    for link in meeting.organiser_links.active():
        MeetingOrganiser.objects.create(meeting=copy, agency_id=link.agency_id, role=link.role)
    for objective in meeting.objectives.active():
        MeetingObjective.objects.create(
            meeting=copy, position=objective.position, text=objective.text
        )
    for item in meeting.agenda_items.active():
        AgendaItem.objects.create(
            meeting=copy,
            position=item.position,
            title=item.title,
            presenter=item.presenter,
            notes=item.notes,
        )
    return copy
