"""Benchmark: contact-level costing of N contacts (default 10 million) from Parquet.

Measures wall and CPU seconds (the machine may be shared: CPU time is the steadier figure),
each in its own subprocess so peak memory (VmHWM) is that run's alone:
the DuckDB engine (``roi_kit.costing.analyse``, 2 threads, 2 GB memory limit, spilling to a
temporary folder) and the straightforward pandas reference (``bench/pandas_costing_reference.py``)
on the same file in the same run, then the ratio; and rows per second from CSV.

    python bench/bench_costing.py               # 10,000,000 contacts
    python bench/bench_costing.py --rows 500000 # quicker
    python bench/bench_costing.py --skip-pandas # engine and floor only
    python bench/bench_costing.py --repeat 5    # five engine/floor pairs (default 3)
    ROI_KIT_COSTING_PROFILE=1 python bench/bench_costing.py --skip-pandas  # + seconds per stage
Also times the irreducible DuckDB work on the same file (one pass each: per-type sums, the 7-day
repeat window, per-type quantiles, duplicate ids) and the full costing's ratio to it.
Targets: all tables ≤ 15 s and ≤ 3 GB peak on 2 cores; ≥ 3× faster than the pandas reference;
≤ 2.5× the DuckDB floor.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RATES = {"default_hourly_cost": 30, "technology": {"voice": {"per_minute": 0.012}}}

ENGINE = """
import json, sys, time
from roi_kit.costing import analyse
t, c = time.perf_counter(), time.process_time()
r = analyse(sys.argv[1], json.loads(sys.argv[2]), threads=2, memory_limit="2GB", temp_directory=sys.argv[3])
s = r.summary
print(json.dumps({"seconds": time.perf_counter() - t, "cpu_seconds": time.process_time() - c, "rss_mb": int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) / 1024,
                  "rows_in": s["rows_in"], "cost_per_contact": s["cost_per_contact"],
                  "top_decile_cost_share": s["top_decile_cost_share"], "repeat_rate": s["repeat_rate"]}))
"""

#: The irreducible DuckDB work on the same file, one pass each (same threads, memory limit and
#: spill folder as the engine): per-type sums, the 7-day repeat window, per-type quantiles of a
#: contact's priced seconds, and the duplicate ids. The full costing does all of this and more
#: (quality rules, pricing, four dimensions, the tables), so its time over this one is its overhead.
FLOOR = """
import json, sys, time, duckdb
con = duckdb.connect()
con.execute("SET threads = 2"); con.execute("SET memory_limit = '2GB'")
con.execute(f"SET temp_directory = '{sys.argv[3]}'"); con.execute("SET preserve_insertion_order = false")
src = f"read_parquet('{sys.argv[1]}')"
queries = {
    "per-type sums": f"SELECT contact_type, count(*), sum(talk_seconds + hold_seconds + acw_seconds), "
                     f"sum(queue_seconds + talk_seconds + hold_seconds) FROM {src} GROUP BY 1",
    "repeat window": f"SELECT count(*) FILTER (WHERE r) FROM (SELECT started_at - lag(started_at) OVER "
                     f"(PARTITION BY customer_id, contact_type ORDER BY started_at) <= INTERVAL 7 DAY AS r "
                     f"FROM {src} WHERE outcome = 'handled' AND customer_id IS NOT NULL)",
    "quantiles": f"SELECT contact_type, quantile_cont((talk_seconds + hold_seconds + acw_seconds) * 0.02, "
                 f"[0.5, 0.9]) FROM {src} WHERE outcome = 'handled' GROUP BY 1",
    "duplicate ids": f"SELECT count(*) FROM (SELECT contact_id FROM {src} GROUP BY 1 HAVING count(*) > 1)",
}
t, c = time.perf_counter(), time.process_time()
parts = {}
for name, sql in queries.items():
    q = time.perf_counter()
    con.execute(sql).fetchall()
    parts[name] = time.perf_counter() - q
print(json.dumps({"seconds": time.perf_counter() - t, "cpu_seconds": time.process_time() - c, "parts": parts}))
"""

PANDAS = """
import json, sys, time
sys.path.insert(0, sys.argv[3])
from pandas_costing_reference import costing_tables
t, c = time.perf_counter(), time.process_time()
r = costing_tables(sys.argv[1], json.loads(sys.argv[2]))
tot = r["total"].iloc[0]
print(json.dumps({"seconds": time.perf_counter() - t, "cpu_seconds": time.process_time() - c, "rss_mb": int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) / 1024,
                  "rows_in": r["rows_in"], "cost_per_contact": float(tot["cost_per_contact"]),
                  "top_decile_cost_share": float(tot["top_decile_cost_share"]), "repeat_rate": float(tot["repeat_rate"])}))
