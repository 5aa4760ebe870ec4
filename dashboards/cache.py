"""Dashboard figures are cached per scope and selection, and dropped on every write.

Every save or delete of a record bumps a generation number kept in the cache itself; the
cache keys carry the generation, so a write anywhere makes every cached figure stale at once.
With a shared cache (Redis in production: `CACHE_URL=redis://...`) this holds across all app
processes. Bulk writes that bypass signals (imports, demo data) call `invalidate()`."""

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save

from portal.roles import role_of, scope_of

GENERATION_KEY = "dashboards:generation"
TIMEOUT = 15 * 60


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY, 1)
    return value


def invalidate(**kwargs) -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not set yet (or evicted): any new value makes old keys unreachable
        cache.set(GENERATION_KEY, 2, timeout=None)


def scope_key(user) -> str:
    return f"{role_of(user)}-{scope_of(user).key}"


def cached(user, selection, compute):
    key = f"dashboards:{generation()}:{scope_key(user)}:{selection.key}"
    data = cache.get(key)
    if data is None:
        data = compute(user, selection)
        cache.set(key, data, TIMEOUT)
    return data


def connect_invalidation() -> None:
    from portal.models import Record

    def on_write(sender, **kwargs):
        if issubclass(sender, Record):
            invalidate()

    post_save.connect(on_write, weak=False, dispatch_uid="dashboards-post-save")
    post_delete.connect(on_write, weak=False, dispatch_uid="dashboards-post-delete")
    m2m_changed.connect(invalidate, weak=False, dispatch_uid="dashboards-m2m")
