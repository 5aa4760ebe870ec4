"""A browser without a browser, for the drills: cookies, CSRF, the forms of a page as a browser
would send them, and uploads; over real HTTP to a gunicorn (the standard library only).

Redirects are not followed: a drill reads the 302 of a save as its success."""

import http.cookiejar
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser

PASSWORD = "correct horse battery staple"  # the factories' password (tests.factories)


@dataclass
class Reply:
    status: int
    headers: dict
    text: str

    def json(self):
        return json.loads(self.text)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One user's cookies against one app server (`base`, e.g. http://127.0.0.1:8123)."""

    def __init__(self, base: str, *, language: str = "en", timeout: float = 30):
        self.base = base
        self.language = language
        self.timeout = timeout
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect
        )

    def _send(self, request: urllib.request.Request) -> Reply:
        request.add_header("Accept-Language", self.language)
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                body = response.read()
                status, headers = response.status, dict(response.headers)
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx, 5xx
            body = error.read()
            status, headers = error.code, dict(error.headers)
        return Reply(status, headers, body.decode("utf-8", "replace"))

    def get(self, path: str) -> Reply:
        return self._send(urllib.request.Request(self.base + path))  # noqa: S310 - loopback

    def post(self, path: str, data: dict, files: dict | None = None) -> Reply:
        """A form POST; `files` maps a field to (file name, bytes) and makes it multipart."""
        data = {"csrfmiddlewaretoken": self.csrf_token(), **data}
        if files:
            body, content_type = _multipart(data, files)
        else:
            body = urllib.parse.urlencode(data, doseq=True).encode()
            content_type = "application/x-www-form-urlencoded"
        request = urllib.request.Request(  # noqa: S310 - loopback
            self.base + path, data=body, headers={"Content-Type": content_type}
        )
        return self._send(request)

    def csrf_token(self) -> str:
        for cookie in self.cookies:
            if cookie.name == "csrftoken":
                return cookie.value
        return ""

    def login(self, username: str, password: str = PASSWORD) -> "Browser":
        page = self.get("/accounts/login/")
        assert page.status == 200, page.status
        reply = self.post("/accounts/login/", {"username": username, "password": password})
        assert reply.status == 302, f"login of {username}: {reply.status}"
        return self


def _multipart(data: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{item}\r\n".encode()
            )
    for name, (filename, content) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@dataclass
class _Form:
    attrs: dict
    fields: list = field(default_factory=list)  # (name, value) as a browser sends them
    names: set = field(default_factory=set)


class _FormParser(HTMLParser):
    """Every <form> of a page with what a browser would submit: inputs (checkboxes and
    radios only when checked), selected options (the first one when none is), textareas;
    disabled fields and buttons left out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[_Form] = []
        self._select = None  # [name, options, selected, multiple]
        self._option = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = {key: (value or "") for key, value in attrs}
        if tag == "form":
            self.forms.append(_Form(attrs))
            return
        if not self.forms:
            return
        form = self.forms[-1]
        name = attrs.get("name")
        if name:
            form.names.add(name)
        if "disabled" in attrs:
            return
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            form.fields.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select = [name, [], [], "multiple" in attrs]
        elif tag == "option" and self._select is not None:
            self._option = [attrs.get("value"), ""]
            if "selected" in attrs:
                self._select[2].append(self._option)
            self._select[1].append(self._option)
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._option is not None:
            self._option[1] += data
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if not self.forms:
            return
        if tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None:
            name, options, selected, multiple = self._select
            chosen = selected or ([] if multiple or not options else options[:1])
            for value, text in chosen:
                self.forms[-1].fields.append((name, text.strip() if value is None else value))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = self._textarea[1]
            self.forms[-1].fields.append((self._textarea[0], text.removeprefix("\n")))
            self._textarea = None


def form_data(html: str, having: str, **changes) -> dict:
    """The POST a browser would send for the page's form that has a field named `having`,
    with `changes` applied (a list value sends the field several times)."""
    parser = _FormParser()
    parser.feed(html)
    form = next((form for form in parser.forms if having in form.names), None)
    assert form is not None, f"no form with a field {having!r} on the page"
    data: dict = {}
    for name, value in form.fields:
        data.setdefault(name, []).append(value)
    data = {name: values[0] if len(values) == 1 else values for name, values in data.items()}
    data.update(changes)
    data.pop("csrfmiddlewaretoken", None)  # Browser.post sends the cookie's
    return data
