"""Writes the messy sample files of tests/data/ used by tests/test_imports*.py.

Run it again after changing a sample: `.venv/bin/python tests/data/make_import_samples.py`.
The district office's roster (kantharalak_council_roster.xlsx) is a real-shaped file kept as
it was sent and is not generated here.
"""

import datetime
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent


def councils_with_errors() -> None:
    """A roster typed by hand: a title, English and Thai headers in a new order, stray
    spaces, and rows with the mistakes people make."""
    book = Workbook()
    sheet = book.active
    sheet.title = "สภา"
    sheet.append(["รายชื่อสภาองค์กรชุมชน อำเภอขุขันธ์ (ปรับปรุง)"])
    sheet.append([])
    sheet.append(
        [
            "No.",
            " District ",
            "Subdistrict",
            "ชื่อสภาองค์กรชุมชน ",
            "Households",
            "Registered",
            "หมายเหตุ",
        ]
    )
    sheet.append(
        [1, "ขุขันธ์", "ต.ห้วยเหนือ", "สภาองค์กรชุมชนตำบลห้วยเหนือ", "1,250 ครัวเรือน", "๑๒/๓/๒๕๕๔", None]
    )
    sheet.append(
        [
            2,
            "อ.ขุขันธ์",
            "ตำบลปรือใหญ่",
            "สภาองค์กรชุมชนตำบลปรือใหญ่",
            980,
            datetime.datetime(2012, 5, 1),
            None,
        ]
    )
    sheet.append(
        [
            3,
            "Khukhan",
            "Sao Thong Chai",
            "สภาองค์กรชุมชนตำบลเสาธงชัย",
            "๗๐๐",
            "2555-01-15",
            "ไม่มีตำบลนี้ในขุขันธ์",
        ]
    )
    sheet.append(
        [4, "ขุขันธ์", "ต.โคกเพชร", "สภาองค์กรชุมชนตำบลโคกเพชร", "many", "1 Jan 2013", "จำนวนผิด"]
    )
    sheet.append(
        [5, "ขุขันธ์", "ต.ศรีสะอาด", "สภาองค์กรชุมชนตำบลศรีสะอาด", 1100, "31/02/2556", "วันที่ไม่มีจริง"]
    )
    sheet.append([None, None, None, None, None, None, None])
    sheet.append([6, "ขุขันธ์", "ต.หนองฉลอง", "สภาองค์กรชุมชนตำบลหนองฉลอง", 640, 41000, "serial"])
    sheet.append([None, "รวม", None, None, "=SUM(E4:E10)", None, None])
    book.save(HERE / "councils_with_errors.xlsx")


def council_csvs() -> None:
    header = "ลำดับ, อำเภอ ,ตำบล,ชื่อสภาองค์กรชุมชน,จำนวนครัวเรือน,วันที่จดแจ้งจัดตั้ง,เบอร์โทรศัพท์\r\n"
    rows = [
        '1,กันทรลักษ์,บึงมะลู,สภาองค์กรชุมชนตำบลบึงมะลู,"1,704",๗/๘/๒๕๕๒,0873978110\r\n',
        "2,อ.กันทรลักษ์,ต.กุดเสลา,สภาองค์กรชุมชนตำบลกุดเสลา,๘๙๙,25 ก.พ. 2555,๐๘๗๓๗๘๗๐๕๕\r\n",
    ]
    text = header + "".join(rows)
    (HERE / "councils_windows874.csv").write_bytes(text.encode("cp874"))
    (HERE / "councils_utf8_bom.csv").write_bytes(text.encode("utf-8-sig"))
    english = (
        "Registration code;Name (Thai);Subdistrict;District;Status;Population\r\n"
        "C330401;สภาองค์กรชุมชนตำบลบึงมะลู;Bueng Malu;Kantharalak;dormant;5,120\r\n"
    )
    (HERE / "councils_english_semicolon.csv").write_bytes(english.encode("utf-8"))


def members() -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["ทะเบียนกรรมการสภาองค์กรชุมชน"])
    sheet.append(["ลำดับ", "สภา", "ชื่อ-สกุล", "ตำแหน่ง", "เลขประจำตัวประชาชน", "เบอร์โทร", "วันเริ่มวาระ"])
    sheet.append(
        [
            1,
            "C330401",
            "นางสมศรี ใจดี",
            "เลขานุการ",
            "๑-๑๐๐๑-๐๐๐๐๐-๐๑-๘",
            "๐๘๑ ๒๓๔ ๕๖๗๘",
            "1 ต.ค. 2566",
        ]
    )
    sheet.append(
        [
            2,
            "สภาองค์กรชุมชนตำบลบึงมะลู",
            "นายบุญมี มีสุข",
            "member",
            1100100000026,
            "045-611-234",
            "01/10/2023",
        ]
    )
    sheet.append([3, "C330401", "นายผิด เลขบัตร", "กรรมการ", "1100100000017", None, None])
    sheet.append([4, "ไม่มีสภานี้", "นายหลง ทาง", "กรรมการ", None, None, None])
    sheet.append([5, "C330401", "นางโทร ผิด", "กรรมการ", None, "12345", None])
    sheet.append([6, "C330401", "นายตำแหน่ง แปลก", "นายก", None, None, None])
    book.save(HERE / "members_messy.xlsx")


if __name__ == "__main__":
    councils_with_errors()
    council_csvs()
    members()
