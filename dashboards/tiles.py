"""Map-like tile layouts: each district at a (row, column) that keeps its place on the map
roughly (north at the top). No boundary data ships in a Python package we can use, and a
tile grid reads better than a map for comparing figures. Provinces without a layout here get
a plain grid in code order (charts.tile_map)."""

LAYOUTS: dict[str, dict[str, tuple[int, int]]] = {
    # Sisaket: the Mun river districts in the north, the Dangrek range and Cambodia south.
    "33": {
        "3322": (0, 1),  # ศิลาลาด
        "3309": (0, 2),  # ราษีไศล
        "3302": (0, 4),  # ยางชุมน้อย
        "3303": (0, 5),  # กันทรารมย์
        "3311": (1, 1),  # บึงบูรพ์
        "3310": (1, 2),  # อุทุมพรพิสัย
        "3321": (1, 3),  # โพธิ์ศรีสุวรรณ
        "3301": (1, 4),  # เมืองศรีสะเกษ
        "3313": (1, 5),  # โนนคูณ
        "3307": (2, 0),  # ปรางค์กู่
        "3312": (2, 1),  # ห้วยทับทัน
        "3318": (2, 2),  # เมืองจันทร์
        "3316": (2, 3),  # วังหิน
        "3320": (2, 4),  # พยุห์
        "3315": (2, 5),  # น้ำเกลี้ยง
        "3305": (3, 1),  # ขุขันธ์
        "3306": (3, 2),  # ไพรบึง
        "3314": (3, 3),  # ศรีรัตนะ
        "3319": (3, 4),  # เบญจลักษ์
        "3304": (3, 5),  # กันทรลักษ์
        "3317": (4, 2),  # ภูสิงห์
        "3308": (4, 4),  # ขุนหาญ
    },
}


def layout_for(province_code: str | None) -> dict[str, tuple[int, int]]:
    return LAYOUTS.get(province_code or "", {})
