"""Import speed, measured honestly: the import centre against import-export's default, same file.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/import_bench.py
        [--rows 20000 100000] [--kinds projects councils ...] [--template national | --scale 0.1]
        [--default-rows N] [--http] [--http-rows 20000]

Everything runs in a database of its own, `import_bench` (created here, dropped at the end):
a copy of `--template` (the national data set: `createdb -T national` needs nobody connected
to it), or, without it, an empty one filled by `generate_scale_data --scale`. No row is ever
removed with QuerySet.delete() (that writes a history row per record): each measurement
uses rows of its own (new codes), so nothing has to be cleared.

For each kind and size it writes the file a district office would send (Thai headers, B.E.
dates, "1,234 บาท" amounts, references by code or name, councils by their place) and measures
in the same run, the clock starting at the upload:

- ours: upload → preview (every row read and checked) → commit (written in bulk with history
  rows) through `imports.service`, as the pages and the worker call it; the commit comes right
  after an unchanged preview, so it is also the "commit after an unchanged preview" figure;
- import-export's default (projects and councils): a plain ModelResource reading the same CSV
  bytes, with `clean_model_instances = True` (full_clean, as ours checks every row), the
  minimum widgets to read the file (B.E. dates, baht amounts, references by code, places by
  name within the row's province), `import_data(dry_run=True)` then `import_data()` — its
  preview and its commit — on the same number of rows (`--default-rows` lowers it; the table
  says so);
- with `--http`: gunicorn and one `manage.py run_worker`, an HTTP upload of the projects and
  councils files, polling `/imports/<pk>/progress/` until the preview is ready, the
  confirmation, polling until imported; and the worker process's peak memory (VmHWM).

Queries per thousand rows of our preview + commit and the bench process's peak memory
(ru_maxrss) are printed too. Run on PostgreSQL; every ratio comes from one run.
"""

