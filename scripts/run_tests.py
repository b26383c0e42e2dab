"""Run the test suites and end with one line: ``N passed, N failed``.

Started by scripts/test.sh once .venv, Odoo, PostgreSQL and var/odoo.conf are ready.

- pure:    pytest on tests/, counted from its JUnit XML report;
- install: a fresh database gets the addon and the simulator addon with demo data and Hindi;
           a second one gets the addon alone, as in production (no simulator, no demo data), and
           psql shows no trace of the simulator there. Any WARNING, ERROR or CRITICAL line in
           either log fails that check;
- odoo:    a fresh database runs both addons' Odoo tests, counted from Odoo's closing line
           ``N failed, M error(s) of T tests when loading database '...'``.

Without Odoo, a banner says how many Odoo tests were not run (counted from the source).
Exit status 1 when anything failed.
"""

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SCRIPTS_DIR = REPO_ROOT / "scripts"
VAR_DIR = REPO_ROOT / "var"
LOG_DIR = VAR_DIR / "log"
RESULTS_DIR = VAR_DIR / "test-results"
# MP15_TEST_DB lets two test runs share a machine (each with its own TEST_PORT): databases and logs differ.
TEST_DB = os.environ.get("MP15_TEST_DB") or "mp15_test"
INSTALL_DB = f"{TEST_DB}_install"
PRODUCTION_DB = f"{TEST_DB}_production"  # the addon alone: what a production install holds
LOG_PREFIX = "test" if TEST_DB == "mp15_test" else TEST_DB
LANGUAGE = "hi_IN"

LOG_HEADER = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \d+ "  # date, time, process id
    r"(?P<level>[A-Z]+) (?P<db>\S+) (?P<logger>[\w.]+): (?P<message>.*)$"
)
ODOO_TEST_TOTALS = re.compile(
    r"^(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<total>\d+) tests "
    r"when loading database '(?P<db>[^']*)'"
)
PROBLEM_LEVELS = ("WARNING", "ERROR", "CRITICAL")

STARTED = float(os.environ.get("MP15_STARTED", time.time()))
BOLD, RED, RESET = ("\033[1m", "\033[31m", "\033[0m") if sys.stdout.isatty() else ("", "", "")


def step(text):
    seconds = int(time.time() - STARTED)
    print(f"{BOLD}==> [{seconds // 60}:{seconds % 60:02d}] {text}{RESET}", flush=True)


def say(*lines):
    for line in lines:
        print(f"    {line}", flush=True)


@dataclass
class Tally:
    label: str
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    ran: bool = True
    reason: str = ""


@dataclass
class LogRecord:
    """One Odoo log record: its header line and the lines that continue it (tracebacks)."""

    level: str
    logger: str
    message: str
    lines: list = field(default_factory=list)

    def excerpt(self, limit=14):
        if len(self.lines) <= limit:
            return self.lines
        return [self.lines[0], f"  ... {len(self.lines) - limit} lines ...", *self.lines[-(limit - 1) :]]


def read_log(path):
    """Odoo's log as records. Lines before the first header (plain stderr) form their own record."""
    records = []
    with open(path, encoding="utf-8", errors="replace") as log:
        for raw in log:
            line = raw.rstrip("\n")
            header = LOG_HEADER.match(line)
            if header:
                records.append(LogRecord(header["level"], header["logger"], header["message"], [line]))
            elif records:
                records[-1].lines.append(line)
            elif line.strip():
                records.append(LogRecord("", "", line, [line]))
    return records


# ------------------------------------------------------------------ database helpers


def psql(database, query, **variables):
    """Run one query through psql (connection from the PG* environment); return its output."""
    command = ["psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-d", database]
    for name, value in variables.items():
        command += ["-v", f"{name}={value}"]
    done = subprocess.run(command, input=query, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip())
    return done.stdout.strip()


def drop_database(name, data_dir):
    """Drop database NAME and its filestore; False (having said why) when PostgreSQL refused."""
    try:
        psql("postgres", 'DROP DATABASE IF EXISTS :"name" WITH (FORCE)', name=name)
    except RuntimeError as error:
        say(f"{RED}Could not drop the test database {name}: {error}{RESET}")
        return False
    shutil.rmtree(Path(data_dir) / "filestore" / name, ignore_errors=True)
    return True


def module_state(database, module):
    try:
        return psql(database, "SELECT state FROM ir_module_module WHERE name = :'name'", name=module)
    except RuntimeError:
        return ""


# ------------------------------------------------------------------ pure tests


