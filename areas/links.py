"""The lists behind an area's figures, filtered to the area."""

from urllib.parse import urlencode

from django.urls import reverse


def _url(name: str, params: dict) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse(name) + (f"?{query}" if query else "")


def area_params(level: str, code: str) -> dict:
    return {level: code}


def councils(level: str, code: str, **extra) -> str:
    return _url("councils:list", {**area_params(level, code), **extra})


def projects(level: str, code: str, fiscal_year=None, **extra) -> str:
    return _url("projects:list", {**area_params(level, code), "fiscal_year": fiscal_year, **extra})


def meetings(code: str, **extra) -> str:
    return _url("meetings:list", {"area": code, **extra})


def resolutions(code: str, **extra) -> str:
    return _url("meetings:resolutions", {"area": code, **extra})


def profile(code: str) -> str:
    return reverse("areas:profile", args=[code])
