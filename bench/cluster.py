"""Two Odoo servers on one PostgreSQL database behind nginx: how the corporation scales out (make cluster).

Each server runs as production does (prefork: HTTP workers and cron workers) with ``proxy_mode``,
``db_name`` set and no ``dbfilter``; both use the same data directory, so the filestore is shared
(on separate machines: an NFS or object-storage mount at the same path). nginx spreads requests over
both, sends ``/websocket`` to their gevent ports and lets media uploads through (20 MB bodies).
Nothing in the addon assumes one process: crons lock their rows, the webhook is idempotent on the
wamid, the reference sequence is per year and prepared ahead.

    .venv/bin/python bench/cluster.py serve [--db mp15] [--port 8070]   (what `make cluster` runs)

``bench/faults.py`` starts the same cluster on its own database and breaks it on purpose.
"""

import argparse
import getpass
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

from odoo_env import ROOT, log
from odoo_server import OdooServer, free_port

NGINX_CONF = """\
# Written by bench/cluster.py: two Odoo servers behind one nginx. The same blocks serve a real
# deployment (README → Deploying for the city); there, add TLS and the public server_name.
{user}worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;

    upstream odoo {{
{http_servers}
        keepalive 32;
    }}
    upstream odoo_websocket {{
{websocket_servers}
    }}
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ""      close;
    }}
    server {{
        listen {listen};
        client_max_body_size 20m;          # photos from the portal; Meta's webhooks are at most 3 MB
        proxy_read_timeout 720s;           # Odoo's own limit_time_real decides, not the proxy
        proxy_connect_timeout 5s;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Real-IP $remote_addr;
        # A server that is down (connection refused, 502/503 while it restarts): try the other. A POST
        # already sent is not repeated by nginx; Meta repeats an unanswered webhook itself.
        proxy_next_upstream error timeout http_502 http_503;

        location /websocket {{
            proxy_pass http://odoo_websocket;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
        }}
        location / {{
            proxy_pass http://odoo;
        }}
    }}
}}
"""


class Nginx:
    """nginx in the foreground of its own process group, configured for the given Odoo servers."""

    def __init__(self, servers, port=None, prefix=None):
        self.servers = servers
        self.port = port or free_port()
        self.prefix = prefix or ROOT / "var" / "cluster" / "nginx"
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def write_config(self):
        for folder in ("tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"):
            (self.prefix / folder).mkdir(parents=True, exist_ok=True)
        # As root, nginx's workers would drop to "nobody", who may not write under var/: keep our user.
        user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
        config = NGINX_CONF.format(
            user=user,
            prefix=self.prefix,
            listen=f"127.0.0.1:{self.port}",
            http_servers="\n".join(f"        server 127.0.0.1:{server.http_port};" for server in self.servers),
            websocket_servers="\n".join(f"        server 127.0.0.1:{server.gevent_port};" for server in self.servers),
        )
        path = self.prefix / "nginx.conf"
        path.write_text(config)
        return path

    def start(self, timeout=20):
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not os.path.exists(binary):
            sys.exit("nginx is not installed: as root, apt-get install nginx-light (make cluster does it).")
        config = self.write_config()
        self.process = subprocess.Popen(
            [binary, "-p", str(self.prefix), "-c", str(config), "-g", "daemon off;"],
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited with {self.process.returncode}: see {self.prefix}/error.log")
            try:
                with urllib.request.urlopen(f"{self.url}/web/health", timeout=5) as answer:
                    if answer.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"nginx did not answer within {timeout} s: see {self.prefix}/error.log")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGQUIT)  # graceful: finish the requests in flight
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


class Cluster:
    """``count`` Odoo servers on database ``dbname`` (shared filestore) behind one nginx."""

    def __init__(self, dbname, *, count=2, workers=2, cron_threads=1, port=None, log_level="info"):
        self.dbname = dbname
        self.servers = [
            OdooServer(
                dbname,
                workers=workers,
                cron_threads=cron_threads,
                log_level=log_level,
                extra_args=("--proxy-mode",),
                name=f"cluster-{index + 1}",
            )
            for index in range(count)
        ]
        self.nginx = Nginx(self.servers, port=port)

    @property
    def url(self):
        return self.nginx.url

    def start(self):
        for server in self.servers:
            server.start()
        self.nginx.start()
        return self

    def stop(self):
        self.nginx.stop()
        for server in self.servers:
            server.stop()

    def describe(self):
        lines = [f"nginx {self.url}  (config {self.nginx.prefix / 'nginx.conf'})"]
        for index, server in enumerate(self.servers, 1):
            lines.append(
                f"server {index}: {server.url}  websocket {server.gevent_url}  "
                f"({server.workers} HTTP workers, {server.cron_threads} cron)  log {server.log_path.relative_to(ROOT)}"
            )
        return lines

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["serve"])
    parser.add_argument("--db", default=os.environ.get("DB", "mp15"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("CLUSTER_PORT", 8070)))
    parser.add_argument("--servers", type=int, default=2)
    arguments = parser.parse_args()
    cluster = Cluster(arguments.db, count=arguments.servers, port=arguments.port)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    try:
        cluster.start()
        for line in cluster.describe():
            log(line)
        log(f"The corporation's desk on two servers: {cluster.url}  (database {arguments.db}; Ctrl-C stops all)")
        while not stopping:
            for server in cluster.servers:
                if server.process.poll() is not None:
                    log(f"{server.log_path.name}: the server exited ({server.process.returncode}); stopping")
                    stopping.append(True)
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
