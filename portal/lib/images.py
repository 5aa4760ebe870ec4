"""Photos uploaded by users: checked, re-encoded and thumbnailed before they are stored.

Django checks neither the size of an upload nor that an "image" is one. Here a photo must
be a real JPEG, PNG or WebP within the size and pixel limits; it is re-encoded as JPEG,
which applies the camera's orientation and drops EXIF (GPS position) and anything hidden
after the image data, and a thumbnail is made for galleries.
"""

import io
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")
LONGEST_SIDE = 2560
THUMBNAIL_SIZE = (480, 480)


@dataclass(frozen=True)
class ProcessedPhoto:
    image: ContentFile
    thumbnail: ContentFile


def _jpeg(image: Image.Image, name: str, quality: int) -> ContentFile:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, optimize=True)
    return ContentFile(buffer.getvalue(), name=name)


def process_photo(upload) -> ProcessedPhoto:
    """Validate an uploaded file and return the re-encoded photo and its thumbnail.

    Raises ValidationError, with a message in the user's language, for anything that is not
    an acceptable photo; nothing is written in that case."""
    max_bytes = settings.PHOTO_MAX_BYTES
    if upload.size > max_bytes:
        raise ValidationError(
            _("“%(name)s” is larger than %(limit)s."),
            code="too_large",
            params={"name": upload.name, "limit": filesizeformat(max_bytes)},
        )
    too_many_pixels = ValidationError(
        _("“%(name)s” has too many pixels (at most %(limit)s million)."),
        code="too_many_pixels",
        params={"name": upload.name, "limit": settings.PHOTO_MAX_PIXELS // 1_000_000},
    )
    try:
        upload.seek(0)
        with Image.open(upload, formats=ALLOWED_FORMATS) as opened:
            # The header alone tells the size: refuse a pixel bomb before decoding it.
            if opened.width * opened.height > settings.PHOTO_MAX_PIXELS:
                raise too_many_pixels
            opened.load()
            image = ImageOps.exif_transpose(opened)
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        # Pillow's own limit, met while reading the header of an absurdly large image.
        raise too_many_pixels from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("“%(name)s” is not a JPEG, PNG or WebP photo."),
            code="not_a_photo",
            params={"name": upload.name},
        ) from None
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.convert("RGBA").getchannel("A"))
        image = background
    image = image.convert("RGB")
    image.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
    thumbnail = image.copy()
    thumbnail.thumbnail(THUMBNAIL_SIZE)
    stem = uuid.uuid4().hex
    return ProcessedPhoto(
        image=_jpeg(image, f"{stem}.jpg", quality=85),
        thumbnail=_jpeg(thumbnail, f"{stem}-thumb.jpg", quality=80),
    )
