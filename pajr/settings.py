"""The one settings module. Every difference between a laptop, CI and production comes from the
environment (or from a `.env` file beside `manage.py`, which `make` writes for local use and which
never overrides a variable already set)."""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .csp import CONTENT_SECURITY_POLICY
from .logging_config import logging_config
from .s3 import private_s3_storage

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV", default=True):
    environ.Env.read_env(BASE_DIR / ".env")
# Where the embedded defaults keep their files (SQLite, the filesystem broker, the CVs, the dev
# mailbox). Importing the settings creates nothing: the folders are made when Django starts
# (common.apps.ensure_embedded_folders) or by the code that writes to them.
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-local-development-key-never-used-in-production"  # noqa: S105

# Every link in an email is built from SITE_URL, never from the request's Host header. Unset, it
# follows the web server's port: WEB_PORT (set by `make run` for all its processes), else PORT.
_port = env.int("WEB_PORT", default=env.int("PORT", default=8000))
SITE_URL = env.str("SITE_URL", default=f"http://127.0.0.1:{_port}").rstrip("/")
_site = urlsplit(SITE_URL)
_hosts = [_site.hostname, "127.0.0.1", "localhost"] if DEBUG else [_site.hostname]
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=_hosts)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[f"{_site.scheme}://{_site.netloc}"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "django_countries",
    "django_filters",
    "phonenumber_field",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    # The project's apps, from the bottom layer up (README, "Code layout"; checked by import-linter).
    "common",
    "accounts",
    "notifications",
    "territories",
    "candidates",
    "referrals",
    "activities",
    "counselling",
    "my_file",
    "stats",
    "privacy",
    "devtools",
]

MIDDLEWARE = [
    "pajr.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "pajr.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "pajr.middleware.LanguageMiddleware",
    "pajr.middleware.RequestGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "pajr.middleware.LogUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.sessions.StaffSessionMiddleware",
    "accounts.second_factor.StaffSecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "pajr.urls"
# A form refused for its CSRF token gets the platform's page, in the visitor's language.
CSRF_FAILURE_VIEW = "pajr.errors.csrf_failure"
WSGI_APPLICATION = "pajr.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "common.context_processors.help_contact",
            ],
            # Django's i18n and {% extends %}, each made cheaper (common/templatetags/*_kept.py).
            "libraries": {"i18n": "common.templatetags.i18n_kept"},
            "builtins": ["common.templatetags.extends_kept"],
        },
    },
]
SILENCED_SYSTEM_CHECKS = ["templates.W003"]  # that "i18n" replaces Django's on purpose

# --- Data -------------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # The web server and the Celery worker write to the same file: WAL lets readers
            # go on while one writes, IMMEDIATE avoids the lock-upgrade deadlock between them.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
    # A file, not memory, so that a real worker process can see what a test wrote.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # PostgreSQL's JIT compiles a plan whose cost estimate is high, which the statistics' and the
    # queue's aggregates reach: compiling cost 10-300 ms for queries that run in a few ms
    # (docs/benchmarks.md). Off for the platform's connections unless POSTGRES_JIT=true.
    if not env.bool("POSTGRES_JIT", default=False):
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    # A statement run a fifth time on a connection is prepared (parsed and planned once; a filtered
    # queue list is planned for its values, common.planning): planning was 44 % of PostgreSQL's time
    # under load (issue 17). POSTGRES_PREPARE=false: off, as Django has it (for a transaction pooler).
    if env.bool("POSTGRES_PREPARE", default=True):
        DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
_LOCMEM = "django.core.cache.backends.locmem.LocMemCache"
_REDIS_CACHE = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
_FRAGMENTS = {"BACKEND": "common.caches.FragmentCache", "LOCATION": "fragments", "OPTIONS": {"MAX_ENTRIES": 2000}}
# "fragments": the layout's fixed parts, kept in each process by language, role and page (templates/base.html).
CACHES = {"default": _REDIS_CACHE if REDIS_URL else {"BACKEND": _LOCMEM}, "fragments": _FRAGMENTS}

# --- Accounts ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [  # Django's and allauth's, the person read by one statement (accounts.backends)
    "accounts.backends.ModelBackend",
    "accounts.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
