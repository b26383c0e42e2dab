"""Break the two-server cluster on purpose and count what was lost or doubled (make faults).

Starts ``bench/cluster.py``'s layout (two Odoo servers, one database, nginx) on a fresh database
``mp15_faults`` with the fake Graph API in this process, then runs each scenario with its own
citizens and prints one table: what was injected, what was sent, and what the database and the
Graph API saw. The load generator behaves as Meta does: a webhook that is not answered 200 is
delivered again (here after 0.5–4 s, up to 30 times).

Scenarios (``--only`` picks some; ``--smoke`` is the short check `make test` runs):
  storm      redeliveries: 30 % of the deliveries repeat an earlier one, spread over both servers at once,
             on a new year (the reference ranges removed first: the year's first filing from many processes)
  kill       kill -9 of a cron worker and of an HTTP worker mid-burst, then of a whole server
  postgres   PostgreSQL restarted mid-burst (needs root and pg_ctlcluster; skipped otherwise)
  outage     the Graph API answers 500 and 429 (130429) for a while; every reply must follow, once, in order
  hang       the Graph API accepts but answers after our timeout: the one case where a reply may go twice
  sla        the SLA scheduled action run by both servers' processes at the same moment over a backlog
  smoke      webhook on server 1, processing and sending on server 2 (server 1 has no cron worker)

    .venv/bin/python bench/faults.py [--scale 1.0] [--only storm,kill] [--smoke]
"""

import argparse
import collections
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from cluster import Cluster
from odoo_env import create_database, log, odoo_registry
from odoo_server import OdooServer
from whatsapp_bench import APP_SECRET, BenchDatabase, load_fake_graph_api
from whatsapp_load import MessageFactory, complaint_texts, post

DEFAULT_DB = "mp15_faults"
REDELIVERY_DELAYS = (0.5, 1, 2, 4)
MAX_DELIVERIES = 30
SETTLE_TIMEOUT = 600
# Where a reply may go out twice: Graph accepted it but we never learnt so (a timeout, a process killed
# or the database gone between Graph's answer and our commit). Measured and shown, not failed.
REPLY_WINDOW_SCENARIOS = {"hang", "kill", "postgres"}

fake_graph_api = load_fake_graph_api()


class FaultyGraphApi(fake_graph_api.FakeGraphApi):
    """The fake Graph API, with an outage switch: while set, every send gets ``outage_answer``."""

    outage_answer = None

    def _next_scripted(self, route):
        answer = self.outage_answer
        if answer is not None and route == "messages":
            return answer() if callable(answer) else answer
        return super()._next_scripted(route)


# --------------------------------------------------------------------------- delivering like Meta


def deliver(url, message, log_5xx):
    """POST until answered 200, as Meta redelivers; the number of attempts (0: never accepted)."""
    for attempt in range(1, MAX_DELIVERIES + 1):
        status = post(url, message, timeout=30).status  # 0: no answer at all
        if status == 200:
            return attempt
        log_5xx(status)
        time.sleep(REDELIVERY_DELAYS[min(attempt - 1, len(REDELIVERY_DELAYS) - 1)])
    return 0


class Delivery:
    """Deliver many webhooks concurrently, counting answers other than 200.

    ``faults``: [(share, action)]: ``action()`` runs once ``share`` of the deliveries have been
    accepted, while the rest are in flight.
    """

    def __init__(self, concurrency=12):
        self.concurrency = concurrency
        self.statuses = collections.Counter()
        self.accepted = 0
        self._lock = threading.Lock()

    def _count(self, status):
        with self._lock:
            self.statuses[status] += 1

    def _deliver(self, url, message):
        attempts = deliver(url, message, self._count)
        with self._lock:
            self.accepted += 1
        return attempts

    def run(self, jobs, faults=()):
        """``jobs``: [(url, message)]; the number of attempts each needed (0: never accepted)."""
        pending = sorted((share * len(jobs), action) for share, action in faults)
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix="meta") as pool:
            futures = [pool.submit(self._deliver, url, message) for url, message in jobs]
            while pending:
                if self.accepted >= pending[0][0]:
                    pending.pop(0)[1]()
                elif all(future.done() for future in futures):
                    break
                else:
                    time.sleep(0.05)
            return [future.result() for future in futures]


