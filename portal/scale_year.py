"""A year of use on top of the national data set: what twelve months of real work leave behind.

A national data set with every record at version 1 and no history hides the pages that slow
down with use (a council page after its people attended a 215-council forum never returned).
This adds, for every province: four provincial forums that invite every council and agency of
the province, two or three attendees per council, resolutions owned by councils and agencies
with follow-up notes, open ones carried to the next forum, photos; progress reports with photos
on the projects under way; history several versions deep on councils, projects and resolutions;
and council imports through the import centre (one of them undone).

Reproducible like the rest: the same seed and scale give the same rows. Synthetic rows are
marked `is_demo`.
"""

import datetime
import io
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max
from django.utils import timezone
from PIL import Image

from councils.models import Council
from meetings.models import (
    OPEN_STATUSES,
    Attendance,
    Meeting,
    MeetingPhoto,
    Resolution,
    ResolutionFollowUp,
)
from projects.models import ProgressPhoto, ProgressUpdate, Project

PREFIX = "[Y] "
FORUMS_PER_PROVINCE = 4
ATTENDEES_PER_COUNCIL = (1, 2, 2, 3, 4)
AGENCY_ATTENDEES = 5
RESOLUTIONS_PER_FORUM = 12
PHOTOS_PER_FORUM = 3
COUNCIL_EDITS = 3
PROJECT_EDITS = 2
IMPORT_ROWS = 20
BATCH = 5_000
PHOTO_NAME = "scale/forum.jpg"
THUMBNAIL_NAME = "scale/forum-thumb.jpg"
IMPORTER = "scale-importer"


def add_year_of_use(rng, councils, agencies, counts, say) -> None:
    """`councils`: (pk, district code, province code); `agencies`: province → agency pks."""
    if Meeting.objects.filter(title__startswith=PREFIX).exists():
        return
    today = timezone.localdate()
    photo, thumbnail = _sample_photo()
    _forums(rng, councils, agencies, today, photo, thumbnail, counts)
    say(f"forums: {counts.rows.get('forums', 0)}")
    _progress_reports(rng, today, photo, thumbnail, counts)
    say(f"progress updates: {counts.rows.get('progress updates', 0)}")
    _council_edits(rng, councils, today, counts)
    _project_edits(rng, today, counts)
    say(f"history rows: {counts.rows.get('history rows', 0)}")
    _imports(rng, councils, counts)
    say(f"import batches: {counts.rows.get('import batches', 0)}")


def _sample_photo() -> tuple[str, str]:
    """One small photo in storage, shared by every synthetic photo row."""
    for name, size in ((PHOTO_NAME, (640, 480)), (THUMBNAIL_NAME, (160, 120))):
        if not default_storage.exists(name):
            buffer = io.BytesIO()
            Image.new("RGB", size, (46, 125, 50)).save(buffer, "JPEG", quality=70)
            default_storage.save(name, ContentFile(buffer.getvalue()))
    return PHOTO_NAME, THUMBNAIL_NAME


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _dated(objects: list, when) -> list:
    """Give each object the date its history row should carry."""
    for item in objects:
        item._history_date = when(item)
    return objects


