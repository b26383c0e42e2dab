"""Load for the WhatsApp benchmark: Meta-shaped signed webhooks, wrk runs, and a lean paced sender.

Two generators, each where it fits:
- ``run_wrk`` (C, epoll) for the saturation runs of part 1. On 2 shared cores the generator competes
  with Odoo for CPU: wrk spends a few microseconds per request where a Python client spends a few
  hundred, so the ratio measures Odoo and not the client. Its Lua script replays pre-signed bodies,
  each once (bench/wrk_replay.lua), and uses the same per-request path for /web/health.
- ``send_burst`` / ``send_paced`` (Python threads, http.client) for part 2, which needs the POST time
  of every single message to pair it with its reply at the Graph server, at rates (≤ a few hundred
  per second) where the client's cost is small beside the processing it triggers.
"""

import csv
import hashlib
import hmac
import http.client
import itertools
import json
import os
import re
import shutil
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_replay.lua"
WEBHOOK_PATH = "/mp15/whatsapp/webhook"
DISPLAY_NUMBER = "918982600918"
WABA_ID = "102290129340398"
GREETINGS = ("hi", "Hi", "hello", "menu", "Menu", "नमस्ते", "namaste", "मेनू", "HI", "hii")
COMPLAINT_SOURCES = (ROOT / "tests" / "data" / "classifier_eval.csv", ROOT / "tests" / "data" / "classifier_dev.csv")


# --------------------------------------------------------------------------- messages


@dataclass(frozen=True)
class Inbound:
    wa_id: str  # the citizen, as WhatsApp names them (digits, no +)
    wamid: str
    text: str
    kind: str  # "complaint" or "greeting"
    body: bytes  # the webhook POST body, as Meta would send it
    signature: str  # its X-Hub-Signature-256

    @property
    def phone(self):
        return "+" + self.wa_id


def complaint_texts(is_confident):
    """Citizens' complaint texts (Hindi, Hinglish, English) the server's classifier files at once."""
    texts = []
    for source in COMPLAINT_SOURCES:
        with open(source, newline="", encoding="utf-8") as handle:
            texts += [row["text"] for row in csv.DictReader(handle) if row["category"] != "OTHER"]
    confident = [text for text in dict.fromkeys(texts) if is_confident(text)]
    if not confident:
        raise RuntimeError("no complaint text is confident for the classifier: the categories have no keywords?")
    return confident


def citizen_wa_id(series, number):
    """A valid Indian mobile number as a wa_id (91 + 10 digits): a series of 100 million per phase."""
    return f"91{series}{number:08d}"


class MessageFactory:
    """Distinct, correctly signed text webhooks; ``complaint_percent`` % of them are confident complaints."""

    def __init__(self, phone_number_id, app_secret, complaints, complaint_percent=60, tag="B"):
        self.phone_number_id = phone_number_id
        self.secret = app_secret.encode()
        self.complaints = complaints
        self.complaint_percent = complaint_percent
        self.tag = tag
        self._serial = itertools.count(1)

    def message(self, wa_id, index):
        """The ``index``-th message of a run: the mix is deterministic (same run, same texts)."""
        serial = next(self._serial)
        share = self.complaint_percent
        is_complaint = (index + 1) * share // 100 > index * share // 100  # spread evenly: 60 -> 3 in every 5
        if is_complaint:
            text, kind = self.complaints[(index * 7919) % len(self.complaints)], "complaint"
        else:
            text, kind = GREETINGS[index % len(GREETINGS)], "greeting"
        wamid = f"wamid.BENCH{self.tag}{serial:09d}{wa_id}"
        payload = {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": WABA_ID,
                    "changes": [
                        {
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {
                                    "display_phone_number": DISPLAY_NUMBER,
                                    "phone_number_id": self.phone_number_id,
                                },
                                "contacts": [{"profile": {"name": f"Nagrik {serial}"}, "wa_id": wa_id}],
                                "messages": [
                                    {
                                        "from": wa_id,
                                        "id": wamid,
                                        "timestamp": str(int(time.time())),
                                        "text": {"body": text},
                                        "type": "text",
                                    }
                                ],
                            },
                            "field": "messages",
                        }
                    ],
                }
            ],
        }
        body = json.dumps(payload).encode()  # ASCII with \u escapes, as Meta sends it
        signature = "sha256=" + hmac.new(self.secret, body, hashlib.sha256).hexdigest()
        return Inbound(wa_id, wamid, text, kind, body, signature)

    def messages(self, series, count, first=0):
        """``count`` messages, each from its own citizen of ``series``."""
        return [self.message(citizen_wa_id(series, first + index), first + index) for index in range(count)]


