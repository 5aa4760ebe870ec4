"""Meetings by month, and an iCalendar feed a phone's calendar subscribes to.

The feed cannot use the login session (calendar apps do not log in), so its address carries
a per-user secret token, stored only as its hash and shown once when it is made; resetting
the token (or changing the password) cuts off every copy of the old address. The feed holds
exactly the meetings the token's user may see.
"""

import calendar
import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from icalendar import Calendar, Event

from meetings.models import Meeting
from portal.lib.dates import THAI_MONTHS_FULL, to_buddhist_year

# How far back the feed reaches: a meeting just held stays in the phone's calendar a while.
FEED_PAST_DAYS = 60
FEED_LIMIT = 1000
ENGLISH_MONTHS = [calendar.month_name[number] for number in range(1, 13)]


def month_label(year: int, month: int, language: str) -> str:
    if language.startswith("th"):
        return f"{THAI_MONTHS_FULL[month - 1]} {to_buddhist_year(year)}"
    return f"{ENGLISH_MONTHS[month - 1]} {year}"


def _month_of(request: HttpRequest) -> tuple[int, int]:
    """`?month=2022-12` (Christian era, as in the links), else this month in Bangkok."""
    text = request.GET.get("month", "")[:10]  # `2022-12`: a longer value is not a month
    try:
        year, month = (int(part) for part in text.split("-"))
        datetime.date(year, month, 1)
        if not 1900 <= year <= 2200:
            raise ValueError
    except ValueError:
        today = timezone.localdate()
        return today.year, today.month
    return year, month


def _shift(year: int, month: int, months: int) -> str:
    index = year * 12 + month - 1 + months
    return f"{index // 12:04}-{index % 12 + 1:02}"


def meeting_calendar(request: HttpRequest) -> HttpResponse:
    year, month = _month_of(request)
    first = datetime.date(year, month, 1)
    last = datetime.date(year, month, calendar.monthrange(year, month)[1])
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time()))
    end = timezone.make_aware(datetime.datetime.combine(last, datetime.time())) + (
        datetime.timedelta(days=1)
    )
    meetings = list(
        Meeting.objects.visible_to(request.user)
        .active()
        .filter(starts_at__gte=start, starts_at__lt=end)
        .select_related("district")
        .order_by("starts_at")
    )
    by_day: dict[datetime.date, list[Meeting]] = {}
    for meeting in meetings:
        by_day.setdefault(timezone.localtime(meeting.starts_at).date(), []).append(meeting)
    # Thai wall calendars start the week on Sunday.
    weeks = [
        [(day, day.month == month, by_day.get(day, [])) for day in week]
        for week in calendar.Calendar(firstweekday=calendar.SUNDAY).monthdatescalendar(year, month)
    ]
    language = get_language() or "th"
    weekdays = (
        ["อา.", "จ.", "อ.", "พ.", "พฤ.", "ศ.", "ส."]
        if language.startswith("th")
        else ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    )
    return render(
        request,
        "meetings/calendar.html",
        {
            "month_label": month_label(year, month, language),
            "weeks": weeks,
            "weekdays": weekdays,
            "meetings": meetings,
            "previous_month": _shift(year, month, -1),
            "next_month": _shift(year, month, 1),
            "today": timezone.localdate(),
            "has_calendar_address": request.user.has_calendar_address,
        },
    )


@require_POST
def calendar_token_reset(request: HttpRequest) -> HttpResponse:
    """Make a new calendar address and show it, once: only its token's hash is kept, so this
    answer (not a redirect, never cached) is the one place it appears."""
    had_one = request.user.has_calendar_address
    token = request.user.reset_calendar_token()
    response = render(
        request,
        "meetings/calendar_address.html",
        {
            "feed_url": request.build_absolute_uri(reverse("meetings:calendar_feed", args=[token])),
            "replaced": had_one,
        },
    )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_not_required
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    user = get_user_model().for_calendar_token(token)
    if user is None:
        raise Http404
    since = timezone.now() - datetime.timedelta(days=FEED_PAST_DAYS)
    meetings = (
        Meeting.objects.visible_to(user)
        .active()
        .filter(starts_at__gte=since)
        .select_related("province", "district")
        .order_by("starts_at")[:FEED_LIMIT]
    )
    feed = Calendar()
    feed.add("prodid", "-//Sisaket Partnership Portal//meetings//TH")
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("x-wr-calname", _("Partnership meetings"))
    feed.add("x-wr-timezone", "Asia/Bangkok")
    host = request.get_host().split(":")[0]
    for meeting in meetings:
        event = Event()
        event.add("uid", f"meeting-{meeting.pk}@{host}")
        event.add("dtstamp", meeting.updated_at)
        event.add("last-modified", meeting.updated_at)
        event.add("sequence", meeting.version)
        event.add("dtstart", meeting.starts_at)
        event.add("dtend", meeting.ends_at or meeting.starts_at + datetime.timedelta(hours=2))
        event.add("summary", meeting.title)
        place = [meeting.venue]
        if meeting.district:
            place.append(meeting.district.name_th)
        place.append(meeting.province.name_th)
        event.add("location", ", ".join(part for part in place if part))
        url = request.build_absolute_uri(meeting.get_absolute_url())
        event.add("url", url)
        event.add("description", f"{meeting.get_meeting_type_display()}\n{url}")
        feed.add_component(event)
    response = HttpResponse(feed.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="meetings.ics"'
    # The address is a secret: keep it out of shared caches.
    response["Cache-Control"] = "private, max-age=900"
    response["Referrer-Policy"] = "no-referrer"
    return response