def _forums(rng, councils, agencies, today, photo, thumbnail, counts) -> None:
    by_province: dict[str, list[int]] = defaultdict(list)
    for pk, _district, province in councils:
        by_province[province].append(pk)
    first = today - datetime.timedelta(days=365)
    meetings, plans = [], []
    for province in sorted(by_province):
        for number in range(FORUMS_PER_PROVINCE):
            day = first + datetime.timedelta(days=45 + 90 * number)
            meetings.append(
                Meeting(
                    title=f"{PREFIX}เวทีภาคีความร่วมมือระดับจังหวัด ครั้งที่ {number + 1}",
                    meeting_type=Meeting.Type.PROVINCIAL_FORUM,
                    starts_at=_at(day),
                    ends_at=_at(day, 16),
                    province_id=province,
                    venue="ห้องประชุมศาลากลางจังหวัด",
                    chair_name="ผู้ว่าราชการจังหวัด",
                    minutes="ที่ประชุมรับทราบความก้าวหน้าและมีมติตามรายการ",
                    is_demo=True,
                )
            )
            plans.append((province, number))
    Meeting.objects.bulk_create(meetings, batch_size=BATCH)
    Meeting.history.bulk_history_create(
        _dated(meetings, lambda meeting: meeting.starts_at - datetime.timedelta(days=21)),
        batch_size=BATCH,
        default_change_reason="edit",
    )
    counts.add("forums", len(meetings))

    invited_councils, invited_agencies, attendance, photos = [], [], [], []
    council_through = Meeting.invited_councils.through
    agency_through = Meeting.invited_agencies.through
    for meeting, (province, _number) in zip(meetings, plans, strict=True):
        province_agencies = agencies.get(province, [])
        order = 0
        for council in by_province[province]:
            invited_councils.append(council_through(meeting_id=meeting.pk, council_id=council))
            for _person in range(ATTENDEES_PER_COUNCIL[rng.randrange(len(ATTENDEES_PER_COUNCIL))]):
                order += 1
                attendance.append(
                    Attendance(
                        meeting=meeting,
                        person_name=f"ผู้แทนสภา {council}-{order}",
                        position="ผู้แทนสภาองค์กรชุมชน",
                        council_id=council,
                        phone=f"08{rng.randrange(10_000_000, 99_999_999)}",
                        order=order,
                        is_demo=True,
                    )
                )
        for agency in province_agencies:
            invited_agencies.append(agency_through(meeting_id=meeting.pk, agency_id=agency))
        for agency in province_agencies[:AGENCY_ATTENDEES]:
            order += 1
            attendance.append(
                Attendance(
                    meeting=meeting,
                    person_name=f"ผู้แทนหน่วยงาน {agency}",
                    agency_id=agency,
                    order=order,
                    is_demo=True,
                )
            )
        for position in range(PHOTOS_PER_FORUM):
            photos.append(
                MeetingPhoto(
                    meeting=meeting,
                    image=photo,
                    thumbnail=thumbnail,
                    caption=f"บรรยากาศการประชุม {position + 1}",
                    position=position,
                    is_demo=True,
                )
            )
    council_through.objects.bulk_create(invited_councils, batch_size=BATCH)
    agency_through.objects.bulk_create(invited_agencies, batch_size=BATCH)
    starts = {meeting.pk: meeting.starts_at for meeting in meetings}
    for model, rows, label in (
        (Attendance, attendance, "forum attendance"),
        (MeetingPhoto, photos, "forum photos"),
    ):
        model.objects.bulk_create(rows, batch_size=BATCH)
        model.history.bulk_history_create(
            _dated(rows, lambda row: starts[row.meeting_id]), batch_size=BATCH
        )
        counts.add(label, len(rows))
    counts.add("invitations", len(invited_councils) + len(invited_agencies))
    _resolutions(rng, meetings, plans, by_province, agencies, today, counts)


