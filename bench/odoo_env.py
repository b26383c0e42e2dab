"""Start Odoo in-process on a fresh benchmark database (benchmarks are run by `make bench`).

Uses var/odoo.conf, written by `make setup` (scripts/lib.sh). The database is created with the
addon and without demo data, so figures do not depend on what the demo happens to contain.
"""

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONF = ROOT / "var" / "odoo.conf"


def odoo_source():
    return Path(os.environ.get("ODOO_SRC") or Path.home() / ".cache" / "mp15" / "odoo-18.0")


def odoo_bin_command(*args):
    return [sys.executable, str(odoo_source() / "odoo-bin"), "-c", str(CONF), *args]


def create_database(name, log):
    """Drop and create ``name`` with mp15_grievance installed, no demo data."""
    if not CONF.exists():
        sys.exit("var/odoo.conf is missing: run `make setup` first (or use `make bench`).")
    started = time.monotonic()
    subprocess.run(
        ["dropdb", "--if-exists", "-h", _conf("db_host"), "-U", _conf("db_user"), name],
        check=True,
        env={**os.environ, "PGPASSWORD": _conf("db_password")},
    )
    log(f"creating database {name} with mp15_grievance (no demo data) …")
    with open(ROOT / "var" / "log" / f"bench-{name}.log", "w") as out:
        subprocess.run(
            odoo_bin_command("-d", name, "-i", "mp15_grievance", "--without-demo=all", "--stop-after-init"),
            check=True,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    log(f"  done in {time.monotonic() - started:.0f} s")


def _conf(key):
    for line in CONF.read_text().splitlines():
        name, _, value = line.partition("=")
        if name.strip() == key:
            return value.strip()
    return ""


@contextmanager
def odoo_registry(dbname):
    """The loaded registry of ``dbname`` (Odoo imported from the configured source)."""
    sys.path.insert(0, str(odoo_source()))
    import odoo  # only importable once the source is on the path

    odoo.tools.config.parse_config(["-c", str(CONF), "-d", dbname, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(dbname)
    yield odoo, registry


def log(message):
    print(message, flush=True)
