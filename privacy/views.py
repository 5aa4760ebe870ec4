"""Admins answer a data subject's request: find their records, export them, erase them.

The person's national ID or name travels in the body of a POST, never in an address: an
address ends up in the server's request log, the browser's history and the access log."""

import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from portal.lib.search import search_message
from portal.roles import Role, role_required
from privacy.models import AccessLog
from privacy.services import erase_person, find_person, log_access, person_export


def _log(request: HttpRequest, action: str, records) -> None:
    log_access(request, action, list(records.members))
    log_access(request, action, list(records.attendance))
    log_access(request, action, records.earlier)


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
@sensitive_post_parameters("q")
@sensitive_variables("query")
def person_search(request: HttpRequest) -> HttpResponse:
    query = request.POST.get("q", "").strip() if request.method == "POST" else ""
    if refused := search_message(query):
        messages.error(request, refused)
        query = ""
    records = find_person(query)
    if query:
        _log(request, AccessLog.Action.VIEW, records)
    return render(request, "privacy/person.html", {"query": query, "records": records})


@require_POST
@role_required(Role.ADMIN)
@sensitive_post_parameters("q")
@sensitive_variables("query")
def person_download(request: HttpRequest) -> HttpResponse:
    query = request.POST.get("q", "").strip()
    records = find_person("" if search_message(query) else query)
    if not records.total:
        messages.error(request, _("No record matches this person."))
        return redirect("privacy:person")
    _log(request, AccessLog.Action.PERSON_EXPORT, records)
    content = json.dumps(person_export(records), ensure_ascii=False, indent=2)
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="person-data-{stamp}.json"'
    return response


@require_POST
@role_required(Role.ADMIN)
@sensitive_post_parameters("q", "reference")
@sensitive_variables("query")
def person_erase(request: HttpRequest) -> HttpResponse:
    query = request.POST.get("q", "").strip()
    records = find_person("" if search_message(query) else query)
    if not records.total:
        messages.error(request, _("No record matches this person."))
        return redirect("privacy:person")
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm the erasure."))
        return redirect("privacy:person")
    erasure = erase_person(request.user, records, query, request.POST.get("reference", "")[:100])
    total = erasure.counts["council_members"] + erasure.counts["meeting_attendance"]
    messages.success(
        request, _("The person's data was erased from %(count)s records.") % {"count": total}
    )
    return redirect("privacy:person")