def _resolutions(rng, meetings, plans, by_province, agencies, today, counts) -> None:
    """Resolutions of each forum, in order, so that the open ones of a forum are carried to
    the next forum of the same province."""
    still_open: dict[str, list[Resolution]] = {}
    all_resolutions, follow_ups, closed = [], [], []
    for meeting, (province, _number) in zip(meetings, plans, strict=True):
        day = timezone.localtime(meeting.starts_at).date()
        carried = still_open.pop(province, [])
        fresh = []
        for position, earlier in enumerate(carried, start=1):
            fresh.append(
                Resolution(
                    meeting=meeting,
                    position=position,
                    text=earlier.text,
                    owner_council_id=earlier.owner_council_id,
                    owner_agency_id=earlier.owner_agency_id,
                    due_on=day + datetime.timedelta(days=60),
                    status=earlier.status,
                    carried_from=earlier,
                    is_demo=True,
                )
            )
            follow_ups.append(
                ResolutionFollowUp(
                    resolution=earlier,
                    noted_on=day,
                    note=f"ยกไปติดตามในการประชุม “{meeting.title}”",
                    is_demo=True,
                )
            )
        councils = by_province[province]
        province_agencies = agencies.get(province, [])
        for position in range(len(carried) + 1, len(carried) + RESOLUTIONS_PER_FORUM + 1):
            by_council = position % 2 == 0 or not province_agencies
            fresh.append(
                Resolution(
                    meeting=meeting,
                    position=position,
                    text=f"มอบหมายให้ติดตามการขับเคลื่อนงานพัฒนาในพื้นที่ ข้อ {position}",
                    owner_council_id=councils[rng.randrange(len(councils))] if by_council else None,
                    owner_agency_id=None
                    if by_council
                    else province_agencies[rng.randrange(len(province_agencies))],
                    due_on=day + datetime.timedelta(days=rng.choice((30, 60, 90))),
                    status=Resolution.Status.OPEN,
                    is_demo=True,
                )
            )
        Resolution.objects.bulk_create(fresh, batch_size=BATCH)
        Resolution.history.bulk_history_create(
            _dated(fresh, lambda _row, day=day: _at(day, 16)), batch_size=BATCH
        )
        all_resolutions += fresh
        for resolution in fresh:
            if resolution.carried_from is not None:
                continue
            notes = rng.randrange(4)
            status = resolution.status
            for note in range(notes):
                noted_on = min(today, day + datetime.timedelta(days=15 * (note + 1)))
                status = rng.choice((Resolution.Status.IN_PROGRESS, Resolution.Status.DONE))
                follow_ups.append(
                    ResolutionFollowUp(
                        resolution=resolution,
                        noted_on=noted_on,
                        note=f"รายงานความก้าวหน้าครั้งที่ {note + 1}",
                        status=status,
                        is_demo=True,
                    )
                )
                if status == Resolution.Status.DONE:
                    break
            if status != resolution.status:
                resolution.status = status
                resolution.version += 1
                closed.append(resolution)
        still_open[province] = [r for r in fresh if r.status in OPEN_STATUSES][:6]
    Resolution.objects.bulk_update(closed, ["status", "version"], batch_size=BATCH)
    Resolution.history.bulk_history_create(
        _dated(closed, lambda row: row._history_date + datetime.timedelta(days=30)),
        batch_size=BATCH,
        update=True,
        default_change_reason="edit",
    )
    ResolutionFollowUp.objects.bulk_create(follow_ups, batch_size=BATCH)
    ResolutionFollowUp.history.bulk_history_create(
        _dated(follow_ups, lambda row: _at(row.noted_on, 15)), batch_size=BATCH
    )
    counts.add("forum resolutions", len(all_resolutions))
    counts.add("follow-ups", len(follow_ups))
    counts.add("history rows", len(closed))


def _progress_reports(rng, today, photo, thumbnail, counts) -> None:
    """Two or three progress reports on every project under way, a photo on the latest."""
    projects = list(
        Project.objects.filter(code__startswith="N-", status=Project.Status.IN_PROGRESS)
        .order_by("code")
        .values_list("pk", flat=True)
    )
    updates = []
    for project in projects:
        for number in range(rng.randrange(2, 4)):
            updates.append(
                ProgressUpdate(
                    project_id=project,
                    reported_on=today - datetime.timedelta(days=30 * (3 - number)),
                    percent_complete=25 * (number + 1),
                    text=f"ดำเนินการแล้วร้อยละ {25 * (number + 1)}",
                    is_demo=True,
                )
            )
    ProgressUpdate.objects.bulk_create(updates, batch_size=BATCH)
    ProgressUpdate.history.bulk_history_create(
        _dated(updates, lambda row: _at(row.reported_on, 14)), batch_size=BATCH
    )
    latest = {}
    for update in updates:
        latest[update.project_id] = update
    photos = [
        ProgressPhoto(update=update, image=photo, thumbnail=thumbnail, is_demo=True)
        for update in latest.values()
    ]
    ProgressPhoto.objects.bulk_create(photos, batch_size=BATCH)
    ProgressPhoto.history.bulk_history_create(
        _dated(photos, lambda row: _at(row.update.reported_on, 14)), batch_size=BATCH
    )
    counts.add("progress updates", len(updates))
    counts.add("progress photos", len(photos))


