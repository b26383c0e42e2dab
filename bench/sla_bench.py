"""The SLA scheduled action on a city-sized table: its cost must follow what is due, not the table.

Measured side by side in one run on one database:
  1. an SLA run with nothing due, with 2,000 grievances and again with 200,000 (50,000 open);
  2. a run over 500 newly due grievances and one over 5,000 (breach + first escalation: activity
     for the head and a chatter note each), worked off in the action's own batches.
Prints the times and their ratios. Target: the empty run under 100 ms on the big table; the empty
run's ratio big/small near 1; the due runs' ratio near 10 (per-grievance cost constant).
"""

import statistics
import time

from odoo_env import create_database, log, odoo_registry

DB = "mp15_bench_sla"
SMALL, BIG, OPEN_SHARE = 2_000, 200_000, 0.25


def insert_grievances(cr, count, first_number):
    """Bulk-insert grievances: a quarter open and not due for days, the rest closed long ago."""
    cr.execute(
        """
        WITH refs AS (
            SELECT (SELECT id FROM mp15_grievance_category WHERE code = 'ROAD') AS category_id,
                   (SELECT department_id FROM mp15_grievance_category WHERE code = 'ROAD') AS department_id,
                   (SELECT id FROM mp15_grievance_stage WHERE state = 'in_progress'
                     ORDER BY sequence LIMIT 1) AS open_stage,
                   (SELECT id FROM mp15_grievance_stage WHERE state = 'closed'
                     ORDER BY sequence LIMIT 1) AS closed_stage
        )
        INSERT INTO mp15_grievance (
            name, kind, category_id, department_id, stage_id, state, priority, channel, description, active,
            date_filed, sla_hours, sla_deadline, sla_at_risk_at, sla_escalate_at, sla_state, escalation_level,
            date_first_update, date_resolved, date_closed, reopen_count, create_uid, write_uid, create_date, write_date)
        SELECT 'BENCH-' || lpad((%(first)s + n)::text, 7, '0'), 'complaint', refs.category_id, refs.department_id,
               CASE WHEN open THEN refs.open_stage ELSE refs.closed_stage END,
               CASE WHEN open THEN 'in_progress' ELSE 'closed' END, '0', 'whatsapp', 'bench', true,
               filed, 24, filed + interval '24 hours',
               CASE WHEN open THEN filed + interval '18 hours' END, CASE WHEN open THEN filed + interval '48 hours' END,
               CASE WHEN open THEN 'on_track' ELSE 'met' END, 0,
               filed + interval '1 hour',
               CASE WHEN open THEN NULL ELSE filed + interval '10 hours' END,
               CASE WHEN open THEN NULL ELSE filed + interval '11 hours' END,
               0, 1, 1, filed, filed
          FROM refs, generate_series(1, %(count)s) AS n,
               LATERAL (SELECT n %% 4 = 0 AS open) AS o,
               LATERAL (SELECT CASE WHEN open THEN now() at time zone 'UTC' + interval '2 hours'
                                    ELSE now() at time zone 'UTC' - (n %% 700 || ' days')::interval END AS filed) AS f
        """,
        {"first": first_number, "count": count},
    )
    cr.execute("ANALYZE mp15_grievance")


def make_due(cr, count):
    """``count`` open grievances whose deadline just passed (breach and first escalation due)."""
    cr.execute(
        """
        UPDATE mp15_grievance SET date_filed = now() at time zone 'UTC' - interval '25 hours',
               sla_deadline = now() at time zone 'UTC' - interval '1 hour',
               sla_at_risk_at = now() at time zone 'UTC' - interval '7 hours',
               sla_escalate_at = now() at time zone 'UTC' + interval '23 hours', sla_state = 'at_risk'
         WHERE id IN (SELECT id FROM mp15_grievance WHERE state = 'in_progress' AND escalation_level = 0
                        AND sla_state = 'on_track' ORDER BY id LIMIT %s)
        """,
        [count],
    )


def empty_run_ms(odoo, registry, repeats=15):
    timings = []
    for _index in range(repeats):
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            started = time.perf_counter()
            done, remaining = env["mp15.grievance"]._cron_sla()
            timings.append((time.perf_counter() - started) * 1000)
            assert (done, remaining) == (0, 0), (done, remaining)
    return statistics.median(timings)


def due_run_seconds(odoo, registry, count):
    with registry.cursor() as cr:
        make_due(cr, count)
    started = time.perf_counter()
    handled = 0
    while True:  # as the scheduler does: call again, committing each batch, while work remains
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"mail_notify_force_send": False})
            done, remaining = env["mp15.grievance"]._cron_sla()
            handled += done
        if not remaining:
            break
    elapsed = time.perf_counter() - started
    with registry.cursor() as cr:
        cr.execute("SELECT count(*) FROM mp15_grievance WHERE escalation_level = 1 AND sla_state = 'breached'")
        escalated = cr.fetchone()[0]
    return elapsed, handled, escalated


def main():
    create_database(DB, log)
    with odoo_registry(DB) as (odoo, registry):
        with registry.cursor() as cr:
            insert_grievances(cr, SMALL, 0)
        small_empty = empty_run_ms(odoo, registry)
        log(f"empty SLA run, {SMALL:>7,} grievances: {small_empty:8.1f} ms (median of 15)")
        with registry.cursor() as cr:
            insert_grievances(cr, BIG - SMALL, SMALL)
            cr.execute("SELECT count(*), count(*) FILTER (WHERE state = 'in_progress') FROM mp15_grievance")
            total, open_count = cr.fetchone()
        big_empty = empty_run_ms(odoo, registry)
        log(f"empty SLA run, {total:>7,} grievances ({open_count:,} open): {big_empty:8.1f} ms (median of 15)")
        small_due, handled_small, _ = due_run_seconds(odoo, registry, 500)
        log(f"SLA run over   500 newly due: {small_due:7.2f} s ({handled_small} steps handled)")
        big_due, handled_big, escalated = due_run_seconds(odoo, registry, 5_000)
        log(f"SLA run over 5,000 newly due: {big_due:7.2f} s ({handled_big} steps handled, {escalated} escalated)")
        empty_after = empty_run_ms(odoo, registry)
        log("")
        log(f"empty run on the big table:               {big_empty:.1f} ms  (target < 100 ms)")
        log(
            f"empty run, big table / small table:      {big_empty / small_empty:5.2f}  (1.0 = independent of the table)"
        )
        log(f"due run, 5,000 / 500 due:                {big_due / small_due:5.2f}  (10 = proportional to what is due)")
        log(f"per newly due grievance:                 {big_due / 5_000 * 1000:.1f} ms")
        log(f"empty run after the backlog:             {empty_after:.1f} ms")


if __name__ == "__main__":
    main()
