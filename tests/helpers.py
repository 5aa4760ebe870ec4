"""Small helpers the test modules share."""

import datetime

from django.utils import timezone

# Ask for a page in English (the portal answers in Thai by default).
EN = {"accept-language": "en"}


def bangkok(*args) -> datetime.datetime:
    """A moment given in Asia/Bangkok time: bangkok(2022, 12, 21, 13, 0)."""
    return timezone.make_aware(datetime.datetime(*args))


def content_of(response) -> bytes:
    """A response's body, streamed (exports) or not; a streamed one is read once and kept."""
    if not response.streaming:
        return response.content
    if not hasattr(response, "read_body"):
        response.read_body = b"".join(response.streaming_content)
    return response.read_body


def list_count(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["paginator"].count
