"""gunicorn settings for one app server (deploy/portal-web.service runs it).

Each instance keeps its control socket in its own runtime directory: gunicorn 27 otherwise
puts one at ~/.gunicorn/gunicorn.ctl, shared by every instance run by the same user."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
# A briefing pack PDF or a large export may take a while; a stuck request is ended.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
# Workers are renewed now and then, so a slow leak never grows for long.
max_requests = 2000
max_requests_jitter = 200
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
control_socket = os.path.join(
    os.environ.get("RUNTIME_DIRECTORY", "/run/portal"), f"gunicorn-{bind.replace(':', '-')}.ctl"
)
accesslog = "-"
errorlog = "-"