# --------------------------------------------------------------------------- what the database saw


class Outcome:
    """Counts over one scenario's citizens, from the database and the fake Graph API."""

    def __init__(self, database, graph, messages, attempts):
        self.database, self.graph, self.messages = database, graph, messages
        self.phones = sorted({message.phone for message in messages})
        self.wamids = sorted({message.wamid for message in messages})
        self.acknowledged = {message.wamid for message, tries in zip(messages, attempts, strict=True) if tries}

    def wait(self, timeout=SETTLE_TIMEOUT):
        """Until no message of these citizens waits to be processed or sent (or the timeout)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            waiting = self.database.scalar(
                "SELECT count(*) FROM mp15_whatsapp_message WHERE phone = ANY(%s) AND state IN ('received', 'queued')",
                (self.phones,),
            )
            if not waiting:
                return True
            time.sleep(1)
        return False

    def figures(self):
        stored = dict(
            self.database.query(
                "SELECT wa_message_id, count(*) FROM mp15_whatsapp_message WHERE wa_message_id = ANY(%s) "
                "GROUP BY wa_message_id",
                (self.wamids,),
            )
            or []
        )
        states = collections.Counter(
            dict(
                self.database.query(
                    "SELECT state, count(*) FROM mp15_whatsapp_message WHERE direction = 'in' AND phone = ANY(%s) "
                    "GROUP BY state",
                    (self.phones,),
                )
                or []
            )
        )
        grievances = dict(
            self.database.query(
                "SELECT phone, count(*) FROM mp15_grievance WHERE phone = ANY(%s) GROUP BY phone", (self.phones,)
            )
            or []
        )
        accepted = collections.defaultdict(list)  # phone -> text bodies the Graph API accepted, in order
        for payload in self.graph.sent_messages:
            if payload.get("to") in self.phones and payload.get("status") != "read":
                accepted[payload["to"]].append(_payload_text(payload))
        queued = collections.defaultdict(list)  # phone -> bodies in the order the server queued them
        for phone, body in (
            self.database.query(
                "SELECT phone, body FROM mp15_whatsapp_message WHERE direction = 'out' AND phone = ANY(%s) "
                "AND state != 'failed' ORDER BY id",
                (self.phones,),
            )
            or []
        ):
            queued[phone].append(body)
        texts = {message.phone: message.text for message in self.messages}
        replies_per_text = collections.defaultdict(set)
        for phone in self.phones:
            replies_per_text[texts[phone]].add(len(accepted.get(phone, ())))
        return {
            "deliveries": len(self.messages),
            "distinct": len(self.wamids),
            "lost": len(self.acknowledged - set(stored)),
            "stored_twice": sum(1 for count in stored.values() if count > 1),
            "in_error": states.get("error", 0),
            "unprocessed": states.get("received", 0),
            "grievances": sum(grievances.values()),
            "filed_twice": sum(1 for count in grievances.values() if count > 1),
            "unanswered": sum(1 for phone in self.phones if not accepted.get(phone)),
            # Citizens who sent the same text get the same number of replies; more means a reply went twice.
            "replied_twice": sum(
                1 for phone in self.phones if len(accepted.get(phone, ())) > min(replies_per_text[texts[phone]])
            ),
            # In the order queued, each reply counted once (a reply sent twice is counted above).
            "out_of_order": sum(
                1 for phone in self.phones if _first_each(accepted.get(phone, ())) != _first_each(queued[phone])
            ),
        }


def _payload_text(payload):
    kind = payload.get("type")
    content = payload.get(kind) if isinstance(payload.get(kind), dict) else {}
    if kind == "text":
        return content.get("body", "")
    if kind == "interactive":
        return (content.get("body") or {}).get("text", "")
    return kind or ""


def _first_each(bodies):
    """The bodies (their first 40 characters, spaces folded) in order, each at its first occurrence."""
    return list(dict.fromkeys(" ".join((body or "").split())[:40] for body in bodies))


# --------------------------------------------------------------------------- scenarios


class Harness:
    def __init__(self, cluster, database, graph, factory, scale):
        self.cluster, self.database, self.graph, self.factory = cluster, database, graph, factory
        self.scale = scale
        self.rows = []
        self._series = iter(range(60, 100))

    def messages(self, count, tag):
        self.factory.tag = tag
        return self.factory.messages(str(next(self._series)), max(1, int(count * self.scale)))

    def record(self, name, injected, messages, attempts, extra=""):
        outcome = Outcome(self.database, self.graph, messages, attempts)
        settled = outcome.wait()
        figures = outcome.figures()
        figures["settled"] = settled
        figures["status_counts"] = dict(self.delivery_statuses)
        self.rows.append((name, injected, figures, extra))
        log(f"  {name}: {_figures_line(figures)}")
        return figures

    # --- the scenarios

    def storm(self):
        """A new year's first filings from many processes, with 30 % redeliveries across both servers."""
        self.database.query(
            "DELETE FROM ir_sequence_date_range WHERE sequence_id = "
            "(SELECT res_id FROM ir_model_data WHERE module = 'mp15_grievance' AND name = 'seq_mp15_grievance')"
        )
        originals = self.messages(7_000, "ST")  # 10,000 deliveries at scale 1
        deliveries = list(originals)
        random.seed(7)
        deliveries += [random.choice(originals) for _ in range(len(originals) * 3 // 7)]  # 30 % of all
        random.shuffle(deliveries)
        servers = [server.url for server in self.cluster.servers]
        jobs = [(servers[index % len(servers)], message) for index, message in enumerate(deliveries)]
        delivery = Delivery(concurrency=16)
        attempts = delivery.run(jobs)
        self.delivery_statuses = delivery.statuses
        return self.record(
            "storm",
            f"{len(deliveries) - len(originals)} redeliveries (30 %), both servers, reference ranges removed",
            deliveries,
            attempts,
        )

    def kill(self):
        messages = self.messages(1_500, "KL")
        first, second = self.cluster.servers[:2]
        events = []

        def kill_worker(server, number, role):
            pid = _worker_pid(server, role)
            events.append(f"kill -9 {role} {pid} of server {number}")
            os.kill(pid, signal.SIGKILL)

        def kill_server():
            events.append("kill -9 of all of server 1")
            os.killpg(first.process.pid, signal.SIGKILL)
            first.process.wait()

        delivery = Delivery()
        attempts = delivery.run(
            [(self.cluster.url, message) for message in messages],
            faults=[
                (0.25, lambda: kill_worker(first, 1, "WorkerCron")),
                (0.5, lambda: kill_worker(second, 2, "WorkerHTTP")),
                (0.75, kill_server),
            ],
        )
        self.delivery_statuses = delivery.statuses
        first.start()  # the operator brings server 1 back
        return self.record("kill", "; ".join(events) + "; server 1 restarted after the burst", messages, attempts)

    def postgres(self):
        if not shutil.which("pg_ctlcluster"):
            log("  postgres: skipped (no pg_ctlcluster here)")
            return None
        messages = self.messages(1_000, "PG")
        events = []

        def restart():
            started = time.monotonic()
            subprocess.run(["pg_ctlcluster", "15", "main", "restart"], check=True, capture_output=True)
            events.append(f"PostgreSQL restarted ({time.monotonic() - started:.1f} s down)")

        delivery = Delivery()
        attempts = delivery.run([(self.cluster.url, message) for message in messages], faults=[(0.33, restart)])
        self.delivery_statuses = delivery.statuses
        return self.record("postgres", "; ".join(events), messages, attempts)

    def outage(self, seconds=60):
        """Graph answers 500 and 429 (130429) in turn: the sender backs off; nothing may be sent twice."""
        answers = (
            fake_graph_api.ScriptedResponse.json({"error": {"code": 1, "message": "An unknown error"}}, status=500),
            fake_graph_api.ScriptedResponse.json(
                {"error": {"code": 130429, "message": "(#130429) Rate limit hit"}}, status=429
            ),
        )
        return self._graph_fault("outage", answers, seconds, "Graph API answered 500 and 429 (130429) in turn")

    def hang(self, seconds=60):
        """Graph accepts each message but answers after 35 s, past our 15 s timeout.

        We cannot know whether such a message went out: it is sent again, and the citizen may get it
        twice. Meta's API has no idempotency key; this row measures that window.
        """
        answers = (fake_graph_api.ScriptedResponse.timeout(35),)
        return self._graph_fault("hang", answers, seconds, "Graph API accepted but answered only after 35 s")

    def _graph_fault(self, name, answers, seconds, what):
        messages = self.messages(600, name[:2].upper())
        cycle = iter(range(10**9))
        self.graph.outage_answer = lambda: answers[next(cycle) % len(answers)]
        duration = seconds * max(self.scale, 0.25)
        timer = threading.Timer(duration, self._end_outage)
        timer.start()
        delivery = Delivery()
        attempts = delivery.run([(self.cluster.url, message) for message in messages])
        self.delivery_statuses = delivery.statuses
        timer.join()
        return self.record(name, f"{what} for {duration:.0f} s", messages, attempts)

    def _end_outage(self):
        self.graph.outage_answer = None

    def sla(self):
        """Both servers' processes run the SLA action at the same moment over overdue grievances."""
        backlog = self.database.scalar(
            """
            WITH overdue AS (
                UPDATE mp15_grievance SET sla_deadline = now() at time zone 'UTC' - interval '60 hours',
                                          date_filed = now() at time zone 'UTC' - interval '90 hours'
                 WHERE is_open AND COALESCE(escalation_level, 0) = 0 RETURNING id)
            SELECT count(*) FROM overdue
            """
        )
        command = [sys.executable, __file__, "--db", self.cluster.dbname, "--run-sla"]
        runners = [subprocess.Popen([*command, str(index)], stdout=subprocess.PIPE, text=True) for index in range(2)]
        outputs = [runner.communicate()[0].strip() for runner in runners]
        doubled = self.database.scalar(
            """
            SELECT count(*) FROM (
                SELECT res_id, activity_type_id FROM mail_activity
                 WHERE res_model = 'mp15.grievance'
                   AND activity_type_id IN (SELECT res_id FROM ir_model_data WHERE module = 'mp15_grievance'
                                            AND model = 'mail.activity.type' AND name = 'mail_activity_type_escalation')
                 GROUP BY res_id, activity_type_id HAVING count(*) > 1) twice
            """
        )
        levels = dict(self.database.query("SELECT escalation_level, count(*) FROM mp15_grievance GROUP BY 1") or [])
        figures = {"backlog": backlog, "escalated_twice": doubled, "levels": levels, "runs": outputs}
        self.rows.append(("sla", f"{backlog} overdue grievances, 2 processes at once", figures, ""))
        log(f"  sla: {figures}")
        return figures

    def smoke(self):
        """Webhook on server 1 (no cron worker), processing and sending on server 2."""
        messages = self.messages(20, "SM")
        delivery = Delivery(concurrency=4)
        attempts = delivery.run([(self.cluster.servers[0].url, message) for message in messages])
        self.delivery_statuses = delivery.statuses
        return self.record("smoke", "webhooks to server 1 only; server 1 has no cron worker", messages, attempts)


def _worker_pid(server, role):
    """A live worker of ``role`` forked by ``server``: a pid from its log is checked to be its child
    (workers are recycled and their pids reused by other processes, PostgreSQL's included)."""
    pids = [pid for pid, found in server.worker_roles().items() if found == role and _child_of(pid, server)]
    if not pids:
        raise RuntimeError(f"no live {role} in {server.log_path}")
    return pids[-1]


def _child_of(pid, server):
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[0] != "Z" and int(fields[1]) == server.process.pid


def _figures_line(figures):
    keys = ("deliveries", "distinct", "lost", "stored_twice", "in_error", "unprocessed", "grievances")
    keys += ("filed_twice", "unanswered", "replied_twice", "out_of_order", "settled")
    return ", ".join(f"{key} {figures[key]}" for key in keys) + f"; answers other than 200: {figures['status_counts']}"


def print_table(rows):
    log("")
    log(
        "| scenario | injected | deliveries | distinct | lost | stored twice | in error | unprocessed | grievances "
        "| filed twice | unanswered | replied twice | out of order | non-200 answers |"
    )
    log("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, injected, figures, _extra in rows:
        if name == "sla":
            log(
                f"| sla | {injected} | — | — | — | — | — | — | — | — | — | escalated twice: "
                f"{figures['escalated_twice']} | — | levels {figures['levels']} |"
            )
            continue
        statuses = ", ".join(
            f"{status or 'no answer'}×{count}" for status, count in sorted(figures["status_counts"].items())
        )
        log(
            f"| {name} | {injected} | {figures['deliveries']} | {figures['distinct']} | {figures['lost']} "
            f"| {figures['stored_twice']} | {figures['in_error']} | {figures['unprocessed']} | {figures['grievances']} "
            f"| {figures['filed_twice']} | {figures['unanswered']} | {figures['replied_twice']} "
            f"| {figures['out_of_order']} | {statuses or '—'} |"
        )


def failures(rows):
    """Rows that lost, doubled, reordered or left anything (a reply twice only where a window allows it)."""
    bad = []
    for name, _injected, figures, _extra in rows:
        if name == "sla":
            if figures["escalated_twice"]:
                bad.append(f"sla: {figures['escalated_twice']} grievances escalated twice")
            continue
        keys = ["lost", "stored_twice", "in_error", "unprocessed", "filed_twice", "unanswered", "out_of_order"]
        if name not in REPLY_WINDOW_SCENARIOS:
            keys.append("replied_twice")
        for key in keys:
            if figures[key]:
                bad.append(f"{name}: {key} = {figures[key]}")
        if not figures["settled"]:
            bad.append(f"{name}: did not settle within {SETTLE_TIMEOUT} s")
    return bad


# --------------------------------------------------------------------------- set-up


def setup_account(odoo, registry, graph):
    database = BenchDatabase(odoo, registry)
    _account_id, classifier = database.setup(graph)
    return database, classifier


def run_sla(db, index):
    """Child process of the ``sla`` scenario: one registry, the SLA action until nothing is left."""
    with odoo_registry(db) as (odoo, registry):
        runs = handled = idle = 0
        while idle < 5 and runs < 1_000:  # a run that finds nothing may only mean the other holds the lock
            with registry.cursor() as cr:
                env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
                done, remaining = env["mp15.grievance"]._cron_sla()
            runs += 1
            handled += done
            idle = idle + 1 if not done and not remaining else 0
            if not done:
                time.sleep(0.2)
        print(f"process {index}: {runs} runs, {handled} handled")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies every scenario's message count")
    parser.add_argument("--only", default="storm,kill,postgres,outage,hang,sla")
    parser.add_argument("--smoke", action="store_true", help="only the two-server smoke (what make test runs)")
    parser.add_argument("--db", default=DEFAULT_DB, help=f"the database created for the run ({DEFAULT_DB})")
    parser.add_argument("--run-sla", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    db = arguments.db
    if arguments.run_sla is not None:
        run_sla(db, arguments.run_sla)
        return
    create_database(db, log)
    graph = FaultyGraphApi().start()
    scenarios = ["smoke"] if arguments.smoke else arguments.only.split(",")
    if arguments.smoke:
        cluster = Cluster(db, count=2, workers=2, cron_threads=1)
        cluster.servers[0] = OdooServer(db, workers=2, cron_threads=0, extra_args=("--proxy-mode",), name="cluster-1")
        cluster.nginx.servers = cluster.servers
    else:
        cluster = Cluster(db, count=2, workers=2, cron_threads=1)
    with odoo_registry(db) as (odoo, registry):
        database, classifier = setup_account(odoo, registry, graph)
        factory = MessageFactory(
            graph.phone_number_id, APP_SECRET, complaint_texts(lambda text: classifier.classify(text).auto_file)
        )
        try:
            cluster.start()
            for line in cluster.describe():
                log(line)
            harness = Harness(cluster, database, graph, factory, arguments.scale)
            for name in scenarios:
                log(f"scenario {name} …")
                getattr(harness, name)()
        finally:
            cluster.stop()
            graph.stop()
    print_table(harness.rows)
    bad = failures(harness.rows)
    for line in bad:
        log(f"FAILED {line}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
