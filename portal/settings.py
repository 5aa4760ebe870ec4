"""Settings of the portal: one module, driven by environment variables.

Every value that differs between a laptop, CI and production comes from the environment
(or a `.env` file beside manage.py); the defaults give a zero-setup SQLite portal.
"""

import datetime
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from portal.lib.keys import DEVELOPMENT_KEY, secret_key_problem

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# A key of its own for every deployment; the development key only ever serves a local
# checkout with DEBUG on (`make run`). Without DEBUG, a missing, development or weak key
# stops every start-up (server, worker, manage.py) instead of signing with a public key.
SECRET_KEY = env("SECRET_KEY", default="") or (DEVELOPMENT_KEY if DEBUG else "")
if not DEBUG and (problem := secret_key_problem(SECRET_KEY)):
    raise ImproperlyConfigured(
        f"{problem}. With DEBUG off the portal needs a secret key of its own: set SECRET_KEY "
        "in the environment (or .env) to a long random value, e.g. the output of "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`. "
        "For local development set DEBUG=true instead."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "portal.apps.PortalAdminConfig",  # django.contrib.admin, with bounded searches
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "import_export",
    "django_filters",
    "portal.apps.AxesConfig",  # axes, its name translated
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "simple_history",
    "portal",
    "geo",
    "accounts",
    "councils",
    "projects",
    "meetings",
    "privacy",
    "dashboards",
    "areas",
    "imports",
    "portal.apps.TasksConfig",  # django_tasks_db, its name translated
]

MIDDLEWARE = [
    # Outermost: the time the request spent in the portal (a Server-Timing header).
    "portal.middleware.ServerTimingMiddleware",
    # Above the session middleware: a lost database is a 503 page for everyone.
    "portal.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before anything touches the database: a GET's atomic request takes no lock on SQLite.
    "portal.sqlite.middleware.ReadRequestsTakeNoLockMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # After the password, the second step (accounts.twofactor) before any other page.
    "accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "privacy.middleware.NoStorePersonalData",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.roles.roles",
            ],
            "builtins": ["portal.templatetags.thai_dates"],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})
    # A pool per process (psycopg_pool): connections are opened once and lent to requests,
    # instead of one connection kept per worker thread. Django's pool needs CONN_MAX_AGE 0.
    # Several app servers share one PostgreSQL: their max sizes together stay below its
    # max_connections. See docs/operations.md, "Connection pooling".
    if env.bool("DATABASE_POOL", default=False):
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        # Each connection lent is checked first (one round trip): after a restart of the
        # database the pool's dead connections are replaced, not handed to requests.
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=2),
            # One per gunicorn thread (GUNICORN_THREADS, 4): a thread uses one at a time.
            "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=4),
            # A request waits this long for a free connection, then fails (503).
            "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10),
        }
    elif env.bool("PGBOUNCER", default=False):
        # pgbouncer in transaction mode pools: a connection per request to it, and no
        # server-side cursor (it would outlive the transaction that pgbouncer lends).
        # Django prepares no statements by default (prepare_threshold None).
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL: readers and the writer do not block each other. IMMEDIATE: a writing request takes
    # the lock when it begins, so two writers queue instead of failing half-way. The busy
    # timeout: a writer waits up to 20 s for the lock rather than failing after Python's 5 s.
    # portal.sqlite: a request that only reads takes no lock at all (see its docstring).
    DATABASES["default"]["ENGINE"] = "portal.sqlite"
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL;",
            "timeout": 20,
        }
    )

# A request writes all or nothing: an error half-way rolls every write of it back.
DATABASES["default"]["ATOMIC_REQUESTS"] = True

# A streaming replica (optional, PostgreSQL): read-only pages read from it, everything else
# from the primary (portal.db_router; docs/operations.md, "Read replica"). Without it, one
# database as before. Django's test runner makes it a mirror of the test database (TEST
# MIRROR); pytest's suite leaves it out (tests/settings.py).
REPLICA_STICKY_SECONDS = env.int("REPLICA_STICKY_SECONDS", default=10)
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=10)
REPLICA_HEALTH_SECONDS = env.float("REPLICA_HEALTH_SECONDS", default=5)
if env("REPLICA_DATABASE_URL", default=""):
    DATABASES["replica"] = env.db("REPLICA_DATABASE_URL")
    for key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS", "DISABLE_SERVER_SIDE_CURSORS"):
        if key in DATABASES["default"]:
            DATABASES["replica"][key] = DATABASES["default"][key]
    DATABASES["replica"].setdefault("OPTIONS", {})
    if "pool" in DATABASES["default"].get("OPTIONS", {}):
        # A replica that is down must not hold a request for the pool's full wait.
        DATABASES["replica"]["OPTIONS"]["pool"] = {
            **DATABASES["default"]["OPTIONS"]["pool"],
            "timeout": 2,
        }
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        # A replica that does not answer is given up quickly: pages then read the primary.
        DATABASES["replica"]["OPTIONS"].setdefault("connect_timeout", 2)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["portal.db_router.ReplicaRouter"]
    # Once the view is known (after the login and two-step checks), before axes (last).
    MIDDLEWARE.insert(
        MIDDLEWARE.index("axes.middleware.AxesMiddleware"), "portal.db_router.ReplicaMiddleware"
    )

# Dashboard figures are cached (dashboards.cache). One process: memory. Several app servers:
# a shared cache, e.g. CACHE_URL=redis://redis:6379/1 (needs the `redis` package).
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://portal")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Argon2 (Django's recommended hasher, memory-hard) for new passwords; a password stored
# with an older hasher is re-hashed with Argon2 at the user's next successful login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "th"
LANGUAGES = [("th", _("Thai")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
# Photos and import files: the local folder MEDIA_ROOT, or (MEDIA_STORAGE=s3) a private bucket
# on any S3-compatible store (AWS, MinIO, Ceph, a cloud's object storage). See the README's
# "Object storage" and docs/operations.md.
MEDIA_STORAGE = env("MEDIA_STORAGE", default="local")
# With object storage, a photo the user may see is streamed through the portal (the bucket
# need not be reachable from browsers), or with MEDIA_S3_REDIRECT=true the browser is sent to
# a signed address of the object valid AWS_QUERYSTRING_EXPIRE seconds.
MEDIA_S3_REDIRECT = env.bool("MEDIA_S3_REDIRECT", default=False)
if MEDIA_STORAGE == "s3":
    if not env("AWS_STORAGE_BUCKET_NAME", default=""):
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    _s3_options = {
        "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
        "location": env("AWS_LOCATION", default=""),
        "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=60),
        "signature_version": "s3v4",
        "default_acl": None,
        # Names are generated (uuid): never overwritten, and no existence check per upload.
        "file_overwrite": True,
        # An object being read is held in memory up to 8 MB, beyond that in a temporary file.
        "max_memory_size": 8 * 1024 * 1024,
    }
    for _option, _variable in (
        ("endpoint_url", "AWS_S3_ENDPOINT_URL"),
        ("region_name", "AWS_S3_REGION_NAME"),
        ("addressing_style", "AWS_S3_ADDRESSING_STYLE"),
        # Without keys boto3 looks for them itself (an instance role, ~/.aws/credentials).
        ("access_key", "AWS_ACCESS_KEY_ID"),
        ("secret_key", "AWS_SECRET_ACCESS_KEY"),
    ):
        if env(_variable, default=""):
            _s3_options[_option] = env(_variable)
    STORAGES["default"] = {"BACKEND": "portal.storage.PrivateS3Storage", "OPTIONS": _s3_options}
    # Where signed addresses point (allowed in the pages' img-src when MEDIA_S3_REDIRECT): the
    # endpoint's origin, or AWS's address of the bucket.
    if "endpoint_url" in _s3_options:
        _origin = "{0.scheme}://{0.netloc}".format(urlsplit(_s3_options["endpoint_url"]))
    else:
        _region = f".{_s3_options['region_name']}" if "region_name" in _s3_options else ""
        _origin = f"https://{_s3_options['bucket_name']}.s3{_region}.amazonaws.com"
    MEDIA_S3_ORIGIN = env("MEDIA_S3_ORIGIN", default=_origin)
elif MEDIA_STORAGE != "local":
    raise ImproperlyConfigured("MEDIA_STORAGE is 'local' (the default) or 's3'.")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

IMPORT_EXPORT_USE_TRANSACTIONS = True
# Our exports escape formulae themselves (portal.lib.spreadsheets): the setting of
# import-export strips only "=" and turns every number into text.

# Failed logins are counted in the database (shared by every app process) and lock out a
# username from one address, together, for a while; the message never says whether the
# account exists. Not the address alone: an office behind one NAT shares it, and others'
# failures locked out a correct admin. Not the username alone: anyone could lock out a known
# user on purpose from elsewhere. A locked-out user resets the password (which unlocks them)
# or asks an administrator (/accounts/lockouts/).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Behind a load balancer or reverse proxy every request comes from the proxy's address: set
# PROXY_COUNT to the number of proxies in front of the app (each appends to X-Forwarded-For),
# and the client's address is read from that header, counted from the right. Without proxies
# (0) X-Forwarded-For is ignored: a client could write anything in it.
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if PROXY_COUNT else ("REMOTE_ADDR",)
)

# Two-step sign-in (accounts.twofactor): required of admins and of whoever may reveal personal
# data; optional for everyone else. On by default, off by default in development (DEBUG),
# so `make run`'s demo logins work with a password alone.
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=not DEBUG)
# Wrong codes: wait 1, 2, 4… seconds (per device) before the next try is checked.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# Sessions end after an idle hour (the expiry slides with each request) and at browser close.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=60 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy (Django's own): everything from this site, no inline script.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
if MEDIA_STORAGE == "s3" and MEDIA_S3_REDIRECT:
    # Photos redirected to signed addresses load from the bucket's origin (redirects are
    # checked against img-src too).
    SECURE_CSP["img-src"].append(MEDIA_S3_ORIGIN)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# HTTPS=true in production: redirect to HTTPS, secure cookies, HSTS for a year.
if env.bool("HTTPS", default=False):
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    if env.bool("TRUST_X_FORWARDED_PROTO", default=False):
        # Only behind a proxy that sets this header itself (and strips a client's).
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Outgoing mail (password reset): the console by default, SMTP when EMAIL_HOST is set.
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="portal@localhost")
MAILERS = {
    "default": {
        "BACKEND": env(
            "EMAIL_BACKEND",
            default="django.core.mail.backends.smtp.EmailBackend"
            if env("EMAIL_HOST", default="")
            else "django.core.mail.backends.console.EmailBackend",
        ),
        "OPTIONS": {
            key: value
            for key, value in {
                "host": env("EMAIL_HOST", default=""),
                "port": env.int("EMAIL_PORT", default=587),
                "username": env("EMAIL_HOST_USER", default=""),
                "password": env("EMAIL_HOST_PASSWORD", default=""),
                "use_tls": env.bool("EMAIL_USE_TLS", default=True),
            }.items()
            if env("EMAIL_HOST", default="")
        },
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # National IDs and phone numbers never reach a log line (Thai PDPA).
    "filters": {"redact": {"()": "privacy.logging.RedactPersonalData"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # axes logs every login at INFO; failures and lockouts come at WARNING.
    # WeasyPrint and its font subsetter (fontTools) report every step of a PDF at INFO.
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# How long the personal-data access log is kept (manage.py purge_access_log deletes the rest).
ACCESS_LOG_RETENTION_DAYS = env.int("ACCESS_LOG_RETENTION_DAYS", default=730)

# Uploaded photos (portal.lib.images): size of one file, and pixels (a decompression-bomb guard).
PHOTO_MAX_BYTES = env.int("PHOTO_MAX_BYTES", default=10 * 1024 * 1024)
PHOTO_MAX_PIXELS = env.int("PHOTO_MAX_PIXELS", default=40_000_000)
PHOTOS_PER_UPLOAD = 20
# All the photos of one request together, read from their headers before any is decoded:
# twenty 12-megapixel phone photos pass, twenty 36-megapixel ones (a minute of work) do not.
PHOTO_UPLOAD_MAX_PIXELS = env.int("PHOTO_UPLOAD_MAX_PIXELS", default=250_000_000)
DATA_UPLOAD_MAX_NUMBER_FILES = PHOTOS_PER_UPLOAD

# The import centre (imports/): what an uploaded spreadsheet may be.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
IMPORT_MAX_UNPACKED_BYTES = env.int("IMPORT_MAX_UNPACKED_BYTES", default=200 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=100_000)
IMPORT_MAX_COLUMNS = 60
# Files larger than this are checked and imported in the background (`manage.py db_worker`).
IMPORT_BACKGROUND_BYTES = env.int("IMPORT_BACKGROUND_BYTES", default=200_000)
# Exports of more rows than this are prepared by a background worker, then downloaded from
# the requester's page (portal.export_jobs); those files are kept this many days.
EXPORT_BACKGROUND_ROWS = env.int("EXPORT_BACKGROUND_ROWS", default=20_000)
EXPORT_KEEP_DAYS = env.int("EXPORT_KEEP_DAYS", default=7)

# Background work: Django's tasks framework, queued in the database (django-tasks-db) and run
# by `manage.py db_worker` (any number of workers, on any machine sharing the database).
TASKS = {"default": {"BACKEND": env("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")}}
# `manage.py run_worker` beats every WORKER_BEAT_SECONDS; a worker silent for
# WORKER_STALE_SECONDS is taken for dead and the work it held is marked stopped, with retry
# (portal.workers, imports.recovery). Keep the second several times the first: a busy machine
# delays a beat. The drills (tests/infrastructure) shorten both to see a kill in seconds.
WORKER_BEAT_SECONDS = env.float("WORKER_BEAT_SECONDS", default=10)
WORKER_STALE_SECONDS = env.int("WORKER_STALE_SECONDS", default=60)
if WORKER_STALE_SECONDS < 2 * WORKER_BEAT_SECONDS:
    # Every worker would be taken for dead between two beats, and its running work marked
    # stopped and offered again while it is still being done.
    raise ImproperlyConfigured(
        f"WORKER_STALE_SECONDS ({WORKER_STALE_SECONDS}) must be at least twice "
        f"WORKER_BEAT_SECONDS ({WORKER_BEAT_SECONDS})."
    )