def run_pure_tests():
    step("Pure tests: pytest tests/")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    report = RESULTS_DIR / "pytest.xml"
    report.unlink(missing_ok=True)
    returncode = subprocess.call(
        [sys.executable, "-m", "pytest", "tests/", f"--junitxml={report}", "-o", "junit_family=xunit2"],
        cwd=REPO_ROOT,
    )
    tally = Tally("pure tests (pytest)")
    if report.exists():
        root = ET.parse(report).getroot()
        suites = [root] if root.tag == "testsuite" else root.iter("testsuite")
        for suite in suites:
            total, failures, errors, skipped = (
                int(suite.get(key, 0)) for key in ("tests", "failures", "errors", "skipped")
            )
            tally.passed += total - failures - errors - skipped
            tally.failed += failures + errors
            tally.skipped += skipped
    # 0: all passed, 5: no test collected; 1: some failed, 2: collection errors (both in the
    # report). Anything else, or no report, is pytest itself failing.
    if returncode not in (0, 5) and tally.failed == 0:
        say(f"{RED}pytest stopped with exit status {returncode} and reported no failing test.{RESET}")
        tally.failed = 1
    return tally


# ------------------------------------------------------------------ Odoo runs


def run_odoo(args, label, log, extra):
    """Odoo with var/odoo.conf and EXTRA arguments, output in LOG, progress on screen."""
    command = [sys.executable, str(Path(args.odoo_dir) / "odoo-bin"), "-c", args.conf, *extra]
    command.append(f"--http-port={args.test_port}")  # beside a `make run` on the usual port
    say(f"log: {os.path.relpath(log, REPO_ROOT)}")
    runner = [sys.executable, str(SCRIPTS_DIR / "run_logged.py"), "--log", str(log), "--label", label]
    return subprocess.call([*runner, "--kind", "odoo", "--no-tail", "--", *command])


def show_records(records, limit=20):
    for record in records[:limit]:
        for line in record.excerpt():
            say(f"| {line}")
    if len(records) > limit:
        say(f"... and {len(records) - limit} more")


def check_install(args, database, modules, extra, label):
    """Install MODULES into a fresh DATABASE; the reasons it failed (an empty list when it did not)."""
    if not drop_database(database, args.data_dir):
        return [f"could not drop {database}"]
    log = LOG_DIR / f"{LOG_PREFIX}-{label}.log"
    returncode = run_odoo(args, label, log, ["-d", database, "-i", ",".join(modules), *extra, "--stop-after-init"])
    problems = [record for record in read_log(log) if record.level in PROBLEM_LEVELS]
    reasons = []
    if returncode != 0:
        reasons.append(f"Odoo exited with status {returncode}")
    if problems:
        reasons.append(f"{len(problems)} WARNING/ERROR/CRITICAL line(s) in the log")
        show_records(problems)
    for module in modules:
        state = module_state(database, module)
        if state != "installed":
            reasons.append(f"{module} is {state or 'absent'} in {database}, not installed")
    return reasons


# What a production database must not hold: each query counts traces of the simulator.
SIMULATOR_TRACES = {
    "the simulator addon installed": (
        "SELECT count(*) FROM ir_module_module WHERE name = :'simulator' AND state <> 'uninstalled'"
    ),
    "records of the simulator addon (account, menu, client action, views)": (
        "SELECT count(*) FROM ir_model_data WHERE module = :'simulator'"
    ),
    "the simulator's model": "SELECT count(*) FROM ir_model WHERE model = 'mp15.whatsapp.simulator'",
    "a simulator flag on WhatsApp accounts": (
        "SELECT count(*) FROM ir_model_fields WHERE model = 'mp15.whatsapp.account' AND name = 'is_simulator'"
    ),
    "a WhatsApp account (production starts with none)": "SELECT count(*) FROM mp15_whatsapp_account",
    "the chat page's client action": "SELECT count(*) FROM ir_act_client WHERE tag = 'mp15_whatsapp_simulator'",
    "a simulator asset": "SELECT count(*) FROM ir_asset WHERE path ILIKE '%simulator%'",
    "the simulator's address on the Graph URL allow-list": (
        "SELECT count(*) FROM ir_config_parameter WHERE key = 'mp15_grievance.graph_url_allowlist' "
        "AND value LIKE '%127.0.0.1%'"
    ),
}


def simulator_traces(database, simulator):
    """What of SIMULATOR_TRACES DATABASE holds, as readable reasons."""
    found = []
    for what, query in SIMULATOR_TRACES.items():
        try:
            count = int(psql(database, query, simulator=simulator) or 0)
        except (RuntimeError, ValueError) as error:
            found.append(f"could not check {what}: {error}")
            continue
        if count:
            found.append(f"{what} ({count})")
    return found


