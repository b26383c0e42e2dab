"""Broadcasts at city scale: what enqueuing costs per recipient, and whether sending keeps the number's rate.

Measured side by side in one run on one fresh database (no demo data):
  1. enqueue: approving a broadcast to the opted-in citizens of a ward of 1,000 and of a ward of
     100,000 (the audience counted for the estimate, then one INSERT … SELECT of the recipients),
     alternated in rounds, each rolled back; printed: the cost per recipient at 100,000 ÷ at 1,000
     (goal ≤ 1.2: set-based, not a record per ORM create), for the approval and the INSERT alone;
  2. pace: the sender's scheduled action sending a broadcast to a local Graph API (FakeGraphApi, in
     this process), committing each batch as in production; printed: messages per second as the
     Graph API received them ÷ the account's configured rate (goal 0.9–1.0);
  3. replies under a broadcast: an Odoo server as production runs it (prefork, 2 HTTP and 2 cron
     workers, or --cron-workers) answers citizens writing at a steady rate, first with nothing else
     to send, then while the broadcast to the ward of --big citizens is sending; printed: p95 of the
     time from a citizen's message to our first reply, with ÷ without (goal ≤ 2), and where the CPU
     went in each half;
  4. a long broadcast alone on that server (--long-seconds at --rate: several times the ten 5-second
     runs after which Odoo releases a job): send rate ÷ configured rate and the longest pause between
     two messages as the Graph API received them (a released job that nobody is told about waits for
     a cron worker's next poll, up to a minute).
Figures are printed as measured; nothing is asserted on time.

    .venv/bin/python bench/broadcast_bench.py [--big 100000] [--small 1000] [--rate 40] [--seconds 15]
                                              [--reply-rate 5] [--reply-seconds 20] [--cron-workers 2]
                                              [--long-seconds 150] [--database NAME]
"""

import argparse
import itertools
import statistics
import time

from cpu_meter import CpuMeter
from odoo_env import create_database, log, odoo_registry
from odoo_server import OdooServer
from whatsapp_bench import APP_SECRET, load_fake_graph_api, metered, percentile, replies_by_phone
from whatsapp_load import MessageFactory, complaint_texts, send_paced

DB = "mp15_bench_broadcast"
ROUNDS = 3
LOCAL_GRAPH_PREFIX = "http://127.0.0.1:"


def insert_citizens(cr, ward_id, count, first):
    """``count`` opted-in citizens of ``ward_id``, numbers from ``first`` on (one INSERT)."""
    cr.execute(
        """
        INSERT INTO res_partner (name, complete_name, active, type, lang, mp15_phone, mp15_whatsapp_opt_in,
                                 mp15_opt_in_source, mp15_ward_id, create_uid, write_uid, create_date, write_date)
        SELECT 'Citizen ' || n, 'Citizen ' || n, true, 'contact', 'hi_IN', '+91' || (9000000000 + n)::text, true,
               'bot', %s, 1, 1, now() at time zone 'UTC', now() at time zone 'UTC'
          FROM generate_series(%s, %s) AS n
        """,
        (ward_id, first, first + count - 1),
    )
    cr.execute("ANALYZE res_partner")


def set_up(env, fake, rate, sizes):
    """The account at the fake Graph API, a template, two managers, and a ward per size with its citizens."""
    env["mp15.whatsapp.account"]._allow_graph_url_prefix(LOCAL_GRAPH_PREFIX)
    account = env["mp15.whatsapp.account"].create(
        {
            "name": "Sagar (bench)",
            "phone_number_id": fake.phone_number_id,
            "access_token": fake.access_token,
            "graph_url": fake.graph_url,
            "rate_limit_mps": rate,
            "messaging_limit": 0,
        }
    )
    template = env["mp15.whatsapp.template"].create(
        {
            "name": "water_supply_notice",
            "language": "hi",
            "category": "utility",
            "status": "approved",
            "account_id": account.id,
            "body": "वार्ड {{1}} में रविवार को पानी की सप्लाई बंद रहेगी।",
        }
    )
    manager_group = env.ref("mp15_grievance.group_manager")
    managers = [
        env["res.users"].create(
            {
                "name": f"Bench manager {index}",
                "login": f"bench_manager_{index}",
                "groups_id": [(6, 0, manager_group.ids)],
            }
        )
        for index in (1, 2)
    ]
    wards, first = {}, 1
    for number, (label, size) in enumerate(sizes.items(), start=801):
        ward = env["mp15.ward"].create({"number": number, "name": f"Bench ward {label}"})
        insert_citizens(env.cr, ward.id, size, first)
        first += size
        wards[label] = ward
    return account, template, managers, wards


