"""Run a command with its output in a log file, showing progress on the terminal.

    run_logged.py --log FILE --label TEXT --kind {odoo,pip} [--no-tail] -- COMMAND...

While the command runs, a status line tells the elapsed time and what it is doing (the
module Odoo loads, the test it runs, the package pip fetches): rewritten in place on a
terminal, printed every half minute otherwise (CI logs). Odoo's WARNING, ERROR and
CRITICAL lines are echoed as they come. When the command fails, the end of the log is
shown unless --no-tail. Exits with the command's status. Standard library only: it runs
before .venv exists.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import time

ODOO_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \d+ "  # date, time, process id
    r"(?P<level>[A-Z]+) (?P<db>\S+) (?P<logger>[\w.]+): (?P<message>.*)$"
)
ODOO_STATUS = [
    (re.compile(r"^Starting (?P<test>\S+) \.\.\."), "test {test}"),
    (re.compile(r"^loading (?P<module>\w+)/(?P<file>\S+)"), "module {module}: {file}"),
    (re.compile(r"^Module (?P<module>\w+): loading demo"), "module {module}: demo data"),
    (re.compile(r"^module (?P<module>\w+): creating or updating database tables"), "module {module}: tables"),
    (re.compile(r"^loading (?P<count>\d+) modules"), "loading {count} modules"),
    (re.compile(r"^(?P<what>loading (base )?translation file.*)"), "{what}"),
    (re.compile(r"^(?P<what>Starting post tests)"), "{what}"),
]
PIP_STATUS = re.compile(r"^\s*(Collecting|Building wheel|Installing collected|Successfully installed|ERROR)\b")
ECHO_LEVELS = {"WARNING", "ERROR", "CRITICAL"}
MAX_ECHOED = 40
QUIET_INTERVAL = 30  # seconds between status lines when not on a terminal


def shorten(text, width):
    return text if len(text) <= width else text[: width - 3] + "..."


def clock(seconds):
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"


class Progress:
    def __init__(self, label, kind):
        self.label = label
        self.kind = kind
        self.status = "starting"
        self.started = time.monotonic()
        self.on_terminal = sys.stdout.isatty()
        self.width = shutil.get_terminal_size((100, 20)).columns
        self.shown_at = 0.0
        self.echoed = 0
        self.status_visible = False

    def feed(self, line):
        if self.kind == "pip":
            if PIP_STATUS.match(line):
                self.status = shorten(line.strip(), 90)
            return
        match = ODOO_LINE.match(line)
        if not match:
            return
        message = match["message"]
        if match["level"] in ECHO_LEVELS:
            self.echo(f"{match['level']} {match['logger']}: {message}")
        for pattern, template in ODOO_STATUS:
            found = pattern.match(message)
            if found:
                self.status = shorten(template.format(**found.groupdict()), 90)
                break

    def echo(self, text):
        self.echoed += 1
        if self.echoed > MAX_ECHOED:
            if self.echoed == MAX_ECHOED + 1:
                self.write("    ! ... more in the log")
            return
        self.write(f"    ! {text[:300]}")

    def write(self, text):
        self.clear()
        print(text, flush=True)

    def clear(self):
        if self.status_visible:
            sys.stdout.write("\r\033[K")
            self.status_visible = False

    def tick(self, force=False):
        now = time.monotonic()
        line = f"    [{clock(now - self.started)}] {self.label}: {self.status}"
        if self.on_terminal:
            sys.stdout.write("\r\033[K" + line[: self.width - 1])
            sys.stdout.flush()
            self.status_visible = True
        elif force or now - self.shown_at >= QUIET_INTERVAL:
            print(line, flush=True)
            self.shown_at = now

    def finish(self, returncode):
        self.clear()
        verdict = "done" if returncode == 0 else f"exit status {returncode}"
        print(f"    [{clock(time.monotonic() - self.started)}] {self.label}: {verdict}", flush=True)


def follow(process, log_path, progress):
    """Feed the log's lines to progress until the process ends."""
    pending = ""
    with open(log_path, encoding="utf-8", errors="replace") as log:
        while True:
            finished = process.poll() is not None
            chunk = log.read()
            if chunk:
                pending += chunk
                *lines, pending = pending.split("\n")
                for line in lines:
                    progress.feed(line)
            if finished:
                if pending:
                    progress.feed(pending)
                return process.returncode
            progress.tick()
            time.sleep(0.5)


def tail(path, count):
    with open(path, encoding="utf-8", errors="replace") as log:
        return log.readlines()[-count:]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--log", required=True)
    parser.add_argument("--label", required=True)
    parser.add_argument("--kind", choices=["odoo", "pip"], required=True)
    parser.add_argument("--no-tail", action="store_true", help="do not show the log's end on failure")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")

    os.makedirs(os.path.dirname(os.path.abspath(args.log)), exist_ok=True)
    progress = Progress(args.label, args.kind)
    with open(args.log, "w", encoding="utf-8") as log:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    try:
        returncode = follow(process, args.log, progress)
    except KeyboardInterrupt:
        # The terminal sent SIGINT to the command too; give it time to stop cleanly.
        progress.clear()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        print(f"\nInterrupted; the output so far is in {args.log}", file=sys.stderr)
        return 130
    if returncode < 0:  # killed by a signal
        returncode = 128 - returncode
    progress.finish(returncode)
    if returncode != 0 and not args.no_tail:
        print(f"    --- last lines of {args.log} ---")
        for line in tail(args.log, 25):
            print(f"    | {line.rstrip()}")
    return returncode


if __name__ == "__main__":
    sys.exit(main())
