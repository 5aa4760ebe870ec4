"""Photos uploaded by users: checked, re-encoded and thumbnailed before they are stored.

Django checks neither the size of an upload nor that an "image" is one. Here a photo must
be a real JPEG, PNG or WebP within the size and pixel limits, and complete (a truncated file
is refused, not stored half grey); it is re-encoded as JPEG from its pixels alone, which
applies the camera's orientation and drops every piece of metadata (EXIF and its GPS position,
XMP, JPEG comments, PNG text chunks, ICC profiles) and anything hidden after the image data,
and a thumbnail is made for galleries. One request's photos are bounded together too
(`PHOTO_UPLOAD_MAX_PIXELS`), from their headers, before any is decoded.
"""

import io
import threading
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")
LONGEST_SIDE = 2560
THUMBNAIL_SIZE = (480, 480)
# WeasyPrint sets ImageFile.LOAD_TRUNCATED_IMAGES = True for the whole process when it is
# imported, so Pillow would decode a truncated upload and fill the rest with grey. A photo
# is decoded with the flag off; the lock keeps two uploads from restoring it out of turn.
_STRICT_DECODING = threading.Lock()


@dataclass(frozen=True)
class ProcessedPhoto:
    image: ContentFile
    thumbnail: ContentFile


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new image made of the pixels alone: Pillow writes back what `info` carries (a JPEG
    comment, PNG text, XMP, an ICC profile), so nothing of the original's info may follow."""
    return Image.frombytes(image.mode, image.size, image.tobytes())


def _jpeg(image: Image.Image, name: str, quality: int) -> ContentFile:
    buffer = io.BytesIO()
    _pixels_only(image).save(buffer, format="JPEG", quality=quality, optimize=True)
    return ContentFile(buffer.getvalue(), name=name)


def _not_a_photo(upload) -> ValidationError:
    return ValidationError(
        _("“%(name)s” is not a JPEG, PNG or WebP photo."),
        code="not_a_photo",
        params={"name": upload.name},
    )


def _load_completely(image: Image.Image) -> None:
    with _STRICT_DECODING:
        lenient = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            image.load()
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = lenient


def _verify_chunks(upload) -> None:
    """A PNG must run to its end chunk (IEND), with every chunk's checksum right: its pixels
    can decode in full from a file that was cut short after them."""
    position = upload.tell()
    upload.seek(0)
    with Image.open(upload, formats=["PNG"]) as probe:
        probe.verify()
    upload.seek(position)


def declared_pixels(upload) -> int:
    """The pixels a photo says it has, read from its header without decoding it (0 for a file
    that is not a photo: process_photo refuses it later with its own message)."""
    try:
        upload.seek(0)
        with Image.open(upload, formats=ALLOWED_FORMATS) as opened:
            return opened.width * opened.height
    except Image.DecompressionBombError:
        return settings.PHOTO_MAX_PIXELS + 1
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return 0
    finally:
        upload.seek(0)


def check_upload_budget(uploads: list) -> None:
    """Refuse a request whose photos together exceed `PHOTO_UPLOAD_MAX_PIXELS`, before any is
    decoded: each photo is bounded, but twenty large ones would hold a worker for a minute."""
    total = sum(declared_pixels(upload) for upload in uploads)
    limit = settings.PHOTO_UPLOAD_MAX_PIXELS
    if total > limit:
        raise ValidationError(
            _(
                "These photos are too large together (%(total)s million pixels; at most "
                "%(limit)s million in one upload). Upload them in smaller groups."
            ),
            code="upload_too_large",
            params={"total": -(-total // 1_000_000), "limit": limit // 1_000_000},
        )


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
            if opened.format == "PNG":
                _verify_chunks(upload)
            _load_completely(opened)
            image = ImageOps.exif_transpose(opened)
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        # Pillow's own limit, met while reading the header of an absurdly large image.
        raise too_many_pixels from None
    except OSError as error:
        if "truncated" in str(error).lower() or "broken data stream" in str(error):
            raise ValidationError(
                _("“%(name)s” is incomplete (the file was cut short): upload it again."),
                code="truncated",
                params={"name": upload.name},
            ) from None
        raise _not_a_photo(upload) from None
    except (UnidentifiedImageError, SyntaxError, ValueError):
        raise _not_a_photo(upload) from None
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