def draft(env, account, template, manager, ward):
    return (
        env["mp15.broadcast"]
        .with_user(manager)
        .create(
            {
                "name": f"Bench {ward.name}",
                "account_id": account.id,
                "template_id": template.id,
                "parameters": "12",
                "ward_ids": [(6, 0, ward.ids)],
            }
        )
    )


def enqueue_seconds(env, account, template, managers, ward):
    """(seconds to approve, seconds of the INSERT alone, recipients), each rolled back afterwards."""
    cr = env.cr
    cr.execute("SAVEPOINT bench_enqueue")
    broadcast = draft(env, account, template, managers[0], ward)
    broadcast.action_submit()
    env.flush_all()
    started = time.perf_counter()
    broadcast.with_user(managers[1]).action_approve()
    env.flush_all()
    approve = time.perf_counter() - started
    count = len(broadcast.recipient_ids)
    cr.execute("ROLLBACK TO SAVEPOINT bench_enqueue")
    env.invalidate_all()

    cr.execute("SAVEPOINT bench_enqueue")
    broadcast = draft(env, account, template, managers[0], ward)
    audience = broadcast._audience_sql()
    env.flush_all()
    started = time.perf_counter()
    inserted = env["mp15.broadcast.recipient"]._enqueue(broadcast, audience)
    insert = time.perf_counter() - started
    cr.execute("ROLLBACK TO SAVEPOINT bench_enqueue")
    env.invalidate_all()
    assert inserted == count, (inserted, count)
    return approve, insert, count


def start_broadcast(odoo, registry, ids):
    """Draft, submit, approve (a second manager) and start a broadcast to the ward of ``ids``, committed;
    returns (its id, its recipients)."""
    account_id, template_id, manager_ids, ward_id = ids
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        users = env["res.users"]
        broadcast = draft(
            env,
            env["mp15.whatsapp.account"].browse(account_id),
            env["mp15.whatsapp.template"].browse(template_id),
            users.browse(manager_ids[0]),
            env["mp15.ward"].browse(ward_id),
        )
        broadcast.action_submit()
        broadcast.with_user(users.browse(manager_ids[1])).action_approve()
        env["mp15.broadcast"]._cron_run()
        return broadcast.id, len(broadcast.recipient_ids)


def measure_pace(odoo, registry, fake, rate, ids, expected):
    """Messages per second the Graph API received while the sender worked off a broadcast of ``expected``."""
    start_broadcast(odoo, registry, ids)
    fake.reset()
    started = time.monotonic()
    while time.monotonic() - started < expected / rate * 3 + 60:
        with registry.cursor() as cr:  # as the scheduler does: call again while work remains
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            env["mp15.whatsapp.message"]._cron_send()
            if not env["mp15.whatsapp.message"]._count_broadcast_sendable():
                break
    arrivals = sorted(request.received_at for request in fake.requests if request.route == "messages")
    with registry.cursor() as cr:
        cr.execute("SELECT state, count(*) FROM mp15_broadcast_recipient GROUP BY state")
        states = dict(cr.fetchall())
    if len(arrivals) < 2:
        return 0.0, len(arrivals), states
    return (len(arrivals) - 1) / (arrivals[-1] - arrivals[0]), len(arrivals), states


