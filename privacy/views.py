"""Admins answer a data subject's request: find their records, export them, erase them."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from portal.lib.search import search_message
from privacy.models import AccessLog
from privacy.services import erase_person, find_person, log_access, person_export


def _admin_only(request: HttpRequest) -> None:
    if not request.user.is_portal_admin:
        raise PermissionDenied


@sensitive_variables("query")
def person_search(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    query = request.GET.get("q", "").strip()
    if refused := search_message(query):
        messages.error(request, refused)
        query = ""
    records = find_person(query)
    if query:
        log_access(request, AccessLog.Action.VIEW, list(records.members))
        log_access(request, AccessLog.Action.VIEW, list(records.attendance))
    return render(request, "privacy/person.html", {"query": query, "records": records})


@sensitive_variables("query")
def person_download(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    query = request.GET.get("q", "").strip()
    records = find_person("" if search_message(query) else query)
    if not records.total:
        messages.error(request, _("No record matches this person."))
        return redirect("privacy:person")
    log_access(request, AccessLog.Action.PERSON_EXPORT, list(records.members))
    log_access(request, AccessLog.Action.PERSON_EXPORT, list(records.attendance))
    content = json.dumps(person_export(records), ensure_ascii=False, indent=2)
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="person-data-{stamp}.json"'
    return response


@require_POST
@sensitive_post_parameters("q")
@sensitive_variables("query")
def person_erase(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    query = request.POST.get("q", "").strip()
    records = find_person("" if search_message(query) else query)
    if not records.total:
        messages.error(request, _("No record matches this person."))
        return redirect("privacy:person")
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm the erasure."))
        return redirect("privacy:person")
    erasure = erase_person(request.user, records, request.POST.get("reference", "")[:100])
    total = sum(erasure.counts.values())
    messages.success(
        request, _("The person's data was erased from %(count)s records.") % {"count": total}
    )
    return redirect("privacy:person")
