"""Thai national ID numbers are checked by python-stdnum's rules (`stdnum.th.pin`) wherever
one is typed or imported: 13 digits, a first digit from 1 to 8, and the check digit. Every
refusal says what is wrong, in the reader's language."""

import pytest
from django.utils import translation

from councils.forms import MemberForm
from imports.service import render_message, stored_message
from imports.widgets import CellError, NationalIdWidget
from portal.lib.thai_text import NationalIdError, national_id_is_valid, normalise_national_id

pytestmark = pytest.mark.django_db

VALID = "1101700203450"
# Correct check digits, but no Thai ID starts with 0 (or 9).
LEADING_ZERO = "0101700203451"
LEADING_NINE = "9100600445634"

BAD_IDS = [
    (LEADING_ZERO, "starts with 0 or 9"),
    ("0-1017-00203-45-1", "starts with 0 or 9"),
    (LEADING_NINE, "starts with 0 or 9"),
    ("1101700203451", "check digit"),
    ("3100600445630", "check digit"),
    ("12345", "13 digits"),
    ("11017002034501", "13 digits"),
    ("110170020345", "13 digits"),
    ("11017OO203450", "only digits"),
    ("abcdefghijklm", "only digits"),
]


def member_form(national_id: str) -> MemberForm:
    return MemberForm(
        data={"full_name": "นายทดสอบ ใจดี", "role": "member", "national_id": national_id}
    )


@pytest.mark.parametrize(
    "typed",
    [VALID, "1-1017-00203-45-0", "1 1017 00203 45 0", "๑๑๐๑๗๐๐๒๐๓๔๕๐", "๑-๑๐๑๗-๐๐๒๐๓-๔๕-๐"],
)
def test_a_valid_national_id_is_kept_as_its_13_digits(typed):
    assert normalise_national_id(typed) == VALID
    form = member_form(typed)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["national_id"] == VALID


@pytest.mark.parametrize(("typed", "reason"), BAD_IDS)
def test_a_wrong_national_id_is_refused_with_the_reason(typed, reason):
    with pytest.raises(NationalIdError) as caught:
        normalise_national_id(typed)
    with translation.override("en"):
        assert reason in str(caught.value.message)
        form = member_form(typed)
        assert not form.is_valid()
        assert reason in form.errors["national_id"][0]


def test_a_national_id_starting_with_zero_is_refused_in_thai():
    with translation.override("th"):
        form = member_form(LEADING_ZERO)
        assert not form.is_valid()
        assert form.errors["national_id"] == [
            "ไม่มีเลขประจำตัวประชาชนไทยที่ขึ้นต้นด้วย 0 หรือ 9 โปรดตรวจสอบหลักแรก"
        ]


def test_an_empty_national_id_is_allowed():
    form = member_form("")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["national_id"] == ""


@pytest.mark.parametrize(("typed", "reason"), BAD_IDS)
def test_an_imported_wrong_national_id_is_a_cell_error_with_the_reason(typed, reason):
    with pytest.raises(CellError) as caught:
        NationalIdWidget().clean(typed)
    stored = stored_message(caught.value.message, caught.value.params)
    with translation.override("en"):
        shown = render_message(stored)
    assert typed in shown
    assert reason in shown
    with translation.override("th"):
        assert "ไม่ใช่เลขประจำตัวประชาชนที่ถูกต้อง" in render_message(stored)


def test_an_imported_number_cell_that_lost_its_leading_zero_is_refused_for_its_first_digit():
    # 101700203451 as a number: Excel dropped the 0 of 0101700203451; no Thai ID starts so.
    with pytest.raises(CellError) as caught:
        NationalIdWidget().clean(101700203451)
    with translation.override("en"):
        assert "starts with 0 or 9" in render_message(
            stored_message(caught.value.message, caught.value.params)
        )


def test_imported_national_ids_in_thai_digits_or_number_cells_are_read():
    assert NationalIdWidget().clean("๑๑๐๑๗๐๐๒๐๓๔๕๐") == VALID
    assert NationalIdWidget().clean(1101700203450) == VALID
    assert NationalIdWidget().clean(1101700203450.0) == VALID


def test_the_stored_form_check_matches_stdnum():
    assert national_id_is_valid(VALID)
    for bad in (
        LEADING_ZERO,
        LEADING_NINE,
        "1101700203451",
        "1-1017-00203-45-0",
        "",
        "๑๑๐๑๗๐๐๒๐๓๔๕๐",
    ):
        assert not national_id_is_valid(bad)