def reply_latencies(server, fake, factory, series, rate, seconds):
    """Seconds from each citizen's POST to our first reply, for ``rate`` citizens a second during ``seconds``."""
    messages = factory.messages(series, rate * seconds)
    sent = send_paced(server.url, messages, rate)
    phones = {message.phone for message in messages}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(replies_by_phone(fake, phones)) < len(phones):
        time.sleep(0.5)
    replies = replies_by_phone(fake, phones)
    return [min(replies[item.message.phone]) - item.started for item in sent if item.message.phone in replies]


def measure_replies_under_broadcast(odoo, registry, fake, ids, reply_rate, reply_seconds, cron_workers, cpu):
    """p95 reply latency without, then with, the big broadcast sending (same server, same load); where the
    CPU went in each half goes to ``cpu``."""
    account_id, _template, manager_ids, _ward = ids
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        env["mp15.whatsapp.account"].browse(account_id).app_secret = APP_SECRET
        classifier = env["mp15.whatsapp.conversation"]._classifier()
    factory = MessageFactory(
        fake.phone_number_id, APP_SECRET, complaint_texts(lambda text: classifier.classify(text).auto_file), tag="R"
    )
    with OdooServer(registry.db_name, workers=2, cron_threads=cron_workers) as server:
        reply_latencies(server, fake, factory, "71", reply_rate, 5)  # warm-up: workers load the registry
        meter = CpuMeter(server)
        with metered(meter, "alone", cpu):
            without = reply_latencies(server, fake, factory, "72", reply_rate, reply_seconds)
        broadcast_id, _recipients = start_broadcast(odoo, registry, ids)
        time.sleep(5)  # the sender is busy with the broadcast
        with metered(meter, "while the broadcast was sending", cpu):
            during = reply_latencies(server, fake, factory, "73", reply_rate, reply_seconds)
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            state = env["mp15.broadcast"].browse(broadcast_id).state
            cr.execute(
                "SELECT count(*) FROM mp15_broadcast_recipient WHERE broadcast_id = %s AND state != 'queued'",
                (broadcast_id,),
            )
            reached = cr.fetchone()[0]
    with registry.cursor() as cr:  # once the server has stopped: its sender no longer updates the recipients
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        manager = env["res.users"].browse(manager_ids[1])
        env["mp15.broadcast"].browse(broadcast_id).with_user(manager).action_cancel()
    return without, during, state, reached