PHONENUMBER_DEFAULT_REGION = "CA"
LOGIN_REDIRECT_URL = "candidates:home"  # the adapter sends each role to its own page
ACCOUNT_ADAPTER = "candidates.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_SIGNUP_FORM_CLASS = "candidates.signup.SignupIdentityForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# A 6-digit code, typed on the same page: easier on a phone than a link, and the same page
# whether or not the address already has an account (ACCOUNT_PREVENT_ENUMERATION, on by default).
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# PAJ agents have no password: they sign in with a code sent by email ("Recevoir un code par
# courriel" on the sign-in page). The email leaves through the Celery worker, so the code lives
# 10 minutes rather than allauth's 3; 3 wrong tries and it is void (a new one must be asked for,
# which allauth rate-limits per address).
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_FORMS = {
    "request_login_code": "accounts.forms.RequestLoginCodeForm",  # not for EER staff
    "signup": "candidates.signup_form.SignupForm",  # the same time for a known and a new address
}
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 10 * 60
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
# allauth's rate limits are on with their defaults (sign-up 20/min per IP: an EER office may
# register several people from one address; login failures 5 per 5 min per account, ...). They
# count in the cache: locmem by default, Redis when REDIS_URL is set.
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False  # a reset never signs in: the sign-in asks for the second factor
# A second factor (accounts.second_factor): required of staff, offered to everyone. Passkeys need
# HTTPS, except on the loopback address the browsers trust (development, the browser tests).
MFA_ADAPTER = "accounts.second_factor.MFAAdapter"  # staff keep at least one second factor
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_TOTP_ISSUER = "PAJR – EER"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env.bool("MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN", default=DEBUG)
# Staff see every file: their sessions end after 30 minutes without a request, and 10 hours after
# signing in (accounts.sessions).
STAFF_SESSION_IDLE_SECONDS = env.int("STAFF_SESSION_IDLE_SECONDS", default=30 * 60)
STAFF_SESSION_MAX_AGE_SECONDS = env.int("STAFF_SESSION_MAX_AGE_SECONDS", default=10 * 60 * 60)
ACCOUNT_SESSION_REMEMBER = None
# Each sign-in is recorded (device, address) so that a person can end their sessions one by one
# and an account's deletion ends all of them; kept RETENTION["sessions"] days (privacy.purge).
USERSESSIONS_TRACK_ACTIVITY = False

# --- Language and time ------------------------------------------------------------------------
LANGUAGE_CODE = "fr-ca"
LANGUAGES = [("fr-ca", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Toronto"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # The files people give us (CVs), read only through permission-checked views (common.storage).
    # Embedded default: the private folder MEDIA_ROOT. With STORAGE_S3_BUCKET: an S3-compatible
    # bucket (AWS, MinIO, Ceph…), so that every web host and worker sees the same files; objects
    # get no ACL (the bucket's private default) and any URL the backend makes is signed.
    "private": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"base_url": None}},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Bounded input: a file part over UPLOAD_MAX_BYTES (the CV limit) is dropped as it streams in,
# before anything reaches the disk (common.uploads); a body over MAX_REQUEST_BYTES is refused
# from its Content-Length (pajr.middleware.RequestGuardMiddleware), as the proxy does in front.
UPLOAD_MAX_BYTES = 5 * 1024 * 1024
MAX_REQUEST_BYTES = UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "common.uploads.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
]
# Compared with the whole request's length, not the file's: at UPLOAD_MAX_BYTES a 5 MB CV with the
# form around it would activate no handler and be dropped silently. Every accepted file stays in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BYTES
DATA_UPLOAD_MAX_NUMBER_FILES = 5
STATIC_URL_PATH = "/" + STATIC_URL.strip("/") + "/"
MEDIA_ROOT = VAR_DIR / "private"  # never served by URL: files leave through permission-checked views


if STORAGE_S3_BUCKET := env.str("STORAGE_S3_BUCKET", default=""):
    STORAGES["private"] = private_s3_storage(
        bucket=STORAGE_S3_BUCKET,
        endpoint_url=env.str("STORAGE_S3_ENDPOINT_URL", default=""),
        region=env.str("STORAGE_S3_REGION", default=""),
        access_key=env.str("STORAGE_S3_ACCESS_KEY_ID", default=""),
        secret_key=env.str("STORAGE_S3_SECRET_ACCESS_KEY", default=""),
        prefix=env.str("STORAGE_S3_PREFIX", default="private"),
        addressing_style=env.str("STORAGE_S3_ADDRESSING_STYLE", default=""),
    )
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
FORM_RENDERER = "common.form_renderer.FastRenderer"  # common widgets written in Python (issue 17)

