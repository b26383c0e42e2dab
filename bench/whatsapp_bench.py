"""The WhatsApp channel under load, on one Odoo server as production runs it (prefork, 2 workers).

Measured side by side in one run on one server and one fresh database (no demo data):
  1. webhook ingest throughput ÷ Odoo's own /web/health throughput, same load generator (wrk), same
     concurrency, alternated in rounds; with the webhook's p50/p99 latency (Meta asks a median
     ≤ 250 ms). Every request is a distinct, correctly signed message: the inserted rows are counted.
     The processing cron is inactive meanwhile, so this part measures ingest only. A third route in
     the rounds, bench/addons/mp15_bench_floor, stores the body and nothing else (same route options,
     one INSERT, the commit): its ratio is the ceiling for any Odoo route that keeps what it received.
  2. end to end, webhook → processing cron → reply at a local Graph API server (FakeGraphApi, in this
     process): (a) sustained messages per second for a burst from distinct citizens, (b) latency per
     message (its citizen's first reply − its POST) at a steady rate: half the capacity measured in (a)
     by default (the issue's yardstick), or ``--steady-rate N`` messages per second.
Targets: ingest ratio ≥ 0.7, webhook median ≤ 250 ms, ≥ 100 messages/s end to end on 2 cores.
Figures are printed as measured; nothing is asserted on time.

    .venv/bin/python bench/whatsapp_bench.py [--burst 3000] [--steady-rate half|N] [--steady-seconds 30]
"""

import argparse
import contextlib
import importlib.util
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
from cpu_meter import CpuMeter, PostgresWaits, describe
from odoo_env import ROOT, _conf, bench_addons_path, create_database, log, odoo_registry
from odoo_server import OdooServer
from whatsapp_load import (
    WEBHOOK_PATH,
    MessageFactory,
    citizen_wa_id,
    complaint_texts,
    ensure_wrk,
    run_wrk,
    send_burst,
    send_paced,
    write_wrk_requests,
)

DB = "mp15_bench_whatsapp"
FLOOR_PATH = "/mp15_bench_floor/store"  # bench/addons/mp15_bench_floor
APP_SECRET = "bench-app-secret-of-the-sagar-number"
WORKERS, CRON_THREADS = 2, 2
# Short alternating rounds: the machine is shared, and slow swings of its load hit both routes alike.
WRK_CONNECTIONS, WRK_THREADS, WRK_SECONDS, WRK_ROUNDS, WARMUP_SECONDS = 8, 1, 5, 6, 4
WRK_POOL_PER_SECOND = 2_500  # distinct requests prepared per second of a wrk run (more than it can send)
BURST_CONCURRENCY = 8
COMPLAINT_PERCENT = 60
SETTLE_TIMEOUT, STALL_TIMEOUT = 900, 120  # seconds to wait for every reply; give up after a stall


