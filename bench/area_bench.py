"""An area profile at province scale against district scale, on the national data set.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/area_bench.py

Times, through Django's test client, the profile of Sisaket province (/areas/33/) against
that of one of its districts (/areas/3304/, Kantharalak), as CODI staff of Sisaket, and the
profile of the country's largest province by subdistricts (Nakhon Ratchasima, /areas/30/)
as an admin. Medians of --runs requests; the aim is a province within 3x of a district.
"""

import argparse

from common import client_for, prepare, served, timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    prepare()
    staff = client_for("bench-sisaket", "staff", ["33"])
    admin = client_for("bench-admin", "admin", [])
    with served():
        district, district_queries = timed(staff, "/areas/3304/", runs)
        province, province_queries = timed(staff, "/areas/33/", runs)
        largest, largest_queries = timed(admin, "/areas/30/", runs)
    print(f"district profile (3304):            {district:8.1f} ms  ({district_queries} queries)")
    print(f"province profile (33):              {province:8.1f} ms  ({province_queries} queries)")
    print(f"province profile (30, largest):     {largest:8.1f} ms  ({largest_queries} queries)")
    print(f"province 33 / district:             {province / district:8.2f} x  (aim: at most 3 x)")
    print(f"province 30 / district:             {largest / district:8.2f} x")


if __name__ == "__main__":
    main()
