"""Is a SECRET_KEY fit for a portal that people use? (Sessions, password-reset links and
CSRF tokens are signed with it: whoever knows it can forge them.)"""

# The key a local checkout falls back to (settings) and the prefixes of generated
# development keys (ours and `startproject`'s): public, so never fit for use.
DEVELOPMENT_KEY = "insecure-local-development-key-change-me-" + "x" * 20
DEVELOPMENT_PREFIXES = ("insecure-", "django-insecure-")
# Django's own deploy check (security.W009) asks for as much.
MIN_LENGTH = 50
MIN_UNIQUE_CHARACTERS = 5


def secret_key_problem(key: str | None) -> str | None:
    """Why `key` must not sign a production portal's cookies and links, or None if it may."""
    if not key:
        return "SECRET_KEY is not set"
    if key == DEVELOPMENT_KEY or key.startswith(DEVELOPMENT_PREFIXES):
        return "SECRET_KEY is a development key (public, or starting with 'insecure-')"
    if len(key) < MIN_LENGTH or len(set(key)) < MIN_UNIQUE_CHARACTERS:
        return (
            f"SECRET_KEY is too short or too simple (at least {MIN_LENGTH} characters, "
            f"{MIN_UNIQUE_CHARACTERS} different ones)"
        )
    return None
