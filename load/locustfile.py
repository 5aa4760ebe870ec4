"""A load test of the portal (locust, headless): the four roles log in through the real
login page and open the pages they use, with an export now and then. Only GETs after the
login: run it against a copy of the national data (a login writes a session and the last
login time). How to run it: load/README.md.

At the end it prints, per page: requests, failures, requests/s, p50/p95/p99 as the client
saw them, and the median time the portal itself spent on the page (its `Server-Timing:
app;dur=` header) as a ratio to /healthz's, which queueing for a free worker does not blur."""

import os
import random
import re
import statistics
from collections import defaultdict

from locust import HttpUser, between, events, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "sisaket2565")

# name -> path; `{project}`, `{council}` and `{meeting}` are ids read from the user's lists.
PAGES = {
    "/healthz": "/healthz",
    "/": "/",
    "/councils/": "/councils/",
    "/councils/[id]/": "/councils/{council}/",
    "/agencies/": "/agencies/",
    "/projects/": "/projects/",
    "/projects/?page=2": "/projects/?page=2",
    "/projects/?q=": "/projects/?q=อาชีพ",
    "/projects/[id]/": "/projects/{project}/",
    "/meetings/": "/meetings/",
    "/meetings/[id]/": "/meetings/{meeting}/",
    "/meetings/resolutions/": "/meetings/resolutions/",
    "/meetings/calendar/": "/meetings/calendar/",
    "/quality/": "/quality/",
    "/reports/": "/reports/",
    # Exports: the councils in scope streamed as CSV (7,436 for an administrator); the
    # projects as a workbook (an administrator's 100,000 are offered to the background
    # worker, the page that says so; a council's few are the file).
    "export councils.csv": "/councils/?format=csv",
    "export projects.xlsx": "/projects/?format=xlsx",
}

# How often each page is opened, relative to the others (a list is opened more often than
# a detail, an export seldom).
BROWSING = {
    "/healthz": 4,  # the baseline of the ratios: often enough to have a median
    "/": 6,
    "/councils/": 4,
    "/councils/[id]/": 4,
    "/agencies/": 2,
    "/projects/": 6,
    "/projects/?page=2": 2,
    "/projects/?q=": 2,
    "/projects/[id]/": 5,
    "/meetings/": 3,
    "/meetings/[id]/": 3,
    "/meetings/resolutions/": 2,
    "/meetings/calendar/": 2,
    "/quality/": 1,
    "/reports/": 1,
    "export councils.csv": 0.3,
    "export projects.xlsx": 0.2,
}

IDS = {
    "project": re.compile(r'href="/projects/(\d+)/"'),
    "council": re.compile(r'href="/councils/(\d+)/"'),
    "meeting": re.compile(r'href="/meetings/(\d+)/"'),
}
LISTS = {"project": "/projects/", "council": "/councils/", "meeting": "/meetings/"}

# page name -> the portal's own milliseconds (Server-Timing), for the report.
APP_TIMES: dict[str, list[float]] = defaultdict(list)
SERVER_TIMING = re.compile(r"app;dur=([\d.]+)")


class PortalUser(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    username = ""

    def on_start(self) -> None:
        self.ids: dict[str, list[str]] = {}
        self.log_in()
        for kind, path in LISTS.items():
            response = self.client.get(path, name=f"(ids) {path}")
            self.ids[kind] = IDS[kind].findall(response.text)[:25]
            if kind == "project":
                # A council editor's few projects fit on one page: no page 2 to ask for.
                self.second_page = "page=2" in response.text

    def log_in(self) -> None:
        self.client.get("/accounts/login/", name="login page")
        token = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            "/accounts/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="log in",
            catch_response=True,
        ) as response:
            if "/accounts/login/" in response.url or "/two-factor/" in response.url:
                response.failure(f"{self.username} could not log in (ended at {response.url})")

    @task
    def browse(self) -> None:
        names = list(BROWSING)
        name = random.choices(names, weights=[BROWSING[n] for n in names])[0]  # noqa: S311
        self.open(name)

    def open(self, name: str) -> None:
        if name == "/projects/?page=2" and not self.second_page:
            name = "/projects/"
        ids = {kind: random.choice(found) for kind, found in self.ids.items() if found}  # noqa: S311
        try:
            path = PAGES[name].format(**ids)
        except KeyError:
            return  # nothing of that kind in this user's scope
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
                return
            if "/accounts/login/" in response.url:
                response.failure("sent to the login page")
                return
            timing = SERVER_TIMING.search(response.headers.get("Server-Timing", ""))
            if timing:
                APP_TIMES[name].append(float(timing.group(1)))
            if name.startswith("export"):
                # Read the whole file, as a browser saving it would.
                _ = response.content


class Administrator(PortalUser):
    weight = 1
    username = "demo-admin"


class Staff(PortalUser):
    weight = 3
    username = "demo-staff"


class CouncilEditor(PortalUser):
    weight = 3
    username = "demo-council"


class Viewer(PortalUser):
    weight = 3
    username = "demo-viewer"


def report(stats) -> str:
    """Per page: what the client saw, and the portal's own time as a ratio to /healthz's."""
    healthz = statistics.median(APP_TIMES["/healthz"]) if APP_TIMES["/healthz"] else None
    lines = [
        f"{'page':<26}{'reqs':>6}{'fail':>6}{'req/s':>7}{'p50':>7}{'p95':>7}{'p99':>7}"
        f"{'app p50':>9}{'÷healthz':>9}"
    ]
    entries = sorted(stats.entries.values(), key=lambda entry: entry.name)
    for entry in [*entries, stats.total]:
        app = APP_TIMES.get(entry.name)
        app_median = statistics.median(app) if app else None
        ratio = f"{app_median / healthz:.1f}" if app_median and healthz else "-"
        lines.append(
            f"{entry.name[:25]:<26}{entry.num_requests:>6}{entry.num_failures:>6}"
            f"{entry.total_rps:>7.2f}"
            f"{entry.get_response_time_percentile(0.5) or 0:>7.0f}"
            f"{entry.get_response_time_percentile(0.95) or 0:>7.0f}"
            f"{entry.get_response_time_percentile(0.99) or 0:>7.0f}"
            f"{f'{app_median:.1f}' if app_median is not None else '-':>9}{ratio:>9}"
        )
    return "\n".join(lines)


@events.reset_stats.add_listener
def _forget_the_ramp() -> None:
    """With --reset-stats the figures start once every user has started (the ramp is not
    what the pages cost); logins still under way are counted on their own lines."""
    APP_TIMES.clear()


@events.quitting.add_listener
def _print_report(environment, **kwargs) -> None:
    text = report(environment.stats)
    options = environment.parsed_options
    heading = f"users: {options.num_users}, {options.run_time} s" if options else "users: ?"
    print(f"\n{heading}\n{text}")
    target = os.environ.get("LOAD_REPORT")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(f"\n{heading}\n{text}\n")
