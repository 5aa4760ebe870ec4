"""Choices of the meeting picker (see `portal.pickers`): meetings the user can see."""

from django.http import HttpRequest, JsonResponse
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.timezone import localtime
from django.views.decorators.http import require_GET

from meetings.models import Meeting
from portal.lib import dates
from portal.pickers import PickerSelect, choices_response


def meeting_label(meeting: Meeting) -> str:
    language = translation.get_language() or "th"
    held = dates.format_date(localtime(meeting.starts_at).date(), language)
    return f"{meeting.title} ({held})"


def meeting_picker() -> PickerSelect:
    return PickerSelect(reverse_lazy("meetings:choices"), label=meeting_label)


@require_GET
def meeting_choices(request: HttpRequest) -> JsonResponse:
    meetings = Meeting.objects.visible_to(request.user).active().order_by("-starts_at", "-pk")
    return choices_response(request, meetings, fields=("title", "venue"), label=meeting_label)
