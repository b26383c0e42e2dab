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
BENCH_ADDONS = ROOT / "bench" / "addons"  # addons for benchmark databases only (mp15_bench_floor)


def odoo_source():
    return Path(os.environ.get("ODOO_SRC") or Path.home() / ".cache" / "mp15" / "odoo-18.0")


def odoo_bin_command(*args):
    return [sys.executable, str(odoo_source() / "odoo-bin"), "-c", str(CONF), *args]


def bench_addons_path():
    """The ``--addons-path`` option of a benchmark database that has bench-only addons installed too."""
    return f"--addons-path={_conf('addons_path')},{BENCH_ADDONS}"


def create_database(name, log, bench_modules=()):
    """Drop and create ``name`` with mp15_grievance installed, no demo data; ``bench_modules``: addons of
    bench/addons to install as well (then pass ``bench_addons_path()`` to the servers and the registry)."""
    if not CONF.exists():
        sys.exit("var/odoo.conf is missing: run `make setup` first (or use `make bench`).")
    started = time.monotonic()
    subprocess.run(
        ["dropdb", "--if-exists", "-h", _conf("db_host"), "-U", _conf("db_user"), name],
        check=True,
        env={**os.environ, "PGPASSWORD": _conf("db_password")},
    )
    modules = ",".join(("mp15_grievance", *bench_modules))
    log(f"creating database {name} with {modules} (no demo data) …")
    extra = (bench_addons_path(),) if bench_modules else ()
    with open(ROOT / "var" / "log" / f"bench-{name}.log", "w") as out:
        subprocess.run(
            odoo_bin_command(*extra, "-d", name, "-i", modules, "--without-demo=all", "--stop-after-init"),
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
def odoo_registry(dbname, *options):
    """The loaded registry of ``dbname`` (Odoo imported from the configured source); ``options``: more of Odoo's
    command-line options (``bench_addons_path()``)."""
    sys.path.insert(0, str(odoo_source()))
    import odoo  # only importable once the source is on the path

    odoo.tools.config.parse_config(["-c", str(CONF), "-d", dbname, "--log-level=warn", *options])
    registry = odoo.modules.registry.Registry(dbname)
    yield odoo, registry


def log(message):
    print(message, flush=True)
