"""How much one search or filter may ask of the database.

Every word of a search adds a clause over every searched column (a substring match that no
index answers on its own): a search of a thousand words kept PostgreSQL busy for 19 seconds.
Every list, filter, the admin and the person search check their input here, once: over the
limits the search is refused with a message in the reader's language, and not run.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SEARCH_MAX_LENGTH = 200
SEARCH_MAX_WORDS = 8
# Other text filters (codes, a province or area code in a drill-down link) are short.
FILTER_MAX_LENGTH = 200
# A number in a filter (an id) fits in a 64-bit integer.
FILTER_MAX_DIGITS = 18


def search_problem(text: str | None) -> ValidationError | None:
    """Why this search may not run, or None when it may."""
    text = text or ""
    if len(text) > SEARCH_MAX_LENGTH:
        return ValidationError(
            _("Search for at most %(limit)s characters (this search has %(length)s)."),
            code="search_too_long",
            params={"limit": SEARCH_MAX_LENGTH, "length": len(text)},
        )
    words = len(text.split())
    if words > SEARCH_MAX_WORDS:
        return ValidationError(
            _("Search for at most %(limit)s words at once (this search has %(count)s)."),
            code="search_too_many_words",
            params={"limit": SEARCH_MAX_WORDS, "count": words},
        )
    return None


def validate_search(text: str) -> None:
    if problem := search_problem(text):
        raise problem


# The codes of the refusals above and of Django's own length checks, which the filters use.
LIMIT_CODES = {"search_too_long", "search_too_many_words", "max_length", "max_digits"}


def search_message(text: str | None) -> str | None:
    """The refusal as a sentence in the active language, or None when the search may run."""
    problem = search_problem(text)
    return " ".join(problem.messages) if problem else None


class SearchField(forms.CharField):
    """A search box: at most SEARCH_MAX_LENGTH characters and SEARCH_MAX_WORDS words."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.validators.append(validate_search)
        self.widget.attrs.setdefault("maxlength", str(SEARCH_MAX_LENGTH))
