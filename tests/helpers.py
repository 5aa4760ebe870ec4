"""Small helpers the test modules share."""

import datetime

from django.utils import timezone

# Ask for a page in English (the portal answers in Thai by default).
EN = {"accept-language": "en"}


def bangkok(*args) -> datetime.datetime:
    """A moment given in Asia/Bangkok time: bangkok(2022, 12, 21, 13, 0)."""
    return timezone.make_aware(datetime.datetime(*args))


def list_count(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["paginator"].count
