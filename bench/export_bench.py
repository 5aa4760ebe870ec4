"""The administrator's export of every project (CSV and XLSX) on the national data, as it is
now and as it was (model instances per row, each field's attribute walked, openpyxl's
write-only workbook), side by side in one run: time to the first byte, total time, the
process's CPU time and its peak memory growth, with the ratios.

Each measurement runs in a fresh process (peak memory is the process's high-water mark,
reset just before the export). It reads only: run it on the national data set, e.g.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/national .venv/bin/python bench/export_bench.py
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = ("before", "now")
FORMATS = ("csv", "xlsx")


def main() -> None:
    results = {}
    for file_format in FORMATS:
        for variant in VARIANTS:
            child = subprocess.run(  # noqa: S603 - this script, its own arguments
                [sys.executable, __file__, "--one", file_format, variant],
                capture_output=True,
                text=True,
                check=True,
            )
            results[file_format, variant] = json.loads(child.stdout.strip().splitlines()[-1])
    first = results[FORMATS[0], VARIANTS[0]]
    print(f"{first['database']}: {first['rows']:,} projects; load average {os.getloadavg()[0]:.1f}")
    print(
        f"{'export':<8}{'variant':<8}{'first byte s':>13}{'total s':>9}{'CPU s':>7}"
        f"{'memory +MB':>11}{'MB out':>8}"
    )
    for (file_format, variant), result in results.items():
        print(
            f"{file_format:<8}{variant:<8}{result['first_byte']:>13.2f}{result['total']:>9.1f}"
            f"{result['cpu']:>7.1f}{result['memory_mb']:>11.1f}{result['bytes'] / 1e6:>8.1f}"
        )
    for file_format in FORMATS:
        before, now = results[file_format, "before"], results[file_format, "now"]
        print(
            f"{file_format}: now takes {now['total'] / before['total']:.2f}× the time "
            f"({before['total'] / now['total']:.1f} times faster), "
            f"{now['cpu'] / before['cpu']:.2f}× the CPU"
        )


def _status(field: str) -> int:
    """A line of /proc/self/status, in kB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def one(file_format: str, variant: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/national")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "k3y" * 20)
    import django

    django.setup()
    from django.db import connection
    from django.test import RequestFactory, override_settings
    from django.utils import translation

    from accounts.models import User
    from portal import exports
    from projects.models import Project
    from projects.views import ProjectListView

    if variant == "before":
        _as_it_was(exports)
    admin = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    translation.activate("th")

    def export(query: str):
        request = RequestFactory().get(f"/projects/?{query}")
        request.user = admin
        with override_settings(EXPORT_BACKGROUND_ROWS=10**9):
            return ProjectListView.as_view()(request)

    for _chunk in export(f"format={file_format}&fiscal_year=1").streaming_content:
        pass  # warm up: imports, translations, the connection
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM) to the current RSS
    resident = _status("VmRSS")
    cpu = time.process_time()
    started = time.perf_counter()
    response = export(f"format={file_format}")
    first_byte, size = None, 0
    for chunk in response.streaming_content:
        if first_byte is None:
            first_byte = time.perf_counter() - started
        size += len(chunk)
    total = time.perf_counter() - started
    response.close()
    print(
        json.dumps(
            {
                "database": connection.vendor,
                "rows": Project.objects.active().count(),
                "first_byte": first_byte,
                "total": total,
                "cpu": time.process_time() - cpu,
                "memory_mb": (_status("VmHWM") - resident) / 1024,
                "bytes": size,
            }
        )
    )


def _as_it_was(exports) -> None:
    """The export before this change: model instances per row (import-export's own walk of
    each field), PostgreSQL's JIT left on, openpyxl's write-only workbook."""
    import contextlib
    import tempfile

    from django.utils import translation
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    exports.ExportResource.value_columns = lambda self, queryset: None
    exports._without_jit = lambda alias: contextlib.nullcontext()
    bold, wrapped = Font(bold=True), Alignment(wrap_text=True)

    def xlsx_cell(sheet, value, *, header=False):
        if not isinstance(value, str):
            return value
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if not header and "\n" not in value:
            return value
        cell = WriteOnlyCell(sheet, value=value)
        if header:
            cell.font = bold
        else:
            cell.alignment = wrapped
        return cell

    def xlsx_file(resource, queryset, language, *, title):
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=title[:31])
        sheet.freeze_panes = "A2"
        with translation.override(language):
            rows = exports.export_rows(resource, queryset)
            headers = next(rows)
            for index, header in enumerate(headers, start=1):
                width = min(max(len(header) + 4, 12), 40)
                sheet.column_dimensions[get_column_letter(index)].width = width
            sheet.append([xlsx_cell(sheet, header, header=True) for header in headers])
            for row in rows:
                sheet.append([xlsx_cell(sheet, value) for value in row])
        handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response
        workbook.save(handle)
        handle.seek(0)
        return handle

    exports._xlsx_file = xlsx_file


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--one":
        one(sys.argv[2], sys.argv[3])
    else:
        main()
