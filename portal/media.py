"""Uploaded photos are served only to users who may see the record they belong to.

From the local folder or an object store alike the photo is streamed through the portal; with
MEDIA_S3_REDIRECT the browser is sent instead to a signed address of the object that expires
in AWS_QUERYSTRING_EXPIRE seconds (the permission is checked here first, every time).
"""

from django.conf import settings
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_GET

from meetings.models import MeetingPhoto
from projects.models import ProgressPhoto

PHOTO_MODELS = {
    MeetingPhoto._meta.model_name: MeetingPhoto,
    ProgressPhoto._meta.model_name: ProgressPhoto,
}


@require_GET
def photo_file(request: HttpRequest, kind: str, filename: str) -> HttpResponse:
    model = PHOTO_MODELS.get(kind)
    if model is None:
        raise Http404
    name = f"photos/{kind}/{filename}"
    photo = model.objects.visible_to(request.user).filter(Q(image=name) | Q(thumbnail=name)).first()
    if photo is None:
        raise Http404
    field = photo.image if photo.image.name == name else photo.thumbnail
    if settings.MEDIA_S3_REDIRECT and hasattr(field.storage, "signed_url"):
        return _redirect_to_object(field)
    try:
        opened = field.open("rb")
    except (FileNotFoundError, IsADirectoryError) as missing:
        # The record is there but its file is gone (a lost disk, a partial restore, an
        # object deleted from the bucket).
        raise Http404 from missing
    response = FileResponse(opened, content_type="image/jpeg")
    # Private to the user: shared caches must not keep another user's photos.
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _redirect_to_object(field) -> HttpResponse:
    if not field.storage.exists(field.name):
        raise Http404
    response = HttpResponseRedirect(field.storage.signed_url(field.name))
    # The signed address is this user's for a minute: nobody may keep or reuse it.
    response["Cache-Control"] = "private, no-store"
    return response
