"""The load test (load/locustfile.py) is not run here, only checked: it imports, every page it
names is opened by its users, and every one is a page of the portal."""

import importlib.util
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.urls import resolve

pytest.importorskip("locust")

LOCUSTFILE = Path(__file__).resolve().parents[1] / "load" / "locustfile.py"


@pytest.fixture(scope="module")
def locustfile():
    spec = importlib.util.spec_from_file_location("locustfile", LOCUSTFILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_page_it_names_is_opened_now_and_then(locustfile):
    assert set(locustfile.BROWSING) == set(locustfile.PAGES)
    assert all(weight > 0 for weight in locustfile.BROWSING.values())


def test_every_page_it_opens_is_a_page_of_the_portal(locustfile):
    for path in locustfile.PAGES.values():
        resolve(urlsplit(path.format(project=1, council=1, meeting=1)).path)


def test_it_logs_in_as_each_of_the_four_roles(locustfile):
    users = {cls.username for cls in locustfile.PortalUser.__subclasses__()}
    assert users == {"demo-admin", "demo-staff", "demo-council", "demo-viewer"}
