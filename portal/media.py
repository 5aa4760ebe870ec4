"""Uploaded photos are served only to users who may see the record they belong to."""

from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from meetings.models import MeetingPhoto
from projects.models import ProgressPhoto

PHOTO_MODELS = {
    MeetingPhoto._meta.model_name: MeetingPhoto,
    ProgressPhoto._meta.model_name: ProgressPhoto,
}


@require_GET
def photo_file(request: HttpRequest, kind: str, filename: str) -> FileResponse:
    model = PHOTO_MODELS.get(kind)
    if model is None:
        raise Http404
    name = f"photos/{kind}/{filename}"
    photo = model.objects.visible_to(request.user).filter(Q(image=name) | Q(thumbnail=name)).first()
    if photo is None:
        raise Http404
    field = photo.image if photo.image.name == name else photo.thumbnail
    try:
        opened = field.open("rb")
    except (FileNotFoundError, IsADirectoryError) as missing:
        # The record is there but its file is gone (a lost disk, a partial restore).
        raise Http404 from missing
    response = FileResponse(opened, content_type="image/jpeg")
    # Private to the user: shared caches must not keep another user's photos.
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
