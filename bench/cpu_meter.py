"""Who used the CPU during a benchmark phase: Odoo's HTTP and cron workers, PostgreSQL, the bench itself.

Reads /proc (Linux): per-process user+system time, and the machine's busy time, so a phase's figures
can say where the cores went and how much of them other users of this shared machine took.
"""

import os
import threading
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _process_seconds(pid, reaped_children=False):
    """(user + system CPU seconds, title) of ``pid``, or None when it is gone.

    With ``reaped_children``: the CPU of its children that have exited instead (a prefork master
    reaps the workers it replaces, e.g. one killed for exceeding limit_time_cpu).
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    first = 13 if reaped_children else 11
    return (int(fields[first]) + int(fields[first + 1])) / TICKS, title


def _machine_busy_seconds():
    values = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / TICKS, sum(values[:8]) / TICKS


class CpuMeter:
    """``snapshot()`` before and after a phase; ``usage(before, after)`` gives CPU seconds per role."""

    def __init__(self, server):
        self.server = server  # an OdooServer: its process group and the roles of its workers
        self.dbname = server.dbname

    def _role(self, pid, title, workers):
        if pid == os.getpid():
            return "bench process (load generator, Graph server)"
        if title.startswith("postgres:") and f" {self.dbname} " in title:
            return "PostgreSQL (bench database)"
        try:
            if os.getpgid(pid) != self.server.process.pid:
                return None
        except OSError:
            return None
        return {"WorkerHTTP": "Odoo HTTP workers", "WorkerCron": "Odoo cron workers"}.get(
            workers.get(pid), "Odoo master and gevent"
        )

    def snapshot(self):
        workers = self.server.worker_roles()
        processes = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                found = _process_seconds(int(entry.name))
                if found:
                    role = self._role(int(entry.name), found[1], workers)
                    if role:
                        processes[int(entry.name)] = (role, found[0])
        reaped = _process_seconds(self.server.process.pid, reaped_children=True)
        if reaped:
            processes["reaped"] = ("Odoo workers that exited", reaped[0])
        return processes, _machine_busy_seconds()

    @staticmethod
    def usage(before, after):
        """{role: CPU seconds}, plus 'machine busy' and 'machine total' (all cores, seconds)."""
        (processes_before, (busy_before, total_before)), (processes_after, (busy_after, total_after)) = before, after
        roles = {}
        for pid, (role, seconds) in processes_after.items():
            previous = processes_before.get(pid, (role, 0.0))[1]
            roles[role] = roles.get(role, 0.0) + max(0.0, seconds - previous)
        roles["machine busy"] = busy_after - busy_before
        roles["machine total"] = total_after - total_before
        return roles


def describe(usage, wall_seconds):
    """One line: each role's share of a core, and the machine's busy share (2 cores = 200 %)."""
    parts = [
        f"{role} {seconds / wall_seconds * 100:.0f} %"
        for role, seconds in sorted(usage.items(), key=lambda item: -item[1])
        if not role.startswith("machine")
    ]
    cores = os.cpu_count() or 1
    busy = usage["machine busy"] / max(usage["machine total"], 1e-9) * cores * 100
    return f"CPU (100 % = one core): {', '.join(parts)}; machine busy {busy:.0f} % of {cores * 100} %"


class PostgresWaits:
    """Samples what the bench database's Odoo connections are doing (pg_stat_activity), every 10 ms.

    ``shares()``: {"CPU" or wait event: share of the samples of busy connections}, e.g. how much of
    the server's database time is spent waiting for the WAL to reach the disk (IO:WALSync) at commit.
    """

    def __init__(self, connect, dbname):
        self.connect, self.dbname = connect, dbname
        self.counts = {}

    def __enter__(self):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pg-waits", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()

    def _run(self):
        connection = self.connect()
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                while not self._stop.is_set():
                    cursor.execute(
                        """
                        SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU')
                          FROM pg_stat_activity
                         WHERE datname = %s AND application_name LIKE 'odoo-%%' AND state = 'active'
                        """,
                        [self.dbname],
                    )
                    for (event,) in cursor.fetchall():
                        self.counts[event] = self.counts.get(event, 0) + 1
                    time.sleep(0.01)
        finally:
            connection.close()

    def shares(self):
        total = sum(self.counts.values()) or 1
        return {event: count / total for event, count in sorted(self.counts.items(), key=lambda item: -item[1])}
