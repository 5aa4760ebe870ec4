from django import template
from django.utils.safestring import SafeString

from portal.lib.markup import render_markup

register = template.Library()


@register.filter
def markup(text: str) -> SafeString:
    """Render Markdown-lite text (minutes) as sanitised HTML: see portal.lib.markup."""
    return render_markup(text)