import argparse
import csv
import io
import os
import re
import resource
import subprocess
import sys
import time
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# DEBUG stays off, as in production; the portal then needs a key of its own.
os.environ.setdefault("SECRET_KEY", "bench-only-" + "k3y" * 20)
os.environ.setdefault("TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection, connections  # noqa: E402
from import_export import fields, resources, widgets  # noqa: E402

DATABASE = "import_bench"
MEDIA = ROOT / "bench" / ".media"
PORT = int(os.environ.get("IMPORT_BENCH_PORT", "8765"))  # gunicorn's, with --http
COUNCILS = 50  # the councils of the small world of `world()` (undo_bench)


# The bench's own database ------------------------------------------------------------------


def _admin_sql(sql: str) -> None:
    settings = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    host, port = settings["HOST"] or "127.0.0.1", str(settings["PORT"] or 5432)
    command = ["psql", "-h", host, "-p", port, "-U", settings["USER"] or "postgres"]
    command += ["-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql]
    subprocess.run(command, check=True, env=env)  # noqa: S603 - the bench's own arguments


@contextmanager
def bench_database(max_rows: int, template: str | None = None, name: str = DATABASE):
    """A database of the bench's own (`name`, a copy of `template` if given), with the import
    limits raised for `max_rows` and uploads kept under bench/.media; dropped at the end."""
    from django.conf import settings

    settings.MEDIA_ROOT = MEDIA
    settings.IMPORT_MAX_ROWS = max(settings.IMPORT_MAX_ROWS, max_rows)
    settings.IMPORT_MAX_BYTES = 200 * 1024 * 1024
    settings.IMPORT_MAX_UNPACKED_BYTES = 2000 * 1024 * 1024
    if connection.vendor != "postgresql":  # undo_bench on SQLite: a throwaway test database
        from django.test.utils import setup_test_environment

        setup_test_environment()
        old_name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            yield connection.settings_dict["NAME"]
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        return
    connections.close_all()
    _admin_sql(f'DROP DATABASE IF EXISTS "{name}"')
    _admin_sql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    old_name = connection.settings_dict["NAME"]
    for alias in connections:
        connections[alias].settings_dict["NAME"] = name
    try:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        yield name
    finally:
        connections.close_all()
        for alias in connections:
            connections[alias].settings_dict["NAME"] = old_name
        _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# The small world of undo_bench (fifty councils, one programme) --------------------------------


def generate(count: int) -> tuple[bytes, list[tuple]]:
    """A projects CSV for `world()` (undo_bench), and the same rows parsed."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(PROJECT_HEADERS)
    parsed = []
    for n in range(count):
        budget = 10_000 + (n * 37) % 490_000
        writer.writerow([f"BENCH-{n:06}", f"โครงการพัฒนาชุมชน {n}", "bench",
                         f"BENCH-C{n % COUNCILS:03}", 2567, f"{budget:,} บาท", "1/11/2566",
                         "30/9/2567"])  # fmt: skip
        parsed.append((f"BENCH-{n:06}", f"โครงการพัฒนาชุมชน {n}", 2567, Decimal(budget)))
    return out.getvalue().encode("utf-8-sig"), parsed


def world():
    from accounts.models import User
    from councils.models import Council
    from geo.models import District, Province
    from projects.models import Programme

    province = Province.objects.create(code="33", name_th="ศรีสะเกษ", name_en="Si Sa Ket")
    district = District.objects.create(
        code="3399", province=province, name_th="อำเภอทดสอบ", name_en="Bench District"
    )
    Council.objects.bulk_create(
        Council(
            code=f"BENCH-C{n:03}",
            name_th=f"สภาทดสอบ {n}",
            area_type="municipality",
            municipality_name=f"เทศบาล {n}",
            district=district,
        )  # fmt: skip
        for n in range(COUNCILS)
    )
    Programme.objects.create(code="bench", name_th="แผนงานทดสอบ", name_en="Bench programme")
    user = User.objects.create(username="bench", role="staff")
    user.provinces.add(province)
    return user


def clear_projects():
    """Remove the bench's projects and their history with plain SQL (no history rows)."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM projects_historicalproject")
        cursor.execute("DELETE FROM projects_project")


# Files a district office would send, on the national data -------------------------------------

PROJECT_HEADERS = ["รหัสโครงการ", "ชื่อโครงการ", "แผนงาน", "สภา", "ปีงบประมาณ",
                   "งบประมาณที่ขอ", "วันเริ่ม", "วันสิ้นสุด"]  # fmt: skip
COUNCIL_HEADERS = ["รหัสสภา", "ชื่อสภาองค์กรชุมชน", "ประเภทพื้นที่", "จังหวัด", "อำเภอ", "ตำบล",
                   "ชื่อเทศบาล", "จำนวนครัวเรือน", "เบอร์โทรศัพท์", "ประธานสภา"]  # fmt: skip


def _csv(headers, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


class Data:
    """What the files refer to, read once from the bench database."""

    def __init__(self):
        from councils.models import Agency, Council
        from geo.models import District
        from meetings.models import Meeting
        from projects.models import Programme, Project

        self.councils = list(
            Council.objects.active()
            .filter(subdistrict__isnull=False)
            .order_by("pk")
            .values_list(
                "code", "subdistrict__name_th", "district__name_th", "district__province__name_th"
            )  # fmt: skip
        )
        self.districts = list(
            District.objects.order_by("pk").values_list("name_th", "province__name_th")
        )
        self.programmes = list(Programme.objects.active().values_list("code", flat=True))
        self.agencies = list(Agency.objects.active().order_by("pk").values_list("code", flat=True))
        self.projects = list(Project.objects.active().order_by("pk").values_list("code", flat=True))
        self.meetings = list(Meeting.objects.active().order_by("pk").values_list("pk", flat=True))
        self.run = 0

    def tag(self) -> str:
        """A prefix of its own for each file: no measurement meets another one's rows."""
        self.run += 1
        return f"B{self.run}"

    def projects_file(self, count: int) -> bytes:
        tag = self.tag()
        rows = []
        for n in range(count):
            budget = 10_000 + (n * 37) % 490_000
            rows.append([f"{tag}-{n:06}", f"โครงการพัฒนาชุมชน {n}",
                         self.programmes[n % len(self.programmes)],
                         self.councils[n % len(self.councils)][0], 2567, f"{budget:,} บาท",
                         "1/11/2566", "30/9/2567"])  # fmt: skip
        return _csv(PROJECT_HEADERS, rows)

    def councils_file(self, count: int) -> bytes:
        """Every council of the country changed (households, phone, a new chair), named by
        code and place; past them, new municipal councils in every district."""
        tag = self.tag()
        rows = []
        for n, (code, subdistrict, district, province) in enumerate(self.councils[:count]):
            rows.append([code, "", "ตำบล", province, district, subdistrict, "", 100 + n % 900,
                         f"08{n % 100_000_000:08}", f"ประธาน {tag} {n}"])  # fmt: skip
        for n in range(count - len(rows)):
            district, province = self.districts[n % len(self.districts)]
            rows.append([f"{tag}M{n:06}", f"สภาเทศบาล {tag} {n}", "เขตเทศบาล", province, district,
                         "", f"เทศบาล {tag} {n}", 100 + n % 900, f"08{n % 100_000_000:08}",
                         f"ประธาน {tag} {n}"])  # fmt: skip
        return _csv(COUNCIL_HEADERS, rows)

    def members_file(self, count: int) -> bytes:
        tag = self.tag()
        return _csv(
            ["สภา", "ชื่อ-สกุล", "ตำแหน่ง", "เบอร์โทรศัพท์", "วันเริ่มวาระ"],
            [
                [
                    self.councils[n % len(self.councils)][0],
                    f"สมาชิก {tag} {n}",
                    "กรรมการ",
                    f"08{n:08}",
                    "1/10/2566",
                ]
                for n in range(count)
            ],  # fmt: skip
        )

    def organisations_file(self, count: int) -> bytes:
        tag = self.tag()
        return _csv(
            ["สภา", "ชื่อองค์กร", "จำนวนสมาชิก", "วันที่จัดตั้ง"],
            [
                [
                    self.councils[n % len(self.councils)][0],
                    f"กลุ่ม {tag} {n}",
                    10 + n % 90,
                    "1/6/2560",
                ]
                for n in range(count)
            ],  # fmt: skip
        )

    def agencies_file(self, count: int) -> bytes:
        tag = self.tag()
        provinces = sorted({council[3] for council in self.councils})
        return _csv(
            ["รหัส", "ชื่อหน่วยงาน", "ภาคส่วน", "จังหวัด"],
            [
                [
                    f"{tag.lower()}-{n:06}",
                    f"หน่วยงาน {tag} {n}",
                    "local",
                    provinces[n % len(provinces)],
                ]
                for n in range(count)
            ],  # fmt: skip
        )

    def partners_file(self, count: int) -> bytes:
        """(project, agency) pairs no file of this run has used: agency i with every project."""
        start = self.run * count
        self.tag()
        rows = []
        for n in range(start, start + count):
            project = self.projects[n % len(self.projects)]
            agency = self.agencies[(n // len(self.projects)) % len(self.agencies)]
            rows.append([project, agency, f"{1000 + n % 9000:,}"])
        return _csv(["รหัสโครงการ", "หน่วยงาน", "งบสมทบ"], rows)

    def disbursements_file(self, count: int) -> bytes:
        tag = self.tag()
        return _csv(
            ["รหัสโครงการ", "วันที่โอน", "จำนวนเงิน", "เลขที่อ้างอิง"],
            [
                [
                    self.projects[n % len(self.projects)],
                    "15/1/2567",
                    f"{1000 + n % 9000:,} บาท",
                    f"{tag}-{n:06}",
                ]
                for n in range(count)
            ],  # fmt: skip
        )

    def attendance_file(self, count: int) -> bytes:
        tag = self.tag()
        return _csv(
            ["การประชุม", "ชื่อ-สกุล", "ตำแหน่ง"],
            [
                [self.meetings[n % len(self.meetings)], f"ผู้เข้าร่วม {tag} {n}", "ผู้แทนชุมชน"]
                for n in range(count)
            ],  # fmt: skip
        )


KINDS = ["projects", "councils", "members", "organisations", "agencies", "partners",
         "disbursements", "attendance"]  # fmt: skip


# Ours, through the service as the pages and the worker call it ---------------------------------


def ours(user, kind: str, content: bytes, count: int) -> dict:
    from imports import service
    from imports.models import ImportBatch

    queries = []
    with connection.execute_wrapper(lambda execute, *args: queries.append(1) or execute(*args)):
        started = time.perf_counter()
        batch = service.store_upload(SimpleUploadedFile(f"{kind}.csv", content), kind, user)
        batch.refresh_from_db()
        previewed = time.perf_counter()
        assert batch.status == ImportBatch.Status.PREVIEW, (kind, batch.status, batch.notice)
        assert batch.rows_error == 0 and batch.rows_total == count, (
            kind,
            batch.rows_error,
            batch.rows_total,
            [r for r in batch.preview["rows"] if r["outcome"] == "error"][:1],
        )
        service.request_commit(batch, user, ImportBatch.Mode.ALL)
        done = time.perf_counter()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED, (kind, batch.status, batch.notice)
    batch.file.delete(save=False)
    return {"preview": previewed - started, "commit": done - previewed, "queries": len(queries)}


# import-export's default, on the same bytes ----------------------------------------------------


class BuddhistDateWidget(widgets.DateWidget):
    """d/m/yyyy in the Buddhist era, as the file has it."""

    def clean(self, value, row=None, **kwargs):
        day, month, year = (int(part) for part in str(value).split("/"))
        return super().clean(f"{year - 543:04}-{month:02}-{day:02}", row, **kwargs)


class BahtWidget(widgets.DecimalWidget):
    def clean(self, value, row=None, **kwargs):
        return super().clean(re.sub(r"[^\d.]", "", str(value)), row, **kwargs)


class DefaultProjectResource(resources.ModelResource):
    def __init__(self):
        from councils.models import Council
        from projects.models import Programme

        super().__init__()
        fk = widgets.ForeignKeyWidget
        for name, header, widget in (
            ("code", "รหัสโครงการ", None),
            ("title_th", "ชื่อโครงการ", None),
            ("programme", "แผนงาน", fk(Programme, field="code")),
            ("council", "สภา", fk(Council, field="code")),
            ("fiscal_year", "ปีงบประมาณ", widgets.IntegerWidget()),
            ("budget_requested", "งบประมาณที่ขอ", BahtWidget()),
            ("start_date", "วันเริ่ม", BuddhistDateWidget()),
            ("end_date", "วันสิ้นสุด", BuddhistDateWidget()),
        ):
            self.fields[name] = fields.Field(
                attribute=name, column_name=header, widget=widget or widgets.CharWidget()
            )

    def get_import_id_fields(self):
        return ["code"]

    class Meta:
        from projects.models import Project

        model = Project
        fields = ["code"]
        clean_model_instances = True
        skip_unchanged = True


class PlaceWidget(widgets.ForeignKeyWidget):
    """A subdistrict or district by its Thai name, within the row's province (and district)."""

    def __init__(self, model, within):
        super().__init__(model, field="name_th")
        self.within = within

    def get_queryset(self, value, row, *args, **kwargs):
        return self.model.objects.filter(**{k: row[v] for k, v in self.within.items()})


class ChoiceLabelWidget(widgets.CharWidget):
    LABELS = {"ตำบล": "subdistrict", "เขตเทศบาล": "municipality"}

    def clean(self, value, row=None, **kwargs):
        return self.LABELS.get(str(value).strip(), value)


SUBDISTRICT_WITHIN = {"district__name_th": "อำเภอ", "district__province__name_th": "จังหวัด"}


class DefaultCouncilResource(resources.ModelResource):
    """Councils by code; the place by name within the row's province. It leaves the chair
    column alone (import-export has no notion of it): less work than ours does."""

    def __init__(self):
        from geo.models import District, Subdistrict

        super().__init__()
        for name, header, widget in (
            ("code", "รหัสสภา", None),
            ("name_th", "ชื่อสภาองค์กรชุมชน", None),
            ("area_type", "ประเภทพื้นที่", ChoiceLabelWidget()),
            ("district", "อำเภอ", PlaceWidget(District, {"province__name_th": "จังหวัด"})),
            ("subdistrict", "ตำบล", PlaceWidget(Subdistrict, SUBDISTRICT_WITHIN)),
            ("municipality_name", "ชื่อเทศบาล", None),
            ("households", "จำนวนครัวเรือน", widgets.IntegerWidget()),
            ("phone", "เบอร์โทรศัพท์", None),
        ):
            self.fields[name] = fields.Field(
                attribute=name, column_name=header, widget=widget or widgets.CharWidget()
            )

    def get_import_id_fields(self):
        return ["code"]

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        # An empty cell keeps the stored value (the file names existing councils by code).
        if row.get(field.column_name) in (None, ""):
            return
        super().import_field(field, instance, row, is_m2m, **kwargs)

    class Meta:
        from councils.models import Council

        model = Council
        fields = ["code"]
        clean_model_instances = True
        skip_unchanged = True


DEFAULTS = {"projects": DefaultProjectResource, "councils": DefaultCouncilResource}


def default(kind: str, content: bytes) -> float:
    """import-export's preview (dry run) and commit of the same CSV bytes."""
    import tablib

    started = time.perf_counter()
    for dry_run in (True, False):
        dataset = tablib.Dataset().load(content.decode("utf-8-sig"), format="csv")
        result = DEFAULTS[kind]().import_data(dataset, dry_run=dry_run)
        if result.has_errors() or result.has_validation_errors():
            problem = result.invalid_rows[:1] or result.row_errors()[:1]
            sys.exit(f"import-export's default import of {kind} failed: {problem!r}")
    return time.perf_counter() - started


def first_rows(content: bytes, count: int) -> bytes:
    lines = content.decode("utf-8-sig").splitlines(keepends=True)
    return "".join(lines[: count + 1]).encode("utf-8-sig")


# End to end through HTTP: gunicorn and one worker ---------------------------------------------


class Http:
    def __init__(self, database: str, user, max_rows: int):
        import secrets

        from django.conf import settings
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.contrib.sessions.backends.db import SessionStore

        from accounts.middleware import NOTHING, STATE_KEY

        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[STATE_KEY] = NOTHING
        session.create()
        self.csrf = secrets.token_hex(16)
        self.cookie = f"sessionid={session.session_key}; csrftoken={self.csrf}"
        self.base = f"http://127.0.0.1:{PORT}"
        db = connection.settings_dict
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{database}",
            "MEDIA_ROOT": str(MEDIA),
            "IMPORT_MAX_ROWS": str(max_rows),
            "IMPORT_MAX_BYTES": str(200 * 1024 * 1024),
            "IMPORT_MAX_UNPACKED_BYTES": str(2000 * 1024 * 1024),
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            # Pages render without collected static files (no manifest needed).
            "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
            "GUNICORN_BIND": f"127.0.0.1:{PORT}",
            "LOG_LEVEL": "WARNING",
        }
        python = str(ROOT / ".venv" / "bin" / "python")
        self.server = subprocess.Popen(  # noqa: S603
            [python, "-m", "gunicorn", "-c", "gunicorn.conf.py"], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.worker = subprocess.Popen(  # noqa: S603
            [python, "manage.py", "run_worker", "--interval", "0.2", "--no-startup-delay"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(300):
            try:
                self.request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)

    def request(self, method, path, body=b"", content_type=""):
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=600)
        headers = {"Cookie": self.cookie, "Referer": self.base + "/imports/"}
        if method == "POST":
            headers["X-CSRFToken"] = self.csrf
            headers["Content-Type"] = content_type or "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status, response.getheader("Location") or "", data

    def _wait(self, pk: int, statuses: set[str]) -> str:
        import json

        while True:
            status, _location, data = self.request("GET", f"/imports/{pk}/progress/")
            state = json.loads(data)["status"]
            if state in statuses:
                return state
            time.sleep(0.1)

    def run(self, kind: str, content: bytes) -> tuple[float, float, float]:
        from urllib.parse import urlencode

        from imports.models import ImportBatch

        boundary = "benchboundary"
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\n{kind}\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="{kind}.csv"\r\nContent-Type: text/csv\r\n\r\n'
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        started = time.perf_counter()
        status, location, _data = self.request(
            "POST", "/imports/", body, f"multipart/form-data; boundary={boundary}"
        )
        match = re.search(r"/imports/(\d+)/", location)
        assert status == 302 and match, (status, location, _data[:300])
        pk = int(match.group(1))
        state = self._wait(pk, {"preview", "refused", "failed"})
        previewed = time.perf_counter()
        assert state == "preview", state
        batch = ImportBatch.objects.get(pk=pk)
        assert batch.rows_error == 0, batch.rows_error
        confirmation = batch.commit_confirmation(ImportBatch.Mode.ALL)
        status, _location, _data = self.request(
            "POST", f"/imports/{pk}/commit/", urlencode({"mode": "all", "confirm": confirmation})
        )
        assert status == 302, status
        state = self._wait(pk, {"imported", "preview", "failed"})
        done = time.perf_counter()
        assert state == "imported", state
        return previewed - started, done - previewed, done - started

    def worker_peak_mb(self) -> float:
        """The worker's peak resident memory (VmHWM of its process)."""
        status = Path(f"/proc/{self.worker.pid}/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024

    def stop(self):
        for process in (self.worker, self.server):
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


# The run -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--kinds", nargs="+", default=KINDS, choices=KINDS)
    parser.add_argument("--template", help="copy this database (the national data set)")
    parser.add_argument("--database", default=DATABASE, help="the bench's own database's name")
    parser.add_argument("--scale", type=float, default=0.1, help="without --template")
    parser.add_argument(
        "--default-rows", type=int, help="import-export's rows (default: the same; 0: skip it)"
    )
    parser.add_argument("--http", action="store_true", help="end to end: gunicorn + run_worker")
    parser.add_argument("--http-rows", type=int, nargs="+", help="default: --rows")
    parser.add_argument("--http-only", action="store_true", help="end to end only")
    parser.add_argument("--http-kinds", nargs="+", default=["projects", "councils"], choices=KINDS)
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run it on PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres")
    from django.core.management import call_command

    from accounts.models import User
    from councils.models import Council
    from projects.models import Project

    largest = max(options.rows + (options.http_rows or []))
    with bench_database(largest, options.template, options.database) as database:
        if not options.template:
            print(f"generating the data set at scale {options.scale}...", flush=True)
            call_command("generate_scale_data", scale=options.scale, verbosity=0)
        user = User.objects.create(username="import-bench", role="admin")
        data = Data()
        load = os.getloadavg()
        print(
            f"PostgreSQL {connection.pg_version // 10000}, {os.cpu_count()} CPUs, load "
            f"{load[0]:.1f}; {'copy of ' + options.template if options.template else 'generated'}"
            f" data: {Council.objects.count():,} councils, {Project.objects.count():,} projects"
        )
        print(
            f"{'kind':<14}{'rows':>8} {'preview/s':>10} {'commit/s':>9} {'both/s':>8} "
            f"{'q/1000':>7} {'default rows':>12} {'default/s':>10} {'ours÷default':>12}"
        )
        for count in [] if options.http_only else options.rows:
            for kind in options.kinds:
                content = getattr(data, f"{kind}_file")(count)
                measured = ours(user, kind, content, count)
                both = count / (measured["preview"] + measured["commit"])
                line = (
                    f"{kind:<14}{count:>8,} {count / measured['preview']:>10,.0f} "
                    f"{count / measured['commit']:>9,.0f} {both:>8,.0f} "
                    f"{measured['queries'] * 1000 / count:>7.1f}"
                )
                if kind in DEFAULTS and options.default_rows != 0:
                    rows = min(count, options.default_rows or count)
                    # Its own rows again: the file of the same shape, not yet imported.
                    sample = first_rows(getattr(data, f"{kind}_file")(count), rows)
                    rate = rows / default(kind, sample)
                    line += f" {rows:>12,} {rate:>10,.0f} {both / rate:>11.1f}×"
                print(line, flush=True)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory of the bench process (files, checks, default runs): {peak:,.0f} MB")
        if options.http or options.http_only:
            http = Http(database, user, largest)
            try:
                print(f"{'end to end':<14}{'rows':>8} {'preview':>9} {'commit':>9} {'rows/s':>8}")
                for count in options.http_rows or options.rows:
                    for kind in options.http_kinds:
                        content = getattr(data, f"{kind}_file")(count)
                        preview, commit, total = http.run(kind, content)
                        print(
                            f"{kind:<14}{count:>8,} {preview:>8.1f}s {commit:>8.1f}s "
                            f"{count / total:>8,.0f}",
                            flush=True,
                        )
                print(f"peak memory of the worker process: {http.worker_peak_mb():,.0f} MB")
            finally:
                http.stop()


if __name__ == "__main__":
    main()
