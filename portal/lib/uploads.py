"""Where uploaded files go."""

import uuid
from pathlib import PurePath


def photo_path(instance, filename: str) -> str:
    """Uploaded photos get generated names: a user's file name never reaches the disk."""
    suffix = PurePath(filename).suffix.lower()[:5]
    return f"photos/{instance._meta.model_name}/{uuid.uuid4().hex}{suffix}"