# --- Help for the public (footer, home page) ---------------------------------------------------
# Who answers people's questions about the service: an address, a phone number (E.164) and its
# opening hours on weekdays (24-hour "HH:MM", Québec time).
HELP_EMAIL = env.str("HELP_EMAIL", default="aide@pajr.localhost")
HELP_PHONE = env.str("HELP_PHONE", default="+15145550199")
HELP_HOURS_OPEN = env.str("HELP_HOURS_OPEN", default="09:00")
HELP_HOURS_CLOSE = env.str("HELP_HOURS_CLOSE", default="17:00")

# --- Email ------------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL",
    default="Place aux jeunes – Emplois en régions <ne-pas-repondre@pajr.localhost>",
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
DEV_MAILBOX_DIR = VAR_DIR / "mail"
EMAIL_TIMEOUT_SECONDS = env.int("EMAIL_TIMEOUT", default=20)
if env.str("EMAIL_URL", default=""):
    _mail = env.email_url("EMAIL_URL")  # smtp://, smtp+tls://, smtp+ssl://user:password@host:port
    MAILERS = {
        "default": {
            "BACKEND": _mail["EMAIL_BACKEND"],
            "OPTIONS": {
                "host": _mail.get("EMAIL_HOST", "localhost"),
                "port": _mail.get("EMAIL_PORT", 25),
                "username": _mail.get("EMAIL_HOST_USER", ""),
                "password": _mail.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": _mail.get("EMAIL_USE_TLS", False),
                "use_ssl": _mail.get("EMAIL_USE_SSL", False),
                "timeout": EMAIL_TIMEOUT_SECONDS,
            },
        }
    }
elif DEBUG:
    # The development mailbox: every email is kept under var/mail/ and shown at /dev/courriels/.
    MAILERS = {"default": {"BACKEND": "devtools.mailbox.DevMailboxBackend"}}
else:
    raise ImproperlyConfigured("EMAIL_URL must be set when DEBUG is off (e.g. smtp+tls://user:pw@host:587).")

# --- Celery -----------------------------------------------------------------------------------
# See pajr/celery.py for why each of these is set.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 2}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
# Workers keep their database connection across tasks for CONN_MAX_AGE, as the web does
# (pajr/celery.py, `tasks_share_connections`); Celery's own fixup then closes it every 1,000 tasks.
CELERY_DB_REUSE_MAX = 1000
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Two queues (README, "Scale out"): `emails` for the outbox's sending, `default` for everything
# else (periodic work, the purge, reminders), so that a burst of emails never delays the purge.
# `make run` runs one worker on both; production may run a worker per queue. A test rig that
# moves the default queue to one of its own takes the emails with it (pajr.celery.route_task).
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="default")
CELERY_EMAIL_QUEUE = env.str("CELERY_EMAIL_QUEUE", default="emails")
CELERY_TASK_ROUTES = ("pajr.celery.route_task",)
CELERY_IMPORTS = ("pajr.tasks",)
# The worker and beat log through settings.LOGGING (JSON, tokens and addresses redacted), not Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # pajr is not an installed app: its tasks module is named here
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Periodic tasks, each safe to run twice at once (django-celery-beat does not support Django 6.1).
# How often the statistics' rollups are rebuilt (stats.rollups; the page shows the figures' time).
STATS_REFRESH_SECONDS = env.int("STATS_REFRESH_SECONDS", default=300)
CELERY_BEAT_SCHEDULE: dict = {
    "referrals-expire": {
        "task": "referrals.tasks.referrals_expire",
        "schedule": env.int("REFERRAL_EXPIRY_CHECK_SECONDS", default=300),
    },
    "outbox-requeue-due": {
        "task": "notifications.tasks.outbox_requeue_due",
        "schedule": env.int("OUTBOX_REQUEUE_SECONDS", default=5),
    },
    # Agents: a reminder REFERRAL_REMINDER_DAYS after the referral reached them, and a warning
    # when less than 24 hours are left; hourly, so each goes within the hour it is due.
    "referrals-remind": {"task": "referrals.tasks.referrals_remind", "schedule": crontab(minute=5)},
    "referrals-expiring": {"task": "referrals.tasks.referrals_expiring", "schedule": crontab(minute=35)},
    # Agents and candidates: the 3/6/12-month check-ins after the move, in the morning.
    "follow-up-checkins": {"task": "referrals.tasks.follow_up_checkins", "schedule": crontab(hour=9, minute=0)},
    # Candidates: the reminder two days before an activity they registered to.
    "activities-remind": {"task": "activities.tasks.registrations_remind", "schedule": crontab(minute=20)},
    # Counsellors: the day's answers at 17:00 Montréal time (CELERY_TIMEZONE, America/Toronto: one clock).
    "referrals-digest": {"task": "referrals.tasks.referrals_digest", "schedule": crontab(hour=17, minute=0)},
    # The retention periods (settings.RETENTION), applied at night when nobody works.
    "purge-personal-data": {"task": "privacy.tasks.purge_personal_data", "schedule": crontab(hour=3, minute=15)},
    # The statistics' rollups (stats.rollups), rebuilt; the page shows when.
    "statistics-refresh": {"task": "stats.tasks.statistics_refresh", "schedule": STATS_REFRESH_SECONDS},
    # /sante/ reads the time of the last run: beat and a worker on the default queue are alive.
    "health-heartbeat": {
        "task": "pajr.tasks.health_heartbeat",
        "schedule": env.float("HEALTH_HEARTBEAT_SECONDS", default=60),
    },
    # Coordinators: the emails that failed since the last report.
    "outbox-failed-report": {
        "task": "notifications.tasks.outbox_failed_report",
        "schedule": env.int("OUTBOX_FAILED_REPORT_SECONDS", default=900),
    },
}