"""


def _run(code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    sys.stderr.write(out.stderr)  # stage timings when ROI_KIT_COSTING_PROFILE is set
    return json.loads(out.stdout.strip().splitlines()[-1])


def _median_run(runs: list[dict]) -> dict:
    """The run of median wall time (all its figures from that one run)."""
    return sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--csv-rows", type=int, default=None, help="rows for the CSV figure (default rows/5)")
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="engine/floor pairs to run (median)")
    args = parser.parse_args()
    from roi_kit.costing import write_contacts

    rates = json.dumps(RATES)
    with tempfile.TemporaryDirectory(prefix="bench_costing_") as tmp:
        tmpdir = Path(tmp)
        t = time.perf_counter()
        parquet = write_contacts(tmpdir / "contacts.parquet", args.rows, seed=7, dirty=0.002)
        print(f"generated {args.rows:,} contacts in {time.perf_counter() - t:.1f} s "
              f"({parquet.stat().st_size / 1e6:.0f} MB Parquet)")
        # engine and floor alternate, so a pair shares the machine's state of the moment (a
        # shared VM drifts by a third from minute to minute); the ratio is the pairs' median
        pairs = []
        for _ in range(args.repeat):
            pairs.append((_run(ENGINE, str(parquet), rates, str(tmpdir / "spill")),
                          _run(FLOOR, str(parquet), rates, str(tmpdir / "spill"))))
        engine = _median_run([e for e, _ in pairs])
        floor = _median_run([f for _, f in pairs])
        runs = ", ".join(f"{e['seconds']:.1f}" for e, _ in pairs)
        print(f"duckdb engine : {engine['seconds']:6.1f} s (CPU {engine['cpu_seconds']:.1f} s), "
              f"peak {engine['rss_mb']:6.0f} MB, "
              f"{engine['rows_in'] / engine['seconds']:,.0f} rows/s  (target ≤ 15 s, ≤ 3072 MB; "
              f"median of {args.repeat}: {runs} s)")
        parts = ", ".join(f"{k} {v:.1f} s" for k, v in floor["parts"].items())
        print(f"duckdb floor  : {floor['seconds']:6.1f} s (CPU {floor['cpu_seconds']:.1f} s): {parts}")
        walls = [e["seconds"] / f["seconds"] for e, f in pairs]
        cpus = [e["cpu_seconds"] / f["cpu_seconds"] for e, f in pairs]
        print(f"over the floor: {statistics.median(walls):.2f}× wall, {statistics.median(cpus):.2f}× CPU, "
              f"median of {args.repeat} pairs (wall {', '.join(f'{r:.2f}' for r in walls)}; target ≤ 2.5×)")
        if not args.skip_pandas:
            ref = _run(PANDAS, str(parquet), rates, str(HERE))
            print(f"pandas (naive): {ref['seconds']:6.1f} s (CPU {ref['cpu_seconds']:.1f} s), "
                  f"peak {ref['rss_mb']:6.0f} MB")
            print(f"speed-up      : {ref['seconds'] / engine['seconds']:.2f}× wall, "
                  f"{ref['cpu_seconds'] / engine['cpu_seconds']:.2f}× CPU (target ≥ 3×)")
            same = all(abs(engine[k] - ref[k]) <= 1e-9 * max(1.0, abs(ref[k]))
                       for k in ("cost_per_contact", "top_decile_cost_share", "repeat_rate"))
            print(f"figures agree : {same} (cost per contact {engine['cost_per_contact']:.4f} vs "
                  f"{ref['cost_per_contact']:.4f})")
        csv_rows = args.csv_rows or max(1, args.rows // 5)
        csv = write_contacts(tmpdir / "contacts.csv", csv_rows, seed=8, dirty=0.002)
        from_csv = _run(ENGINE, str(csv), rates, str(tmpdir / "spill"))
        print(f"from CSV      : {csv_rows:,} rows in {from_csv['seconds']:.1f} s "
              f"(CPU {from_csv['cpu_seconds']:.1f} s) = "
              f"{csv_rows / from_csv['seconds']:,.0f} rows/s, peak {from_csv['rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