def run_install_check(args):
    step(f"Install check: {args.addon} and {args.simulator} with demo data and {LANGUAGE} into {INSTALL_DB}")
    reasons = check_install(args, INSTALL_DB, [args.addon, args.simulator], [f"--load-language={LANGUAGE}"], "install")
    tally = Tally("install checks")
    if reasons:
        tally.failed += 1
        say(f"{RED}FAILED: {'; '.join(reasons)}.{RESET}")
    else:
        tally.passed += 1
        say("passed: installed with no warning.")

    step(f"Install check: {args.addon} alone, as in production (no simulator, no demo data) into {PRODUCTION_DB}")
    reasons = check_install(
        args, PRODUCTION_DB, [args.addon], ["--without-demo=all", f"--load-language={LANGUAGE}"], "install-production"
    )
    if not reasons:
        reasons = [f"{PRODUCTION_DB} holds {trace}" for trace in simulator_traces(PRODUCTION_DB, args.simulator)]
    if reasons:
        tally.failed += 1
        say(f"{RED}FAILED: {'; '.join(reasons)}.{RESET}")
    else:
        tally.passed += 1
        say("passed: installed with no warning, and no trace of the simulator.")
    return tally


def run_odoo_tests(args):
    modules = [args.addon, args.simulator]
    step(f"Odoo tests: --test-tags {args.tags} in a fresh database {TEST_DB}")
    if not drop_database(TEST_DB, args.data_dir):
        return Tally("Odoo tests", failed=1)
    log = LOG_DIR / f"{LOG_PREFIX}-odoo.log"
    returncode = run_odoo(
        args,
        "Odoo tests",
        log,
        ["-d", TEST_DB, "-i", ",".join(modules), "--test-enable", f"--test-tags={args.tags}", "--stop-after-init"],
    )
    records = read_log(log)
    totals = None
    for record in records:
        match = ODOO_TEST_TOTALS.match(record.message)
        if match and match["db"] == TEST_DB:
            totals = match
    failing = [
        record for record in records if record.level == "ERROR" and record.message.startswith(("FAIL: ", "ERROR: "))
    ]
    skipped = sum(
        1
        for record in records
        if record.message.startswith("skipped ")
        and record.logger.startswith(tuple(f"odoo.addons.{module}." for module in modules))
    )

    tally = Tally("Odoo tests")
    if totals:
        failed, errors, total = int(totals["failed"]), int(totals["errors"]), int(totals["total"])
        tally.failed = failed + errors
        tally.skipped = min(skipped, total)
        tally.passed = max(total - failed - errors - tally.skipped, 0)
        say(f"Odoo: {totals.group(0)}")
        written, _files, _unreadable = count_odoo_tests(args.addon_dir, args.simulator_dir)
        if args.tags == default_tags(args) and total < written:
            say(
                f"{RED}Note: {written} test methods are written in tests/test_*.py of {' and '.join(modules)} "
                f"but Odoo ran {total}: is every test file imported in its tests/__init__.py?{RESET}"
            )
    else:
        tally.failed = max(len(failing), 1)
        say(f"{RED}Odoo stopped before reporting its tests (exit status {returncode}).{RESET}")
        serious = [record for record in records if record.level in ("ERROR", "CRITICAL")]
        show_records([record for record in serious if record not in failing] or records[-1:])
    if returncode != 0 and tally.failed == 0:
        tally.failed = 1
        say(f"{RED}Odoo exited with status {returncode} although no test failed; see the log.{RESET}")

    for record in failing:
        name = record.message.split("\n")[0]
        say("", f"{RED}{name}{RESET}")
        show_records([record])
    return tally


# ------------------------------------------------------------------ no Odoo


def run_cluster_smoke(args):
    """Two Odoo servers on one database behind nginx: webhooks on one, processing and sending on the other."""
    database = f"{TEST_DB}_cluster"
    step(f"Cluster smoke: two Odoo servers on one database ({database}) behind nginx")
    tally = Tally("cluster smoke")
    if not shutil.which("nginx") and not os.path.exists("/usr/sbin/nginx"):
        tally.ran, tally.reason = False, "nginx is not installed"
        say(f"{RED}NOT RUN: nginx is not installed (as root, make test installs it: apt-get install nginx).{RESET}")
        return tally
    log = LOG_DIR / f"{LOG_PREFIX}-cluster.log"
    say(f"log: {os.path.relpath(log, REPO_ROOT)}")
    with open(log, "w") as out:
        code = subprocess.call(
            [sys.executable, str(REPO_ROOT / "bench" / "faults.py"), "--smoke", "--db", database],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "ODOO_SRC": args.odoo_dir},
        )
    table = [line for line in log.read_text(errors="replace").splitlines() if line.startswith(("| smoke", "FAILED"))]
    say(*table)
    if code == 0:
        tally.passed += 1
        say("passed: every webhook stored once, processed on the other server, every citizen answered.")
    else:
        tally.failed += 1
        say(f"{RED}FAILED (exit {code}): see {os.path.relpath(log, REPO_ROOT)}{RESET}")
    return tally


