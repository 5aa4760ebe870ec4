"""The Thai interface has no English: every page of the portal, opened in Thai by a role that
may see it, shows Thai words only (apart from proper names, codes and the language switch).
A page added with an untranslated word, or a Django upgrade that brings a new string without
a Thai translation, fails here with the page and the words."""

import io
import re
from html.parser import HTMLParser

import openpyxl
import pytest
from django.apps import apps
from django.db import models

from tests import test_permissions
from tests.helpers import content_of
from tests.test_permissions import MATRIX, OK

# The permission matrix's records and one user of each role.
world = test_permissions.world

# Latin words a Thai user legitimately sees: the language switch, proper names and codes,
# file formats, units.
ALLOWED = {
    "english",  # the language switch offers English in English
    "cc",  # the geographic data's licence, "geothai (CC BY 4.0)"
    "by",
    "geothai",
    "excel",
    "html",
    "jpeg",
    "png",
    "webp",
    "sha",
    # authenticator apps named on the two-step sign-in page
    "authenticator",
    "google",
    "microsoft",
    "freeotp",
    "codi",
    "pdf",
    "xlsx",
    "csv",
    "ical",
    "ics",
    "qr",
    "id",
    "json",
    "pdpa",
    "totp",
}
WORD = re.compile(r"[A-Za-z][A-Za-z'’]+(?:-[A-Za-z]+)*")
# Attributes a user reads or hears (screen readers).
VISIBLE_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt"}


class _Text(HTMLParser):
    """The text a user sees on a page: text nodes outside scripts and styles, the attributes
    a user reads, and the labels of buttons."""

    SKIPPED = {"script", "style", "code", "kbd", "samp", "pre", "svg", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self._skipping = []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self._skipping.append(tag)
        attributes = dict(attrs)
        if "translate" in attributes and attributes["translate"] == "no":
            return
        for name, value in attrs:
            if value and name in VISIBLE_ATTRIBUTES:
                self.parts.append(value)
        if (
            tag == "input"
            and attributes.get("type") in ("submit", "button")
            and attributes.get("value")
        ):
            self.parts.append(attributes["value"])

    def handle_endtag(self, tag):
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def english_words(html: str, names=()) -> set[str]:
    parser = _Text()
    parser.feed(html)
    text = " ".join(parser.parts)
    for name in names:
        if re.search("[A-Za-z]", name):
            text = re.sub(rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])", " ", text)
    # Addresses, e-mail addresses and file names are not words.
    text = re.sub(r"\S+@\S+|https?://\S+|/[\w/.-]+|[\w/.-]+\.\w{2,4}\b", " ", text)
    return {word for word in WORD.findall(text) if word.lower() not in ALLOWED}


def data_values() -> list[str]:
    """What the records hold (the test data's names, codes and user names are data, in
    whatever language they were typed), longest first so that a name goes before its parts."""
    values = set()
    for model in apps.get_models():
        text_fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField) and not f.choices
        ]
        if text_fields and model._meta.app_label in PORTAL_APPS:
            for row in model._default_manager.values_list(*text_fields):
                values.update(value for value in row if value)
    return sorted(values, key=len, reverse=True)


PORTAL_APPS = {"accounts", "areas", "councils", "geo", "meetings", "projects", "imports"}
# The first role of these that may open a page opens it.
ROLE_ORDER = ["admin", "staff", "editor", "viewer", "anonymous"]


def _page(client, world, name):
    path, expected = MATRIX[name]
    role = next((r for r in ROLE_ORDER if expected.get(r) == OK), None)
    if role is None:
        return None
    client.logout()
    if role != "anonymous":
        client.force_login(world["users"][role])
    response = client.get(path(world))
    if response.status_code != OK or "html" not in response.get("Content-Type", ""):
        return None
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_every_page_is_in_thai(client, world):
    names = data_values()
    english = {}
    for name in sorted(MATRIX):
        html = _page(client, world, name)
        if html is not None:
            words = english_words(html.decode(), names)
            if words:
                english[name] = sorted(words)
    assert english == {}


def test_the_allowlist_still_finds_english():
    assert english_words("<p>ภาษาไทย Select an option</p>") == {"Select", "an", "option"}
    assert english_words('<input placeholder="Search"><p>CSV PDF</p>') == {"Search"}
    assert english_words("<script>var x = 'English'</script><p>ไทย</p>") == set()


class _Hidden(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and attributes.get("type") == "hidden" and attributes.get("name"):
            self.values[attributes["name"]] = attributes.get("value") or ""


def _hidden_inputs(html: str) -> dict:
    parser = _Hidden()
    parser.feed(html)
    return parser.values


def _thai(client, response) -> set[str]:
    html = b"".join(response.streaming_content) if response.streaming else response.content
    return english_words(html.decode(), data_values())


@pytest.mark.parametrize(
    "path",
    ["/councils/new/", "/agencies/new/", "/projects/new/", "/meetings/new/"],
)
def test_an_empty_form_is_refused_in_thai(client, world, path):
    """The form sent as the page gives it, its fields left empty (the formsets' management
    forms as they are)."""
    client.force_login(world["users"]["admin"])
    response = client.post(path, _hidden_inputs(client.get(path).content.decode()))
    assert response.status_code == 200
    assert "กรุณากรอกช่องนี้" in response.content.decode()
    assert _thai(client, response) == set()


def test_a_wrong_password_is_refused_in_thai(client, world):
    response = client.post("/accounts/login/", {"username": "a", "password": "wrong"})
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in response.content.decode()
    assert _thai(client, response) == set()


def test_a_weak_new_password_is_refused_in_thai(client, world):
    user = world["users"]["viewer"]
    user.set_password("an-old-password-9")
    user.save()
    client.force_login(user)
    response = client.post(
        "/accounts/password/change/",
        {"old_password": "an-old-password-9", "new_password1": "1234", "new_password2": "12345"},
    )
    page = response.content.decode()
    assert "รหัสผ่านทั้งสองช่องไม่ตรงกัน" in page
    assert _thai(client, response) == set()
    response = client.post(
        "/accounts/password/change/",
        {"old_password": "an-old-password-9", "new_password1": "1234", "new_password2": "1234"},
    )
    page = response.content.decode()
    assert "รหัสผ่านนี้สั้นเกินไป" in page and "มีแต่ตัวเลข" in page
    assert _thai(client, response) == set()


@pytest.mark.parametrize(("path", "status"), [("/councils/999999/", 404), ("/imports/", 403)])
def test_the_refusal_pages_are_in_thai(client, world, path, status):
    client.force_login(world["users"]["viewer"])
    response = client.get(path)
    assert response.status_code == status
    assert _thai(client, response) == set()


def test_workbooks_name_their_sheets_in_thai(client, world):
    client.force_login(world["users"]["admin"])
    sheets = {}
    for path in [
        "/councils/?format=xlsx",
        "/projects/?format=xlsx",
        "/meetings/?format=xlsx",
        "/agencies/?format=xlsx",
        "/imports/template/councils.xlsx",
        "/imports/template/projects.xlsx",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        book = openpyxl.load_workbook(io.BytesIO(content_of(response)), read_only=True)
        sheets[path] = [name for name in book.sheetnames if WORD.search(name)]
    assert sheets == dict.fromkeys(sheets, [])
