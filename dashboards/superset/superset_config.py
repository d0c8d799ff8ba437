"""Superset configuration of govwh's local instance (loaded through SUPERSET_CONFIG_PATH).

Everything Superset writes lives in SUPERSET_HOME: the SQLite metadata, the secret key,
the result cache and the log. Only the loopback interface is served (see dashboards/server.py).
"""

import os
from pathlib import Path

_HOME = Path(os.environ["SUPERSET_HOME"])

SECRET_KEY = (_HOME / "secret_key").read_text(encoding="utf-8").strip()
SQLALCHEMY_DATABASE_URI = f"sqlite:///{_HOME / 'superset.db'}?check_same_thread=false"
DATA_DIR = str(_HOME)

# The REST API manages roles, users and row-level security from the publisher.
FAB_ADD_SECURITY_API = True
# Tests and the publisher log in many times in a row on one machine.
AUTH_RATE_LIMITED = False
RATELIMIT_ENABLED = False
SESSION_COOKIE_SECURE = False

# Nothing a user's browser loads leaves this server. Superset 6's pages carry a telemetry pixel
# (apachesuperset.gateway.scarf.sh, in every page's menu bar) and its default policy allows map
# tiles, fonts and images from outside hosts: a government intranet must not report who opens
# its dashboards to a third party, and often cannot reach one. The browser enforces this policy
# (Talisman sends it with every page); plain HTTP on 127.0.0.1, so no HTTPS redirects.
TALISMAN_ENABLED = True
_THIS_SERVER_ONLY = ["'self'"]
TALISMAN_CONFIG = {
    "content_security_policy": {
        "base-uri": _THIS_SERVER_ONLY,
        "default-src": _THIS_SERVER_ONLY,
        "img-src": [*_THIS_SERVER_ONLY, "blob:", "data:"],
        "worker-src": [*_THIS_SERVER_ONLY, "blob:"],
        "connect-src": _THIS_SERVER_ONLY,
        "object-src": "'none'",
        "style-src": [*_THIS_SERVER_ONLY, "'unsafe-inline'"],
        "font-src": [*_THIS_SERVER_ONLY, "data:"],
        # Handlebars charts (the "data as of" line) compile their template in the browser
        "script-src": [*_THIS_SERVER_ONLY, "'strict-dynamic'", "'unsafe-eval'"],
    },
    "content_security_policy_nonce_in": ["script-src"],
    "force_https": False,
    "session_cookie_secure": False,
}
TALISMAN_DEV_CONFIG = TALISMAN_CONFIG

FEATURE_FLAGS = {
    "DASHBOARD_NATIVE_FILTERS": True,
    "ENABLE_TEMPLATE_PROCESSING": True,
    "ALERT_REPORTS": False,
    "THUMBNAILS": False,
}

# Query results are cached for five minutes: the serving copy changes at most once per build.
DATA_CACHE_CONFIG = {
    "CACHE_TYPE": "FileSystemCache",
    "CACHE_DIR": str(_HOME / "cache" / "data"),
    "CACHE_DEFAULT_TIMEOUT": 300,
}
CACHE_CONFIG = {
    "CACHE_TYPE": "FileSystemCache",
    "CACHE_DIR": str(_HOME / "cache" / "metadata"),
    "CACHE_DEFAULT_TIMEOUT": 300,
}

# Chinese first (Superset's own zh translation), English one click away in the language menu.
# Flask-AppBuilder keeps the choice in the session; a new session starts in Chinese whatever the
# browser's Accept-Language says.
BABEL_DEFAULT_LOCALE = "zh"
LANGUAGES = {
    "zh": {"flag": "cn", "name": "简体中文"},
    "en": {"flag": "us", "name": "English"},
}
# Numbers the Chinese way: ¥ before the amount.
D3_FORMAT = {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["¥", ""]}
SQLLAB_CTAS_NO_LIMIT = True
ROW_LIMIT = 50000
SUPERSET_WEBSERVER_TIMEOUT = 120