def _council_edits(rng, councils, today, counts) -> None:
    """Every council created with history, then edited a few times over the year."""
    records = list(Council.objects.filter(pk__in=[pk for pk, *_rest in councils]).order_by("pk"))
    first = today - datetime.timedelta(days=365)
    # Councils made by seed_demo have their creation in history already.
    recorded = set(Council.history.values_list("id", flat=True).distinct())
    unrecorded = [council for council in records if council.pk not in recorded]
    Council.history.bulk_history_create(
        _dated(unrecorded, lambda _row: _at(first - datetime.timedelta(days=30))),
        batch_size=BATCH,
    )
    rows = len(unrecorded)
    for edit in range(COUNCIL_EDITS):
        for council in records:
            council.households = (council.households or 0) + rng.randrange(-20, 40)
            council.phone = f"04{rng.randrange(10_000_000, 99_999_999)}"
            council.version += 1
        Council.objects.bulk_update(records, ["households", "phone", "version"], batch_size=BATCH)
        Council.history.bulk_history_create(
            _dated(
                records, lambda _row, edit=edit: _at(first + datetime.timedelta(days=100 * edit))
            ),
            batch_size=BATCH,
            update=True,
            default_change_reason="edit",
        )
        rows += len(records)
    counts.add("history rows", rows)


def _project_edits(rng, today, counts) -> None:
    """Projects of this and last fiscal year, created with history and moved along twice."""
    latest = Project.objects.filter(code__startswith="N-").aggregate(Max("fiscal_year"))
    year = latest["fiscal_year__max"]
    if year is None:
        return
    records = list(
        Project.objects.filter(code__startswith="N-", fiscal_year__gte=year - 1).order_by("pk")
    )
    first = today - datetime.timedelta(days=300)
    Project.history.bulk_history_create(_dated(records, lambda _row: _at(first)), batch_size=BATCH)
    rows = len(records)
    for edit in range(PROJECT_EDITS):
        for project in records:
            project.reached_households = min(
                project.target_households or 0, (project.reached_households or 0) + 5
            )
            project.version += 1
        Project.objects.bulk_update(records, ["reached_households", "version"], batch_size=BATCH)
        Project.history.bulk_history_create(
            _dated(
                records,
                lambda _row, edit=edit: _at(first + datetime.timedelta(days=120 * (edit + 1))),
            ),
            batch_size=BATCH,
            update=True,
            default_change_reason="edit",
        )
        rows += len(records)
    counts.add("history rows", rows)


def _imports(rng, councils, counts) -> None:
    """A council update from each province through the import centre (preview, commit), the
    way district offices send them; the first province's batch is then undone."""
    from imports import service  # noqa: PLC0415 - the import centre stands above this module

    importer, _created = get_user_model().objects.get_or_create(
        username=IMPORTER,
        defaults={"role": "admin", "first_name": "Scale data"},
    )
    if _created:
        # Nobody logs in as it: it only signs the synthetic imports.
        importer.set_unusable_password()
        importer.save(update_fields=["password"])
    by_province: dict[str, list[int]] = defaultdict(list)
    for pk, _district, province in councils:
        by_province[province].append(pk)
    codes = dict(
        Council.objects.filter(pk__in=[pk for pk, *_r in councils]).values_list("pk", "code")
    )
    batches = []
    for province in sorted(by_province):
        chosen = by_province[province][:IMPORT_ROWS]
        lines = ["code,households,population"]
        for council in chosen:
            households = rng.randrange(400, 4000)
            lines.append(f"{codes[council]},{households},{households * 3}")
        upload = SimpleUploadedFile(
            f"councils-{province}.csv", ("\n".join(lines) + "\n").encode(), "text/csv"
        )
        batch = service.store_upload(upload, "councils", importer)
        batches.append(service.commit(batch, importer, "all"))
    if batches:
        service.undo(batches[0], importer)
    counts.add("import batches", len(batches))
