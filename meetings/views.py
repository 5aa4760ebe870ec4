"""Pages of meetings."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from meetings import services
from meetings.filters import MeetingFilter, ResolutionFilter
from meetings.forms import (
    ATTENDANCE_PAGE_ROWS,
    AgendaFormSet,
    AttendanceFilterForm,
    AttendancePageFormSet,
    AttendanceUploadForm,
    CarryForm,
    FollowUpForm,
    MeetingForm,
    MeetingPartsForm,
    ObjectivesFormSet,
    OrganisersFormSet,
    PhotoCaptionsFormSet,
    ResolutionsFormSet,
)
from meetings.models import (
    OPEN_STATUSES,
    AgendaItem,
    Attendance,
    Meeting,
    MeetingObjective,
    MeetingOrganiser,
    MeetingPhoto,
    Resolution,
    ResolutionFollowUp,
)
from meetings.resources import MeetingResource, ResolutionResource
from portal.access import (
    can_create,
    can_edit,
    detail_rights,
    get_archivable_or_404,
    get_editable_or_404,
    get_visible_or_404,
)
from portal.editing import edit_page
from portal.forms import PhotoUploadForm
from portal.listing import RecordListView
from portal.pdf import pdf_response
from portal.record_views import archive_action, history_page, revert_action
from portal.roles import is_council_editor


def _count(queryset) -> Coalesce:
    """A correlated count, so that two counts on one row do not multiply each other."""
    counted = queryset.order_by().values("meeting").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


class MeetingListView(RecordListView):
    model = Meeting
    filterset_class = MeetingFilter
    template_name = "meetings/meeting_list.html"
    sort_fields = {
        "date": "starts_at",
        "title": "title",
        "type": "meeting_type",
        "attendance": "attendance_count",
        "open": "open_resolution_count",
    }
    default_sort = "-date"
    resource_class = MeetingResource
    export_basename = "meetings"

    def base_queryset(self):
        attendance = Attendance.objects.active().filter(meeting=OuterRef("pk"))
        open_resolutions = Resolution.objects.active().filter(
            meeting=OuterRef("pk"), status__in=OPEN_STATUSES
        )
        return (
            super()
            .base_queryset()
            .select_related("province", "district")
            .annotate(
                attendance_count=_count(attendance),
                open_resolution_count=_count(open_resolutions),
            )
        )


# People listed at a time on a meeting's page, and matters arising shown before the link to
# all of them in the register: a provincial forum invites hundreds of councils.
DETAIL_ATTENDANCE_ROWS = 50
DETAIL_ARISING_ROWS = 20


def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_visible_or_404(
        Meeting.objects.select_related("province", "district", "subdistrict"), request.user, pk=pk
    )
    attendance = Paginator(
        meeting.attendance.active().select_related("agency", "council"), DETAIL_ATTENDANCE_ROWS
    ).get_page(request.GET.get("page"))
    resolutions = meeting.resolutions.active().for_register()
    arising = (
        Resolution.objects.visible_to(request.user)
        .active()
        .arising_for(meeting)
        .for_register()
        .order_by("meeting__starts_at", "position")
    )
    # One more than shown tells whether there are more, without counting them all.
    shown_arising = list(arising[: DETAIL_ARISING_ROWS + 1])
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "organisers": meeting.organiser_links.active().select_related("agency"),
            "invited_councils": meeting.invited_councils.select_related("district").order_by(
                "district__code", "name_th"
            ),
            "invited_agencies": meeting.invited_agencies.order_by("name_th"),
            "objectives": meeting.objectives.active(),
            "agenda": meeting.agenda_items.active(),
            "matters_arising": shown_arising[:DETAIL_ARISING_ROWS],
            "more_arising": len(shown_arising) > DETAIL_ARISING_ROWS,
            "attendance": attendance,
            "page_obj": attendance,
            "paginator": attendance.paginator,
            "by_sector": meeting.attendance_by_sector(),
            "by_council": meeting.attendance_by_council(),
            "resolutions": resolutions,
            "photos": meeting.photos.active(),
            "today": timezone.localdate(),
            **detail_rights(request.user, meeting),
            "can_duplicate": not meeting.is_archived and can_create(request.user, Meeting),
            "photo_form": PhotoUploadForm(),
        },
    )


def _meeting_rows(user) -> dict:
    """The lists a meeting's edit page keeps with it (a revert runs their checks too)."""
    return {
        "organisers": OrganisersFormSet,
        "objectives": ObjectivesFormSet,
        "agenda": AgendaFormSet,
        "resolutions": ResolutionsFormSet.for_user(user),
    }


