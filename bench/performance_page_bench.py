"""The public performance page under a crowd: its throughput beside /web/health, on a city-sized table.

Measured side by side in one run on one database (no demo data):
  1. 200,000 grievances inserted in bulk (bench/sla_bench.py's way: a quarter open), a third of the
     open ones with a location, some closures confirmed by the citizen;
  2. the snapshot's refresh (the scheduled action: figures of 13 months, departments, wards, the map,
     the page rendered in Hindi and English), timed;
  3. wrk against /web/health, then against /grievances/performance/en, same connections and duration,
     on a prefork server (bench/odoo_server.py).
Prints the requests per second of each and their ratio (the issue's target: at least 0.5). Asserts
nothing on time: the figures depend on the machine.
"""

import time

from odoo_env import create_database, log, odoo_registry
from odoo_server import OdooServer
from sla_bench import insert_grievances
from whatsapp_load import ensure_wrk, run_wrk

DB = "mp15_bench_performance"
GRIEVANCES = 200_000
WORKERS = 2
CONNECTIONS = 16
SECONDS = 15
WARMUP_SECONDS = 3


def shape_grievances(cr):
    """What the bulk insert leaves out and the page reads: open flag, closures, a location for some."""
    cr.execute(
        """
        UPDATE mp15_grievance
           SET is_open = state IN ('new', 'assigned', 'in_progress'),
               closure = CASE WHEN state = 'closed' THEN (CASE WHEN id % 3 = 0 THEN 'staff' ELSE 'citizen' END) END,
               reopen_count = CASE WHEN id % 17 = 0 THEN 1 ELSE 0 END,
               latitude = CASE WHEN state = 'in_progress' AND id % 3 = 0 THEN 23.80 + (id % 97) / 1000.0 END,
               longitude = CASE WHEN state = 'in_progress' AND id % 3 = 0 THEN 78.70 + (id % 89) / 1000.0 END
        """
    )
    cr.execute("ANALYZE mp15_grievance")


def main():
    ensure_wrk(log)
    create_database(DB, log)
    with odoo_registry(DB) as (odoo, registry):
        with registry.cursor() as cr:
            started = time.monotonic()
            insert_grievances(cr, GRIEVANCES, 0)
            shape_grievances(cr)
            cr.execute("SELECT count(*), count(*) FILTER (WHERE is_open) FROM mp15_grievance")
            total, open_count = cr.fetchone()
            log(f"{total:,} grievances ({open_count:,} open) inserted in {time.monotonic() - started:.0f} s")
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            started = time.monotonic()
            snapshot = env["mp15.performance.snapshot"]._refresh()
            refresh_seconds = time.monotonic() - started
            page_kib = len(snapshot.html_en.encode()) / 1024
        log(f"snapshot refresh (the scheduled action): {refresh_seconds:.2f} s; page {page_kib:.0f} KiB")

    server = OdooServer(DB, workers=WORKERS, cron_threads=0, log_level="warn", name="performance")
    server.start()
    try:
        for key, value in server.config().items():
            log(f"  {key}: {value}")
        health_url = f"{server.url}/web/health"
        page_url = f"{server.url}/grievances/performance/en"
        run_wrk(health_url, seconds=WARMUP_SECONDS, connections=CONNECTIONS)  # workers load the registry
        run_wrk(page_url, seconds=WARMUP_SECONDS, connections=CONNECTIONS)
        health = run_wrk(health_url, seconds=SECONDS, connections=CONNECTIONS)
        page = run_wrk(page_url, seconds=SECONDS, connections=CONNECTIONS)
    finally:
        server.stop()
    log("")
    log(f"wrk: {CONNECTIONS} connections, {SECONDS} s each, {WORKERS} HTTP workers, {GRIEVANCES:,} grievances")
    for name, result in (("/web/health", health), ("/grievances/performance/en", page)):
        log(
            f"{name:<28} {result.per_second:8.1f} req/s  p50 {result.latency_ms['p50']:.1f} ms  "
            f"p99 {result.latency_ms['p99']:.1f} ms  errors {result.error_count}"
        )
    log(f"public page ÷ /web/health: {page.per_second / health.per_second:.2f}  (issue 12's target: ≥ 0.5)")


if __name__ == "__main__":
    main()
