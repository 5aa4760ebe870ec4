"""Media (photos, import files) on an S3-compatible object store, kept private.

The bucket is never public: every object is read with the portal's own keys. A photo's
`url` is the portal's permission-checked address (`/media/photos/...`, as with the local
folder), so no page ever links the bucket; `portal.media.photo_file` checks who asks, then
streams the photo from the bucket, or (MEDIA_S3_REDIRECT) sends a signed address that
expires after AWS_QUERYSTRING_EXPIRE seconds.
"""

from urllib.parse import urljoin

from django.conf import settings
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage


class PrivateS3Storage(S3Storage):
    """django-storages' S3Storage whose public `url` goes through the portal."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        return urljoin(settings.MEDIA_URL, filepath_to_uri(name))

    def signed_url(self, name: str) -> str:
        """A short-lived address of the object itself, signed with the portal's keys."""
        return super().url(name, expire=self.querystring_expire)