def measure_long_broadcast(odoo, registry, fake, ids, rate, cron_workers):
    """(messages per second, longest pause in seconds, messages) as the Graph API received a broadcast to the
    ward of ``ids`` sent by an Odoo server's own cron workers, with no other traffic."""
    with OdooServer(registry.db_name, workers=2, cron_threads=cron_workers):
        fake.reset()
        broadcast_id, expected = start_broadcast(odoo, registry, ids)
        deadline = time.monotonic() + expected / rate * 2 + 120
        while time.monotonic() < deadline:
            time.sleep(2)
            with registry.cursor() as cr:
                cr.execute("SELECT state FROM mp15_broadcast WHERE id = %s", (broadcast_id,))
                if cr.fetchone()[0] in ("done", "cancelled"):
                    break
    arrivals = sorted(request.received_at for request in fake.requests if request.route == "messages")
    if len(arrivals) < 2:
        return 0.0, float("nan"), len(arrivals)
    pause = max(later - earlier for earlier, later in itertools.pairwise(arrivals))
    return (len(arrivals) - 1) / (arrivals[-1] - arrivals[0]), pause, len(arrivals)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--rate", type=int, default=40, help="the account's messages per second")
    parser.add_argument("--seconds", type=int, default=15, help="how long the paced broadcast should take")
    parser.add_argument("--reply-rate", type=int, default=5, help="citizens writing per second in part 3")
    parser.add_argument("--reply-seconds", type=int, default=20, help="duration of each half of part 3")
    parser.add_argument("--cron-workers", type=int, default=2, help="of the Odoo server in part 3")
    parser.add_argument(
        "--long-seconds", type=int, default=150, help="how long the broadcast of part 4 should take (0: no part 4)"
    )
    parser.add_argument("--database", default=DB, help="dropped and created afresh")
    args = parser.parse_args()
    pace_size = args.rate * args.seconds

    create_database(args.database, log)
    fake = load_fake_graph_api().FakeGraphApi().start()
    try:
        with odoo_registry(args.database) as (odoo, registry):
            with registry.cursor() as cr:
                env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
                sizes = {"small": args.small, "big": args.big, "pace": pace_size, "long": args.rate * args.long_seconds}
                account, template, managers, wards = set_up(env, fake, args.rate, sizes)
                ids = account.id, template.id, [user.id for user in managers], wards["pace"].id
                big_ids = account.id, template.id, [user.id for user in managers], wards["big"].id
                long_ids = account.id, template.id, [user.id for user in managers], wards["long"].id
                cr.commit()
                log(f"citizens: {' + '.join(f'{size:,}' for size in sizes.values())} opted in, in {len(sizes)} wards")
                timings = {"small": [], "big": []}
                for round_number in range(ROUNDS):
                    order = ("small", "big") if round_number % 2 == 0 else ("big", "small")
                    for label in order:
                        approve, insert, count = enqueue_seconds(env, account, template, managers, wards[label])
                        timings[label].append((approve / count, insert / count))
                        log(
                            f"  round {round_number + 1}: approve {count:>7,} recipients {approve:7.3f} s "
                            f"(INSERT {insert:7.3f} s)"
                        )
            rate, sent, states = measure_pace(odoo, registry, fake, args.rate, ids, pace_size)
            cpu = {}
            without, during, broadcast_state, reached = measure_replies_under_broadcast(
                odoo, registry, fake, big_ids, args.reply_rate, args.reply_seconds, args.cron_workers, cpu
            )
            long_run = args.long_seconds and measure_long_broadcast(
                odoo, registry, fake, long_ids, args.rate, args.cron_workers
            )
        approve_ratio = statistics.median(t[0] for t in timings["big"]) / statistics.median(
            t[0] for t in timings["small"]
        )
        insert_ratio = statistics.median(t[1] for t in timings["big"]) / statistics.median(
            t[1] for t in timings["small"]
        )
        per_recipient_us = statistics.median(t[1] for t in timings["big"]) * 1e6
        log("")
        log(f"enqueue per recipient, {args.big:,} ÷ {args.small:,} (INSERT):   {insert_ratio:5.2f}  (goal ≤ 1.2)")
        log(f"approval per recipient, {args.big:,} ÷ {args.small:,} (whole):  {approve_ratio:5.2f}")
        log(f"enqueue per recipient at {args.big:,}:                  {per_recipient_us:.1f} µs")
        log(
            f"send rate ÷ configured rate ({sent:,} sent, {rate:.1f}/s at {args.rate}/s): "
            f"{rate / args.rate:5.2f}  (goal 0.9–1.0)"
        )
        log(f"recipients by state at the end: {states}")
        p95_without, p95_during = percentile(without, 0.95), percentile(during, 0.95)
        log(
            f"replies at {args.reply_rate}/s: p95 {p95_without:.2f} s alone ({len(without)} answered), "
            f"{p95_during:.2f} s while the {args.big:,} broadcast was sending ({len(during)} answered; "
            f"broadcast {broadcast_state}, {reached:,} recipients reached meanwhile)"
        )
        log(f"reply p95 with the broadcast ÷ without:                {p95_during / p95_without:5.2f}  (goal ≤ 2)")
        for label in ("alone", "while the broadcast was sending"):
            log(f"  {label}: {cpu[label]}")
        if long_run:
            long_rate, pause, long_sent = long_run
            log(
                f"a {args.long_seconds} s broadcast alone on the server's cron workers ({long_sent:,} sent): "
                f"send rate ÷ configured rate {long_rate / args.rate:5.2f}, longest pause {pause:.2f} s"
            )
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
