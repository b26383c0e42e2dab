"""An Odoo server in a subprocess, run as production runs it (prefork workers), for HTTP benchmarks.

Uses var/odoo.conf (written by `make setup`) with ``db_name`` set by ``-d`` and no ``dbfilter``
(DESIGN.md §10), on free ports of its own so it can run beside `make run`. The server is the leader
of a new process group: ``stop()`` ends it with every worker it forked, and nothing else.
"""

import contextlib
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request

from odoo_env import ROOT, _conf, odoo_bin_command


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OdooServer:
    def __init__(self, dbname, *, workers=2, cron_threads=2, log_level="info", extra_args=(), name=None):
        self.dbname = dbname
        self.extra_args = tuple(extra_args)
        self.workers = workers
        self.cron_threads = cron_threads
        self.log_level = log_level
        self.http_port = free_port()
        self.gevent_port = free_port()
        self.log_path = ROOT / "var" / "log" / f"bench-{dbname}-{name or 'server'}.log"
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.http_port}"

    def command(self):
        return odoo_bin_command(
            "-d",
            self.dbname,
            f"--workers={self.workers}",
            f"--max-cron-threads={self.cron_threads}",
            f"--http-port={self.http_port}",
            f"--gevent-port={self.gevent_port}",
            f"--logfile={self.log_path}",
            f"--log-level={self.log_level}",
            *self.extra_args,
        )

    def config(self):
        """What a reader needs to reproduce the figures."""
        return {
            "mode": f"prefork, {self.workers} HTTP workers, {self.cron_threads} cron workers",
            "db_name": self.dbname,
            "dbfilter": _conf("dbfilter") or "(unset)",
            "http": self.url,
            "log": f"{self.log_path.relative_to(ROOT)} (--log-level={self.log_level})",
            "limits": "Odoo defaults (limit_time_real 120 s, limit_request 65536, limit_memory_soft 2 GiB)",
        }

    def start(self, timeout=90):
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log_path.write_text("")
        self.process = subprocess.Popen(
            self.command(),
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=open(self.log_path.with_suffix(".stderr"), "w"),  # noqa: SIM115 (closed with the process)
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Odoo exited with {self.process.returncode}: see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/web/health", timeout=5) as answer:
                    if answer.status == 200:
                        return self
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"Odoo did not answer /web/health within {timeout} s: see {self.log_path}")

    @property
    def gevent_url(self):
        return f"http://127.0.0.1:{self.gevent_port}"

    def worker_roles(self):
        """{pid: "WorkerHTTP" or "WorkerCron"} of the workers forked so far (as the server logs them)."""
        text = self.log_path.read_text(errors="replace")
        return {int(pid): role for role, pid in re.findall(r"Worker (WorkerHTTP|WorkerCron) \((\d+)\) alive", text)}

    def log_size(self):
        return self.log_path.stat().st_size

    def request_stats(self, offset, path):
        """Mean per-request figures Odoo logs for ``path`` since ``offset`` of its log (bytes).

        Odoo ends each werkzeug access line with: query count, time in SQL, other time (seconds).
        """
        text = self.log_since(offset)
        pattern = r'"(?:GET|POST) ' + re.escape(path) + r'[ ?][^"]*" 200 - (\d+) ([\d.]+) ([\d.]+)'
        rows = [(int(count), float(sql), float(other)) for count, sql, other in re.findall(pattern, text)]
        count = max(len(rows), 1)
        return {
            "requests": len(rows),
            "queries": sum(row[0] for row in rows) / count,
            "sql_ms": sum(row[1] for row in rows) / count * 1000,
            "other_ms": sum(row[2] for row in rows) / count * 1000,
        }

    def log_since(self, offset):
        with open(self.log_path, "rb") as handle:
            handle.seek(offset)
            return handle.read().decode(errors="replace")

    def job_stats(self, offset):
        """{cron name: (runs, seconds running, records processed)} from the log since ``offset``."""
        text = self.log_since(offset)
        stats = {}
        for name, seconds in re.findall(r"Job '([^']+)' \(\d+\) done in ([\d.]+)s", text):
            runs, total, records = stats.get(name, (0, 0.0, 0))
            stats[name] = (runs + 1, total + float(seconds), records)
        for name, records in re.findall(r"Job '([^']+)' \(\d+\) processed (\d+) records", text):
            runs, total, done = stats.get(name, (0, 0.0, 0))
            stats[name] = (runs, total, done + int(records))
        return stats

    def worker_kills(self, offset):
        """Log lines of workers stopped by a limit (CPU time, real time, memory) since ``offset``."""
        pattern = r"^\d{4}-\d\d-\d\d .*(?:CPU time limit|timeout after|virtual memory limit|virtual real time limit).*$"
        return list(dict.fromkeys(re.findall(pattern, self.log_since(offset), re.MULTILINE)))

    def stop(self, timeout=30):
        if self.process is None or self.process.poll() is not None:
            return
        with_group = True
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            with_group = False
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            if with_group:
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        # The master has gone; end any worker it left behind (same group, so ours).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
