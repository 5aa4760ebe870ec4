"""Dashboard figures are cached per scope and selection, and dropped on every write.

Every save or delete of a record bumps a generation number kept in the cache itself; the
cache keys carry the generation, so a write anywhere makes every cached figure stale at once.
With a shared cache (Redis in production: `CACHE_URL=redis://...`) this holds across all app
processes. Bulk writes that bypass signals (imports, demo data) call `invalidate()`.

The cache is an aid, never a requirement: with Redis unreachable, figures are computed
afresh and saves go on (a failed drop is logged; cached figures expire within TIMEOUT).
Losing Redis used to make every save answer 500."""

import logging

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save

from portal.roles import role_of, scope_of

GENERATION_KEY = "dashboards:generation"
TIMEOUT = 15 * 60
logger = logging.getLogger(__name__)


class _Unreachable(Exception):
    pass


def _call(operation, *args, **kwargs):
    """A cache operation; _Unreachable when the cache server cannot be reached."""
    try:
        return operation(*args, **kwargs)
    except ValueError:
        raise
    except Exception as error:  # noqa: BLE001 - redis' ConnectionError, TimeoutError...
        raise _Unreachable(str(error)) from error


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY, 1)
    return value


def invalidate(**kwargs) -> None:
    try:
        try:
            _call(cache.incr, GENERATION_KEY)
        except ValueError:  # not set yet (or evicted): any new value makes old keys unreachable
            _call(cache.set, GENERATION_KEY, 2, timeout=None)
    except _Unreachable as error:
        logger.warning("Dashboard figures could not be dropped (cache unreachable): %s", error)


def scope_key(user) -> str:
    return f"{role_of(user)}-{scope_of(user).key}"


def cached(user, selection, compute):
    """The dashboard's figures for the user's scope and selection (computed on a miss)."""
    return cached_for(user, f"dashboards:{selection.key}", lambda: compute(user, selection))


def cached_for(user, key: str, compute):
    """`compute()` kept for the user's scope under `key`, dropped on every write like the
    dashboard's figures (the area profiles use it too)."""
    try:
        key = f"{_call(generation)}:{scope_key(user)}:{key}"
        data = _call(cache.get, key)
    except _Unreachable as error:
        logger.warning("Figures computed without the cache (unreachable): %s", error)
        return compute()
    if data is None:
        data = compute()
        try:
            _call(cache.set, key, data, TIMEOUT)
        except _Unreachable as error:
            logger.warning("Figures not cached (cache unreachable): %s", error)
    return data


def connect_invalidation() -> None:
    from portal.models import Record

    def on_write(sender, **kwargs):
        if issubclass(sender, Record):
            invalidate()

    post_save.connect(on_write, weak=False, dispatch_uid="dashboards-post-save")
    post_delete.connect(on_write, weak=False, dispatch_uid="dashboards-post-delete")
    m2m_changed.connect(invalidate, weak=False, dispatch_uid="dashboards-m2m")