# --------------------------------------------------------------------------- wrk


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    issued: int
    wrapped: int
    errors: dict
    latency_ms: dict  # p50, p90, p99, max, mean

    @property
    def per_second(self):
        return self.requests / self.seconds

    @property
    def error_count(self):
        return sum(self.errors.values())


def ensure_wrk(log):
    """wrk's path; installed from Debian (apt-get) when missing and we may."""
    found = shutil.which("wrk")
    if found:
        return found
    if shutil.which("apt-get") and os.geteuid() == 0:
        log("wrk is missing: installing the Debian package (apt-get install wrk) …")
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, capture_output=True)
        if not shutil.which("wrk"):
            subprocess.run(["apt-get", "update", "-q"], check=False, capture_output=True)
            subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, capture_output=True)
        return shutil.which("wrk")
    raise SystemExit("wrk is required: install it (Debian/Ubuntu: apt-get install wrk) and run again.")


def write_wrk_requests(path, messages):
    with open(path, "w", encoding="ascii") as handle:
        for message in messages:
            handle.write(f"{message.signature}\t{message.body.decode('ascii')}\n")


def run_wrk(url, *, seconds, connections, threads=1, requests_file=None, timeout=10):
    """One wrk run; with ``requests_file`` it POSTs each of its lines once, else it GETs ``url``."""
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        f"--timeout={timeout}s",
        "-s",
        str(WRK_SCRIPT),
        url,
    ]
    if requests_file:
        command += ["--", str(requests_file), str(threads)]
    finished = subprocess.run(command, check=True, capture_output=True, text=True)
    match = re.search(r"^WRK_JSON (\{.*\})$", finished.stdout, re.MULTILINE)
    if not match:
        raise RuntimeError(f"wrk printed no result:\n{finished.stdout}\n{finished.stderr}")
    data = json.loads(match.group(1))
    return WrkResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        issued=data["issued"],
        wrapped=data["wrapped"],
        errors=data["errors"],
        latency_ms={name: value / 1000 for name, value in data["latency_us"].items()},
    )


# --------------------------------------------------------------------------- Python sender


@dataclass
class Sent:
    message: Inbound
    started: float = 0.0  # time.monotonic() when the POST began
    finished: float = 0.0
    status: int = 0
    error: str = ""


def post(url, message, timeout=60):
    """POST one webhook on a fresh connection (Odoo's prefork workers close after each answer)."""
    parts = urlsplit(url)
    sent = Sent(message)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    sent.started = time.monotonic()
    try:
        connection.request(
            "POST",
            WEBHOOK_PATH,
            body=message.body,
            headers={"Content-Type": "application/json", "X-Hub-Signature-256": message.signature},
        )
        answer = connection.getresponse()
        answer.read()
        sent.status = answer.status
    except OSError as error:
        sent.error = f"{type(error).__name__}: {error}"
    finally:
        sent.finished = time.monotonic()
        connection.close()
    return sent


def send_burst(url, messages, concurrency=8):
    """Every message as fast as the server takes them, ``concurrency`` at a time."""
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="burst") as pool:
        return list(pool.map(lambda message: post(url, message), messages))


def send_paced(url, messages, rate, concurrency=32):
    """Open loop: message i is posted at start + i / rate whatever the answers' speed."""
    results = []
    lock = threading.Lock()

    def send(message):
        sent = post(url, message)
        with lock:
            results.append(sent)

    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="paced") as pool:
        start = time.monotonic()
        for index, message in enumerate(messages):
            delay = start + index / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pool.submit(send, message)
    return results
