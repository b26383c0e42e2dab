"""Screenshot a page of a running Odoo as a logged-in user, with headless Chromium (for the README).

    .venv/bin/python scripts/screenshot.py URL OUT.png --login head.water [--size 1280x800] [--wait 4]

Logs in over JSON-RPC (password = login for the demo users), hands the session cookie to
Chromium through the DevTools protocol, loads the page, waits, and saves a PNG.
"""

import argparse
import base64
import json
import shutil
import subprocess
import tempfile
import time
from urllib.parse import urlsplit

import requests
import websocket

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def login(base_url, user, password, db):
    response = requests.post(
        f"{base_url}/web/session/authenticate",
        json={"jsonrpc": "2.0", "params": {"db": db, "login": user, "password": password}},
        timeout=30,
    )
    response.raise_for_status()
    if response.json().get("error"):
        raise SystemExit(f"login as {user} failed: {response.json()['error']['data']['message']}")
    return response.cookies["session_id"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("output")
    parser.add_argument("--login", help="demo login (password = login); omit for a public page")
    parser.add_argument("--db", default="mp15")
    parser.add_argument("--size", default="1280x800")
    parser.add_argument("--wait", type=float, default=4.0, help="seconds to let the page settle")
    args = parser.parse_args()
    width, height = (int(value) for value in args.size.split("x"))
    parts = urlsplit(args.url)
    base_url = f"{parts.scheme}://{parts.netloc}"
    session = login(base_url, args.login, args.login, args.db) if args.login else None

    profile = tempfile.mkdtemp(prefix="mp15-shot-")
    port = 9333
    chromium = subprocess.Popen(
        [
            "/usr/bin/chromium",
            *CHROMIUM_FLAGS,
            f"--remote-debugging-port={port}",
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _attempt in range(50):
            try:
                targets = requests.get(f"http://127.0.0.1:{port}/json", timeout=2).json()
                page = next(target for target in targets if target["type"] == "page")
                break
            except (requests.RequestException, StopIteration):
                time.sleep(0.2)
        else:
            raise SystemExit("Chromium did not start")
        socket = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
        counter = iter(range(1, 10_000))

        def call(method, **params):
            message_id = next(counter)
            socket.send(json.dumps({"id": message_id, "method": method, "params": params}))
            while True:
                reply = json.loads(socket.recv())
                if reply.get("id") == message_id:
                    return reply.get("result", {})

        call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=width < 600)
        if session:
            call("Network.enable")
            call("Network.setCookie", name="session_id", value=session, domain=parts.hostname, path="/")
        call("Page.enable")
        call("Page.navigate", url=args.url)
        time.sleep(args.wait)
        shot = call("Page.captureScreenshot", format="png")
        with open(args.output, "wb") as handle:
            handle.write(base64.b64decode(shot["data"]))
        print(f"saved {args.output} ({width}x{height})")
    finally:
        chromium.terminate()
        chromium.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
