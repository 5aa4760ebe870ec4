from django import template
from django.urls import reverse
from django.utils.html import format_html

from areas.scope import may_open
from geo.areas import level_of

register = template.Library()


@register.simple_tag(takes_context=True)
def area_link(context, area) -> str:
    """An area's name, linked to its profile when the reader may open it."""
    if area is None:
        return ""
    user = context["request"].user
    if may_open(user, level_of(area.code), area.code):
        return format_html(
            '<a href="{}">{}</a>', reverse("areas:profile", args=[area.code]), area.name
        )
    return format_html("{}", area.name)
