"""Every model is in the admin, and its list pages search and filter."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tests.factories import MeetingFactory, ProjectFactory, ResolutionFactory

pytestmark = pytest.mark.django_db

PORTAL_APPS = ["geo", "accounts", "councils", "projects", "meetings"]


def portal_models():
    """The portal's own models; historical copies are read on each record's history page."""
    return [
        model
        for app in PORTAL_APPS
        for model in apps.get_app_config(app).get_models()
        if not model._meta.model_name.startswith("historical")
    ]


def test_every_portal_model_is_registered_in_the_admin():
    missing = [m.__name__ for m in portal_models() if not admin.site.is_registered(m)]
    assert missing == []


@pytest.mark.parametrize("model", portal_models(), ids=lambda m: m.__name__)
def test_admin_list_searches_in_thai(admin_client, model):
    ProjectFactory()
    ResolutionFactory(meeting=MeetingFactory())
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = admin_client.get(url, {"q": "ทดสอบ"})
    assert response.status_code == 200
    model_admin = admin.site.get_model_admin(model)
    assert model_admin.search_fields, f"{model.__name__} has no search"


def test_admin_autocomplete_finds_a_council_by_a_thai_fragment(admin_client):
    project = ProjectFactory()
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "ทดสอบ",
            "app_label": "projects",
            "model_name": "project",
            "field_name": "council",
        },
    )
    assert response.status_code == 200
    assert str(project.council) in [r["text"] for r in response.json()["results"]]