def _meeting_page(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    return edit_page(
        request,
        instance=meeting,
        form_class=MeetingForm,
        form_kwargs={"request": request},
        formsets=_meeting_rows(request.user),
        template_name="meetings/meeting_form.html",
        context={
            "wide_fields": ["title", "venue", "target_sectors"],
            "half_fields": ["invited_councils", "invited_agencies"],
        },
    )


@sensitive_post_parameters()
def meeting_create(request: HttpRequest) -> HttpResponse:
    if not can_create(request.user, Meeting):
        raise PermissionDenied
    return _meeting_page(request, Meeting())


@sensitive_post_parameters()
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _meeting_page(
        request, get_editable_or_404(Meeting.objects.active(), request.user, pk=pk)
    )


def meeting_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """Who came: typed row by row, a page of rows (or one council's) at a time, or a
    spreadsheet of the sign-in sheet uploaded."""
    meeting = get_editable_or_404(Meeting.objects.active(), request.user, pk=pk)
    chooser = AttendanceFilterForm(request.GET or None, meeting=meeting)
    council = chooser.chosen()
    rows = meeting.attendance.active()
    if council is not None:
        rows = rows.filter(council=council)
    page = Paginator(rows.values_list("pk", flat=True), ATTENDANCE_PAGE_ROWS).get_page(
        request.GET.get("page")
    )
    return edit_page(
        request,
        instance=meeting,
        form_class=MeetingPartsForm,
        formsets={"attendance": AttendancePageFormSet.showing(page.object_list, council)},
        template_name="meetings/attendance_form.html",
        context={
            "upload_form": AttendanceUploadForm(),
            "chooser": chooser,
            "council": council,
            "page_obj": page,
            "paginator": page.paginator,
            "invited": meeting.invited_with_attendance(),
        },
        success_url=request.get_full_path(),
    )


# Rows for people not invited by name: enough to fill the first landscape page at least.
SIGN_IN_BLANK_ROWS = 12


def meeting_sign_in_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable sign-in sheet: one row per invited council and agency, then blank rows.
    Always in Thai with the Buddhist-era date: it is signed on paper at the meeting."""
    meeting = get_visible_or_404(Meeting.objects.active(), request.user, pk=pk)
    invited = [
        *(council.name_th for council in meeting.invited_councils.order_by("name_th")),
        *(agency.name_th for agency in meeting.invited_agencies.order_by("sector", "name_th")),
    ]
    start = timezone.localtime(meeting.starts_at)
    end = timezone.localtime(meeting.ends_at) if meeting.ends_at else None
    with translation.override("th"):
        return pdf_response(
            "documents/meeting_sign_in.html",
            {
                "meeting": meeting,
                "invited": invited,
                "blank_rows": range(len(invited) + 1, len(invited) + SIGN_IN_BLANK_ROWS + 1),
                "start_time": start.strftime("%H:%M") + " น.",
                "end_time": end.strftime("%H:%M") + " น." if end else "",
            },
            request,
            f"sign-in-{meeting.pk}.pdf",
        )


@require_POST
def meeting_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a new meeting from a past one; the user then sets its date on the edit page."""
    meeting = get_visible_or_404(Meeting.objects.active(), request.user, pk=pk)
    if not can_create(request.user, Meeting):
        raise PermissionDenied
    copy = services.duplicate_meeting(meeting, request.user)
    messages.success(
        request,
        _(
            "A new meeting was made from “%(meeting)s”, dated today. Set its date and check "
            "the rest before sending invitations."
        )
        % {"meeting": meeting},
    )
    return redirect("meetings:edit", pk=copy.pk)


@require_POST
def meeting_photos_upload(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_editable_or_404(Meeting.objects.active(), request.user, pk=pk)
    form = PhotoUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.errors.get("photos", []) + form.errors.get("caption", []):
            messages.error(request, error)
        return redirect(f"{meeting.get_absolute_url()}#photos")
    with transaction.atomic():
        start = meeting.photos.count()
        for number, photo in enumerate(form.cleaned_data["photos"], start=start + 1):
            MeetingPhoto.objects.create(
                meeting=meeting,
                image=photo.image,
                thumbnail=photo.thumbnail,
                caption=form.cleaned_data["caption"],
                position=number,
            )
    count = len(form.cleaned_data["photos"])
    messages.success(
        request,
        ngettext("%(count)s photo was added.", "%(count)s photos were added.", count)
        % {"count": count},
    )
    return redirect(f"{meeting.get_absolute_url()}#photos")


def meeting_photo_captions(request: HttpRequest, pk: int) -> HttpResponse:
    """Each photo's caption and order; a removed photo is archived, not deleted."""
    meeting = get_editable_or_404(Meeting.objects.active(), request.user, pk=pk)
    return edit_page(
        request,
        instance=meeting,
        form_class=MeetingPartsForm,
        formsets={"photos": PhotoCaptionsFormSet},
        template_name="meetings/photo_captions.html",
    )


def meeting_history(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_visible_or_404(Meeting.objects.all(), request.user, pk=pk)
    return history_page(
        request,
        meeting,
        [
            MeetingObjective.history.filter(meeting_id=pk),
            MeetingOrganiser.history.filter(meeting_id=pk),
            Attendance.history.filter(meeting_id=pk),
            Resolution.history.filter(meeting_id=pk),
            AgendaItem.history.filter(meeting_id=pk),
            MeetingPhoto.history.filter(meeting_id=pk),
            ResolutionFollowUp.history.filter(
                resolution_id__in=Resolution.objects.filter(meeting_id=pk).values("pk")
            ),
        ],
    )


@require_http_methods(["GET", "POST"])  # GET: what it would change, to confirm
def meeting_revert(request: HttpRequest, pk: int, history_id: int) -> HttpResponse:
    meeting = get_editable_or_404(Meeting.objects.all(), request.user, pk=pk)
    return revert_action(request, meeting, history_id, MeetingForm, _meeting_rows(request.user))


@require_POST
def meeting_archive(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_archivable_or_404(Meeting.objects.active(), request.user, pk=pk)
    return archive_action(request, meeting, restoring=False)


@require_POST
def meeting_restore(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_archivable_or_404(Meeting.objects.archived(), request.user, pk=pk)
    return archive_action(request, meeting, restoring=True)


# --- resolution register --------------------------------------------------------------------


class ResolutionListView(RecordListView):
    model = Resolution
    filterset_class = ResolutionFilter
    template_name = "meetings/resolution_list.html"
    sort_fields = {
        "due": "due_on",
        "meeting": "meeting__starts_at",
        "status": "status",
        "followed": "last_noted_on",
    }
    default_sort = "due"
    resource_class = ResolutionResource
    export_basename = "resolutions"

    def base_queryset(self):
        return super().base_queryset().for_register()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["today"] = timezone.localdate()
        return context


def can_follow_up(user, resolution: Resolution) -> bool:
    """Who records progress on a resolution: those who edit its meeting, and the editor of
    the council that owns it (the council reports on what it was asked to do)."""
    if can_edit(user, resolution):
        return True
    return (
        is_council_editor(user)
        and user.scope.council_id is not None
        and resolution.owner_council_id == user.scope.council_id
    )


def resolution_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resolution = get_visible_or_404(Resolution.objects.for_register(), request.user, pk=pk)
    return _resolution_page(request, resolution)


def _resolution_page(
    request, resolution, *, follow_up_form=None, carry_form=None, status=200
) -> HttpResponse:
    visible = Resolution.objects.visible_to(request.user).active()
    editable = can_edit(request.user, resolution)
    if follow_up_form is None and can_follow_up(request.user, resolution):
        follow_up_form = FollowUpForm(prefix="follow")
    if carry_form is None and editable:
        carry_form = CarryForm(prefix="carry", resolution=resolution, user=request.user)
    return render(
        request,
        "meetings/resolution_detail.html",
        {
            "resolution": resolution,
            "follow_ups": resolution.follow_ups.active().order_by("-noted_on", "-id"),
            "carried_to": visible.filter(carried_from=resolution).select_related("meeting"),
            "today": timezone.localdate(),
            "can_edit": editable,
            "follow_up_form": follow_up_form,
            "carry_form": carry_form,
        },
        status=status,
    )


@require_POST
def resolution_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    resolution = get_visible_or_404(Resolution.objects.active().for_register(), request.user, pk=pk)
    if not can_follow_up(request.user, resolution):
        raise PermissionDenied
    form = FollowUpForm(request.POST, prefix="follow")
    if not form.is_valid():
        messages.error(request, _("Please correct the errors below. Nothing was saved."))
        return _resolution_page(request, resolution, follow_up_form=form, status=400)
    services.add_follow_up(resolution, form.save(commit=False))
    messages.success(request, _("The follow-up note was saved."))
    return redirect(resolution.get_absolute_url())


@require_POST
def resolution_carry(request: HttpRequest, pk: int) -> HttpResponse:
    resolution = get_editable_or_404(
        Resolution.objects.active().for_register(), request.user, pk=pk
    )
    form = CarryForm(request.POST, prefix="carry", resolution=resolution, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Please correct the errors below. Nothing was saved."))
        return _resolution_page(
            request,
            resolution,
            follow_up_form=FollowUpForm(prefix="follow"),
            carry_form=form,
            status=400,
        )
    try:
        carried = services.carry_over(
            resolution, form.cleaned_data["meeting"], form.cleaned_data["due_on"], get_language()
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(resolution.get_absolute_url())
    messages.success(
        request,
        _("The resolution was carried to “%(meeting)s”.") % {"meeting": carried.meeting},
    )
    return redirect(carried.get_absolute_url())