def load_fake_graph_api():
    """mp15_grievance/tests/fake_graph_api.py without importing the addon (it imports no Odoo)."""
    path = ROOT / "mp15_grievance" / "tests" / "fake_graph_api.py"
    spec = importlib.util.spec_from_file_location("mp15_fake_graph_api", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- database


def pg_connect():
    import psycopg2  # Odoo's requirement, in .venv

    return psycopg2.connect(
        dbname="postgres",
        host=_conf("db_host") or None,
        port=_conf("db_port") or None,
        user=_conf("db_user") or None,
        password=_conf("db_password") or None,
    )


class BenchDatabase:
    """The bench database through the bench process's own registry (each call its own transaction)."""

    def __init__(self, odoo, registry):
        self.odoo, self.registry = odoo, registry

    def query(self, sql, params=()):
        with self.registry.cursor() as cr:
            cr.execute(sql, params)
            return cr.fetchall() if cr.description else None

    def scalar(self, sql, params=()):
        return self.query(sql, params)[0][0]

    def setup(self, graph):
        """The bench account (known secrets, Graph URL of the fake) and the processing cron's id."""
        with self.registry.cursor() as cr:
            env = self.odoo.api.Environment(cr, self.odoo.SUPERUSER_ID, {})
            env["mp15.whatsapp.account"]._allow_graph_url_prefix("http://127.0.0.1:")  # the fake Graph API
            account = env["mp15.whatsapp.account"].create(
                {
                    "name": "Sagar Municipal Corporation (bench)",
                    "phone_number_id": graph.phone_number_id,
                    "display_phone_number": "+91 89826 00918",
                    "app_secret": APP_SECRET,
                    "access_token": graph.access_token,
                    "graph_url": graph.graph_url,
                    "rate_limit_mps": 1_000,  # Meta's highest tier: the account's rate is not the bottleneck
                }
            )
            classifier = env["mp15.whatsapp.conversation"]._classifier()
            from odoo.addons.mp15_grievance.models.processing_lanes import PROCESS_CRONS

            lanes = [env.ref(xmlid) for xmlid in PROCESS_CRONS]
            send_cron = env.ref("mp15_grievance.ir_cron_send_whatsapp")
            self.process_cron_ids = tuple(cron.id for cron in lanes)
            # as the log names them: one processing lane after the other, then the sender
            self.cron_names = {f"processing lane {index + 1}": cron.name for index, cron in enumerate(lanes)}
            self.cron_names["sending"] = send_cron.name
            return account.id, classifier

    def set_processing(self, active):
        for attempt in range(10):  # a processing cron that is just finishing its run updates these rows too
            try:
                self.query("UPDATE ir_cron SET active = %s WHERE id IN %s", (active, self.process_cron_ids))
                return
            except psycopg2.errors.SerializationFailure:
                time.sleep(0.2 * (attempt + 1))
        self.query("UPDATE ir_cron SET active = %s WHERE id IN %s", (active, self.process_cron_ids))

    def inbound_count(self, wamid_prefix):
        return self.scalar(
            "SELECT count(*) FROM mp15_whatsapp_message WHERE direction = 'in' AND wa_message_id LIKE %s",
            (wamid_prefix + "%",),
        )

    def pending(self):
        """(inbound rows waiting for processing, outbound rows waiting to be sent)."""
        return self.query(
            """
            SELECT count(*) FILTER (WHERE direction = 'in' AND state = 'received'),
                   count(*) FILTER (WHERE direction = 'out' AND state = 'queued')
              FROM mp15_whatsapp_message
             WHERE state IN ('received', 'queued')
            """
        )[0]

    def phase_outcome(self, phones):
        """What the server made of a phase's messages: states, grievances, and where time went."""
        rows = self.query(
            """
            SELECT count(*) FILTER (WHERE m.direction = 'in'),
                   count(*) FILTER (WHERE m.direction = 'in' AND m.state = 'processed'),
                   count(*) FILTER (WHERE m.direction = 'in' AND m.state = 'error'),
                   count(*) FILTER (WHERE m.direction = 'out'),
                   count(*) FILTER (WHERE m.direction = 'out' AND m.state = 'failed'),
                   count(DISTINCT m.grievance_id) FILTER (WHERE m.direction = 'in'),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM m.write_date - m.create_date))
                       FILTER (WHERE m.direction = 'in'),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM m.date_sent - m.create_date))
                       FILTER (WHERE m.direction = 'out')
              FROM mp15_whatsapp_message m
             WHERE m.phone = ANY(%s)
            """,
            (list(phones),),
        )[0]
        keys = (
            "inbound",
            "processed",
            "errors",
            "outbound",
            "failed",
            "grievances",
            "median_wait_processing_s",
            "median_wait_sending_s",
        )
        return dict(zip(keys, rows, strict=True))


# --------------------------------------------------------------------------- measuring helpers


def percentile(values, share):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


@contextlib.contextmanager
def metered(meter, label, figures):
    before, started = meter.snapshot(), time.monotonic()
    yield
    wall = time.monotonic() - started
    usage = CpuMeter.usage(before, meter.snapshot())
    figures[label] = describe(usage, wall)
    figures.setdefault("usage", {})[label] = usage


def replies_by_phone(graph, phones):
    """{phone: [arrival times]} of the messages (not read receipts) the Graph server accepted."""
    found = {}
    for request in graph.requests:
        payload = request.json
        if request.route != "messages" or not 200 <= request.status < 300 or not isinstance(payload, dict):
            continue
        if payload.get("status") == "read" or payload.get("to") not in phones:
            continue
        found.setdefault(payload["to"], []).append(request.received_at)
    return found


def wait_for_replies(database, graph, phones, label):
    """Until nothing waits in the queues (or a stall): call it once every POST has been answered.

    The webhook commits before it answers, so from then on every message is received, processed
    (queuing its replies) or failed, and every reply queued or sent: empty queues mean all is done.
    """
    started = last_progress = time.monotonic()
    seen = (-1, None)
    while True:
        answered = len(replies_by_phone(graph, phones))
        pending = database.pending()
        if pending == (0, 0):
            if answered < len(phones):
                log(f"  {label}: only {answered}/{len(phones)} citizens got a reply (see the server's log)")
            return answered == len(phones)
        now = time.monotonic()
        if (answered, pending) != seen:
            seen, last_progress = (answered, pending), now
        if now - last_progress > STALL_TIMEOUT or now - started > SETTLE_TIMEOUT:
            log(f"  {label}: gave up waiting: {answered}/{len(phones)} answered, pending (in, out) = {pending}")
            return False
        time.sleep(0.5)


def end_to_end(sent, graph, phones):
    """Throughput and per-message latency of one phase from the POST times and the Graph arrivals."""
    replies = replies_by_phone(graph, phones)
    first_post = min(item.started for item in sent)
    all_replies = [moment for moments in replies.values() for moment in moments]
    last_reply = max(all_replies) if all_replies else float("nan")
    latencies = [min(replies[item.message.phone]) - item.started for item in sent if item.message.phone in replies]
    span = last_reply - first_post
    webhook_ms = [(item.finished - item.started) * 1000 for item in sent]
    return {
        "messages": len(sent),
        "answered": len(replies),
        "replies": len(all_replies),
        "span_s": span,
        "messages_per_s": len(replies) / span,
        "replies_per_s": len(all_replies) / span,
        "post_span_s": max(item.finished for item in sent) - first_post,
        "http_errors": sum(1 for item in sent if item.status != 200),
        "webhook_p50_ms": percentile(webhook_ms, 0.50),
        "webhook_p99_ms": percentile(webhook_ms, 0.99),
        "latency_p50_s": percentile(latencies, 0.50),
        "latency_p95_s": percentile(latencies, 0.95),
        "latency_p99_s": percentile(latencies, 0.99),
        "latency_max_s": max(latencies, default=float("nan")),
    }


# --------------------------------------------------------------------------- the parts


SERVING_ROLES = ("Odoo HTTP workers", "Odoo master and gevent", "PostgreSQL (bench database)")


def part_ingest(server, database, factory, figures, meter, workdir):
    log("")
    log(
        f"1. Webhook ingest vs /web/health: wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS}, "
        f"{WRK_ROUNDS} rounds of {WRK_SECONDS} s each, alternating"
    )
    database.set_processing(False)
    health_url, webhook_url = f"{server.url}/web/health", f"{server.url}{WEBHOOK_PATH}"
    floor_url = f"{server.url}{FLOOR_PATH}"

    waits = {path: PostgresWaits(pg_connect, DB) for path in ("/web/health", WEBHOOK_PATH, FLOOR_PATH)}

    def measured(url, seconds, requests_file=None):
        """A wrk run, the CPU our processes spent per request, and the server's own per-request figures."""
        offset, before = server.log_size(), meter.snapshot()
        with waits[urlsplit(url).path]:
            result = run_wrk(
                url, seconds=seconds, connections=WRK_CONNECTIONS, threads=WRK_THREADS, requests_file=requests_file
            )
        usage = CpuMeter.usage(before, meter.snapshot())
        cpu_ms = sum(usage.get(role, 0.0) for role in SERVING_ROLES) / max(result.requests, 1) * 1000
        return result, cpu_ms, server.request_stats(offset, urlsplit(url).path)

    def posted(url, tag, series, seconds):
        """A ``measured`` run that POSTs distinct signed webhooks (the factory's ``series``, tagged ``tag``)."""
        path = Path(workdir) / f"webhooks-{tag}.txt"
        factory.tag = tag
        write_wrk_requests(path, factory.messages(series, seconds * WRK_POOL_PER_SECOND))
        try:
            return measured(url, seconds, path)
        finally:
            path.unlink()

    def webhook_run(tag, series, seconds):
        result, cpu_ms, stats = posted(webhook_url, tag, series, seconds)
        inserted = database.inbound_count(f"wamid.BENCH{tag}")
        # Requests cut off by the end of the run may have been stored without wrk counting the answer.
        if result.wrapped or result.error_count or not result.requests <= inserted <= result.issued:
            raise RuntimeError(f"webhook run {tag}: {result} but {inserted} rows inserted")
        return result, cpu_ms, stats, inserted

    def floor_run(tag, series, seconds):
        result, cpu_ms, stats = posted(floor_url, tag, series, seconds)
        if result.error_count:
            raise RuntimeError(f"{FLOOR_PATH} answered errors: {result}")
        return result, cpu_ms, stats

    run_wrk(health_url, seconds=WARMUP_SECONDS, connections=WRK_CONNECTIONS)  # workers load the registry
    webhook_run("1W", "70", WARMUP_SECONDS)
    floor_run("1F", "70", WARMUP_SECONDS)
    health_runs, webhook_runs, floor_runs = [], [], []
    with metered(meter, "part 1 (all rounds)", figures):
        for round_number in range(1, WRK_ROUNDS + 1):
            health = measured(health_url, WRK_SECONDS)
            if health[0].error_count:
                raise RuntimeError(f"/web/health answered errors: {health[0]}")
            webhook = webhook_run(f"1R{round_number}", str(70 + round_number), WRK_SECONDS)
            floor = floor_run(f"1F{round_number}", str(70 + round_number), WRK_SECONDS)
            health_runs.append(health)
            webhook_runs.append(webhook)
            floor_runs.append(floor)
            log(
                f"  round {round_number}: /web/health {health[0].per_second:6.0f}/s "
                f"({health[1]:.2f} ms CPU each)   webhook {webhook[0].per_second:6.0f}/s "
                f"({webhook[1]:.2f} ms CPU each; p50 {webhook[0].latency_ms['p50']:.1f} ms, "
                f"p99 {webhook[0].latency_ms['p99']:.1f} ms; {webhook[0].requests:,} answered 200, "
                f"{webhook[3]:,} rows inserted)   ratio {webhook[0].per_second / health[0].per_second:.2f}   "
                f"bare insert {floor[0].per_second:6.0f}/s ({floor[1]:.2f} ms CPU each; "
                f"ratio {floor[0].per_second / health[0].per_second:.2f})"
            )
    health_rate = sum(run[0].requests for run in health_runs) / sum(run[0].seconds for run in health_runs)
    webhook_rate = sum(run[0].requests for run in webhook_runs) / sum(run[0].seconds for run in webhook_runs)
    floor_rate = sum(run[0].requests for run in floor_runs) / sum(run[0].seconds for run in floor_runs)
    health_cpu = statistics.median(run[1] for run in health_runs)
    webhook_cpu = statistics.median(run[1] for run in webhook_runs)
    figures["ingest"] = {
        "health_per_s": health_rate,
        "webhook_per_s": webhook_rate,
        "ratio": webhook_rate / health_rate,
        "floor_per_s": floor_rate,
        "floor_ratio": floor_rate / health_rate,
        "floor_cpu_ms": statistics.median(run[1] for run in floor_runs),
        "floor_pg": waits[FLOOR_PATH].shares(),
        "round_ratios": [w[0].per_second / h[0].per_second for h, w in zip(health_runs, webhook_runs, strict=True)],
        "health_cpu_ms": health_cpu,
        "webhook_cpu_ms": webhook_cpu,
        "webhook_p50_ms": statistics.median(run[0].latency_ms["p50"] for run in webhook_runs),
        "webhook_p99_ms": max(run[0].latency_ms["p99"] for run in webhook_runs),
        "health_p50_ms": statistics.median(run[0].latency_ms["p50"] for run in health_runs),
        "rows": sum(run[3] for run in webhook_runs),
        "health_server": merge_stats([run[2] for run in health_runs]),
        "webhook_server": merge_stats([run[2] for run in webhook_runs]),
        "webhook_pg": waits[WEBHOOK_PATH].shares(),
        "health_pg": waits["/web/health"].shares(),
    }
    # These rows were ingest load only: set them aside so that the processing cron starts from zero.
    database.query("UPDATE mp15_whatsapp_message SET state = 'processed' WHERE direction = 'in' AND state = 'received'")
    database.set_processing(True)


def merge_stats(runs):
    """Means over several runs of the server's per-request figures (weighted by requests)."""
    count = sum(run["requests"] for run in runs)
    merged = {"requests": count}
    for key in ("queries", "sql_ms", "other_ms"):
        merged[key] = sum(run[key] * run["requests"] for run in runs) / max(count, 1)
    return merged


def run_phase(label, messages, send, server, database, graph, figures, meter):
    phones = {message.phone for message in messages}
    offset = server.log_size()
    with metered(meter, label, figures):
        sent = send(messages)
        wait_for_replies(database, graph, phones, label)
    result = end_to_end(sent, graph, phones)
    result.update(database.phase_outcome(phones))
    result["complaints"] = sum(1 for message in messages if message.kind == "complaint")
    result["webhook_server"] = server.request_stats(offset, WEBHOOK_PATH)
    jobs = server.job_stats(offset)
    for role, name in database.cron_names.items():
        result[role] = jobs.get(name, (0, 0.0, 0))
    result["worker_kills"] = server.worker_kills(offset)
    result["cpu_split_ms"] = cpu_split(figures["usage"][label], result, len(messages))
    return result


def cpu_split(usage, result, messages):
    """CPU milliseconds per message by stage: ingest (HTTP workers), processing and sending (the cron
    workers' CPU shared between their jobs by the time each job ran), PostgreSQL."""
    processing = sum(result[role][1] for role in result if role.startswith("processing lane"))
    sending = result["sending"][1]
    cron = usage.get("Odoo cron workers", 0.0)
    share = processing / (processing + sending) if processing + sending else 0.0
    return {
        "ingest": usage.get("Odoo HTTP workers", 0.0) * 1000 / messages,
        "processing": cron * share * 1000 / messages,
        "sending": cron * (1 - share) * 1000 / messages,
        "PostgreSQL": usage.get("PostgreSQL (bench database)", 0.0) * 1000 / messages,
    }


def split_line(split):
    total = sum(split.values())
    return f"{total:.1f} ms CPU per message: " + ", ".join(f"{stage} {ms:.1f}" for stage, ms in split.items())


def crons_line(result):
    roles = [key for key in result if key.startswith("processing lane")] + ["sending"]
    return "; ".join(cron_line(role, result[role]) for role in roles)


def cron_line(role, stats):
    runs, seconds, records = stats
    if not records:
        return f"{role} cron: {runs} runs, nothing done"
    return (
        f"{role} cron: {runs} runs, {seconds:.1f} s running, {records:,} messages: "
        f"{records / max(seconds, 1e-9):.0f}/s while running ({seconds / records * 1000:.1f} ms each)"
    )


def part_end_to_end(server, database, graph, factory, figures, meter, burst, rate, seconds):
    url = server.url
    log("")
    log("2. End to end: webhook → processing cron → sending cron → Graph API server")
    factory.tag = "2W"
    warmup = factory.messages("79", 20)
    send_burst(url, warmup, concurrency=4)
    wait_for_replies(database, graph, {message.phone for message in warmup}, "warm-up")

    factory.tag = "2A"
    messages = factory.messages("80", burst)
    log(f"  (a) a burst of {burst:,} messages from distinct citizens, {BURST_CONCURRENCY} POSTs at a time …")
    figures["burst"] = run_phase(
        "part 2a (burst)",
        messages,
        lambda items: send_burst(url, items, concurrency=BURST_CONCURRENCY),
        server,
        database,
        graph,
        figures,
        meter,
    )
    show_phase(figures["burst"])

    if rate is None:  # half the capacity just measured
        rate = max(1, round(figures["burst"]["messages_per_s"] / 2))
    figures["steady_rate"] = rate
    factory.tag = "2B"
    messages = factory.messages("90", rate * seconds)
    log(f"  (b) a steady {rate} messages/s for {seconds} s ({rate * seconds:,} messages) …")
    figures["steady"] = run_phase(
        "part 2b (steady)",
        messages,
        lambda items: send_paced(url, items, rate),
        server,
        database,
        graph,
        figures,
        meter,
    )
    show_phase(figures["steady"])


def show_phase(result):
    log(f"      {crons_line(result)}")
    log(f"      {split_line(result['cpu_split_ms'])} (cron CPU shared by job running time)")
    for line in result["worker_kills"]:
        log(f"      WORKER STOPPED BY A LIMIT: {line.strip()}")
    log(
        f"      {result['answered']:,}/{result['messages']:,} citizens answered ({result['replies']:,} replies), "
        f"POSTs took {result['post_span_s']:.1f} s, last reply after {result['span_s']:.1f} s: "
        f"{result['messages_per_s']:.1f} messages/s, {result['replies_per_s']:.1f} replies/s"
    )
    log(
        f"      per message (first reply − POST): p50 {result['latency_p50_s']:.2f} s, "
        f"p95 {result['latency_p95_s']:.2f} s, max {result['latency_max_s']:.2f} s; "
        f"webhook answer p50 {result['webhook_p50_ms']:.0f} ms, p99 {result['webhook_p99_ms']:.0f} ms"
    )
    log(
        f"      server: {result['processed']:,} processed, {result['errors']} errors, "
        f"{result['grievances']:,} grievances filed ({result['complaints']:,} complaints sent), "
        f"{result['outbound']:,} outbound ({result['failed']} failed); median wait for processing "
        f"{result['median_wait_processing_s'] or 0:.1f} s, "
        f"in the send queue {result['median_wait_sending_s'] or 0:.1f} s"
    )


def server_line(stats):
    return (
        f"{stats['queries']:.1f} queries, {stats['sql_ms']:.1f} ms in SQL, {stats['other_ms']:.1f} ms other "
        f"(Odoo's own log, means over {stats['requests']:,})"
    )


def pg_line(shares):
    return ", ".join(f"{event} {share:.0%}" for event, share in list(shares.items())[:4]) or "no samples"


def summary(figures, server, args, started_at):
    ingest, burst, steady = figures["ingest"], figures["burst"], figures["steady"]

    def verdict(ok):
        return "ok" if ok else "MISSED"

    burst_ingest = burst["messages"] / burst["post_span_s"]
    rounds = ", ".join(f"{ratio:.2f}" for ratio in ingest["round_ratios"])
    lines = [
        "",
        "=" * 100,
        f"WhatsApp benchmark, {started_at:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores (shared), database {DB}",
        "server: " + "; ".join(f"{key} {value}" for key, value in server.config().items()),
        f"load: part 1 wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS}, {WRK_ROUNDS} rounds × ({WRK_SECONDS} s /web/health "
        f"+ {WRK_SECONDS} s webhook + {WRK_SECONDS} s bare insert), processing cron inactive; part 2 Python sender, "
        f"burst {BURST_CONCURRENCY} POSTs at a time, then {figures['steady_rate']}/s paced (open loop)",
        f"messages: {COMPLAINT_PERCENT} % confident complaints (Hindi, Hinglish, English, tests/data), "
        f"{100 - COMPLAINT_PERCENT} % greetings ('hi', 'menu', 'नमस्ते' …), one per distinct citizen",
        "-" * 100,
        f"1. /web/health          {ingest['health_per_s']:7.1f} req/s  p50 {ingest['health_p50_ms']:5.1f} ms  "
        f"{ingest['health_cpu_ms']:.2f} ms CPU/request",
        f"   webhook (signed, new) {ingest['webhook_per_s']:7.1f} req/s  p50 {ingest['webhook_p50_ms']:5.1f} ms  "
        f"{ingest['webhook_cpu_ms']:.2f} ms CPU/request  p99 {ingest['webhook_p99_ms']:.1f} ms  "
        f"({ingest['rows']:,} rows inserted, one per request)",
        f"   bare insert route     {ingest['floor_per_s']:7.1f} req/s  {ingest['floor_cpu_ms']:.2f} ms CPU/request "
        f"(stores the body, nothing else: {FLOOR_PATH})",
        f"   RATIO ingest ÷ health  {ingest['ratio']:6.2f}  (target ≥ 0.70: {verdict(ingest['ratio'] >= 0.7)}; "
        f"per round {rounds}; CPU cost health ÷ webhook {ingest['health_cpu_ms'] / ingest['webhook_cpu_ms']:.2f})",
        f"   ceiling: bare insert ÷ health {ingest['floor_ratio']:.2f}, the most any route that commits what it "
        f"received reaches here; webhook ÷ bare insert {ingest['webhook_per_s'] / ingest['floor_per_s']:.2f}",
        f"   webhook median        {ingest['webhook_p50_ms']:6.1f} ms at saturation, {steady['webhook_p50_ms']:.0f} ms "
        f"at {figures['steady_rate']}/s (p99 {steady['webhook_p99_ms']:.0f} ms): Meta's ≤ 250 ms "
        f"{verdict(max(ingest['webhook_p50_ms'], steady['webhook_p50_ms']) <= 250)}",
        f"   PostgreSQL busy time: webhook {pg_line(ingest['webhook_pg'])}; health {pg_line(ingest['health_pg'])}; "
        f"bare insert {pg_line(ingest['floor_pg'])}",
        f"   server side: health {server_line(ingest['health_server'])}",
        f"                webhook {server_line(ingest['webhook_server'])}",
        f"                webhook with the processing cron on (2b) {server_line(steady['webhook_server'])}",
        f"2a. END TO END {burst['messages_per_s']:6.1f} messages/s ({burst['replies_per_s']:.1f} replies/s) over "
        f"{burst['span_s']:.1f} s for a burst of {burst['messages']:,} (target ≥ 100: "
        f"{verdict(burst['messages_per_s'] >= 100)}); ingest {burst_ingest:.0f} POST/s, "
        f"end to end ÷ ingest {burst['messages_per_s'] / burst_ingest:.2f}",
        f"    {burst['answered']:,} answered, {burst['grievances']:,} grievances filed, {burst['errors']} errors, "
        f"{burst['failed']} sends failed; median wait for processing {burst['median_wait_processing_s'] or 0:.1f} s, "
        f"in the send queue {burst['median_wait_sending_s'] or 0:.1f} s; latency p50 {burst['latency_p50_s']:.1f} s",
        f"2b. LATENCY at {figures['steady_rate']}/s ({figures['steady_rate'] / burst['messages_per_s']:.2f} of the "
        f"capacity measured in 2a) for {args.steady_seconds} s: p50 {steady['latency_p50_s']:.2f} s, "
        f"p95 {steady['latency_p95_s']:.2f} s, p99 {steady['latency_p99_s']:.2f} s, "
        f"max {steady['latency_max_s']:.2f} s "
        f"({steady['answered']:,}/{steady['messages']:,} answered, {steady['grievances']:,} grievances, "
        f"{steady['messages_per_s']:.1f} messages/s)",
        f"    2a {crons_line(burst)}",
        f"    2a {split_line(burst['cpu_split_ms'])} (cron workers' CPU shared between their jobs by running time)",
        f"    2b {split_line(steady['cpu_split_ms'])}",
        f"    2b {crons_line(steady)}",
        f"    workers stopped by a limit: {len(burst['worker_kills'])} in 2a, {len(steady['worker_kills'])} in 2b",
        "-" * 100,
    ]
    lines += [f"{label}: {text}" for label, text in figures.items() if label.startswith("part ")]
    lines.append("=" * 100)
    for line in lines:
        log(line)


def steady_rate(text):
    """``--steady-rate``: None for half the measured capacity, else a positive number of messages per second."""
    if text == "half":
        return None
    try:
        rate = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected 'half' or a number of messages per second, not {text!r}") from None
    if rate < 1:
        raise argparse.ArgumentTypeError("the steady rate must be at least 1 message per second")
    return rate


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=3_000, help="messages in the sustained burst (2a)")
    parser.add_argument(
        "--steady-rate",
        type=steady_rate,
        default=None,
        metavar="half|N",
        help="messages per second in 2b: half the capacity measured in 2a (default), or N",
    )
    parser.add_argument("--steady-seconds", type=int, default=30, help="duration of 2b")
    args = parser.parse_args()
    started_at = datetime.now(UTC)
    ensure_wrk(log)
    fake_graph_api = load_fake_graph_api()
    create_database(DB, log, bench_modules=("mp15_bench_floor",))
    figures = {}
    with (
        fake_graph_api.FakeGraphApi() as graph,
        odoo_registry(DB, bench_addons_path()) as (odoo, registry),
        tempfile.TemporaryDirectory(prefix="mp15-bench-") as workdir,
    ):
        database = BenchDatabase(odoo, registry)
        account_id, classifier = database.setup(graph)
        phone = importlib.import_module("odoo.addons.mp15_grievance.tools.phone")
        for series in ("70", *(str(70 + number) for number in range(1, WRK_ROUNDS + 1)), "79", "80", "90"):
            phone.normalize_phone("+" + citizen_wa_id(series, 0))  # the server refuses invalid citizens
        complaints = complaint_texts(lambda text: classifier.classify(text).auto_file)
        log(f"bench account {account_id} → fake Graph API {graph.graph_url}; {len(complaints)} confident complaints")
        factory = MessageFactory(graph.phone_number_id, APP_SECRET, complaints, COMPLAINT_PERCENT)
        server = OdooServer(DB, workers=WORKERS, cron_threads=CRON_THREADS, extra_args=(bench_addons_path(),))
        log(f"starting Odoo: {' '.join(server.command()[1:])}")
        with server:
            meter = CpuMeter(server)
            try:
                part_ingest(server, database, factory, figures, meter, workdir)
                part_end_to_end(
                    server, database, graph, factory, figures, meter, args.burst, args.steady_rate, args.steady_seconds
                )
            finally:
                database.set_processing(True)
        summary(figures, server, args, started_at)


if __name__ == "__main__":
    main()
