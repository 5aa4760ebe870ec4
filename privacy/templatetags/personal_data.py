from django import template

from privacy.masking import mask_national_id, mask_phone

register = template.Library()


@register.filter
def phone_if(value: str, shown: bool) -> str:
    """`{{ member.phone|phone_if:show_personal }}`: the number, or its masked form."""
    return value if shown else mask_phone(value)


@register.filter
def national_id_if(value: str, shown: bool) -> str:
    return value if shown else mask_national_id(value)
