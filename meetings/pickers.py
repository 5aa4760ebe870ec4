"""Choices of the meeting picker (see `portal.pickers`): meetings the user can see."""

from urllib.parse import urlencode

from django.db.models import Subquery
from django.http import HttpRequest, JsonResponse
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.text import format_lazy
from django.utils.timezone import localtime
from django.views.decorators.http import require_GET

from meetings.models import Meeting
from portal.lib import dates
from portal.pickers import PickerSelect, choices_response


def meeting_label(meeting: Meeting) -> str:
    language = translation.get_language() or "th"
    held = dates.format_date(localtime(meeting.starts_at).date(), language)
    return f"{meeting.title} ({held})"


def meeting_picker(*, after: int | None = None, province: str | None = None) -> PickerSelect:
    """A meeting picker; with `after` (a meeting's id), only the meetings held later; with
    `province` (a code), only that province's."""
    query = urlencode({k: v for k, v in (("after", after), ("province", province)) if v})
    url = reverse_lazy("meetings:choices")
    if query:
        url = format_lazy("{}?{}", url, query)
    return PickerSelect(url, label=meeting_label)


@require_GET
def meeting_choices(request: HttpRequest) -> JsonResponse:
    visible = Meeting.objects.visible_to(request.user).active()
    meetings = visible.order_by("-starts_at", "-pk")
    after = request.GET.get("after", "")
    if after.isdigit():  # the later meetings a resolution may be carried to, soonest first
        held = visible.filter(pk=after).values("starts_at")[:1]
        meetings = visible.filter(starts_at__gt=Subquery(held)).order_by("starts_at", "pk")
    province = request.GET.get("province", "")
    if province.isdigit():
        meetings = meetings.filter(province_id=province)
    return choices_response(request, meetings, fields=("title", "venue"), label=meeting_label)