# --- Outbox (notifications) -------------------------------------------------------------------
# A failing email is tried again after about BASE, 2×BASE, 4×BASE… seconds (at most MAX, with
# jitter), and marked failed after MAX_ATTEMPTS tries: 8 tries span up to ~10 minutes by default.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
OUTBOX_RETRY_BASE_SECONDS = env.float("OUTBOX_RETRY_BASE_SECONDS", default=5)
OUTBOX_RETRY_MAX_SECONDS = env.float("OUTBOX_RETRY_MAX_SECONDS", default=600)
OUTBOX_REQUEUE_AFTER_SECONDS = env.float("OUTBOX_REQUEUE_AFTER_SECONDS", default=8)  # see outbox_requeue_overdue

# --- Health (/sante/) --------------------------------------------------------------------------
# The worker's answer to a ping is kept this long, so that a probe every few seconds costs one
# broadcast per interval; beat's heartbeat (every minute) is stale after HEALTH_BEAT_MAX_AGE; an
# email due and unsent for longer than HEALTH_OUTBOX_MAX_AGE means delivery is stuck.
HEALTH_WORKER_CACHE_SECONDS = env.int("HEALTH_WORKER_CACHE_SECONDS", default=30)
HEALTH_WORKER_TIMEOUT_SECONDS = env.float("HEALTH_WORKER_TIMEOUT_SECONDS", default=1.0)
HEALTH_BEAT_MAX_AGE_SECONDS = env.int("HEALTH_BEAT_MAX_AGE_SECONDS", default=180)
HEALTH_OUTBOX_MAX_AGE_SECONDS = env.int("HEALTH_OUTBOX_MAX_AGE_SECONDS", default=900)