def count_odoo_tests(*addon_dirs):
    """Test methods in classes of ADDON/tests/test_*.py of each of ADDON_DIRS, counted from the source."""
    files = sorted(path for addon_dir in addon_dirs for path in (Path(addon_dir) / "tests").glob("test_*.py"))
    total = 0
    unreadable = []
    for path in files:
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except (SyntaxError, UnicodeDecodeError):
            unreadable.append(path.name)
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                methods = [item for item in node.body if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)]
                total += sum(1 for method in methods if method.name.startswith("test_"))
    return total, len(files), unreadable


def banner(lines, width=78):
    """LINES in a box of #; a line that starts with spaces (a command) is not re-wrapped."""
    rule = "#" * width
    inner = width - 8
    print(rule)
    for line in lines:
        wrapped = [line] if line.startswith(" ") or not line else textwrap.wrap(line, inner)
        for part in wrapped:
            print(f"##  {part:<{inner}}  ##")
    print(rule, flush=True)


def report_odoo_missing(args):
    count, files, unreadable = count_odoo_tests(args.addon_dir, args.simulator_dir)
    test_dirs = [Path(addon_dir) / "tests" for addon_dir in (args.addon_dir, args.simulator_dir)]
    where = " and ".join(f"{os.path.relpath(test_dir, REPO_ROOT)}/" for test_dir in test_dirs)
    lines = [
        "ODOO TESTS WERE NOT RUN",
        "",
        f"{count} Odoo test(s) in {files} file(s) under {where} did not run, nor did the checks that "
        f"{args.addon} installs without warnings, with {args.simulator} and alone.",
    ]
    if unreadable:
        lines.append(f"Not counted (syntax errors): {', '.join(unreadable)}.")
    lines += [
        "",
        f"Why: {args.odoo_missing}",
        "",
        "To run them, give make an Odoo 18.0 source tree (a copy of https://github.com/odoo/odoo, branch 18.0):",
        "    ODOO_SRC=/path/to/odoo-18.0 make test",
    ]
    print()
    banner(lines)
    print()
    return Tally("Odoo tests", ran=False)


# ------------------------------------------------------------------ main


def default_tags(args):
    return f"/{args.addon},/{args.simulator}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--suites", default="pure,install,odoo,cluster", help="comma-separated: pure, install, odoo, cluster"
    )
    parser.add_argument("--odoo-dir", default="", help="Odoo 18.0 source tree; empty when there is none")
    parser.add_argument("--odoo-missing", default="", help="why there is no Odoo source")
    parser.add_argument("--postgres-error", default="", help="why PostgreSQL is not usable")
    parser.add_argument("--conf", default=str(VAR_DIR / "odoo.conf"))
    parser.add_argument("--data-dir", default=str(VAR_DIR / "data"))
    parser.add_argument("--addon-dir", default=str(REPO_ROOT / "mp15_grievance"))
    parser.add_argument(
        "--simulator-dir", default=str(REPO_ROOT / "mp15_grievance_simulator"), help="the simulator addon"
    )
    parser.add_argument("--tags", default="")
    parser.add_argument("--test-port", default="8169")
    args = parser.parse_args()
    args.addon = Path(args.addon_dir).name
    args.simulator = Path(args.simulator_dir).name
    args.tags = args.tags or default_tags(args)
    suites = set(args.suites.split(","))
    LOG_DIR.mkdir(parents=True, exist_ok=True)

    tallies = []
    if "pure" in suites:
        tallies.append(run_pure_tests())
    if suites & {"install", "odoo", "cluster"}:
        if not args.odoo_dir:
            tallies.append(report_odoo_missing(args))
        elif args.postgres_error:
            step("Odoo tests")
            say(f"{RED}Not run: PostgreSQL is not usable: {args.postgres_error}{RESET}")
            tallies.append(Tally("Odoo tests (PostgreSQL unusable)", failed=1))
        else:
            if "install" in suites:
                tallies.append(run_install_check(args))
            if "odoo" in suites:
                tallies.append(run_odoo_tests(args))
            if "cluster" in suites:
                tallies.append(run_cluster_smoke(args))

    step("Results")
    for tally in tallies:
        if tally.ran:
            extra = f", {tally.skipped} skipped" if tally.skipped else ""
            say(f"{tally.label + ':':<28} {tally.passed} passed, {tally.failed} failed{extra}")
        else:
            say(f"{tally.label + ':':<28} NOT RUN ({tally.reason or 'no Odoo source'})")
    passed = sum(tally.passed for tally in tallies)
    failed = sum(tally.failed for tally in tallies)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
