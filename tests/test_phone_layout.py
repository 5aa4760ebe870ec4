"""What a phone needs from the server: the number of filters in use on the list's filter
button, and the council's long edit page in sections that open one at a time."""

from django.urls import reverse

from tests.test_forms import edit


def test_the_filter_button_counts_the_search_and_each_filter_in_use(staff_client, council):
    response = staff_client.get(reverse("councils:list"), {"q": "บึง", "status": "active"})
    assert response.context["active_filters"] == 2
    assert "ตัวกรอง (2)" in response.text
    response = staff_client.get(reverse("councils:list"), {"sort": "name", "page": "1"})
    assert response.context["active_filters"] == 0


def test_a_ticked_box_and_a_hidden_filter_set_by_a_link_count_too(staff_client, council):
    response = staff_client.get(reverse("councils:list"), {"archived": "on", "province": "33"})
    assert response.context["active_filters"] == 2


def test_every_field_of_the_council_form_is_in_a_section_and_the_first_is_open(
    staff_client, council
):
    response = staff_client.get(reverse("councils:edit", args=[council.pk]))
    sections = response.context["sections"]
    form = response.context["form"]
    shown = [field.name for section in sections for field in section.fields]
    assert sorted(shown) == sorted(field.name for field in form.visible_fields())
    assert [section.prefix for section in sections if section.formset] == [
        "members",
        "organisations",
    ]
    assert [section.open for section in sections] == [True, False, False, False, False]
    assert response.text.count('name="form-sections"') == 5


def test_a_section_with_an_error_opens_instead_of_the_first(staff_client, council):
    response = edit(staff_client, council, households="many")
    sections = response.context["sections"]
    assert [section.open for section in sections] == [False, False, True, False, False]
    assert "ต้องแก้ไข" in response.text


def test_forms_without_sections_keep_one_card(staff_client, council):
    project_form = staff_client.get(reverse("projects:create"))
    assert project_form.context["sections"] == []
    assert 'name="form-sections"' not in project_form.text
