import datetime

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from portal.lib import dates

FORUM_DAY = datetime.date(2022, 12, 21)


def render(text: str, **context) -> str:
    return Template(text).render(Context(context))


def test_thai_dates_use_the_buddhist_era():
    assert dates.format_date(FORUM_DAY, "th") == "21 ธ.ค. 2565"
    assert dates.format_date(FORUM_DAY, "th", full_month=True) == "21 ธันวาคม 2565"


def test_english_dates_use_the_christian_era():
    assert dates.format_date(FORUM_DAY, "en") == "21 Dec 2022"


@pytest.mark.parametrize(
    ("day", "fiscal_year"),
    [
        (datetime.date(2022, 9, 30), 2565),
        (datetime.date(2022, 10, 1), 2566),
        (FORUM_DAY, 2566),
        (datetime.date(2023, 9, 30), 2566),
    ],
)
def test_the_thai_fiscal_year_starts_on_1_october(day, fiscal_year):
    assert dates.fiscal_year_of(day) == fiscal_year


def test_fiscal_year_bounds():
    assert dates.fiscal_year_bounds(2566) == (
        datetime.date(2022, 10, 1),
        datetime.date(2023, 9, 30),
    )


def test_template_filters_follow_the_active_language():
    moment = timezone.make_aware(datetime.datetime(2022, 12, 21, 13, 0))
    template = "{{ day|bedate }}|{{ moment|bedatetime }}|{{ 2566|fiscal_year }}"
    with translation.override("th"):
        assert render(template, day=FORUM_DAY, moment=moment) == (
            "21 ธ.ค. 2565|21 ธ.ค. 2565 13:00 น.|2566"
        )
    with translation.override("en"):
        assert render(template, day=FORUM_DAY, moment=moment) == (
            "21 Dec 2022|21 Dec 2022 13:00|2566 (2022–23)"
        )


def test_datetimes_are_shown_in_bangkok_time():
    utc_moment = datetime.datetime(2022, 12, 21, 6, 0, tzinfo=datetime.UTC)
    with translation.override("th"):
        assert render("{{ m|bedatetime }}", m=utc_moment) == "21 ธ.ค. 2565 13:00 น."


def test_empty_dates_render_as_nothing():
    assert render("[{{ d|bedate }}]", d=None) == "[]"


@pytest.mark.parametrize(
    ("written", "year_be"), [(2566, 2566), (2023, 2566), (2400, 2400), (2399, 2942), (1900, 2443)]
)
def test_one_rule_reads_a_year_as_buddhist_era(written, year_be):
    """Forms, imports and filters read a year the same way: 2400 and later is already B.E."""
    from portal.lib.dates import buddhist_era_year

    assert buddhist_era_year(written) == year_be