# --- Domain settings --------------------------------------------------------------------------
REFERRAL_ANSWER_DAYS = env.int("REFERRAL_ANSWER_DAYS", default=10)
# The agents of a referral still unanswered after this many days get one reminder.
REFERRAL_REMINDER_DAYS = env.int("REFERRAL_REMINDER_DAYS", default=3)
# An agent who put a referral under review may push its deadline back once, by this many days.
REFERRAL_REVIEW_EXTENSION_DAYS = env.int("REFERRAL_REVIEW_EXTENSION_DAYS", default=7)
# How long an agent still sees a person after closing their follow-up (referrals.selectors.agent_view).
AGENT_ACCESS_GRACE_DAYS = env.int("AGENT_ACCESS_GRACE_DAYS", default=30)
# --- Retention (Law 25, P-39.1 s. 23) ---------------------------------------------------------
# How long each kind of personal information is kept, in days. The nightly purge
# (privacy.purge, `manage.py purge_personal_data`) and the privacy page both read these; the
# rules themselves are listed in privacy.retention.RULES.
RETENTION = {
    # A registration never submitted: the draft and its account, counted from its last change.
    "drafts": env.int("RETENTION_DRAFT_DAYS", default=180),
    # A file closed, or whose person has settled: anonymized after this long.
    "closed_files": env.int("RETENTION_CLOSED_FILE_DAYS", default=730),
    # Coaching consent withdrawn and not given again: the file is anonymized after this grace.
    "coaching_withdrawn": env.int("RETENTION_COACHING_WITHDRAWN_DAYS", default=30),
    # The CV, after the file closes or the person settles.
    "cvs": env.int("RETENTION_CV_DAYS", default=90),
    # Sent emails (their bodies are emptied at sending; the rows go after this long).
    "outbox": env.int("RETENTION_OUTBOX_DAYS", default=90),
    # Sessions: expired ones, and the record of a session (device, address) after this long.
    "sessions": env.int("RETENTION_SESSION_DAYS", default=30),
    # The log of who read which file.
    "access_log": env.int("RETENTION_ACCESS_LOG_DAYS", default=365),
    # Free text in the history (notes, reasons) after this long; the facts stay.
    "history_text": env.int("RETENTION_HISTORY_TEXT_DAYS", default=365),
}
# --- Privacy office (Law 25, P-39.1 s. 3.1, 3.2 and 8) ----------------------------------------
# Each organisation's person in charge of the protection of personal information (by default its
# highest authority, s. 3.1), published on the privacy page (/confidentialite/) with the means to
# reach them. Production sets the real title, name and address of each.
PRIVACY_OFFICERS = {
    organisation: {
        "title_fr": env.str(f"PRIVACY_OFFICER_{organisation.upper()}_TITLE_FR", default="Direction générale"),
        "title_en": env.str(f"PRIVACY_OFFICER_{organisation.upper()}_TITLE_EN", default="Executive Director"),
        "name": env.str(f"PRIVACY_OFFICER_{organisation.upper()}_NAME", default=""),
        "email": env.str(
            f"PRIVACY_OFFICER_{organisation.upper()}_EMAIL",
            default=f"confidentialite.{organisation}@{_site.hostname or 'localhost'}",
        ),
    }
    for organisation in ("pajr", "eer")  # accounts.models.Organisation
}
# Where the database, the CVs and the backups are kept, as the privacy page says it.
DATA_HOSTING = env.str("DATA_HOSTING", default="Canada — Montréal")

PURGE_BATCH_SIZE = env.int("PURGE_BATCH_SIZE", default=200)  # rows per purge transaction (short locks)
# How many people an agent may send to EER in 24 hours ("Envoyer une personne à EER").
AGENT_INTAKES_PER_DAY = env.int("AGENT_INTAKES_PER_DAY", default=10)

# --- Security ---------------------------------------------------------------------------------
SECURE_CSP = CONTENT_SECURITY_POLICY  # pajr.csp: nothing inline, nothing from elsewhere
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_ENGINE = "accounts.sessions"  # Django's database sessions, read faster (accounts.sessions)
_https = _site.scheme == "https"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=_https)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=_https)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=_https and not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if _https and not DEBUG else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
# The preload token has no effect until the domain's owner submits it to the browsers' list.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=SECURE_HSTS_SECONDS > 0)
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Logs and errors --------------------------------------------------------------------------
# One JSON object a line in production (LOG_FORMAT=json, the default when DEBUG is off), plain
# lines on a laptop. Each record carries the request's id (X-Request-ID, also in the response)
# and the signed-in user's id, never an email, a name or a link token (common.logs, redaction).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
LOGGING = logging_config(json=LOG_FORMAT == "json", level=env.str("LOG_LEVEL", default="INFO"))

# Error reports go to Sentry (or a compatible service) only when SENTRY_DSN is set; no personal
# data: send_default_pii off, no frame locals, and common.sentry.scrub on every event.
if SENTRY_DSN := env.str("SENTRY_DSN", default=""):
    from common.sentry import sentry_init

    sentry_init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        release=env.str("SENTRY_RELEASE", default="") or None,
    )
